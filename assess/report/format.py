"""Number formatting for the report: one place decides how a value with a unit is shown.

English (the default) shows large numbers with k/M/B/T and money with its ISO 4217 code ("CNY 4.73B"). Chinese
groups by 万 (10⁴) and 亿 (10⁸) as a Chinese reader expects: 47.3亿元, 2,500万元, 1.2亿美元; a currency without a
common Chinese name keeps its ISO code ("1.2亿 CHF"). Percentages and dates go through Babel's zh_CN rules.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

# Chinese names of the currencies a Chinese reader sees most; each names exactly one currency (元 is the yuan, never
# the yen, whose name is 日元). Other currencies keep their ISO code.
ZH_CURRENCY = {"CNY": "元", "USD": "美元", "JPY": "日元", "EUR": "欧元", "HKD": "港元", "GBP": "英镑", "TWD": "新台币",
               "SGD": "新加坡元", "KRW": "韩元", "AUD": "澳元", "CAD": "加元", "CHF": "瑞士法郎"}
ZH_UNITS = {"months": "个月", "days": "天", "s": "秒", "rows": "行", "GPUs": "块 GPU", "GPU-h": "GPU 小时",
            "tokens/param": "词元/参数", "month": "月", "yr": "年", "year": "年"}


def _zh_sig(number: float) -> str:
    """Three significant digits, thousands-grouped from 100 up: 47.3, 2,500, 3.82."""
    if abs(number) >= 100:
        return f"{number:,.0f}"
    return f"{number:.3g}"


def human_zh(number: float) -> str:
    """1.2e7 → '1,200万', 4.73e9 → '47.3亿', 1.2e12 → '1.2万亿'."""
    if number == 0:
        return "0"
    for size, suffix in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if abs(number) >= size:
            return f"{_zh_sig(number / size)}{suffix}"
    if abs(number) >= 1:
        return f"{number:,.0f}" if abs(number) >= 100 else f"{number:.3g}"
    return f"{number:.3g}"


def money_zh(number: float, currency: str = "USD") -> str:
    """'47.3亿元', '2,500万元', '8,000元', '1.2亿美元', '3.5万 CHF'."""
    name = ZH_CURRENCY.get(currency)
    sign = "-" if number < 0 else ""
    number = abs(number)
    if number < 10:
        shown = f"{number:,.2f}"
    elif number < 1e4:
        shown = f"{number:,.0f}"
    else:
        shown = human_zh(number)
    return f"{sign}{shown}{name}" if name else f"{sign}{shown} {currency}"


def pct(value: float | None, lang: str = "en") -> str:
    """A share as a percentage: '12 %' in English (as before), '12.5%' in Chinese."""
    if value is None:
        return "unknown" if lang == "en" else "未知"
    if lang == "en":
        return f"{100 * value:.0f} %"
    from babel.numbers import format_percent

    return format_percent(value, "#,##0.#%", locale="zh_CN")


def date(iso: str, lang: str = "en") -> str:
    """A YYYY-MM-DD date as the reader writes it: unchanged in English, 2026年11月23日 in Chinese."""
    if lang == "en":
        return iso
    from babel.dates import format_date

    return format_date(dt.date.fromisoformat(iso), format="long", locale="zh_CN")


def human(number: float, digits: int = 3, lang: str = "en") -> str:
    """1234567 → '1.23M' ('123万' in Chinese)."""
    if lang != "en":
        return human_zh(number)
    if number == 0:
        return "0"
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= size:
            return f"{number / size:.{digits}g}{suffix}"
    if abs(number) >= 1:
        return f"{number:,.{digits}g}" if abs(number) < 1000 else f"{number:,.0f}"
    return f"{number:.{digits}g}"


def money(number: float, currency: str = "USD", lang: str = "en") -> str:
    """An amount with its ISO 4217 code (CNY, never the ambiguous ¥): 'USD 2,500', 'CNY 382M'; in Chinese
    '3.82亿元'."""
    if lang != "en":
        return money_zh(number, currency)
    symbol = currency + " "
    sign = "-" if number < 0 else ""
    number = abs(number)
    if number < 10:
        return f"{sign}{symbol}{number:,.2f}"
    if number < 1e5:
        return f"{sign}{symbol}{number:,.0f}"
    return f"{sign}{symbol}{human(number)}"


def fmt(value: Any, unit: str = "", currency: str = "USD", lang: str = "en") -> str:
    """Show a fact value with its unit in the report's language; unknown values say so."""
    zh = lang != "en"
    if value is None:
        return "未知" if zh else "unknown"
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ("、" if zh else ", ").join(fmt(v, unit, currency, lang) for v in value)
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        return str(value)
    big, cash = (human_zh, money_zh) if zh else (human, money)
    name = (lambda u: ZH_UNITS.get(u, u)) if zh else (lambda u: u)
    base, _, per = unit.partition("/")
    if base == "fraction":
        if zh:  # English leaves the period to the criterion's wording
            return f"{100 * value:.1f}%" + (f"/{name(per)}" if per else "")
        return f"{100 * value:.1f} %"
    if base == "currency" or unit == "USD":
        shown = cash(value, "USD" if unit == "USD" else currency)
        return f"{shown}/{name(per)}" if per else shown
    if unit == "FLOP":
        return f"{value:.3g} FLOP"
    if unit == "×":
        return f"{value:.2f}×" if abs(value) < 1000 else f"{big(value)}×"
    if unit in ("count", "points"):
        return f"{value:,.0f}"
    if unit in ("rows", "GPUs"):
        return f"{value:,.0f} {name(unit)}"
    if unit in ("months", "days", "s", "GPU-h", "tokens/param"):
        return f"{big(value)} {name(unit)}"
    return big(value) + (f" {unit}" if unit and unit != "metric" else "")


def input_value(value: Any, unit: str, lang: str = "en") -> str:
    """A project input in the unit robustness gives it: '%' for rates, a currency code, or '' (plain)."""
    if value is None:
        return "未知" if lang == "zh" else "unknown"
    if unit == "%":
        return f"{100 * value:.3g}%" if lang == "zh" else f"{100 * value:.3g} %"
    if unit:
        return money(value, unit, lang=lang)
    return human(value, lang=lang)
