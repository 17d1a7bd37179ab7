"""The pure scorer: bands, unknown evidence, coverage, weakest link, red flags and verdicts."""

from __future__ import annotations

import pytest

from assess.facts import Facts
from assess.rubrics import Band, Criterion, RedFlag, Rubric, load_rubrics
from assess.scoring import score, score_area, verdict_for


def criterion(cid: str, fact: str, weight: float = 1.0, red: float | None = None) -> Criterion:
    return Criterion(id=cid, question=f"{cid}?", fact=fact, weight=weight, advice="do better", source="test",
                     bands=[Band(gte=10, score=5), Band(gte=5, score=3), Band(gte=0, score=1)],
                     red_flag=RedFlag(at_most=red, message=f"{cid} is bad") if red is not None else None)


def rubric(rid: str, *criteria: Criterion, weight: float = 1.0) -> Rubric:
    return Rubric(id=rid, title=rid.title(), version="1", weight=weight, criteria=list(criteria))


def facts(**values) -> Facts:
    f = Facts()
    for name, value in values.items():
        f.add(name.replace("__", "."), value)
    return f


@pytest.mark.parametrize("value, expected", [(12, 5), (10, 5), (9.99, 3), (5, 3), (0, 1), (-1, 0)])
def test_first_matching_band_wins_and_no_match_scores_zero(value, expected):
    area = score_area(rubric("market", criterion("tam", "market.tam")), facts(market__tam=value))
    assert area.criteria[0].score == expected


def test_band_conditions_combine():
    band = Band(gte=0.01, lte=0.1, score=5)
    assert band.matches(0.05) and not band.matches(0.2) and not band.matches(0.001)
    assert not band.matches("text") and not band.matches(True)
    assert Band(equals=True, score=5).matches(True) and not Band(equals=True, score=5).matches(False)
    assert Band.model_validate({"in": ["A", "B"], "score": 4}).matches("B")


def test_unknown_fact_is_no_evidence_not_zero():
    r = rubric("market", criterion("a", "market.tam", weight=1), criterion("b", "market.sam", weight=3))
    area = score_area(r, facts(market__tam=12))
    assert area.criteria[1].score is None and area.criteria[1].value is None
    assert area.score == 100.0  # only the evidenced criterion counts
    assert area.coverage == 0.25


def test_area_with_no_evidence_has_no_score_and_is_left_out_of_overall():
    rubrics = [rubric("market", criterion("a", "market.tam")), rubric("tech", criterion("b", "market.sam"))]
    result = score(facts(market__tam=5), rubrics)
    assert result.areas[1].score is None
    assert result.score == 60.0  # 3/5 on the only scored area
    assert result.coverage == 0.5


def test_weighted_overall_and_weakest_link():
    rubrics = [rubric("market", criterion("a", "market.tam"), weight=3),
               rubric("tech", criterion("b", "market.sam"), weight=1)]
    result = score(facts(market__tam=10, market__sam=0), rubrics)
    assert result.score == pytest.approx((3 * 100 + 1 * 20) / 4, abs=0.05)
    assert result.weakest_area == "tech" and result.weakest_score == 20.0


def test_red_flag_caps_verdict():
    rubrics = [rubric("market", criterion("a", "market.tam", weight=10), criterion("b", "market.sam", red=1))]
    result = score(facts(market__tam=100, market__sam=0), rubrics)
    assert result.score > 75
    assert result.verdict == "Needs work"
    assert [{k: f[k] for k in ("area", "criterion", "message", "fact", "value", "fatal")} for f in result.red_flags] \
        == [{"area": "market", "criterion": "b", "message": "b is bad", "fact": "market.sam", "value": 0,
             "fatal": False}]
    assert result.capped


@pytest.mark.parametrize("score, coverage, flags, verdict", [
    (80, 1.0, False, "Strong"), (65, 1.0, False, "Promising"), (45, 1.0, False, "Needs work"),
    (10, 1.0, False, "Not yet feasible"), (80, 0.3, False, "Insufficient evidence"),
    (None, 0.0, False, "Insufficient evidence"), (30, 1.0, True, "Not yet feasible"), (90, 1.0, True, "Needs work"),
])
def test_verdict_bands(score, coverage, flags, verdict):
    assert verdict_for(score, coverage, flags) == verdict


def test_bundled_rubrics_cover_six_areas_with_sources():
    rubrics = load_rubrics()
    assert [r.id for r in rubrics] == ["market", "tech", "data", "compute", "business", "risk"]
    for r in rubrics:
        assert len(r.sha256) == 64
        for c in r.criteria:
            assert c.source.strip() and c.advice.strip() and c.question.endswith("?")


def test_scores_stay_in_range_with_bundled_rubrics():
    f = Facts()
    f.add("market.tam_for_scoring", 1e12)
    f.add("business.gross_margin", -3.0)
    f.add("data.commercial_use", "forbidden")
    result = score(f, load_rubrics())
    for area in result.areas:
        assert area.score is None or 0 <= area.score <= 100
    assert {flag["criterion"] for flag in result.red_flags} == {"gross_margin", "commercial_use"}


def test_not_applicable_leaves_coverage_and_questions():
    r = rubric("compute", criterion("a", "market.tam", weight=1), criterion("b", "market.sam", weight=3))
    f = facts(market__tam=12)
    f.not_applicable("market.sam", "does not arise")
    area = score_area(r, f)
    assert area.coverage == 1.0  # the n/a criterion is out of the denominator
    assert area.criteria[1].applicable is False and area.criteria[1].score is None
    assert area.criteria[1].note == "does not arise"
