"""Robustness: ranges in project.yaml, Monte Carlo through the pure core, the tornado and the verdict flips."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.errors import UserError
from assess.pipeline import RunOptions, check_project, run
from assess.project import load_project
from assess.ranges import Distribution
from assess.report.render import render_json, render_markdown
from assess.robustness import Core, analyse, with_values
from assess.rubrics import load_rubrics

from helpers import EXAMPLES, FULL, write

FAST = RunOptions(run_bench=False, run_profile=False, date="2026-01-01", draws=400)


def project_with(tmp_path, business: dict, name: str = "project.yaml"):
    data = yaml.safe_load(FULL)
    data["business"].update(business)
    return write(tmp_path, yaml.safe_dump(data), name)


def robustness(tmp_path, business: dict, options: RunOptions = FAST, name: str = "project.yaml") -> dict:
    return run(project_with(tmp_path, business, name), options)["robustness"]


def spread(block: dict) -> float:
    return block["p90"] - block["p10"]


def core_for(path) -> tuple[Core, list]:
    from assess.facts import Facts
    from assess.fx import resolve_rate

    loaded, compute_result, compute_facts = check_project(path)
    p = loaded.project
    return Core(p, load_rubrics(None), resolve_rate(p.currency, p.fx), Facts(), False, None,
                (compute_result, compute_facts)), loaded.distributions


# --- the forms ------------------------------------------------------------------------------------------------

def test_each_form_puts_its_bounds_where_it_says():
    rng = np.random.default_rng(1)
    u = rng.random(200_000)
    normal = Distribution(("business", "cac"), "range", 600.0, 1200.0)
    assert normal.quantile(0.1) == pytest.approx(600) and normal.quantile(0.9) == pytest.approx(1200)
    assert normal.median == pytest.approx(900)
    assert np.quantile(normal.ppf(u), [0.1, 0.9]) == pytest.approx([600, 1200], rel=0.01)
    lognormal = Distribution(("business", "cash"), "lognormal", 1e6, 1e8, lower=0)
    assert lognormal.quantile(0.1) == pytest.approx(1e6) and lognormal.quantile(0.9) == pytest.approx(1e8)
    assert lognormal.median == pytest.approx(1e7)  # the geometric middle
    triangular = Distribution(("business", "cac"), "triangular", 100.0, 400.0, likely=200.0)
    draws = triangular.ppf(u)
    assert draws.min() >= 100 and draws.max() <= 400
    assert np.mean(draws) == pytest.approx((100 + 200 + 400) / 3, rel=0.01)  # the triangle's mean
    counts, edges = np.histogram(draws, bins=30)
    assert 180 <= edges[np.argmax(counts)] <= 220  # the mode is where it was put


def test_draws_are_truncated_to_the_fields_limits_and_counts_are_whole():
    churn = Distribution(("business", "monthly_churn"), "range", 0.0, 0.9, lower=0.0, upper=1.0)
    values = churn.ppf(np.linspace(0.001, 0.999, 999))
    assert 0.0 < values.min() and values.max() < 1.0  # inside the limits, no pile of draws on a bound
    assert np.all(np.diff(values) > 0)  # still a quantile function: strictly increasing
    near_zero = Distribution(("business", "monthly_churn"), "range", 0.0, 0.05, lower=0.0, upper=1.0)
    assert near_zero.median > 0.025  # the mass below 0 goes to small churns, above the untruncated middle
    assert near_zero.quantile(0.1) > 0.0
    customers = Distribution(("business", "customers_now"), "range", 3, 9, integer=True, lower=0)
    values = customers.ppf(np.linspace(0.001, 0.999, 999))
    assert np.all(values == np.round(values)) and values.min() >= 0


def test_the_project_carries_each_ranges_median(tmp_path):
    path = project_with(tmp_path, {"monthly_churn": {"low": "1%", "high": "3%"},
                                   "cac": {"low": "$10k", "likely": 12000, "high": 20000},
                                   "cash": {"p10": "1M", "p90": "100M"}, "customers_now": {"low": 10, "high": 30}})
    loaded = load_project(path)
    b = loaded.project.business
    assert b.monthly_churn == pytest.approx(0.02, rel=0.01) and b.cash == pytest.approx(1e7)  # 0 truncates a little
    assert 12000 < b.cac < 20000 and b.customers_now == 20 and isinstance(b.customers_now, int)
    assert {d.field for d in loaded.distributions} == {"business.monthly_churn", "business.cac", "business.cash",
                                                       "business.customers_now"}


# --- the Monte Carlo ------------------------------------------------------------------------------------------

def test_exact_inputs_give_zero_spread(tmp_path):
    rb = robustness(tmp_path, {})
    assert rb["inputs"] == []
    for block in [rb["overall"], *rb["areas"].values(), *rb["facts"].values()]:
        if block["p50"] is not None:
            assert block["p10"] == block["p50"] == block["p90"]
    assert [v["share"] for v in rb["verdicts"]] == [1.0]
    assert rb["summary"].startswith("No ranges given")


def test_widening_one_range_widens_the_scores_spread(tmp_path):
    narrow = robustness(tmp_path, {"monthly_churn": {"low": 0.014, "high": 0.016}}, name="narrow.yaml")
    wide = robustness(tmp_path, {"monthly_churn": {"low": 0.004, "high": 0.09}}, name="wide.yaml")
    assert spread(wide["overall"]) > spread(narrow["overall"]) >= 0
    assert spread(wide["facts"]["business.ltv_to_cac"]) > spread(narrow["facts"]["business.ltv_to_cac"])
    assert spread(wide["areas"]["business"]) > spread(narrow["areas"]["business"])


def test_rank_correlation_is_spearmans_rho_with_ties():
    from scipy.stats import spearmanr

    from assess.robustness import rank_correlations

    rng = np.random.default_rng(0)
    x = rng.random(300)
    scores = [round(80 - 40 * v + float(rng.normal(0, 3)), 0) for v in x]  # rounded: many ties, as scores have
    d = Distribution(("business", "cac"), "range", 0.0, 1.0)
    rho = rank_correlations([d], [x], scores)["business.cac"]
    assert rho == pytest.approx(spearmanr(x, scores).statistic, abs=1e-4) and rho < -0.5


def test_rank_correlation_has_the_sign_of_the_inputs_effect(tmp_path):
    rb = robustness(tmp_path, {"monthly_churn": {"low": 0.004, "high": 0.2}, "cash": {"p10": 1e5, "p90": 2e7}})
    rho = rb["rank_correlation"]
    assert rho["business.monthly_churn"] < -0.2 and rho["business.cash"] > 0.2


def test_the_same_seed_gives_identical_json_and_another_seed_other_draws(tmp_path):
    path = project_with(tmp_path, {"monthly_churn": {"low": 0.005, "high": 0.06}, "cac": {"p10": 4000, "p90": 40000}})
    first, second = run(path, FAST), run(path, FAST)
    assert render_json(first) == render_json(second)
    other = run(path, RunOptions(run_bench=False, run_profile=False, date="2026-01-01", draws=400, seed=7))
    assert other["robustness"]["facts"]["business.ltv_to_cac"] != first["robustness"]["facts"]["business.ltv_to_cac"]
    assert other["robustness"]["seed"] == 7


def test_red_flags_are_counted_across_the_draws(tmp_path):
    # churn between 1 % and 20 % a month: LTV/CAC falls under its red-flag band in part of the draws only
    rb = robustness(tmp_path, {"monthly_churn": {"low": 0.01, "high": 0.2}})
    shares = {f["criterion"]: f["share"] for f in rb["red_flags"]}
    assert any(0 < share < 1 for share in shares.values()), shares
    assert sum(v["share"] for v in rb["verdicts"]) == pytest.approx(1.0)


def test_the_banded_shortcut_agrees_with_the_full_scorer(tmp_path):
    path = project_with(tmp_path, {"monthly_churn": {"low": 0.002, "high": 0.2}, "cac": {"p10": 500, "p90": 90000},
                                   "price_per_customer_month": {"low": 200, "likely": 2000, "high": 6000}})
    core, distributions = core_for(path)
    core.outcome(core.project, False)
    rng = np.random.default_rng(3)
    for _ in range(60):
        values = {d.path: d.quantile(float(rng.random())) for d in distributions}
        variant = with_values(core.project, values)
        quick, _ = core.outcome(variant, False)
        full = core.assess(variant, False)
        assert (quick.score, quick.verdict) == (full.score, full.verdict)
        assert quick.flags == tuple((f["area"], f["criterion"], f["message"]) for f in full.red_flags)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=st.floats(0.0, 0.2), width=st.floats(0.0, 0.5), cac=st.floats(100, 1e5), spread_=st.floats(1.0, 50.0))
def test_p10_p50_p90_are_ordered_for_every_figure(tmp_path, low, width, cac, spread_):
    path = project_with(tmp_path, {"monthly_churn": {"low": low, "high": min(low + width, 1.0)},
                                   "cac": {"p10": cac, "p90": cac * spread_}})
    core, distributions = core_for(path)
    rb = analyse(core, distributions, draws=60, seed=0)
    blocks = [rb["overall"], *rb["areas"].values(), *rb["facts"].values()]
    for block in blocks:
        if block["p50"] is not None:
            assert block["p10"] <= block["p50"] <= block["p90"]


# --- tornado and flips ----------------------------------------------------------------------------------------

def test_the_tornado_keeps_ranged_inputs_and_swings_exact_ones(tmp_path):
    rb = robustness(tmp_path, {"monthly_churn": {"low": 0.01, "high": 0.03}})
    rows = {r["field"]: r for r in rb["tornado"]}
    churn = rows["business.monthly_churn"]
    assert churn["source"] == "range" and churn["low_value"] == pytest.approx(0.01, rel=0.05)  # P10, truncated at 0
    burn = rows["business.monthly_burn"]  # 150,000 a month in FULL
    assert burn["source"] == "swing" and burn["low_value"] == pytest.approx(112_500)
    assert burn["high_value"] == pytest.approx(187_500) and burn["score_low"] > burn["score_high"]
    assert len([r for r in rb["tornado"] if r["source"] == "swing"]) <= 10
    wider = robustness(tmp_path, {}, RunOptions(run_bench=False, run_profile=False, draws=1, swing=0.6), "w.yaml")
    narrower = robustness(tmp_path, {}, RunOptions(run_bench=False, run_profile=False, draws=1, swing=0.1), "n.yaml")
    assert max(r["leverage"] for r in wider["tornado"]) > max((r["leverage"] for r in narrower["tornado"]),
                                                               default=0.0)


def test_every_printed_flip_is_verified_by_rerunning_the_core(tmp_path):
    path = EXAMPLES / "api-app" / "project.yaml"
    result = run(path, RunOptions(run_bench=False, draws=200))
    flips = result["robustness"]["flips"]
    assert flips, "api-app's verdict rests on its revenue: some flip must be found"
    core, _ = core_for(path)
    base = result["overall"]["verdict"]
    assert (result["robustness"]["base"]["score"], result["robustness"]["base"]["verdict"]) == \
        (result["overall"]["score"], base)
    for f in flips:
        path_ = tuple(int(p) if p.isdigit() else p for p in f["field"].split("."))
        sign = 1 if f["direction"] == "above" else -1
        inside = core.assess(with_values(core.project, {path_: f["threshold"] - sign * f["step"]})).verdict
        outside = core.assess(with_values(core.project, {path_: f["threshold"] + sign * f["step"]})).verdict
        assert inside == base and outside == f["to"] != base, f
        assert f["step"] <= max(abs(f["base_value"]) * 1e-3, 1.0)


def test_a_wider_revenue_range_changes_the_verdict_probability(tmp_path):
    """The restatement case: revenue as claimed, or possibly a quarter of it."""
    text = (EXAMPLES / "api-app" / "project.yaml").read_text(encoding="utf-8")
    claimed = "revenue_12m: {low: 2.6e6, likely: 3.9e6, high: 4.2e6}"
    assert claimed in text
    options = RunOptions(run_bench=False, draws=600)
    as_shipped = run(write(tmp_path, text, "shipped.yaml"), options)["robustness"]
    restated = run(write(tmp_path, text.replace(claimed, "revenue_12m: {low: 0.97e6, likely: 3.9e6, high: 4.2e6}"),
                         "restated.yaml"), options)["robustness"]
    exact = run(write(tmp_path, text.replace(claimed, "revenue_12m: 3.9e6"), "exact.yaml"), options)["robustness"]

    def strong(rb: dict) -> float:
        return next((v["share"] for v in rb["verdicts"] if v["verdict"] == "Strong"), 0.0)

    assert strong(exact) == 1.0 > strong(as_shipped) > strong(restated)
    assert "revenue" in as_shipped["summary"]


# --- the report -----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_report_shows_the_section_and_the_cover_line(invoke, tmp_path):
    out = tmp_path / "strong.html"
    result = invoke("run", EXAMPLES / "strong" / "project.yaml", "--no-bench", "--format", "html", "-o", out,
                    "--draws", "300", "--date", "2026-01-01")
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert 'id="robustness"' in html and "Robustness: Strong in" in html  # the section and the cover line
    assert html.index('id="summary"') < html.index('id="robustness"') < html.index('id="area-market"')
    assert "What flips the verdict" in html and "Tornado" in html and "data:image/svg+xml" in html
    assert "robustness: Strong in" in result.stderr  # the terminal summary too
    md = render_markdown(run(EXAMPLES / "strong" / "project.yaml", RunOptions(run_bench=False, draws=100)))
    assert "## Robustness" in md and "What flips the verdict" in md


def test_draws_zero_turns_the_section_off(invoke, tmp_path):
    out = tmp_path / "r.json"
    assert invoke("run", EXAMPLES / "weak" / "project.yaml", "--no-bench", "--draws", "0", "--format", "json",
                  "-o", out).exit_code == 0
    assert "robustness" not in json.loads(out.read_text(encoding="utf-8"))


# --- bad input ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("business, field, words", [
    ({"cac": {"low": 900, "high": 600}}, "business.cac", "expected low ≤ high"),
    ({"cac": {"low": 100, "likely": 900, "high": 600}}, "business.cac", "low ≤ likely ≤ high"),
    ({"net_new_arr_12m": {"p10": -5, "p90": 10}}, "business.net_new_arr_12m", "lognormal needs p10 > 0"),
    ({"monthly_churn": {"low": "1%", "high": "300%"}}, "business.monthly_churn.high", "≤ 1"),
    ({"cac": {"low": "cheap", "high": 600}}, "business.cac.low", "expected a number"),
    ({"cac": {"min": 1, "max": 5}}, "business.cac", "{low, high}"),
    ({"revenue_audited": {"low": 0, "high": 1}}, "business.revenue_audited", "needs a numeric field"),
])
def test_bad_ranges_are_located_errors(invoke, tmp_path, business, field, words):
    path = project_with(tmp_path, business)
    result = invoke("validate", path)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    line = next(ln for ln in result.stderr.splitlines() if field + ":" in ln)
    assert words in line and str(path) in line and ":" in line.split(field)[0]


def test_a_range_on_what_the_engines_measure_is_refused(tmp_path):
    data = yaml.safe_load(FULL)
    data["data"] = {"path": "x.csv", "rows": {"low": 100, "high": 900}}
    with pytest.raises(UserError) as caught:
        load_project(write(tmp_path, yaml.safe_dump(data)))
    problem = caught.value.problems[0]
    assert problem.field == "data.rows" and "measured by the data profile and the benchmark" in problem.message
    assert problem.line is not None


def test_a_currency_mark_on_a_bound_must_match_the_field(tmp_path):
    data = yaml.safe_load(FULL)
    data["currency"] = "CNY"
    data["business"]["cash"] = {"low": "$1M", "high": "¥8亿"}
    with pytest.raises(UserError) as caught:
        load_project(write(tmp_path, yaml.safe_dump(data, allow_unicode=True)))
    assert any(p.field == "business.cash.low" and "USD" in p.message for p in caught.value.problems)


@pytest.mark.parametrize("args", [("--draws", "1000001"), ("--draws", "-1"), ("--swing", "0"), ("--swing", "1.5")])
def test_out_of_range_options_exit_2(invoke, args):
    result = invoke("run", EXAMPLES / "weak" / "project.yaml", "--no-bench", "--format", "json", *args)
    assert result.exit_code == 2 and ("--draws" in result.stderr or "--swing" in result.stderr)


def test_the_schema_describes_the_forms(invoke):
    schema = json.loads(invoke("schema").stdout)
    churn = schema["$defs"]["Business"]["properties"]["monthly_churn"]
    assert {"$ref": "#/$defs/Range"} in churn["anyOf"] and {"$ref": "#/$defs/Lognormal"} in churn["anyOf"]
    assert set(schema["$defs"]["Triangular"]["required"]) == {"low", "likely", "high"}
    assert "anyOf" not in json.dumps(schema["$defs"]["Fx"]["properties"]["usd_per_unit"])


def test_init_shows_a_range(invoke, tmp_path):
    assert invoke("init", tmp_path).exit_code == 0
    text = (tmp_path / "project.yaml").read_text(encoding="utf-8")
    assert "{low: 0.01, high: 0.04}" in text
    assert load_project(tmp_path / "project.yaml").distributions


def test_the_section_speaks_the_reports_language():
    from assess.report.render import render_html

    result = run(EXAMPLES / "model-lab" / "project.yaml", RunOptions(run_bench=False, draws=50, language="zh"))
    rb = result["robustness"]
    assert rb["summary"].startswith("未给出区间") and "最敏感" in rb["summary"]
    html = render_html(result, lang="zh")
    assert "稳健性：结论能站得住多远" in html and "什么会改变结论" in html and "Robustness" not in html
    english = run(EXAMPLES / "model-lab" / "project.yaml", RunOptions(run_bench=False, draws=50, language="en"))
    assert english["robustness"]["overall"] == rb["overall"] and english["robustness"]["flips"][0]["threshold"] == \
        rb["flips"][0]["threshold"]
