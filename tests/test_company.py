"""Company-level judgment: the properties the company-level issue asks for, run through the real pipeline.

Each test writes a project.yaml, runs the pipeline (no dataset, so no benchmark), and reads the verdict, the
criteria and, where the report is the point, the rendered PDF or Markdown.
"""

from __future__ import annotations

import io
import json

import pytest
import yaml
from pypdf import PdfReader

from assess.pipeline import RunOptions, run
from assess.report import render

import helpers
from helpers import EXAMPLES, write

OPTIONS = RunOptions(draws=0, date="2026-01-01", run_bench=False)

COMPANY = {  # only company-level figures: revenue and growth, margin, burn, cash, raised, competitors, stage
    "name": "Figures Only Co",
    "stage": "series-b",
    "market": {"competitors": [{"name": "Rival One", "strength": "strong"}, {"name": "Rival Two"}]},
    "business": {"revenue_12m": 12e6, "revenue_prior_12m": 5e6, "gross_margin": 0.62, "cash": 40e6,
                 "monthly_burn": 900e3, "raised_to_date": 45e6},
}


def assess_dict(tmp_path, data: dict, name: str = "project.yaml") -> dict:
    return run(write(tmp_path, yaml.safe_dump(data, allow_unicode=True), name), OPTIONS)


def criterion(result: dict, area: str, cid: str) -> dict:
    return next(c for a in result["areas"] if a["id"] == area for c in a["criteria"] if c["id"] == cid)


def html_text(result: dict) -> str:
    """The report's words without markup, whitespace collapsed: the PDF is this HTML laid out, so wording checks
    need not lay it out (the archetype tests below read real PDFs)."""
    return helpers.html_text(render(result, "html"))


def pdf_text(result: dict) -> str:
    reader = PdfReader(io.BytesIO(render(result, "pdf")))
    # Where no installed font has CJK glyphs (minimal Linux), WeasyPrint gives DejaVu a two-byte custom encoding
    # that pypdf reads one byte at a time, leaving a NUL before each Latin letter; the letters themselves are right.
    return "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")


def with_business(**changes) -> dict:
    data = json.loads(json.dumps(COMPANY))
    data["business"].update(changes)
    return data


@pytest.mark.parametrize("stage", ["seed", "series-a", "series-b", "series-c", "public"])
@pytest.mark.parametrize("figures", [
    {},  # a healthy company
    {"revenue_12m": 2e6, "revenue_prior_12m": 1.8e6, "gross_margin": 0.2, "monthly_burn": 2e6},  # a weak one
    {"monthly_burn": -300e3},  # cash-generative
])
def test_company_figures_alone_always_give_a_verdict(tmp_path, stage, figures):
    data = with_business(**figures)
    data["stage"] = stage
    result = assess_dict(tmp_path, data)
    assert result["overall"]["verdict"] != "Insufficient evidence", result["overall"]["basis"]
    assert result["overall"]["low"] <= result["overall"]["score"] <= result["overall"]["high"]


def test_bare_project_is_still_insufficient(tmp_path):
    result = assess_dict(tmp_path, {"name": "Nothing Yet", "stage": "seed"})
    assert result["overall"]["verdict"] == "Insufficient evidence"
    assert len(result["overall"]["possible"]) > 1 and result["overall"]["deciding"]


def test_quadrupled_revenue_changes_the_score_and_the_report_prints_it(tmp_path):
    base = assess_dict(tmp_path, with_business(revenue_12m=3e6, revenue_prior_12m=1.25e6), "a.yaml")
    four = assess_dict(tmp_path, with_business(revenue_12m=12e6, revenue_prior_12m=5e6), "b.yaml")
    assert four["overall"]["score"] > base["overall"]["score"]
    assert criterion(four, "business", "revenue_scale")["score"] > criterion(base, "business", "revenue_scale")["score"]
    text = " ".join(html_text(four).split())
    assert "USD 12M" in text and "Revenue, last 12 months" in text


def test_negative_burn_is_cash_generative_at_the_top_band(tmp_path):
    result = assess_dict(tmp_path, with_business(monthly_burn=-250e3))
    runway = criterion(result, "business", "runway")
    assert runway["value"] == "cash-generative" and runway["score"] == 5
    assert criterion(result, "business", "burn_multiple")["score"] == 5
    assert "cash-generative" in html_text(result)


def test_a_vendor_that_competes_raises_a_flag_naming_it(tmp_path):
    data = with_business()
    data["tech"] = {"approach": "rag", "base_model": "GPT-4o"}
    data["dependencies"] = {"model_vendors": [{"name": "Frontier Labs", "cogs_share": 0.8, "competes": True}]}
    result = assess_dict(tmp_path, data)
    flags = [f for f in result["overall"]["red_flags"] if f["criterion"] == "competing_vendor"]
    assert flags and flags[0]["value"] == "Frontier Labs"
    assert "Frontier Labs" in html_text(result)


@pytest.mark.parametrize("extra", [{}, COMPANY["business"]])
def test_runway_under_six_months_is_not_feasible_at_any_coverage(tmp_path, extra):
    data = {"name": "Short", "business": {**extra, "cash": 1e6, "monthly_burn": 500e3}}
    result = assess_dict(tmp_path, data)
    assert result["overall"]["verdict"] == "Not yet feasible"
    assert "runway" in result["overall"]["basis"]


def test_cny_project_equal_to_usd_project_scores_equally(tmp_path):
    rate = 0.125  # 8 CNY per USD, stated in the file
    usd = with_business()
    usd["market"].update(tam=3e9, customers=20000, annual_contract_value=50000)
    cny = json.loads(json.dumps(usd))
    cny["currency"] = "CNY"
    cny["fx"] = {"usd_per_unit": rate, "as_of": "2026-01-01", "source": "test"}
    for key in ("revenue_12m", "revenue_prior_12m", "cash", "monthly_burn", "raised_to_date"):
        cny["business"][key] = usd["business"][key] / rate
    cny["market"]["tam"] = usd["market"]["tam"] / rate
    cny["market"]["annual_contract_value"] = usd["market"]["annual_contract_value"] / rate
    a, b = assess_dict(tmp_path, usd, "usd.yaml"), assess_dict(tmp_path, cny, "cny.yaml")
    assert a["overall"]["score"] == b["overall"]["score"] and a["overall"]["verdict"] == b["overall"]["verdict"]
    assert [x["score"] for x in a["areas"]] == [x["score"] for x in b["areas"]]
    # without the rate the CNY amounts would be read as dollars and score differently
    wrong = json.loads(json.dumps(cny))
    wrong["currency"], wrong.pop("fx")
    wrong["currency"] = "USD"
    assert assess_dict(tmp_path, wrong, "wrong.yaml")["overall"]["score"] != a["overall"]["score"]
    text = html_text(b)
    assert "CNY" in text and "¥" not in text


def test_two_paying_users_and_a_hundred_thousand_score_differently(tmp_path):
    few = assess_dict(tmp_path, {"name": "A", "market": {"evidence": {"paying_users": 2}}}, "a.yaml")
    many = assess_dict(tmp_path, {"name": "B", "market": {"evidence": {"paying_users": 100_000}}}, "b.yaml")
    assert criterion(few, "market", "customer_evidence")["score"] == 2
    assert criterion(many, "market", "customer_evidence")["score"] == 5


def test_prompt_venture_without_dataset_gets_no_data_table_questions(tmp_path):
    result = assess_dict(tmp_path, {"name": "Chatty", "tech": {"task": "generation", "approach": "prompt",
                                                                 "base_model": "GPT-4o"}})
    asked = {q["question"] for g in result["questions"] for q in g["questions"]}
    data_table = {c["question"] for a in result["areas"] for c in a["criteria"]
                  if c["fact"].startswith(("data.rows", "data.missing", "data.minority", "bench."))}
    assert data_table and not (asked & data_table)
    assert not criterion(result, "data", "missing_values")["applicable"]
    # an unstated target is unknown, never 0
    target = criterion(result, "tech", "measurable_target")
    assert target["score"] is None and target["applicable"]


def test_generative_targets_and_evals_are_accepted(tmp_path):
    data = {"name": "Gen", "tech": {"task": "generation", "approach": "rag", "base_model": "GPT-4o",
                                    "target": {"metric": "win_rate", "value": "60%"},
                                    "evals": [{"metric": "win_rate", "value": 0.66, "baseline_value": 0.5, "n": 500}]}}
    result = assess_dict(tmp_path, data)
    assert criterion(result, "tech", "measurable_target")["score"] == 5
    assert criterion(result, "tech", "eval_evidence")["score"] == 5
    assert criterion(result, "tech", "eval_meets_target")["score"] == 5


def test_unstated_practices_are_unknown_not_absent(tmp_path):
    result = assess_dict(tmp_path, {"name": "P", "tech": {"monitoring": True, "model_versioning": True}})
    practices = criterion(result, "tech", "production_practices")
    assert practices["value"] == 1.0 and practices["score"] == 5 and "5 not stated" in practices["note"]


def test_cover_wording_agrees_with_what_the_flags_did(tmp_path):
    one = with_business()
    one["market"]["differentiation"] = "Runs on the customer's own hardware with no data leaving the site."
    one["risks"] = [{"kind": "litigation", "status": "open", "severity": "high", "description": "patent suit"}]
    result = assess_dict(tmp_path, one, "b.yaml")
    flags = result["overall"]["red_flags"]
    assert len(flags) == 1
    text = html_text(result)
    if result["overall"]["capped"]:
        assert "1 red flag caps the verdict" in text
    else:
        assert "1 red flag;" in text and "cap the verdict" not in text


def test_radar_draws_unknown_areas_apart_from_zero(tmp_path):
    from assess.report.charts import radar_chart

    result = assess_dict(tmp_path, COMPANY)
    assert any(a["score"] is None for a in result["areas"])  # data and compute have no evidence here
    labels = ["A", "B", "C"]
    assert radar_chart(labels, [None, 50, 80]) != radar_chart(labels, [0, 50, 80])
    assert radar_chart(labels, [None, 50, 80], [0, 40, 70], [100, 60, 90]) != radar_chart(labels, [None, 50, 80])


ARCHETYPES = ("api-app", "model-lab", "consumer-app")


@pytest.fixture(scope="module")
def archetypes() -> dict[str, dict]:
    """One pipeline run per archetype example, shared by the tests that only read the results."""
    return {name: run(EXAMPLES / name / "project.yaml", OPTIONS) for name in ARCHETYPES}


@pytest.mark.slow
@pytest.mark.parametrize("example", ("api-app", "consumer-app"))  # model-lab's PDF is the zh one of test_i18n.py
def test_archetype_examples_render(example, archetypes):
    result = archetypes[example]
    helpers.check_archetype_pdf(example, result, pdf_text(result))


def test_archetype_verdicts_differ(archetypes):
    verdicts = {name: result["overall"]["verdict"] for name, result in archetypes.items()}
    assert len(set(verdicts.values())) == 3, verdicts


def test_missing_cjk_font_is_warned_about(monkeypatch):
    from assess.report import fonts

    # Chinese is drawn by the bundled font; Korean is not in it, so it needs an installed font.
    monkeypatch.setattr(fonts, "_installed_covers", lambda codepoints: False)  # a machine with no CJK font
    assert fonts.missing_font_warnings("星衡智能 (Xingheng AI)") == []
    warnings = fonts.missing_font_warnings("한국어 제품")
    assert len(warnings) == 1 and "Korean" in warnings[0] and "fonts-noto-cjk" in warnings[0]
    assert fonts.missing_font_warnings("Plain Latin text, café") == []
    monkeypatch.setattr(fonts, "_installed_covers", lambda codepoints: True)
    assert fonts.missing_font_warnings("한국어") == []


def test_a_vendor_api_product_is_not_asked_about_training_or_gpu_footprint(tmp_path):
    data = {"name": "RAG on an API", "stage": "series-a", "tech": {"approach": "rag", "base_model": "GPT-4o"},
            "business": {"revenue_12m": 5e6, "revenue_prior_12m": 2e6, "gross_margin": 0.7}}
    result = assess_dict(tmp_path, data)
    for cid in ("training_budget", "training_time", "training_memory", "tokens_per_param", "serving_footprint"):
        assert criterion(result, "compute", cid)["applicable"] is False, cid
    questions = [q["question"] for g in result["questions"] for q in g["questions"]]
    assert not any(q.startswith(("Does the estimated training cost", "How many wall-clock days", "Do the stated GPUs",
                                 "Are there enough training tokens", "Does the served model fit")) for q in questions)
    # a fine-tune on an open model is asked about both
    data["tech"] = {"approach": "fine-tune", "base_model": "Llama-3.1-8B"}
    tuned = assess_dict(tmp_path, data, "tuned.yaml")
    assert criterion(tuned, "compute", "training_budget")["applicable"] is True
    assert criterion(tuned, "compute", "serving_footprint")["applicable"] is True


def test_criteria_that_do_not_apply_are_listed_once_not_tabled(tmp_path):
    from assess.report import render_markdown

    md = render_markdown(assess_dict(tmp_path, COMPANY))  # sells no device
    business = md.split("## Business model", 1)[1].split("\n## ", 1)[0]
    table, after = business.split("Not applicable to this venture", 1)
    assert "What share of devices comes back?" not in table
    assert "What share of devices comes back?" in after and "(no device is sold)" in after


def test_a_competing_vendor_is_a_flag_to_watch_that_does_not_cap(tmp_path):
    """Products built on a competitor's model can thrive; the flag is shown, the verdict is not capped by it."""
    data = with_business(revenue_12m=60e6, revenue_prior_12m=20e6, gross_margin=0.7, monthly_burn=-1e6,
                         cash=200e6)
    data["dependencies"] = {"model_vendors": [{"name": "BigModel Inc", "cogs_share": 0.6, "competes": True}]}
    result = assess_dict(tmp_path, data)
    flag = next(f for f in result["overall"]["red_flags"] if f["criterion"] == "competing_vendor")
    assert flag["caps"] is False and not result["overall"]["capped"]
    assert result["overall"]["verdict"] in ("Strong", "Promising")
    assert "to watch (does not cap the verdict)" in render(result, "html").decode()
