"""Ranges on numeric inputs. Any number in project.yaml may be exact, or one of three distributions:

- a range `{low: 600, high: 1200}`, read as the 10th and 90th percentiles of a normal distribution;
- a triangular distribution `{low: 600, likely: 800, high: 1200}`, whose low and high are the extremes;
- a lognormal `{p10: 1e6, p90: 5e7}`, for amounts that span orders of magnitude (p10 > 0).

Bounds are written as the exact field would be ("$5M", "3%", "2.5亿") and validated the same way. The project
itself carries each distribution's median (its P50); `assess.robustness` samples the rest. A normal or lognormal
is truncated to the field's own limits (a churn stays within 0 and 1, with no pile of draws on either bound; the
truncation moves its median and percentiles a little), and draws are rounded where the field counts things.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import Problem
from .yamlload import line_for

Z90 = 1.2815515655446004  # the standard normal's 90th percentile: P10/P90 sit this many sigmas from the median
FORMS: dict[frozenset[str], str] = {
    frozenset({"low", "high"}): "range",
    frozenset({"low", "likely", "high"}): "triangular",
    frozenset({"p10", "p90"}): "lognormal",
}
FORMS_TEXT = "{low, high} (P10/P90), {low, likely, high} (triangular) or {p10, p90} (lognormal)"
# Sections whose numbers are not estimates: the dataset is measured by the profile and the benchmark, and an
# exchange rate is a published figure with a date.
REFUSED = {
    "data": "the dataset is measured by the data profile and the benchmark, not estimated: give the dataset "
            "(data.path) rather than a range",
    "fx": "an exchange rate is a published figure: state it with its date (fx.as_of) rather than a range",
}


@dataclass(frozen=True)
class Distribution:
    """One uncertain input, in the field's own units (the project's currency, a fraction for rates)."""

    path: tuple[str | int, ...]
    form: str  # range | triangular | lognormal
    low: float  # range: P10; triangular: minimum; lognormal: P10
    high: float  # range: P90; triangular: maximum; lognormal: P90
    likely: float | None = None  # triangular: the mode
    integer: bool = False
    lower: float | None = None  # the field's limits, which draws are truncated to
    upper: float | None = None
    line: int | None = None
    written: tuple[tuple[str, Any], ...] = ()  # the bounds as written ("$5M"), for the currency-mark check

    @property
    def field(self) -> str:
        return ".".join(map(str, self.path))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at quantiles u in (0, 1). A normal or lognormal is truncated to the field's limits (a churn range
        near 0 spreads its tail over small churns rather than piling draws on exactly 0); counts are rounded."""
        u = np.asarray(u, dtype=float)
        if self.form == "triangular":
            lo, mode, hi = self.low, self.likely if self.likely is not None else self.low, self.high
            width = hi - lo
            if width <= 0:
                values = np.full_like(u, lo)
            else:
                cut = (mode - lo) / width
                values = np.where(u < cut, lo + np.sqrt(u * width * (mode - lo)),
                                  hi - np.sqrt((1 - u) * width * (hi - mode)))
            return self.clip(values)
        log = self.form == "lognormal"
        low, high = (math.log(self.low), math.log(self.high)) if log else (self.low, self.high)
        mu, sigma = (low + high) / 2, (high - low) / (2 * Z90)
        if sigma > 0:
            floor = (math.log(self.lower) if self.lower > 0 else None) if log and self.lower is not None else \
                self.lower
            ceiling = math.log(self.upper) if log and self.upper is not None else self.upper
            values = mu + sigma * _truncated_normal_ppf(u, floor, ceiling, mu, sigma)
        else:
            values = np.full_like(u, mu)
        return self.clip(np.exp(values) if log else values)

    def clip(self, values: np.ndarray) -> np.ndarray:
        values = np.clip(values, self.lower if self.lower is not None else -np.inf,
                         self.upper if self.upper is not None else np.inf)
        if self.integer:
            values = np.round(values)
            if self.lower is not None:  # a strict lower limit (gt=0) on a count is at least 1 after rounding
                values = np.maximum(values, math.ceil(self.lower))
        return values

    def quantile(self, q: float) -> float:
        return float(self.ppf(np.array([q]))[0])

    @property
    def median(self) -> float:
        return self.quantile(0.5)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "form": self.form, "low": self.low, "likely": self.likely, "high": self.high,
                "median": self.median, "p10": self.quantile(0.1), "p90": self.quantile(0.9)}

    def describe(self) -> str:
        if self.form == "range":
            return f"{self.low:,.6g} to {self.high:,.6g} (P10–P90)"
        if self.form == "triangular":
            return f"{self.low:,.6g} / {self.likely:,.6g} / {self.high:,.6g} (low / likely / high)"
        return f"lognormal, P10 {self.low:,.6g}, P90 {self.high:,.6g}"


def _truncated_normal_ppf(u: np.ndarray, floor: float | None, ceiling: float | None, mu: float,
                          sigma: float) -> np.ndarray:
    """Standard-normal quantiles of u rescaled into the window [floor, ceiling] (in units of mu, sigma)."""
    from scipy.special import ndtr, ndtri

    below = float(ndtr((floor - mu) / sigma)) if floor is not None else 0.0
    above = float(ndtr((ceiling - mu) / sigma)) if ceiling is not None else 1.0
    return ndtri(below + u * (above - below))


def field_type(info: Any) -> Any:
    """A pydantic field's type with its validators and limits: a required field keeps them in `metadata`."""
    return info.rebuild_annotation()


def _leaf(annotation: Any) -> tuple[type | None, float | None, float | None]:
    """(float or int, lower, upper) for a numeric field's annotation; (None, …) for anything else."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        base, lower, upper = args[0], None, None
        for meta in args[1:]:
            for item in [meta, *getattr(meta, "metadata", [])]:
                for name in ("ge", "gt"):
                    if getattr(item, name, None) is not None:
                        lower = float(getattr(item, name))
                for name in ("le", "lt"):
                    if getattr(item, name, None) is not None:
                        upper = float(getattr(item, name))
        kind, _, _ = _leaf(base)
        return kind, lower, upper
    if annotation in (int, float):
        return annotation, None, None
    for arg in args:  # Optional[...]: the first numeric member
        if arg is type(None):
            continue
        kind, lower, upper = _leaf(arg)
        if kind is not None:
            return kind, lower, upper
    return None, None, None


def _describe_kind(annotation: Any) -> str:
    text = str(annotation)
    if "Literal" in text:
        return "a choice of words"
    if "bool" in text:
        return "true or false"
    return "text"


def _bound(adapter: TypeAdapter, raw: Any, where: str, line: int | None, file: str,
           problems: list[Problem]) -> float | None:
    from .project import describe_error

    if isinstance(raw, (dict, list)):
        problems.append(Problem(f"expected a number, got a {type(raw).__name__}", file=file, line=line, field=where))
        return None
    try:
        value = adapter.validate_python(raw)
    except ValidationError as exc:
        problems.extend(Problem(describe_error(err), file=file, line=line, field=where) for err in exc.errors())
        return None
    return None if value is None else float(value)


def extract(data: Any, model: type[BaseModel], lines: dict, file: str,
            path: tuple = ()) -> tuple[list[Distribution], list[Problem]]:
    """Find the distributions in parsed YAML, check them, and put each one's median in its place (in `data`,
    which is changed in place) so that the schema sees a plain number."""
    found: list[Distribution] = []
    problems: list[Problem] = []
    if isinstance(data, list):
        for index, item in enumerate(data):
            more, wrong = extract(item, model, lines, file, (*path, index))
            found += more
            problems += wrong
        return found, problems
    if not isinstance(data, dict):
        return found, problems
    fields = model.model_fields
    for key in list(data):
        value = data[key]
        where = (*path, key)
        dotted = ".".join(map(str, where))
        line = line_for(lines, where)
        info = fields.get(key) if isinstance(key, str) else None
        if isinstance(value, dict) and path == () and key in REFUSED and _holds_distribution(value):
            at = _first_distribution(value, where)
            problems.append(Problem(f"a range is not accepted here: {REFUSED[key]}", file=file,
                                    line=line_for(lines, at), field=".".join(map(str, at))))
            continue
        if info is None:
            continue
        from .project import _sub_model

        sub = _sub_model(info.annotation)
        if sub is not None:
            more, wrong = extract(value, sub, lines, file, where)
            found += more
            problems += wrong
            continue
        if not isinstance(value, dict):
            continue
        full = field_type(info)
        kind, lower, upper = _leaf(full)
        if kind is None:
            problems.append(Problem(f"a distribution needs a numeric field, and {dotted} is "
                                    f"{_describe_kind(info.annotation)}", file=file, line=line, field=dotted))
            continue
        form = FORMS.get(frozenset(map(str, value)))
        if form is None:
            problems.append(Problem(f"expected a number or a distribution {FORMS_TEXT}, got keys "
                                    f"{', '.join(map(str, value)) or 'none'}", file=file, line=line, field=dotted))
            continue
        adapter: TypeAdapter = TypeAdapter(full)
        written = {name: _bound(adapter, raw, f"{dotted}.{name}", line_for(lines, (*where, name)) or line, file,
                               problems) for name, raw in value.items()}
        bounds = {name: b for name, b in written.items() if b is not None}
        if len(bounds) < len(written):
            continue
        order_problem = _order_problem(form, bounds)
        if order_problem:
            problems.append(Problem(order_problem, file=file, line=line, field=dotted))
            continue
        low, high = (bounds["p10"], bounds["p90"]) if form == "lognormal" else (bounds["low"], bounds["high"])
        dist = Distribution(path=where, form=form, low=low, high=high, likely=bounds.get("likely"),
                            integer=kind is int, lower=lower, upper=upper, line=line,
                            written=tuple((str(k), v) for k, v in value.items()))
        median = dist.median
        data[key] = int(median) if kind is int else median
        found.append(dist)
    return found, problems


def _holds_distribution(value: Any) -> bool:
    if isinstance(value, dict):
        if frozenset(map(str, value)) in FORMS:
            return True
        return any(_holds_distribution(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_distribution(v) for v in value)
    return False


def _first_distribution(value: Any, where: tuple) -> tuple:
    if isinstance(value, dict):
        if frozenset(map(str, value)) in FORMS:
            return where
        for k, v in value.items():
            if _holds_distribution(v):
                return _first_distribution(v, (*where, k))
    if isinstance(value, list):
        for i, v in enumerate(value):
            if _holds_distribution(v):
                return _first_distribution(v, (*where, i))
    return where


def _order_problem(form: str, b: dict[str, float]) -> str | None:
    if form == "lognormal":
        if b["p10"] <= 0:
            return f"a lognormal needs p10 > 0 (amounts that span orders of magnitude), got p10 {b['p10']:g}"
        if b["p10"] > b["p90"]:
            return f"expected p10 ≤ p90, got p10 {b['p10']:g} and p90 {b['p90']:g}"
        return None
    if form == "triangular" and not b["low"] <= b["likely"] <= b["high"]:
        return f"expected low ≤ likely ≤ high, got {b['low']:g}, {b['likely']:g} and {b['high']:g}"
    if b["low"] > b["high"]:
        return f"expected low ≤ high, got low {b['low']:g} and high {b['high']:g}"
    return None


def schema_forms() -> dict[str, Any]:
    """JSON Schema definitions of the three forms, for `assess schema`."""
    bound = {"anyOf": [{"type": "number"}, {"type": "string"}]}
    return {
        "Range": {"type": "object", "title": "Range (P10/P90)", "additionalProperties": False,
                  "required": ["low", "high"], "properties": {"low": bound, "high": bound},
                  "description": "Read as the 10th and 90th percentiles of a normal distribution; low ≤ high."},
        "Triangular": {"type": "object", "title": "Triangular", "additionalProperties": False,
                       "required": ["low", "likely", "high"],
                       "properties": {"low": bound, "likely": bound, "high": bound},
                       "description": "Minimum, mode and maximum; low ≤ likely ≤ high."},
        "Lognormal": {"type": "object", "title": "Lognormal (P10/P90)", "additionalProperties": False,
                      "required": ["p10", "p90"], "properties": {"p10": bound, "p90": bound},
                      "description": "For amounts spanning orders of magnitude; 0 < p10 ≤ p90."},
    }
