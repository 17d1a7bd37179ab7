"""Currencies: ISO 4217 codes (from Babel's CLDR data) and rates to US dollars.

Amounts in project.yaml stay in the project's currency. A rate comes from the file (`fx.usd_per_unit`) or from
the bundled, dated reference table `fx_rates.yaml`; the report names whichever was used. USD figures (compute
prices, rubric thresholds stated in USD) are converted once, with this rate.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

_TABLE = Path(__file__).resolve().parent / "fx_rates.yaml"


@dataclass(frozen=True)
class Rate:
    currency: str
    usd_per_unit: float
    as_of: str | None
    source: str

    def to_local(self, usd: float | None) -> float | None:
        """A USD amount in the project currency."""
        return None if usd is None else usd / self.usd_per_unit

    def to_usd(self, amount: float | None) -> float | None:
        return None if amount is None else amount * self.usd_per_unit

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.cache
def is_iso_currency(code: str) -> bool:
    from babel.numbers import list_currencies

    return code.upper() in list_currencies()


@functools.cache
def reference_table() -> dict[str, Any]:
    """The bundled table: {'as_of', 'source', 'usd_per_unit': {code: rate}}, derived from the ECB's euro rates."""
    with open(_TABLE, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    eur = data["eur_rates"]  # 1 EUR = x units, as published
    usd_per_eur = eur["USD"]
    rates = {code: usd_per_eur / per_eur for code, per_eur in eur.items()}
    rates["EUR"] = usd_per_eur
    rates["USD"] = 1.0
    return {"as_of": str(data["as_of"]), "source": data["source"], "usd_per_unit": rates}


def rate_problem(currency: str, fx: Any) -> str | None:
    """Why no rate can be had for this currency, or None."""
    if currency == "USD" or fx is not None or currency in reference_table()["usd_per_unit"]:
        return None
    return (f"no exchange rate for {currency} in the bundled table (as of {reference_table()['as_of']}); "
            f"expected fx.usd_per_unit (US dollars per {currency}) in the project file")


def resolve_rate(currency: str, fx: Any = None) -> Rate:
    """The rate for this project: the file's own, else the bundled table's."""
    if currency == "USD":
        return Rate("USD", 1.0, None, "USD needs no conversion")
    if fx is not None:
        return Rate(currency, float(fx.usd_per_unit), fx.as_of, fx.source or "project.yaml (fx.usd_per_unit)")
    table = reference_table()
    rate = table["usd_per_unit"].get(currency)
    if rate is None:
        raise KeyError(currency)
    return Rate(currency, rate, table["as_of"], table["source"])
