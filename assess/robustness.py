"""How far the verdict holds when the founder's figures are wrong: Monte Carlo over the ranges in project.yaml,
a tornado of the inputs with the most leverage, and the values at which the verdict changes band.

Everything runs through the pure core (project → compute → facts → scores) with the data engines' facts held
fixed: the benchmark and the data profile measure the dataset, not claims, so they run once. A draw's project
is the base project with the sampled values put in place (`with_values`); the make-or-buy table is held at its
base value rather than searched again per draw.

Speed: scoring every draw in full costs about half a millisecond. The score, verdict and red flags depend on
the facts only through the band each criterion's fact falls in, so a draw re-bands only the facts that moved and
looks the rest up in a table keyed by those bands; that table is filled by the real scorer.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from .errors import Problem, UserError
from .facts import Facts, registry
from .fx import Rate
from .i18n import DEFAULT, N_, gettext
from .project import Project, field_path
from .ranges import Distribution, _leaf, field_type
from .rubrics import Rubric
from .scoring import VERDICTS, Assessment, score

DEFAULT_DRAWS = 2000
MAX_DRAWS = 1_000_000
DEFAULT_SWING = 0.25
TOP_EXACT = 10  # exact inputs shown in the tornado
FLIP_INPUTS = 6  # inputs searched for the value that flips the verdict
FLIP_GRID = 12  # grid points from the base value to each end before bisecting
FLIP_REL_STEP = 1e-3  # bisection stops when the bracket is this share of the base value (or one unit for counts)
KEY_FACTS = {"business.gross_margin": N_("Gross margin"), "business.runway_months": N_("Runway"),
             "business.ltv_to_cac": N_("LTV / CAC"),
             "compute.cost_per_1k_requests_usd": N_("Serving cost per 1,000 requests"),
             "compute.training_cost_usd": N_("Training cost")}
# Fields that describe a model's shape, a layout or a measurement's size rather than an estimate.
NOT_SWUNG = {"layers", "hidden_size", "heads", "kv_heads", "head_dim", "context_length", "tensor_parallel",
             "batch_size", "k", "n", "memory_gb", "bandwidth_gbs", "bf16_tflops", "fp8_tflops", "usd_per_unit"}
NOT_SWUNG_SECTIONS = ("data", "fx")
MONEY_WORDS = ("price", "cac", "revenue", "arr", "cash", "burn", "cost", "cogs", "opex", "raised", "valuation", "debt",
               "tam", "sam", "som", "contract_value", "usd")
VERDICT_ORDER = [name for _, name in VERDICTS]


@dataclass(frozen=True)
class Input:
    """A numeric input the analysis varies: a distribution, or an exact value swung by ±swing."""

    path: tuple[str | int, ...]
    value: float  # the base (median) value
    integer: bool
    lower: float | None
    upper: float | None
    distribution: Distribution | None = None

    @property
    def field(self) -> str:
        return ".".join(map(str, self.path))

    def clip(self, value: float) -> float:
        if self.lower is not None:
            value = max(value, self.lower)
        if self.upper is not None:
            value = min(value, self.upper)
        return float(round(value)) if self.integer else value


# What the report calls an input: by the field's own name (the same name in any section means the same thing).
# Marked for the message catalogue, so a Chinese report names them in Chinese.
FIELD_LABELS = {
    "price_per_customer_month": N_("price per customer-month"), "cac": N_("customer acquisition cost"),
    "monthly_churn": N_("monthly churn"), "other_cogs_per_customer_month": N_("other COGS per customer-month"),
    "customers_now": N_("paying customers"), "revenue_12m": N_("revenue, last 12 months"),
    "revenue_prior_12m": N_("revenue, prior 12 months"), "arr_now": N_("ARR"),
    "net_new_arr_12m": N_("net new ARR, 12 months"), "recurring_share": N_("recurring share of revenue"),
    "gross_margin": N_("gross margin"), "cogs_12m": N_("cost of revenue, 12 months"),
    "inference_cogs_12m": N_("inference cost, 12 months"), "opex_12m": N_("operating expenses, 12 months"),
    "cash": N_("cash"), "monthly_burn": N_("monthly burn"), "raised_to_date": N_("equity raised"),
    "last_valuation": N_("last valuation"), "debt": N_("debt"), "headcount": N_("headcount"),
    "top_customer_share": N_("largest customer's share"), "top5_share": N_("top-5 customers' share"),
    "receivable_days": N_("receivable days"), "related_party_share": N_("related-party share"),
    "discounts_refunds_share": N_("discounts and refunds share"), "customers": N_("reachable customers"),
    "annual_contract_value": N_("annual contract value"), "tam": N_("TAM"), "sam": N_("SAM"), "som": N_("SOM"),
    "growth_rate": N_("market growth"), "lois": N_("letters of intent"), "pilots": N_("pilots"),
    "paying_users": N_("paying users"), "ml_engineers": N_("ML engineers"),
    "shipped_ml_products": N_("ML products shipped"), "model_params": N_("model parameters"),
    "active_params": N_("active parameters"), "training_tokens": N_("training tokens"), "goodput": N_("goodput"),
    "adapter_share": N_("adapter share"), "gpu_count": N_("training GPUs"), "gpu_hour_usd": N_("GPU-hour price"),
    "mfu": N_("MFU"), "training_budget_usd": N_("training budget"), "requests_per_month": N_("requests per month"),
    "input_tokens": N_("input tokens per request"), "output_tokens": N_("output tokens per request"),
    "peak_to_average": N_("peak-to-average load"), "ttft_ms": N_("TTFT target"), "tpot_ms": N_("TPOT target"),
    "api_input_usd_per_1m": N_("API input price"), "api_output_usd_per_1m": N_("API output price"),
    "requests_per_customer_month": N_("requests per customer-month"), "monthly_active": N_("monthly active users"),
    "paid_conversion": N_("paid conversion"), "free_user_cost_month": N_("cost of a free user"),
    "device_price": N_("device price"), "unit_cost": N_("device unit cost"), "return_rate": N_("return rate"),
    "units_sold_12m": N_("devices sold, 12 months"), "units_planned_12m": N_("devices planned, 12 months"),
    "cogs_share": N_("vendor's share of COGS"), "share_of_compute_spend": N_("provider's share of compute"),
}
LIST_LABELS = {"evals": N_("eval {n}"), "model_vendors": N_("model vendor {n}"), "competitors": N_("competitor {n}")}
OWNER_LABELS = {"target": N_("target"), "evals": N_("eval {n}")}  # value / baseline_value belong to these
VALUE_LABELS = {"value": N_("{owner}: value"), "baseline_value": N_("{owner}: baseline value")}


def label(path: Sequence[str | int], lang: str = DEFAULT) -> str:
    """What the report calls an input: 'business.monthly_churn' → 'monthly churn', 'tech.evals.0.value' →
    'eval 1: value'; a field without a name of its own keeps its words ('some field')."""
    _ = lambda message: gettext(message, lang)  # noqa: E731
    name = str(path[-1])
    if name in VALUE_LABELS and len(path) >= 2:
        owner_key = next((str(p) for p in reversed(path[:-1]) if not isinstance(p, int)), "")
        index = next((p for p in path[:-1] if isinstance(p, int)), 0)
        owner = _(OWNER_LABELS.get(owner_key, owner_key)).format(n=index + 1)
        return _(VALUE_LABELS[name]).format(owner=owner)
    text = _(FIELD_LABELS[name]) if name in FIELD_LABELS else name.replace("_", " ")
    lists = [(str(path[i - 1]), p) for i, p in enumerate(path) if isinstance(p, int) and i > 0]
    for key, index in lists:
        if key in LIST_LABELS:
            text = f"{_(LIST_LABELS[key]).format(n=index + 1)}: {text}"
    return text


def unit_of(path: Sequence[str | int], project: Project) -> str:
    """How to print the input's values: '%', a currency code, or '' for plain numbers."""
    name = str(path[-1])
    owner = _value_at(project, path[:-1])
    if path[0] == "tech" and name in ("value", "baseline_value"):  # a metric's value: a rate only for rate metrics
        from .economics import RATE_METRICS

        return "%" if getattr(owner, "metric", None) in RATE_METRICS else ""
    info = type(owner).model_fields.get(name) if isinstance(owner, BaseModel) else None
    if info is not None and "parse_rate" in str(field_type(info)):  # rates are validated by parse_rate
        return "%"
    if "usd" in name:
        return "USD"
    if any(word in name for word in MONEY_WORDS) and path[0] in ("business", "market", "hardware", "users"):
        return project.currency
    return ""


def _value_at(model: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        model = model[part] if isinstance(part, int) else getattr(model, part, None)
    return model


def numeric_inputs(project: Project) -> list[Input]:
    """Every exact numeric input the project states that a founder could be wrong about."""
    found: list[Input] = []

    def walk(model: BaseModel, path: tuple) -> None:
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            where = (*path, name)
            if value is None or (not path and name in NOT_SWUNG_SECTIONS) or name in NOT_SWUNG:
                continue
            if isinstance(value, BaseModel):
                walk(value, where)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        walk(item, (*where, index))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                kind, lower, upper = _leaf(field_type(info))
                if kind is not None and value != 0:
                    found.append(Input(where, float(value), kind is int, lower, upper))

    walk(project, ())
    return found


def with_values(model: Any, updates: dict[tuple, float]) -> Any:
    """A copy of a pydantic model (or list) with the values at the given paths replaced; the rest shared."""
    grouped: dict[Any, dict[tuple, float]] = {}
    for path, value in updates.items():
        grouped.setdefault(path[0], {})[path[1:]] = value
    if isinstance(model, list):
        items = list(model)
        for index, rest in grouped.items():
            items[index] = rest[()] if () in rest else with_values(items[index], rest)
        return items
    changes = {}
    for name, rest in grouped.items():
        if () in rest:
            changes[name] = int(rest[()]) if _is_count(type(model).__name__, name) else float(rest[()])
        else:
            changes[name] = with_values(getattr(model, name), rest)
    return model.model_copy(update=changes)


@functools.cache
def _is_count(model_name: str, name: str) -> bool:
    """Whether a project field counts things (its draws are whole numbers); models are looked up by name."""
    from . import project

    return _leaf(field_type(getattr(project, model_name).model_fields[name]))[0] is int


@dataclass
class Outcome:
    score: float | None
    verdict: str
    areas: tuple[float | None, ...]
    flags: tuple[tuple[str, str, str], ...]  # (area, criterion, message)


@dataclass
class Core:
    """The pure core of one venture with the data engines' facts held fixed."""

    project: Project
    rubrics: list[Rubric]
    rate: Rate
    engine_facts: Facts
    has_dataset: bool
    as_of: str | None
    base_compute: tuple[dict[str, Any], Facts]
    _outcomes: dict[tuple, Outcome] = field(default_factory=dict)
    _criteria: dict[tuple, list] = field(default_factory=dict)  # per context: each criterion with its scaled bands
    _references: dict[tuple, tuple[Facts, tuple, dict[str, list[int]]]] = field(default_factory=dict)
    evaluations: int = 0

    def facts(self, project: Project, recompute: bool) -> Facts:
        from .compute import run_compute
        from .pipeline import derive_facts

        compute_result, compute_facts = self.base_compute
        if recompute:
            compute_result, compute_facts = run_compute(project, as_of=self.as_of, with_make_or_buy=False)
            for name in ("compute.self_host_to_api_cost", "compute.self_host_breakeven_requests_month"):
                if name in self.base_compute[1]:  # make-or-buy is held at its base value
                    compute_facts.items[name] = self.base_compute[1].items[name]
        return derive_facts(project, compute_result, compute_facts, self.rate, self.engine_facts)

    def assess(self, project: Project, recompute: bool = True) -> Assessment:
        """The full assessment of one variant (what `assess run` would score)."""
        from .pipeline import scoring_context

        return score(self.facts(project, recompute), self.rubrics,
                     scoring_context(project, self.rate, self.has_dataset))

    def outcome(self, project: Project, recompute: bool) -> tuple[Outcome, Facts]:
        """Score, verdict, area scores and red flags of one variant, by way of its bands (see the module doc)."""
        from .pipeline import scoring_context

        self.evaluations += 1
        facts = self.facts(project, recompute)
        ctx = scoring_context(project, self.rate, self.has_dataset)
        ctx_key = (ctx.stage, tuple(sorted(ctx.has.items())))
        if ctx_key not in self._criteria:
            self._criteria[ctx_key] = [(c, [b.scaled(ctx.local_per_usd if c.usd else 1.0)
                                            for b in c.bands_for(ctx.stage)])
                                       for r in self.rubrics for c in r.criteria]
        criteria = self._criteria[ctx_key]
        codes = self._codes(facts, criteria, ctx_key)
        key = (ctx_key, codes)
        if key not in self._outcomes:
            a = score(facts, self.rubrics, ctx)
            self._outcomes[key] = Outcome(a.score, a.verdict, tuple(area.score for area in a.areas),
                                          tuple((f["area"], f["criterion"], f["message"]) for f in a.red_flags))
        return self._outcomes[key], facts

    def _codes(self, facts: Facts, criteria: list, ctx_key: tuple) -> tuple:
        """Per criterion: -1 no fact, -2 not applicable, else the index of the band its value falls in. Only the
        facts that moved since the first variant seen in this context are banded again."""
        reference = self._references.get(ctx_key)
        if reference is None:
            codes = tuple(_band_code(facts, c, bands) for c, bands in criteria)
            by_fact: dict[str, list[int]] = {}
            for i, (c, _) in enumerate(criteria):
                by_fact.setdefault(c.fact, []).append(i)
            self._references[ctx_key] = (facts, codes, by_fact)
            return codes
        ref_facts, ref_codes, by_fact = reference
        ref_items, items = ref_facts.items, facts.items
        moved = [name for name in by_fact
                 if items.get(name) != ref_items.get(name)]  # Facts are tuples: value, note, applicability…
        if not moved:
            return ref_codes
        changed = list(ref_codes)
        for name in moved:
            for i in by_fact[name]:
                changed[i] = _band_code(facts, *criteria[i])
        return tuple(changed)


def _band_code(facts: Facts, criterion: Any, bands: list) -> int:
    fact = facts.items.get(criterion.fact)
    if fact is None:
        return -1
    if not fact.applicable:
        return -2
    return next((i for i, band in enumerate(bands) if band.matches(fact.value)), len(bands))


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """n points in (0, 1)^d, one in each of n equal strata per dimension (McKay, Beckman & Conover 1979)."""
    u = np.empty((n, d))
    for j in range(d):
        u[:, j] = (rng.permutation(n) + rng.random(n)) / n
    return np.clip(u, 1e-12, 1 - 1e-12)  # never exactly 0: a normal's quantile there is −∞


def _percentiles(values: Sequence[float | None]) -> dict[str, float | None]:
    data = np.array([np.nan if v is None else v for v in values], dtype=float)
    data = data[np.isfinite(data)]
    if data.size == 0:
        return {"p10": None, "p50": None, "p90": None, "share_known": 0.0}
    p10, p50, p90 = (float(x) for x in np.percentile(data, [10, 50, 90]))
    return {"p10": round(p10, 6), "p50": round(p50, 6), "p90": round(p90, 6),
            "share_known": round(data.size / len(values), 4)}


def _recompute(paths: Sequence[tuple]) -> bool:
    return any(path[0] == "compute" for path in paths)


def monte_carlo(core: Core, distributions: list[Distribution], draws: int, seed: int) -> dict[str, Any]:
    """Sample the ranges (Latin hypercube, seeded) and score every draw."""
    rng = np.random.default_rng(seed)
    paths = [d.path for d in distributions]
    recompute = _recompute(paths)
    if distributions:
        u = latin_hypercube(draws, len(distributions), rng)
        columns = [d.ppf(u[:, j]) for j, d in enumerate(distributions)]
    else:
        columns = []
    outcomes: list[Outcome] = []
    fact_values: dict[str, list[float | None]] = {name: [] for name in KEY_FACTS}
    invalid = 0
    kept: list[int] = []
    unique = draws if distributions else 1  # exact inputs: every draw is the base
    for i in range(unique):
        project = with_values(core.project, {p: float(col[i]) for p, col in zip(paths, columns)}) \
            if distributions else core.project
        try:
            outcome, facts = core.outcome(project, recompute)
        except UserError:
            invalid += 1  # e.g. a drawn prompt longer than the model's context: that draw cannot be served
            continue
        outcomes.append(outcome)
        kept.append(i)
        for name in KEY_FACTS:
            value = facts.get(name)
            fact_values[name].append(float(value) if isinstance(value, (int, float)) else None)
    if not distributions and outcomes:
        outcomes = outcomes * draws
        fact_values = {k: v * draws for k, v in fact_values.items()}
    valid = len(outcomes)
    if valid == 0:
        raise UserError(Problem("no draw of the ranges could be assessed; narrow the ranges", field="--draws"))
    verdict_counts = {name: 0 for name in [*VERDICT_ORDER, "Insufficient evidence"]}
    flag_counts: dict[tuple, int] = {}
    for o in outcomes:
        verdict_counts[o.verdict] = verdict_counts.get(o.verdict, 0) + 1
        for flag in set(o.flags):
            flag_counts[flag] = flag_counts.get(flag, 0) + 1
    area_ids = [r.id for r in core.rubrics]
    scores = [o.score for o in outcomes]
    histogram = np.histogram([s for s in scores if s is not None], bins=100, range=(0, 100))[0].tolist()
    return {
        "draws": draws, "valid_draws": valid, "invalid_draws": invalid, "method": "Latin hypercube",
        "overall": _percentiles(scores),
        "histogram": {"bins": list(range(101)), "counts": histogram},
        "areas": {area: _percentiles([o.areas[i] for o in outcomes]) for i, area in enumerate(area_ids)},
        "facts": {name: {**_percentiles(values), "unit": registry()[name].unit, "label": KEY_FACTS[name]}
                  for name, values in fact_values.items() if any(v is not None for v in values)},
        "rank_correlation": rank_correlations(distributions, [col[kept] for col in columns], scores),
        "verdicts": [{"verdict": name, "share": round(count / valid, 4)}
                     for name, count in verdict_counts.items() if count],
        "red_flags": sorted(({"area": a, "criterion": c, "message": m, "share": round(n / valid, 4)}
                             for (a, c, m), n in flag_counts.items()),
                            key=lambda f: (-f["share"], f["area"], f["criterion"])),
    }


def rank_correlations(distributions: list[Distribution], columns: list[np.ndarray],
                      scores: list[float | None]) -> dict[str, float | None]:
    """Spearman's rank correlation of each ranged input with the overall score across the draws: a global
    sensitivity measure that needs no evaluation beyond the draws themselves (a Sobol analysis would need
    N·(2k+2) of them). None where the input or the score does not vary."""
    if not distributions:
        return {}
    known = np.array([s is not None for s in scores])
    y = np.array([s if s is not None else np.nan for s in scores], dtype=float)[known]
    found: dict[str, float | None] = {}
    for d, column in zip(distributions, columns):
        x = column[known]
        if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
            found[d.field] = None
            continue
        rho = float(np.corrcoef(_average_ranks(x), _average_ranks(y))[0, 1])
        found[d.field] = round(rho, 4) if math.isfinite(rho) else None
    return found


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0…n−1, ties sharing their mean rank (scores tie often: they move in band steps)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + ends - 1) / 2.0)[inverse]


def tornado(core: Core, inputs: list[Input], swing: float) -> tuple[list[dict[str, Any]], Outcome]:
    """Overall score at each end of every input, others at their middle: ranges at P10/P90, exact inputs ±swing.
    Keeps every ranged input and the TOP_EXACT exact ones with the most leverage."""
    base, _ = core.outcome(core.project, False)
    rows = []
    for item in inputs:
        if item.distribution is not None:
            low, high = item.distribution.quantile(0.1), item.distribution.quantile(0.9)
        else:
            ends = sorted((item.clip(item.value * (1 - swing)), item.clip(item.value * (1 + swing))))
            low, high = ends
        recompute = _recompute([item.path])
        try:
            at_low, _ = core.outcome(with_values(core.project, {item.path: low}), recompute)
            at_high, _ = core.outcome(with_values(core.project, {item.path: high}), recompute)
        except UserError:
            continue
        known = [s for s in (at_low.score, at_high.score, base.score) if s is not None]
        leverage = max(known) - min(known) if known else 0.0
        row: dict[str, Any] = {"field": item.field, "label": label(item.path), "unit": unit_of(item.path, core.project),
                     "source": "range" if item.distribution is not None else "swing",
                     "base_value": item.value, "low_value": low, "high_value": high,
                     "score_low": at_low.score, "score_high": at_high.score,
                     "verdict_low": at_low.verdict, "verdict_high": at_high.verdict,
                     "leverage": round(leverage, 3)}
        rows.append(row)
    # An input whose span crosses a verdict band ranks above any that only moves the score.
    def rank(r: dict[str, Any]) -> tuple:
        return (-(r["verdict_low"] != base.verdict or r["verdict_high"] != base.verdict), -r["leverage"], r["field"])

    ranged = [r for r in rows if r["source"] == "range"]
    exact = sorted((r for r in rows if r["source"] == "swing" and r["leverage"] > 0), key=rank)[:TOP_EXACT]
    return sorted(ranged + exact, key=rank), base


def _grid(item: Input, direction: int) -> list[float]:
    """Values from the base towards one end: down to the field's floor (or to zero, or −10× for signed
    amounts), up to its ceiling or ten times the base (log-spaced)."""
    v = item.value
    if direction < 0:
        floor = item.lower if item.lower is not None else (0.0 if v > 0 else v * 10 if v < 0 else -1.0)
        if item.lower is not None and item.lower < 0 < v:
            floor = 0.0  # a positive amount's flips below zero are not worth a row
        points = [v + (floor - v) * (i / FLIP_GRID) for i in range(1, FLIP_GRID + 1)]
    else:
        ceiling = item.upper if item.upper is not None and item.upper < abs(v) * 10 else (
            abs(v) * 10 if v else 1.0)
        if v > 0 and ceiling > v:
            points = [v * (ceiling / v) ** (i / FLIP_GRID) for i in range(1, FLIP_GRID + 1)]
        else:
            points = [v + (ceiling - v) * (i / FLIP_GRID) for i in range(1, FLIP_GRID + 1)]
    return [item.clip(p) for p in points]


def flip(core: Core, item: Input, direction: int, base_verdict: str) -> dict[str, Any] | None:
    """The value nearest the base at which the verdict leaves its band in one direction, by a grid scan then
    bisection; checked by re-running just inside and just outside it."""
    recompute = _recompute([item.path])

    def verdict_at(value: float) -> str:
        return core.outcome(with_values(core.project, {item.path: value}), recompute)[0].verdict

    inside = item.value
    outside = None
    try:
        for point in _grid(item, direction):
            if point == inside:
                continue
            if verdict_at(point) != base_verdict:
                outside = point
                break
            inside = point
        if outside is None:
            return None
        tolerance = 1.0 if item.integer else max(abs(item.value) * FLIP_REL_STEP, 1e-9)
        while abs(outside - inside) > tolerance:
            middle = (inside + outside) / 2
            if item.integer:
                middle = float(math.floor(middle) if direction > 0 else math.ceil(middle))
                if middle in (inside, outside):
                    break
            if verdict_at(middle) == base_verdict:
                inside = middle
            else:
                outside = middle
        new_verdict = verdict_at(outside)
        threshold, step = (inside + outside) / 2, abs(outside - inside) / 2
        verified = verdict_at(threshold - direction * step) == base_verdict and \
            verdict_at(threshold + direction * step) == new_verdict
    except UserError:
        return None
    return {"field": item.field, "label": label(item.path), "unit": unit_of(item.path, core.project),
            "direction": "above" if direction > 0 else "below", "base_value": item.value,
            "threshold": threshold, "step": step, "from": base_verdict, "to": new_verdict, "verified": verified,
            # A count flips between two whole numbers: 'below 45' reads better than 'below 44.5'.
            "shown_threshold": (math.ceil(threshold) if direction < 0 else math.floor(threshold))
            if item.integer else threshold}


def analyse(core: Core, distributions: list[Distribution], *, draws: int = DEFAULT_DRAWS,
            swing: float = DEFAULT_SWING, seed: int = 0) -> dict[str, Any]:
    """The robustness section: Monte Carlo over the ranges, the tornado and the verdict flips."""
    if draws < 1 or draws > MAX_DRAWS:
        raise UserError(Problem(f"expected 1 to {MAX_DRAWS:,} draws (0 turns the section off), got {draws:,}",
                                field="--draws"))
    if not 0 < swing < 1:
        raise UserError(Problem(f"expected a swing between 0 and 1 (0.25 = ±25 %), got {swing:g}", field="--swing"))
    ranged = {d.path: d for d in distributions}
    inputs = [Input(d.path, d.median, d.integer, d.lower, d.upper, d) for d in distributions]
    inputs += [i for i in numeric_inputs(core.project) if i.path not in ranged]
    core.outcome(core.project, False)  # the base first: the reference the draws are banded against
    mc = monte_carlo(core, distributions, draws, seed)
    rows, base = tornado(core, inputs, swing)
    by_field = {i.field: i for i in inputs}
    flips = []
    for row in rows[:FLIP_INPUTS]:
        for direction in (-1, 1):
            found = flip(core, by_field[row["field"]], direction, base.verdict)
            if found and found["verified"]:
                flips.append(found)
    result = {
        "seed": seed, "swing": swing, **mc,
        "inputs": [d.as_dict() for d in distributions],
        "base": {"score": base.score, "verdict": base.verdict},
        "tornado": rows, "flips": flips,
        "evaluations": core.evaluations,
    }
    result["summary"] = summary_line(result)
    return result


def summary_line(rb: dict[str, Any], lang: str = DEFAULT) -> str:
    """The cover's one line: 'Promising in 64% of scenarios; most sensitive to monthly churn'."""
    _ = lambda message: gettext(message, lang)  # noqa: E731
    parts = []
    if rb["inputs"]:
        best = max(rb["verdicts"], key=lambda v: (v["share"], -VERDICT_ORDER.index(v["verdict"])
                                                    if v["verdict"] in VERDICT_ORDER else 0))
        parts.append(_("{verdict} in {share} of scenarios").format(verdict=_(best["verdict"]),
                                                                    share=f"{best['share']:.0%}"))
    else:
        parts.append(_("No ranges given: {verdict} on the stated figures").format(
            verdict=_(rb["base"]["verdict"])))
    if rb["tornado"]:
        top = rb["tornado"][0]
        words = label(field_path(top["field"]), lang)
        parts.append(_("most sensitive to {input}").format(input=words) + (
            "" if rb["inputs"] else f" (±{rb['swing']:.0%})"))
    return _("; ").join(parts)
