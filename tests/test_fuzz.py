"""Property-based tests: the loader never crashes, and the scorer's invariants hold for any valid input."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.economics import economic_facts
from assess.errors import UserError
from assess.facts import Facts, known_fact_names, registry
from assess.fx import resolve_rate
from assess.project import validate_project
from assess.rubrics import load_rubrics
from assess.scoring import score
from assess.yamlload import load_yaml_text

RUBRICS = load_rubrics()
FACT_NAMES = sorted(known_fact_names())

numbers = st.one_of(st.integers(-10**12, 10**13), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from(["5e6", "$5M", "1,000", "10%", "lots", "", "1,00"]))
scalars = st.one_of(numbers, st.booleans(), st.none(), st.text(max_size=30))
project_dicts = st.fixed_dictionaries(
    {"name": st.one_of(st.text(min_size=1, max_size=40), scalars)},
    optional={
        "stage": st.sampled_from(["idea", "seed", "growth", "bogus"]),
        "market": st.fixed_dictionaries({}, optional={k: numbers for k in
                                                      ("customers", "annual_contract_value", "tam", "sam", "som",
                                                       "growth_rate")}),
        "business": st.fixed_dictionaries({}, optional={k: numbers for k in
                                                        ("price_per_customer_month", "cac", "monthly_churn", "cash",
                                                         "monthly_burn", "net_new_arr_12m",
                                                         "other_cogs_per_customer_month")}),
        "tech": st.fixed_dictionaries({}, optional={"monitoring": scalars, "team": st.fixed_dictionaries(
            {}, optional={"ml_engineers": numbers})}),
        "extra_field": scalars,
    })


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_loader_only_ever_raises_user_errors(text):
    try:
        load_yaml_text(text, file="f.yaml")
    except UserError as exc:
        assert all(str(p).startswith("f.yaml") for p in exc.problems)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project_dicts)
def test_any_valid_project_scores_within_range(data):
    text = yaml.safe_dump(data)
    try:
        parsed, lines = load_yaml_text(text, file="p.yaml")  # refuses NUL characters, for one
        project, _ = validate_project(parsed, lines, "p.yaml")
    except UserError as exc:
        assert exc.problems and all(p.file == "p.yaml" for p in exc.problems)
        return
    result = score(economic_facts(project, {}, resolve_rate(project.currency, project.fx)), RUBRICS)
    if result.score is not None:  # the point score lies within its bounds (both rounded to 0.1)
        assert result.low - 0.1 <= result.score <= result.high + 0.1
    assert result.score is None or 0 <= result.score <= 100
    for area in result.areas:
        assert area.score is None or 0 <= area.score <= 100
        assert 0 <= area.coverage <= 1


fact_values = st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.integers(-10**6, 10**9), st.booleans(),
                        st.sampled_from(["A", "B", "C", "allowed", "forbidden", "restricted", "unknown", "public"]))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(FACT_NAMES), fact_values, max_size=25),
       st.sampled_from(FACT_NAMES), fact_values)
def test_adding_evidence_never_lowers_coverage(values, extra_name, extra_value):
    before = Facts()
    for name, value in values.items():
        before.add(name, value)
    after = Facts(dict(before.items))
    after.add(extra_name, extra_value)
    first, second = score(before, RUBRICS), score(after, RUBRICS)
    assert second.coverage >= first.coverage
    # …and rises when the new fact answers a weighted criterion that had no evidence before.
    had = {c.id for a in first.areas for c in a.criteria if c.has_evidence}
    answered = [c for a in second.areas if a.weight > 0 for c in a.criteria
                if c.fact == extra_name and c.has_evidence and c.applicable and c.weight > 0 and c.id not in had]
    if answered:
        assert second.coverage > first.coverage, answered
    assert all(0 <= a.score <= 100 for a in second.areas if a.score is not None)
    assert second.score is None or 0 <= second.score <= 100
    assert set(registry()) >= set(after.items)
