"""Facts: named, unit-carrying values derived from the project and from the engines.

Each engine declares the facts it computes in a `FACTS` tuple beside the code that computes them (economics,
compute, bench, data profile). `registry()` gathers those tuples explicitly; nothing registers itself as a side
effect of being imported. The scorer only ever sees a Facts mapping.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True)
class FactSpec:
    name: str
    unit: str
    description: str


def specs(rows: Iterable[tuple[str, str, str]]) -> tuple[FactSpec, ...]:
    """(name, unit, description) rows as FactSpecs: how an engine declares its facts."""
    return tuple(FactSpec(*row) for row in rows)


@functools.cache
def registry() -> dict[str, FactSpec]:
    """Every fact a rubric may read, gathered from the engines that compute them."""
    from .bench import FACTS as bench
    from .compute.facts import FACTS as compute
    from .dataprofile import FACTS as data
    from .economics import FACTS as economics

    table: dict[str, FactSpec] = {}
    for spec in (*economics, *compute, *data, *bench):
        if spec.name in table:
            raise RuntimeError(f"fact '{spec.name}' is declared twice")
        table[spec.name] = spec
    return table


def known_fact_names() -> set[str]:
    return set(registry())


class Fact(NamedTuple):  # a NamedTuple: immutable and cheap to build (robustness builds ~40 per draw)
    name: str
    value: Any
    unit: str
    origin: str  # "input", "derived", or the engine that computed it
    note: str = ""
    applicable: bool = True  # False: the question does not arise for this venture (not the same as unknown)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit, "origin": self.origin,
                "note": self.note, "applicable": self.applicable}


@dataclass
class Facts:
    """An ordered mapping of fact name → Fact. Unknown facts are simply absent."""

    items: dict[str, Fact] = field(default_factory=dict)

    def add(self, name: str, value: Any, *, origin: str = "derived", note: str = "", unit: str | None = None) -> None:
        if value is None:
            return
        if isinstance(value, float) and not math.isfinite(value):
            return
        spec = registry().get(name)
        if spec is None:
            raise KeyError(f"fact '{name}' is not declared in any engine's FACTS")
        self.items[name] = Fact(name, value, unit if unit is not None else spec.unit, origin, note)

    def not_applicable(self, name: str, reason: str, *, origin: str = "derived") -> None:
        """Record that a fact does not apply (e.g. tokens per parameter for a LoRA fine-tune)."""
        spec = registry()[name]
        self.items[name] = Fact(name, None, spec.unit, origin, reason, applicable=False)

    def update(self, other: Facts) -> None:
        self.items.update(other.items)

    def get(self, name: str) -> Any:
        fact = self.items.get(name)
        return fact.value if fact else None

    def __contains__(self, name: str) -> bool:
        return name in self.items

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: fact.as_dict() for name, fact in sorted(self.items.items())}


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator
