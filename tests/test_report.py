"""Real PDFs, read back with pypdf; determinism; the template search path."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from assess.pipeline import RunOptions, run
from assess.report import render, render_html, render_markdown, render_pdf

from helpers import EXAMPLES, FULL, ROOT, html_text, write


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def strong_result():
    """The strong example with its benchmark: 10 s plans the same six models and curve as 20 s did."""
    return run(EXAMPLES / "strong" / "project.yaml", RunOptions(draws=300, budget=10, date="2026-01-15"))


@pytest.mark.slow
def test_strong_example_pdf_has_every_part(strong_result):
    html = render_html(strong_result)
    data = render_pdf(html)  # what render(result, "pdf") does, keeping the HTML for the checks below
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for heading in ("Executive summary", "Market", "Technology", "Data", "Compute", "Business model",
                    "Questions for the founders", "Evidence: baseline benchmark", "Evidence: data readiness",
                    "Evidence: compute and unit economics", "Appendix: method and reproducibility",
                    "Robustness: how far the verdict holds", "What flips the verdict"):
        assert heading in text, heading
    assert "Robustness: Strong in" in text.split("Page 1 of")[0].replace("\n", " ")  # the cover line
    assert strong_result["overall"]["verdict"] in text
    assert strong_result["reproducibility"]["input"]["sha256"] in text.replace("\n", "")
    assert "Page 2 of" in text
    assert html.count('src="data:image/svg+xml;base64,') >= 3  # radar, learning curve, leaderboard…
    assert 'alt="Radar chart of the five area scores"' in html


def test_strong_beats_weak():
    strong = run(EXAMPLES / "strong" / "project.yaml", RunOptions(draws=0, run_bench=False))
    weak = run(EXAMPLES / "weak" / "project.yaml", RunOptions(draws=0, run_bench=False))
    assert strong["overall"]["score"] > 75 and strong["overall"]["verdict"] == "Strong"
    assert weak["overall"]["score"] < 40 and weak["overall"]["verdict"] == "Not yet feasible"
    flagged = {f["criterion"] for f in weak["overall"]["red_flags"]}
    assert {"gross_margin", "commercial_use", "training_budget", "ml_team"} <= flagged


def test_json_shape(strong_result):
    data = json.loads(render(strong_result, "json"))
    assert {"score", "verdict", "coverage"} <= set(data["overall"])
    assert [a["id"] for a in data["areas"]] == ["market", "tech", "data", "compute", "business", "risk"]
    for area in data["areas"]:
        for c in area["criteria"]:
            assert {"id", "score", "value", "source"} <= set(c)
    assert "_charts" not in data
    assert data["facts"]["bench.best_score"]["origin"] == "benchmark"
    assert "fit_seconds" not in data["evidence"]["bench"]["models"][0]  # timings only with --timings
    assert data["facts"]["business.gross_margin"]["note"] == "per customer, includes inference"


@pytest.mark.slow
def test_same_input_same_json_and_html(tmp_path):
    path = write(tmp_path, FULL)
    first = run(path, RunOptions(draws=0, date="2026-01-01"))
    second = run(path, RunOptions(draws=0, date="2026-01-01"))
    assert render(first, "json") == render(second, "json")
    assert render(first, "html") == render(second, "html")


# The PDF's byte identity is tests/test_i18n.py::test_pdf_is_byte_identical_with_pinned_date: its pair of renders
# also serves the CJK-text-in-an-English-PDF test.


def test_unknown_evidence_is_shown_as_unknown(tmp_path):
    result = run(write(tmp_path, "name: Bare\n"))
    assert result["overall"]["verdict"] == "Insufficient evidence"
    assert result["overall"]["coverage"] == 0
    text = html_text(render(result, "html"))  # wording: the PDF lays this HTML out
    assert "no evidence" in text and "unknown" in text
    questions = [q["question"] for g in result["questions"] for q in g["questions"]]
    # every criterion that applies is asked about; a bare project sells no device and states no users or debt
    assert len(questions) == sum(c["applicable"] for a in result["areas"] for c in a["criteria"])
    assert "What share of devices comes back?" not in questions


def test_markdown_twin(strong_result):
    md = render_markdown(strong_result)
    assert md.startswith("# CytoSure AI: feasibility assessment")
    for part in ("| Market |", "## Questions for the founders", "## Appendix"):
        assert part in md, part


def test_user_template_dir_comes_first(tmp_path, strong_result):
    (tmp_path / "report.md.j2").write_text("custom for {{ r.project.name|md }}\n", encoding="utf-8")
    assert render_markdown(strong_result, tmp_path) == "custom for CytoSure AI\n"
    # templates the user did not override still come from the bundle
    assert "Executive summary" in render_html(strong_result, tmp_path)


def test_page_guard(monkeypatch):
    """Every PDF goes through render_pdf, which lays the document out and refuses one over MAX_PAGES. A three-page
    document shows it as well as a whole report would, without laying out a report."""
    import importlib

    from assess.errors import UserError
    from assess.report import render_pdf

    render_module = importlib.import_module("assess.report.render")
    html = "<html><body>" + '<p style="break-after: page">page</p>' * 3 + "</body></html>"
    monkeypatch.setattr(render_module, "MAX_PAGES", 2)
    with pytest.raises(UserError, match="would have 3 pages, over the 2-page limit"):
        render_pdf(html)
    monkeypatch.setattr(render_module, "MAX_PAGES", 3)
    assert len(PdfReader(io.BytesIO(render_pdf(html))).pages) == 3


@pytest.mark.slow
def test_json_and_markdown_runs_draw_no_charts(tmp_path):
    """Charts are drawn when HTML is rendered, never by the pipeline: a JSON run does not load matplotlib."""
    import subprocess
    import sys

    project = write(tmp_path, "name: Chartless Co\nbusiness: {price_per_customer_month: 100, cac: 300}\n")
    code = ("import sys; from assess.pipeline import run, RunOptions; from assess.report import render; "
            "r = run(sys.argv[1], RunOptions(draws=0, run_bench=False)); render(r, 'json'); render(r, 'md'); "
            "print('matplotlib' in sys.modules); render(r, 'html'); print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.stdout.split() == ["False", "True"], done.stderr


def test_method_constants_come_from_the_code_not_the_template(tmp_path, monkeypatch):
    """The executive summary prints the verdict rule from the result's `method` block (issue 13, finding 5)."""
    from assess import scoring

    monkeypatch.setattr(scoring, "VERDICTS", ((80.0, "Strong"), (65.0, "Promising"), (40.0, "Needs work"),
                                              (0.0, "Not yet feasible")))
    monkeypatch.setattr(scoring, "MIN_COVERAGE", 0.45)
    result = run(write(tmp_path, FULL), RunOptions(draws=0, run_bench=False))
    assert result["method"]["verdict_bands"][0] == {"verdict": "Strong", "min_score": 80.0}
    html = render_html(result)
    assert "Strong ≥ 80, Promising ≥ 65, Needs work ≥ 40" in html and "covers 45 % of the weight" in html
    assert "less than six months of runway" in html  # fatal flags listed from the rubrics


def test_self_hosted_serving_page_shows_latency_idle_floor_and_full_load(strong_result):
    result = strong_result
    html = render_html(result)
    inf = result["evidence"]["compute"]["inference"]
    assert inf["mode"] == "self-hosted" and inf["utilisation"] < 0.3
    for part in ("Latency (mean)", "Idle floor (one always-on replica)", "Cost per 1,000 requests at full load",
                 "at this volume the cost is the idle floor", "Serving constants"):
        assert part in html, part
    assert f"{inf['efficiency']['bandwidth']:g}" in html.split("Serving constants", 1)[1][:400]
