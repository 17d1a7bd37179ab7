"""report/format.py: how each value with a unit is shown. Money carries its ISO code, never a symbol."""

from __future__ import annotations

import pytest

from assess.report.format import fmt, human, money


@pytest.mark.parametrize("number, shown", [
    (0, "0"), (0.5, "0.5"), (7, "7"), (999, "999"), (1234, "1.23k"), (1_234_567, "1.23M"), (2.5e9, "2.5B"),
    (3e12, "3T"), (-4_500_000, "-4.5M"),
])
def test_human(number, shown):
    assert human(number) == shown


@pytest.mark.parametrize("number, currency, shown", [
    (14.6, "USD", "USD 15"), (9.5, "EUR", "EUR 9.50"), (2500, "USD", "USD 2,500"), (3.82e8, "CNY", "CNY 382M"),
    (-1.6e8, "CNY", "-CNY 160M"), (120_000, "JPY", "JPY 120k"),
])
def test_money_shows_the_iso_code(number, currency, shown):
    assert money(number, currency) == shown
    assert not set(shown) & set("$€£¥")


@pytest.mark.parametrize("value, unit, shown", [
    (None, "fraction", "unknown"), (True, "bool", "yes"), (False, "bool", "no"), ("cash-generative", "months",
                                                                                    "cash-generative"),
    (0.123, "fraction", "12.3 %"), (0.05, "fraction/month", "5.0 %"), (2500, "currency/month", "CNY 2,500/month"),
    (4.2e9, "currency/yr", "CNY 4.2B/yr"), (0.0315, "USD", "USD 0.03"), (3.14e23, "FLOP", "3.14e+23 FLOP"),
    (2.5, "×", "2.50×"), (12345, "×", "12.3k×"), (1500, "rows", "1,500 rows"), (3, "count", "3"),
    (18.4, "months", "18.4 months"), (["a", "b"], "text", "a, b"), (float("nan"), "fraction", "nan"),
])
def test_fmt(value, unit, shown):
    assert fmt(value, unit, "CNY") == shown
