"""Pure scoring: Facts + Rubrics → Assessment. No I/O, no engines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .facts import Facts
from .rubrics import Criterion, Rubric

VERDICTS = (  # (minimum overall score, verdict), checked top-down
    (75.0, "Strong"),
    (60.0, "Promising"),
    (40.0, "Needs work"),
    (0.0, "Not yet feasible"),
)
RED_FLAG_CAP = "Needs work"  # a red flag caps the verdict here
MIN_COVERAGE = 0.4  # below this share of evidenced weight the verdict is "Insufficient evidence"


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

    @property
    def has_evidence(self) -> bool:
        return self.score is not None


@dataclass
class AreaResult:
    id: str
    title: str
    weight: float
    score: float | None  # 0–100, None when no criterion has evidence
    coverage: float  # evidenced weight ÷ total weight
    criteria: list[CriterionResult] = field(default_factory=list)


@dataclass
class Assessment:
    score: float | None
    verdict: str
    coverage: float
    weakest_area: str | None
    weakest_score: float | None
    red_flags: list[dict[str, str]]
    areas: list[AreaResult]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_criterion(criterion: Criterion, area: str, facts: Facts, target: str) -> CriterionResult:
    fact = facts.items.get(criterion.fact)
    score = band = flag = None
    if fact is not None and fact.applicable:
        score = 0.0
        for candidate in criterion.bands:
            if candidate.matches(fact.value):
                score, band = candidate.score, candidate.describe()
                break
        if criterion.red_flag is not None and score <= criterion.red_flag.at_most:
            flag = criterion.red_flag.message
    return CriterionResult(
        id=criterion.id, area=area, question=criterion.question, fact=criterion.fact, weight=criterion.weight,
        value=fact.value if fact else None, unit=fact.unit if fact else "", score=score, band=band, target=target,
        red_flag=flag, advice=criterion.advice, source=criterion.source, note=fact.note if fact else "",
        applicable=fact.applicable if fact else True)


def score_area(rubric: Rubric, facts: Facts) -> AreaResult:
    results = [score_criterion(c, rubric.id, facts, rubric.target_for(c)) for c in rubric.criteria]
    total = sum(r.weight for r in results if r.applicable)  # criteria that do not apply leave the denominator
    evidenced = [r for r in results if r.has_evidence]
    evidenced_weight = sum(r.weight for r in evidenced)
    score = (100.0 * sum(r.weight * r.score / 5.0 for r in evidenced) / evidenced_weight) if evidenced else None
    return AreaResult(id=rubric.id, title=rubric.title, weight=rubric.weight,
                      score=round(score, 1) if score is not None else None,
                      coverage=round(evidenced_weight / total, 3) if total else 1.0, criteria=results)


def verdict_for(score: float | None, coverage: float, has_red_flags: bool) -> str:
    if score is None or coverage < MIN_COVERAGE:
        return "Insufficient evidence"
    verdict = next(name for floor, name in VERDICTS if score >= floor)
    if has_red_flags:
        names = [name for _, name in VERDICTS]
        verdict = names[max(names.index(verdict), names.index(RED_FLAG_CAP))]
    return verdict


def assess(facts: Facts, rubrics: list[Rubric]) -> Assessment:
    """Score every rubric; the overall score is the weight-averaged area score over areas with evidence."""
    areas = [score_area(r, facts) for r in rubrics]
    scored = [a for a in areas if a.score is not None]
    overall = (sum(a.weight * a.score for a in scored) / sum(a.weight for a in scored)) if scored else None
    total_weight = sum(a.weight for a in areas)
    coverage = sum(a.weight * a.coverage for a in areas) / total_weight if total_weight else 0.0
    flags = [{"area": c.area, "criterion": c.id, "message": c.red_flag}
             for a in areas for c in a.criteria if c.red_flag]
    weakest = min(scored, key=lambda a: a.score) if scored else None
    overall = round(overall, 1) if overall is not None else None
    return Assessment(score=overall, verdict=verdict_for(overall, coverage, bool(flags)), coverage=round(coverage, 3),
                      weakest_area=weakest.id if weakest else None,
                      weakest_score=weakest.score if weakest else None, red_flags=flags, areas=areas)
