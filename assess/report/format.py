"""Number formatting for the report: one place decides how a value with a unit is shown."""

from __future__ import annotations

import math
from typing import Any


def human(number: float, digits: int = 3) -> str:
    """1234567 → '1.23M'."""
    if number == 0:
        return "0"
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= size:
            return f"{number / size:.{digits}g}{suffix}"
    if abs(number) >= 1:
        return f"{number:,.{digits}g}" if abs(number) < 1000 else f"{number:,.0f}"
    return f"{number:.{digits}g}"


def money(number: float, currency: str = "USD") -> str:
    """An amount with its ISO 4217 code (CNY, never the ambiguous ¥): 'USD 2,500', 'CNY 382M'."""
    symbol = currency + " "
    sign = "-" if number < 0 else ""
    number = abs(number)
    if number < 10:
        return f"{sign}{symbol}{number:,.2f}"
    if number < 1e5:
        return f"{sign}{symbol}{number:,.0f}"
    return f"{sign}{symbol}{human(number)}"


def fmt(value: Any, unit: str = "", currency: str = "USD") -> str:
    """Show a fact value with its unit; unknown values say so."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v, unit, currency) for v in value)
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        return str(value)
    if unit.startswith("fraction"):
        return f"{100 * value:.1f} %"
    if unit.startswith("currency") or unit in ("USD",):
        per = unit.split("/", 1)[1] if "/" in unit else ""
        shown = money(value, "USD" if unit == "USD" else currency)
        return f"{shown}/{per}" if per else shown
    if unit == "FLOP":
        return f"{value:.3g} FLOP"
    if unit in ("×",):
        return f"{value:.2f}×" if abs(value) < 1000 else f"{human(value)}×"
    if unit in ("count", "rows", "GPUs", "points"):
        return f"{value:,.0f}" + ("" if unit in ("count", "points") else f" {unit}")
    if unit in ("months", "days", "s", "GPU-h", "tokens/param"):
        return f"{human(value)} {unit}"
    return human(value) + (f" {unit}" if unit and unit not in ("metric",) else "")


def input_value(value: Any, unit: str) -> str:
    """A project input in the unit robustness gives it: '%' for rates, a currency code, or '' (plain)."""
    if value is None:
        return "unknown"
    if unit == "%":
        return f"{100 * value:.3g} %"
    if unit:
        return money(value, unit)
    return human(value)
