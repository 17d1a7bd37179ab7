"""Every command through CliRunner, plus a real subprocess for install-independent behaviour."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import assess

from helpers import FULL, MINIMAL, write


def test_version_and_help(invoke):
    assert invoke("--version").stdout.strip() == f"assess, version {assess.__version__}"
    for command in ([], ["run"], ["validate"], ["init"], ["schema"], ["rubrics"], ["bench"], ["data"], ["compute"]):
        result = invoke(*command, "-h")
        assert result.exit_code == 0 and "Usage:" in result.stdout
    assert "3  the overall score is below --fail-under" in invoke("run", "-h").stdout


@pytest.mark.slow
def test_run_json_on_stdout_and_progress_on_stderr(invoke, full_project):
    first = invoke("run", full_project, "--format", "json", "--budget", "15")
    assert first.exit_code == 0, first.stderr
    data = json.loads(first.stdout)
    assert "bench.best_score" in data["facts"] and data["evidence"]["bench"]["models"]
    assert "assess: scoring" in first.stderr
    second = invoke("run", full_project, "--format", "json", "--budget", "15", "-q")
    assert second.stdout == first.stdout
    assert second.stderr == ""


def test_run_md_and_html(invoke, tmp_path):
    path = write(tmp_path, FULL)
    md = invoke("run", path, "--format", "md")
    assert md.exit_code == 0 and md.stdout.startswith("# Acme AI")
    out = tmp_path / "r.html"
    assert invoke("run", path, "--format", "html", "-o", out).exit_code == 0
    assert "<html" in out.read_text()


@pytest.mark.slow
def test_timings_only_on_request(invoke, full_project):
    data = json.loads(invoke("run", full_project, "--format", "json", "--budget", "15", "--timings", "-q").stdout)
    assert data["evidence"]["bench"]["models"][0]["fit_seconds"] is not None
    assert "bench.fit_seconds" in data["facts"]


def test_fail_under_exits_3_after_writing(invoke, tmp_path):
    path = write(tmp_path, FULL)
    out = tmp_path / "r.json"
    result = invoke("run", path, "--format", "json", "-o", out, "--fail-under", "99")
    assert result.exit_code == 3
    assert json.loads(out.read_text())["overall"]["score"] < 99
    assert invoke("run", path, "--format", "json", "-o", out, "--fail-under", "1").exit_code == 0


def test_validate(invoke, tmp_path):
    good = write(tmp_path, FULL, "good.yaml")
    assert invoke("validate", good).exit_code == 0
    bad = write(tmp_path, "name: X\nmarket:\n  tam: -1\n  sam: x\nbusiness:\n  monthly_churn: 2\n", "bad.yaml")
    result = invoke("validate", good, bad)
    assert result.exit_code == 2
    assert f"{good}: valid" in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 3
    assert all(line.startswith(f"error: {bad}:") for line in lines)
    assert {line.split(":")[2] for line in lines} == {"3", "4", "6"}


def test_init_writes_a_valid_starter(invoke, tmp_path):
    target = tmp_path / "new"
    assert invoke("init", target).exit_code == 0
    assert "# project.yaml" in (target / "project.yaml").read_text()
    assert invoke("validate", target / "project.yaml").exit_code == 0
    again = invoke("init", target)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert invoke("init", target, "--force").exit_code == 0


def test_schema_is_json_schema(invoke):
    schema = json.loads(invoke("schema").stdout)
    assert schema["title"] == "assess project.yaml"
    assert "market" in schema["properties"] and "name" in schema["required"]


def test_rubrics_listing(invoke, tmp_path):
    table = invoke("rubrics").stdout
    assert "tam_floor" in table and "(red flag)" in table and "Sacks" in table
    data = json.loads(invoke("rubrics", "--format", "json").stdout)
    assert [r["id"] for r in data] == ["market", "tech", "data", "compute", "business", "risk"]
    facts = invoke("rubrics", "--facts").stdout
    assert "bench.lift_over_dummy" in facts and "compute.training_cost_vs_budget" in facts


def test_rubrics_override_changes_the_score(invoke, tmp_path):
    rubric_dir = tmp_path / "thesis"
    rubric_dir.mkdir()
    (rubric_dir / "market.yaml").write_text("""\
id: market
title: Market (fund thesis)
version: "9"
criteria:
  - id: huge_tam
    question: Is the TAM above $100B?
    fact: market.tam_for_scoring
    weight: 1
    bands: [{gte: 1.0e11, score: 5}, {gte: 0, score: 0}]
    red_flag: {at_most: 0, message: Below our thesis.}
    advice: Find a bigger market.
    source: Our fund thesis
""")
    path = write(tmp_path, FULL)
    data = json.loads(invoke("run", path, "--format", "json", "--rubrics", rubric_dir).stdout)
    market = data["areas"][0]
    assert market["title"] == "Market (fund thesis)" and market["score"] == 0
    assert {"area": "market", "criterion": "huge_tam", "message": "Below our thesis."} in [
        {k: f[k] for k in ("area", "criterion", "message")} for f in data["overall"]["red_flags"]]
    assert data["reproducibility"]["rubrics"][0]["origin"] == "user: market.yaml"


def test_internal_error_is_short_without_v_and_traced_with_v(invoke, tmp_path, monkeypatch):
    import assess.pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(assess.pipeline, "run", broken)
    path = write(tmp_path, MINIMAL)
    quiet = invoke("run", path, "--format", "json")
    assert quiet.exit_code == 1
    assert quiet.stderr.strip() == "internal error: RuntimeError: kaboom (run with -v for the traceback)"
    loud = invoke("run", path, "--format", "json", "-v")
    assert loud.exit_code == 1 and "Traceback" in loud.stderr


def test_broken_user_template_is_bad_input(invoke, tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "report.md.j2").write_text("{{ r.no_such_key.deeper }}\n")
    result = invoke("run", write(tmp_path, MINIMAL), "--format", "md", "--template-dir", templates)
    assert result.exit_code == 2 and "template error" in result.stderr and "Traceback" not in result.stderr


def _cli(*args: str, cwd: Path, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assess", *args], cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


# A real `python -m assess run` to PDF from a folder of its own (the installed package finds its templates, rubrics
# and fonts; -o relative to that folder; stdout empty) is the PDF run of tests/test_hostile_run.py.


@pytest.mark.slow
def test_kill_before_any_write_leaves_earlier_report_intact(tmp_path):
    project = write(tmp_path, FULL)
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-yesterday's good report")
    before = report.read_bytes()
    proc = _cli("run", str(project), "-o", str(report), cwd=tmp_path)
    deadline = time.monotonic() + 60
    for line in proc.stderr:  # wait until the render is under way, then kill it
        if "rendering pdf" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert report.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project.yaml", "report.pdf"]


@pytest.mark.slow
def test_sigterm_before_any_write_leaves_no_file(tmp_path):
    project = write(tmp_path, FULL)
    report = tmp_path / "report.pdf"
    report.write_bytes(b"old")
    proc = _cli("run", str(project), "-o", str(report), cwd=tmp_path)
    for line in proc.stderr:
        if "rendering pdf" in line:
            break
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode != 0 or report.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project.yaml", "report.pdf"]


def test_output_gets_normal_permissions(invoke, tmp_path):
    out = tmp_path / "r.md"
    assert invoke("run", write(tmp_path, MINIMAL), "--format", "md", "-o", out).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    out.chmod(0o640)
    assert invoke("run", write(tmp_path, MINIMAL), "--format", "md", "-o", out).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o640  # an existing report keeps its permissions


@pytest.mark.slow
def test_console_entry_flushes_output_and_keeps_exit_codes(tmp_path):
    """`python -m assess` leaves through os._exit (no interpreter teardown): stdout must still arrive whole,
    and exit codes must survive."""
    proc = _cli("schema", cwd=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(out)["title"]
    proc = _cli("bench", "missing.csv", "--target", "y", cwd=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and err.startswith("error: missing.csv") and "Traceback" not in err


def test_closed_pipe_is_quiet(tmp_path):
    proc = _cli("rubrics", cwd=tmp_path)
    proc.stdout.close()  # the reader goes away at once, as `assess rubrics | head -0` would
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 141 and "internal error" not in err and "Traceback" not in err


def test_errors_name_the_flag_on_the_command_line_and_the_field_in_project_yaml(invoke, tmp_path, text_csv):
    """The library names project.yaml fields; `bench` and `data` take them as flags, so the CLI says the flag."""
    bench = invoke("bench", text_csv, "--target", "nope")
    assert bench.exit_code == 2 and "--target: target column 'nope' not found" in bench.stderr, bench.stderr
    project = write(tmp_path, "name: X\ndata:\n  path: tickets.csv\n  target: nope\n")
    run = invoke("run", project, "--format", "json", "--no-profile")
    assert run.exit_code == 2 and "data.target" in run.stderr and "--target" not in run.stderr, run.stderr


def test_ctrl_c_while_the_command_line_is_parsed_exits_130(monkeypatch, capsys):
    """The documented code for Ctrl-C holds even before a command starts (click's own handling says "Aborted!", 1)."""
    import click

    from assess import cli

    def interrupted(self, ctx, args):
        raise KeyboardInterrupt

    monkeypatch.setattr(click.Group, "parse_args", interrupted)
    with pytest.raises(SystemExit) as done:
        cli.main(["rubrics"], prog_name="assess")
    assert done.value.code == 130 and capsys.readouterr().err == "interrupted\n"
