"""Pure scoring: Facts + Rubrics (+ the venture's stage, currency and what it is known to have) → Assessment.

No I/O, no engines. Besides the point score (the weighted mean over criteria with evidence) every area and the
whole carry bounds: the score if every unknown criterion scored 0, and if every one scored 5. A verdict stands
when both bounds fall in one band, when enough evidence is in (coverage, or the must-know criteria of the
stage), or when a fatal red flag decides it; otherwise it reads "Insufficient evidence" and names the bands
still possible and the unknowns that decide between them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .facts import Facts
from .i18n import N_
from .rubrics import Criterion, Rubric

# Verdict names double as ids (JSON, CSS classes); N_ marks them for the catalogue, the report translates them.
VERDICTS = (  # (minimum overall score, verdict), checked top-down
    (75.0, N_("Strong")),
    (60.0, N_("Promising")),
    (40.0, N_("Needs work")),
    (0.0, N_("Not yet feasible")),
)
RED_FLAG_CAP = "Needs work"  # a red flag caps the verdict here
FATAL_VERDICT = "Not yet feasible"
INSUFFICIENT = N_("Insufficient evidence")
MIN_COVERAGE = 0.4  # share of evidenced weight that lets the point score speak
MIN_KEY_COVERAGE = 0.5  # …or this share of the stage's must-know criteria


@dataclass(frozen=True)
class Context:
    """What the scorer needs to know about the venture beyond its facts."""

    stage: str | None = None
    currency: str = "USD"
    local_per_usd: float = 1.0  # USD thresholds × this = thresholds in the project currency
    has: dict[str, bool | None] = field(default_factory=dict)  # labelled_data, hardware, …: None = unknown


@dataclass
class CriterionResult:
    id: str
    area: str
    question: str
    fact: str
    weight: float
    value: Any
    unit: str
    score: float | None  # 0–5, None = no evidence
    band: str | None
    target: str
    red_flag: str | None
    advice: str
    source: str
    note: str = ""
    applicable: bool = True
    fatal: bool = False
    key: bool = False
    caps: bool = True  # a red flag here caps the verdict (false: shown as a warning only)

    @property
    def has_evidence(self) -> bool:
        return self.score is not None


@dataclass
class AreaResult:
    id: str
    title: str
    weight: float
    score: float | None  # 0–100 over the criteria with evidence; None when none has
    coverage: float  # evidenced weight ÷ applicable weight
    low: float | None = None  # every unknown criterion at 0
    high: float | None = None  # every unknown criterion at 5
    criteria: list[CriterionResult] = field(default_factory=list)


@dataclass
class Assessment:
    score: float | None
    verdict: str
    coverage: float
    weakest_area: str | None
    weakest_score: float | None
    red_flags: list[dict[str, Any]]
    areas: list[AreaResult]
    low: float | None = None
    high: float | None = None
    key_coverage: float | None = None
    basis: str = ""  # why the verdict is what it is, in a sentence
    possible: list[str] = field(default_factory=list)  # verdicts the bounds leave open
    deciding: list[dict[str, Any]] = field(default_factory=list)  # unknowns with the most leverage
    capped: bool = False  # a red flag lowered the verdict

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def method(rubrics: list[Rubric]) -> dict[str, Any]:
    """The verdict rule's constants, for the report to print rather than restate."""
    return {
        "verdict_bands": [{"verdict": verdict, "min_score": floor} for floor, verdict in VERDICTS],
        "red_flag_cap": RED_FLAG_CAP, "fatal_verdict": FATAL_VERDICT, "insufficient": INSUFFICIENT,
        "min_coverage": MIN_COVERAGE, "min_key_coverage": MIN_KEY_COVERAGE,
        "fatal_flags": [c.red_flag.message for r in rubrics for c in r.criteria if c.red_flag and c.red_flag.fatal],
    }


def not_applicable_reason(criterion: Criterion, ctx: Context) -> str | None:
    if criterion.applies is not None and criterion.applies.contains(ctx.stage) is False:
        return f"judged {criterion.applies.describe()}; this venture is at {ctx.stage}"
    for need in criterion.needs:
        if ctx.has.get(need) is False:
            return {"labelled_data": N_("no labelled dataset, and the approach needs none"),
                    "hardware": N_("no device is sold"), "users": N_("no consumer user base stated"),
                    "debt": N_("no debt"), "revenue": N_("no revenue yet at this stage"),
                    "model_vendor": N_("the product runs on no vendor's model"),
                    "training": N_("no training is planned (prompting or retrieval on an existing model)"),
                    "self_hosted_model": N_("the model is a vendor's hosted API, not served on the company's "
                                            "GPUs")}[need]
    return None


def score_criterion(criterion: Criterion, area: str, facts: Facts, target: str,
                    ctx: Context | None = None) -> CriterionResult:
    ctx = ctx or Context()
    fact = facts.items.get(criterion.fact)
    reason = not_applicable_reason(criterion, ctx)
    applicable = reason is None and (fact.applicable if fact else True)
    score = band = flag = None
    if fact is not None and applicable:
        score = 0.0
        factor = ctx.local_per_usd if criterion.usd else 1.0
        for candidate in criterion.bands_for(ctx.stage):
            if candidate.scaled(factor).matches(fact.value):
                score = candidate.score
                band = candidate.scaled(factor).describe(ctx.currency if criterion.usd and factor != 1.0 else None)
                break
        if criterion.red_flag is not None and score <= criterion.red_flag.at_most:
            flag = criterion.red_flag.message
    return CriterionResult(
        id=criterion.id, area=area, question=criterion.question, fact=criterion.fact, weight=criterion.weight,
        value=fact.value if fact and applicable else None, unit=fact.unit if fact else "", score=score, band=band,
        target=target, red_flag=flag, advice=criterion.advice, source=criterion.source,
        note=reason or (fact.note if fact else ""), applicable=applicable,
        fatal=bool(flag and criterion.red_flag and criterion.red_flag.fatal), key=criterion.is_key(ctx.stage),
        caps=bool(criterion.red_flag is None or criterion.red_flag.caps or criterion.red_flag.fatal))


def score_area(rubric: Rubric, facts: Facts, ctx: Context | None = None) -> AreaResult:
    ctx = ctx or Context()
    results = [score_criterion(c, rubric.id, facts, rubric.target_for(c, ctx.stage, ctx.local_per_usd, ctx.currency),
                               ctx) for c in rubric.criteria]
    total = sum(r.weight for r in results if r.applicable)  # criteria that do not apply leave the denominator
    evidenced = [r for r in results if r.has_evidence]
    evidenced_weight = sum(r.weight for r in evidenced)
    points = sum(r.weight * r.score / 5.0 for r in evidenced if r.score is not None)
    score = 100.0 * points / evidenced_weight if evidenced else None
    low = 100.0 * points / total if total else None
    high = 100.0 * (points + total - evidenced_weight) / total if total else None
    return AreaResult(id=rubric.id, title=rubric.title, weight=rubric.weight,
                      score=round(score, 1) if score is not None else None,
                      coverage=round(evidenced_weight / total, 3) if total else 1.0,
                      low=round(low, 1) if low is not None else None, high=round(high, 1) if high is not None else None,
                      criteria=results)


def band_of(score: float) -> str:
    return next(name for floor, name in VERDICTS if score >= floor)


def _cap(verdict: str, flagged: bool) -> str:
    if not flagged:
        return verdict
    names = [name for _, name in VERDICTS]
    return names[max(names.index(verdict), names.index(RED_FLAG_CAP))]


def verdict_for(score: float | None, coverage: float, has_red_flags: bool) -> str:
    """The verdict from a point score alone (no bounds, no fatal flags): kept for callers of the simple rule."""
    if score is None or coverage < MIN_COVERAGE:
        return INSUFFICIENT
    return _cap(band_of(score), has_red_flags)


def _deciding(areas: list[AreaResult], total_area_weight: float) -> list[dict[str, Any]]:
    """Unknown criteria ordered by how many overall points they swing between 0 and 5."""
    rows = []
    for a in areas:
        applicable = sum(c.weight for c in a.criteria if c.applicable)
        for c in a.criteria:
            if c.applicable and c.score is None and applicable:
                swing = 100.0 * a.weight * c.weight / applicable / total_area_weight
                rows.append({"area": a.id, "criterion": c.id, "question": c.question, "swing": round(swing, 1)})
    return sorted(rows, key=lambda r: (-r["swing"], r["area"], r["criterion"]))


def _either(options: list[str]) -> str:
    """'A', 'A or B', 'A, B or C'."""
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"


def score(facts: Facts, rubrics: list[Rubric], ctx: Context | None = None) -> Assessment:
    """Score every rubric; the overall score is the weight-averaged area score over areas with evidence."""
    ctx = ctx or Context()
    areas = [score_area(r, facts, ctx) for r in rubrics]
    scored = [a for a in areas if a.score is not None]
    overall = (sum(a.weight * a.score for a in scored if a.score is not None) / sum(a.weight for a in scored)
               if scored else None)
    bounded = [(a.weight, a.low, a.high) for a in areas if a.low is not None and a.high is not None]
    bounded_weight = sum(weight for weight, _, _ in bounded)
    low = sum(weight * lo for weight, lo, _ in bounded) / bounded_weight if bounded_weight else None
    high = sum(weight * hi for weight, _, hi in bounded) / bounded_weight if bounded_weight else None
    total_weight = sum(a.weight for a in areas)
    coverage = sum(a.weight * a.coverage for a in areas) / total_weight if total_weight else 0.0
    keys = [c for a in areas for c in a.criteria if c.key and c.applicable]
    key_weight = sum(c.weight for c in keys)
    key_coverage = sum(c.weight for c in keys if c.has_evidence) / key_weight if key_weight else None
    flags = [{"area": c.area, "criterion": c.id, "message": c.red_flag, "fact": c.fact, "value": c.value,
              "unit": c.unit, "note": c.note, "fatal": c.fatal, "caps": c.caps}
             for a in areas for c in a.criteria if c.red_flag]
    fatal = [f for f in flags if f["fatal"]]
    weakest = min(scored, key=lambda a: a.score or 0.0) if scored else None  # scored: score is not None
    overall = round(overall, 1) if overall is not None else None
    flagged = any(f["caps"] for f in flags)
    possible: list[str] = []
    if low is not None and high is not None:
        names = [name for _, name in VERDICTS]
        top, bottom = names.index(_cap(band_of(high), flagged)), names.index(_cap(band_of(low), flagged))
        possible = names[top:bottom + 1]
    capped = False
    if fatal:
        verdict = FATAL_VERDICT
        basis = "fatal red flag: " + "; ".join(f"{f['area']} · {f['criterion']}" for f in fatal)
    elif len(possible) == 1:
        verdict = possible[0]
        basis = f"both score bounds ({low:.0f} and {high:.0f}) fall in one band, whatever the unknowns score"
        capped = flagged and low is not None and band_of(low) != verdict
    elif overall is not None and (coverage >= MIN_COVERAGE or (key_coverage or 0) >= MIN_KEY_COVERAGE):
        verdict = _cap(band_of(overall), flagged)
        capped = verdict != band_of(overall)
        why = (f"evidence covers {coverage:.0%} of the weight" if coverage >= MIN_COVERAGE
               else f"the must-know criteria for {ctx.stage or 'this venture'} are {key_coverage:.0%} evidenced")
        basis = f"point score {overall:.0f}: {why}; the unknowns could still make it {_either(possible)}"
    else:
        verdict = INSUFFICIENT
        basis = (f"evidence covers {coverage:.0%} of the weight and the bounds ({(low or 0):.0f}–{(high or 0):.0f}) "
                 f"leave {', '.join(possible) or 'every band'} open")
    if capped:
        capping = sum(1 for f in flags if f["caps"])
        plural = capping != 1
        basis += f"; {capping} red flag{'s' if plural else ''} cap{'' if plural else 's'} it at {RED_FLAG_CAP}"
    return Assessment(score=overall, verdict=verdict, coverage=round(coverage, 3),
                      weakest_area=weakest.id if weakest else None,
                      weakest_score=weakest.score if weakest else None, red_flags=flags, areas=areas,
                      low=round(low, 1) if low is not None else None, high=round(high, 1) if high is not None else None,
                      key_coverage=round(key_coverage, 3) if key_coverage is not None else None, basis=basis,
                      possible=possible, deciding=_deciding(areas, bounded_weight or 1.0)[:5], capped=capped)
