"""Numbers as people write them: 5000000, 5.0e6, "5e6", "1,000,000", "1_000", "$5M", "2.5k", "1.2B", "3T",
Chinese myriads ("3.82亿", "250万元", "¥3.82亿", "1.2万亿"), and rates as "5%". Kept apart from the pydantic models
so that light commands need not import pydantic."""

from __future__ import annotations

import math
import re
from typing import Any

_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12, "tn": 1e12,
           "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "lakh": 1e5, "crore": 1e7,
           "千": 1e3, "万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "万亿": 1e12, "萬億": 1e12}
# A currency mark before the number and 元/块 after it: which currency each one names. ¥ is the yuan's sign and the
# yen's, so it names either.
CURRENCY_MARKS = {"$": ("USD",), "US$": ("USD",), "USD": ("USD",), "€": ("EUR",), "EUR": ("EUR",), "£": ("GBP",),
                  "GBP": ("GBP",), "CN¥": ("CNY",), "RMB": ("CNY",), "CNY": ("CNY",), "元": ("CNY",), "块": ("CNY",),
                  "¥": ("CNY", "JPY"), "￥": ("CNY", "JPY"), "JPY": ("JPY",), "HK$": ("HKD",), "HKD": ("HKD",)}
_NUMBER_RE = re.compile(
    r"^\s*(CN¥|US\$|HK\$|[$€£¥￥]|RMB|CNY|USD|EUR|GBP|JPY|HKD)?\s*([+-]?[0-9][0-9,_]*(?:\.[0-9]*)?(?:e[+-]?[0-9]+)?)\s*"
    r"(thousand|million|billion|trillion|lakh|crore|k|mm|mn|m|bn|b|tn|t|万亿|萬億|千|万|萬|亿|億)?\s*(元|块)?\s*$",
    re.IGNORECASE)


MAX_MAGNITUDE = 10**18  # beyond any field's bound; fields state their own, smaller ones


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 10]}…{text[-8:]} ({len(text):,} characters)"


def parse_number(value: Any) -> Any:
    """Turn human-written numeric strings into floats; leave other values for pydantic to judge."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a true/false value")
    if isinstance(value, str):
        text = value.strip()
        match = _NUMBER_RE.match(text)
        if not match:
            raise ValueError(f"expected a number (e.g. 5000000, 5e6, \"$5M\", \"3.82亿\"), got {_short(value)}")
        digits = match.group(2)
        if "," in digits and not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})*(\.\d*)?(e[+-]?\d+)?", digits, re.I):
            raise ValueError(f"misplaced thousands separator in {value!r}")
        number = float(digits.replace(",", "").replace("_", "")) * _SUFFIX[(match.group(3) or "").lower()]
        if not math.isfinite(number):
            raise ValueError(f"expected a number below 1e308, got {_short(value)}")
        value = number
    if isinstance(value, int) and abs(value) > MAX_MAGNITUDE:  # keep 400-digit integers away from float()
        raise ValueError(f"expected a number between -1e18 and 1e18, got a {len(str(abs(value))):,}-digit integer")
    if isinstance(value, (int, float)) and not math.isfinite(value):
        raise ValueError("expected a finite number, got NaN or infinity")
    return value


def currency_marks(value: Any) -> tuple[str, ...] | None:
    """The currencies a written amount's mark allows ("$5M" → USD; "¥3.82亿" → CNY or JPY), or None if unmarked."""
    if not isinstance(value, str):
        return None
    match = _NUMBER_RE.match(value.strip())
    if not match or not (match.group(1) or match.group(4)):
        return None
    allowed: set[str] | None = None
    for mark in (match.group(1), match.group(4)):
        if mark:
            names = set(CURRENCY_MARKS[mark.upper() if mark.isascii() and mark.isalpha() else mark])
            allowed = names if allowed is None else allowed & names
    return tuple(sorted(allowed or ()))


def parse_rate(value: Any) -> Any:
    """Rates are fractions in [0, 1]; "5%" means 0.05."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return parse_number(value.strip()[:-1]) / 100.0
    return parse_number(value)
