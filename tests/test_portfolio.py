"""assess batch and assess compare: real runs on the bundled examples, a real Dask LocalCluster, a real scheduler
and worker as separate processes, real PDFs read back with pypdf."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from assess.errors import UserError
from assess.pipeline import RunOptions, run
from assess.portfolio import execute
from assess.portfolio.batch import run_batch
from assess.portfolio.compare import compare, render_compare
from assess.portfolio.inputs import discover
from assess.portfolio.table import render_portfolio

from helpers import EXAMPLES

FAST = RunOptions(run_bench=False, date="2026-01-01", draws=0)  # robustness rows: their own tests below
GOOD = ("api-app", "model-lab", "consumer-app")


@pytest.fixture
def apps(tmp_path) -> Path:
    """Three good projects, a broken YAML and a project whose dataset is missing, one folder each."""
    root = tmp_path / "apps"
    for name in GOOD:
        shutil.copytree(EXAMPLES / name, root / name)
    (root / "broken").mkdir()
    (root / "broken" / "project.yaml").write_text("name: Broken\nstage: [seed\n", encoding="utf-8")
    (root / "nodata").mkdir()
    (root / "nodata" / "project.yaml").write_text(
        "name: No Data Co\nstage: seed\ndata:\n  path: missing.csv\n  target: label\n", encoding="utf-8")
    return root


def _rows(result) -> dict[str, dict]:
    return {r["name"]: r for r in result.portfolio["projects"]}


def _check_portfolio(result) -> None:
    projects = result.portfolio["projects"]
    ok = [r for r in projects if r["status"] == "ok"]
    assert [r["name"] for r in ok] == ["api-app", "model-lab", "consumer-app"]  # by score, highest first
    assert [r["rank"] for r in ok] == [1, 2, 3]
    assert [r["score"] for r in ok] == sorted((r["score"] for r in ok), reverse=True)
    failed = {r["name"]: r for r in projects if r["status"] == "failed"}
    assert list(failed) == ["broken", "nodata"] and projects[-2:] == list(failed.values())
    assert failed["broken"]["rank"] is None
    broken = failed["broken"]["errors"][0]
    assert broken["file"].endswith("broken/project.yaml") and broken["line"] in (2, 3) and "YAML" in broken["message"]
    assert "dataset file not found" in failed["nodata"]["errors"][0]["message"]
    assert result.portfolio["summary"] == {"projects": 5, "assessed": 3, "failed": 2, "verdicts": {
        "Strong": 1, "Needs work": 1, "Not yet feasible": 1}, "cannot_judge_yet": []}
    assert result.failed == 2


@pytest.mark.slow
def test_batch_on_a_dask_local_cluster_ranks_isolates_failures_and_resumes(apps, tmp_path):
    out = tmp_path / "out"
    seen = []
    first = run_batch([str(apps)], out, FAST, formats=("json", "md"), executor="dask", workers=2,
                      progress=lambda p: seen.append(p.line()))
    _check_portfolio(first)
    assert seen[-1].startswith("5/5 done, 2 failed")
    row = _rows(first)["api-app"]
    report = json.loads((out / row["reports"]["json"]).read_text(encoding="utf-8"))
    assert report["overall"]["score"] == row["score"] and row["input_sha256"] == report["reproducibility"]["input"][
        "sha256"]
    assert (out / "projects" / "model-lab.md").read_text(encoding="utf-8").startswith("# ")
    assert not (out / "projects" / "broken.json").exists()
    assert json.loads((out / "portfolio.json").read_text(encoding="utf-8")) == json.loads(
        json.dumps(first.portfolio, default=str))

    # Resume (the local pool this time): the finished projects are skipped, the failed ones are tried again.
    states = {p.name: p.stat().st_mtime_ns for p in (out / ".assess-batch").iterdir()}
    progress = []
    again = run_batch([str(apps)], out, FAST, formats=("json", "md"), progress=progress.append)
    _check_portfolio(again)
    assert progress[-1].skipped == 3
    after = {p.name: p.stat().st_mtime_ns for p in (out / ".assess-batch").iterdir()}
    assert [n for n in after if after[n] != states[n]] == ["broken.json", "nodata.json"]
    assert again.portfolio["projects"] == first.portfolio["projects"]

    # A changed input, a changed option, or --force: assessed again.
    (apps / "broken" / "project.yaml").write_text("name: Fixed\nstage: seed\n", encoding="utf-8")
    progress.clear()
    fixed = run_batch([str(apps)], out, FAST, formats=("json", "md"), progress=progress.append)
    assert progress[-1].skipped == 3 and _rows(fixed)["broken"]["status"] == "ok" and fixed.failed == 1
    progress.clear()
    run_batch([str(apps)], out, RunOptions(run_bench=False, date="2026-01-02", draws=0), formats=("json", "md"),
              progress=progress.append)
    assert progress[-1].skipped == 0
    progress.clear()
    run_batch([str(apps)], out, RunOptions(run_bench=False, date="2026-01-02", draws=0), formats=("json", "md"),
              force=True, progress=progress.append)
    assert progress[-1].skipped == 0


@pytest.mark.slow
def test_batch_cli_writes_csv_parquet_with_manifest_tags_and_exits_4_on_failures(invoke, apps, tmp_path):
    manifest = apps / "manifest.csv"
    manifest.write_text("path,name,owner,round\napi-app/project.yaml,clausewise,ana,spring\n"
                        "broken/project.yaml,,bo,fall\nmodel-lab,,ana,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("batch", manifest, "-o", out, "--no-bench", "--date", "2026-01-01", "--format", "json,html")
    assert result.exit_code == 4, result.stderr
    assert "3/3 done, 1 failed" in result.stderr and "broken:" in result.stderr
    frame = pd.read_parquet(out / "portfolio.parquet")
    assert list(frame["name"]) == ["clausewise", "model-lab", "broken"]
    assert list(frame["tag.owner"]) == ["ana", "ana", "bo"] and frame["score"].dtype == "float64"
    assert frame.loc[0, "verdict"] == "Strong" and "broken/project.yaml:" in frame.loc[2, "errors"]
    csv = pd.read_csv(out / "portfolio.csv")
    assert list(csv["name"]) == list(frame["name"]) and "business.gross_margin" in csv.columns
    html = (out / "portfolio.html").read_text(encoding="utf-8")
    assert 'href="projects/clausewise.html"' in html and "Ranking" in html and "data:image/svg+xml" in html
    assert not (out / "portfolio.pdf").exists()
    ok = invoke("batch", EXAMPLES / "api-app", "-o", tmp_path / "one", "--no-bench", "-q")
    assert ok.exit_code == 0 and ok.stderr == ""


@pytest.mark.parametrize("case, expected", [
    ("pattern", "the pattern matches no file"),
    ("manifest", "manifest.csv:3: path: 'nowhere/project.yaml' does not exist"),
    ("duplicate", "two projects are named 'a'"),
    ("outdir", "cannot create the output folder"),
    ("format", "unknown format(s) docx"),
])
def test_batch_bad_invocations_exit_2_and_keep_finished_work(invoke, apps, tmp_path, case, expected):
    out = tmp_path / "out"
    assert invoke("batch", apps / "api-app", "-o", out, "--no-bench", "-q").exit_code == 0
    before = (out / "portfolio.json").read_bytes()
    args = {
        "pattern": [str(tmp_path / "nothing" / "*.yaml"), "-o", out],
        "manifest": [str(apps / "manifest.csv"), "-o", out],
        "duplicate": [str(tmp_path / "x" / "a.yaml"), str(tmp_path / "y" / "a.yaml"), "-o", out],
        "outdir": [str(apps / "api-app"), "-o", apps / "api-app" / "project.yaml" / "out"],
        "format": [str(apps / "api-app"), "-o", out, "--format", "json,docx"],
    }[case]
    (apps / "manifest.csv").write_text("path\napi-app/project.yaml\nnowhere/project.yaml\n", encoding="utf-8")
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.yaml").write_text(f"name: {folder}\n", encoding="utf-8")
    result = invoke("batch", *args, "--no-bench")
    assert result.exit_code == 2, result.stderr
    assert expected in result.stderr
    assert (out / "portfolio.json").read_bytes() == before


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error(apps, tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "CONNECT_SECONDS", 2.0)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UserError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        run_batch([str(apps / "api-app")], tmp_path / "out", FAST, scheduler=f"tcp://127.0.0.1:{port}")


def test_discover_reads_folders_patterns_and_manifests_once_each(apps):
    (apps / "list.csv").write_text("file,team\napi-app/project.yaml,x\n", encoding="utf-8")
    found = discover([str(apps / "*" / "project.yaml"), str(apps / "list.csv"), str(apps / "model-lab")])
    assert [e.name for e in found] == ["api-app", "broken", "consumer-app", "model-lab", "nodata"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_scheduler_address_gives_the_same_portfolio_as_the_local_run(apps, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = ["--no-dashboard"]
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), *common], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                               "--nworkers", "1", "--host", "127.0.0.1", *common],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _check_portfolio(run_batch([str(apps)], tmp_path / "local", FAST, formats=("json",)))
        deadline = time.monotonic() + 60
        while True:  # the scheduler may still be starting
            try:
                remote = run_batch([str(apps)], tmp_path / "remote", FAST, formats=("json",), scheduler=address)
                break
            except UserError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            process.wait(timeout=30)
    _check_portfolio(remote)
    assert (tmp_path / "remote" / "portfolio.json").read_bytes() == (tmp_path / "local" / "portfolio.json").read_bytes()
    for name in GOOD:
        assert (tmp_path / "remote" / "projects" / f"{name}.json").read_bytes() == \
            (tmp_path / "local" / "projects" / f"{name}.json").read_bytes()


@pytest.mark.slow
def test_compare_cli_renders_a_pdf_with_one_column_per_project(invoke, tmp_path):
    out = tmp_path / "compare.pdf"
    paths = [EXAMPLES / name / "project.yaml" for name in GOOD]
    result = invoke("compare", *paths, "-o", out, "--no-bench", "--date", "2026-01-01")
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(out)
    page = reader.pages[0].extract_text().replace("\x00", "")  # bold headings come out with NULs between letters
    first = "".join(page.split())
    lines = ["".join(line.split()) for line in page.splitlines()]
    header = next(line for line in lines if "Dreamframe" in line)  # the three columns, in one row, in order
    assert header.index("Clausewise") < header.index("XinghengAI") < header.index("Dreamframe")
    assert "Overallscore" in first and "92/100" in first and "59/100" in first
    second = reader.pages[1].extract_text().replace("\x00", "")
    assert "Whatexplainsthegap" in first or "Whatexplainsthegap" in "".join(second.split())
    assert "assess · comparison" in second and "feasibility report" not in second  # the running header


def test_compare_json_highlights_gaps_with_their_facts():
    from assess.pipeline import run

    results = [run(EXAMPLES / name / "project.yaml", FAST) for name in ("api-app", "consumer-app")]
    data = compare(results)
    assert [p["name"] for p in data["projects"]] == ["Clausewise", "Dreamframe"]
    assert data["overall"]["best"] == 0 and data["overall"]["worst"] == 1
    gap = data["gaps"][0]
    assert gap["highlight"] and gap["spread"] >= 2 and gap["fact"].count(".") == 1
    business = next(a for a in data["areas"] if a["id"] == "business")
    assert business["highlight"] and len(business["scores"]) == 2
    md = render_compare(data, "md").decode("utf-8")
    assert "| Clausewise | Dreamframe |" in md and "## What explains the gap" in md
    with pytest.raises(UserError, match="2 to 12 projects"):
        compare(results[:1])


@pytest.mark.slow
def test_portfolio_pdf_ranks_and_links_each_report(apps, tmp_path):
    result = run_batch([str(apps / n) for n in GOOD], tmp_path / "out", FAST, formats=("json",))
    pdf = render_portfolio(result.portfolio, "pdf", link_base=(tmp_path / "out").as_uri() + "/")
    path = tmp_path / "portfolio.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(path)
    text = reader.pages[0].extract_text().replace("\x00", "")
    assert text.index("api-app") < text.index("model-lab") < text.index("consumer-app")
    links = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots") or []]
    assert (tmp_path / "out" / "projects" / "api-app.json").as_uri() in links
    later = [page.extract_text().replace("\x00", "") for page in reader.pages[1:]]
    assert later and all("assess · portfolio" in t and "feasibility report" not in t for t in later)  # the header


def _forked_workers(pid: int) -> set[int]:
    """The children of `pid` that run its own command line: the benchmark's forked workers (Linux /proc)."""
    try:
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
        children = [c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    except OSError:
        return set()
    found = set()
    for child in children:
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                found.add(int(child))
        except OSError:
            continue
    return found


def _kill_pool_workers(stop, times: int, settled: float = 0.25) -> None:
    """SIGKILL this process's worker processes while they run a project, `times` times. A worker is mid-project
    once it has forked the benchmark's own workers and they have been there for `settled` seconds. Not any child:
    a Dask worker starting up runs short helpers (`uname -p`: between its fork and its exec, on a loaded machine
    for tens of milliseconds, a child with the worker's own command line), and killing the worker then fails the
    cluster's start instead of a project."""
    import multiprocessing
    import os
    import signal

    killed = 0
    since: dict[tuple[int, int], float] = {}  # (worker, its forked child) → when first seen
    while killed < times and not stop.is_set():
        now = time.monotonic()
        seen = {(c.pid, child) for c in multiprocessing.active_children() if c.pid
                for child in _forked_workers(c.pid)}
        since = {pair: since.get(pair, now) for pair in seen}
        busy = {pid for (pid, _child), first in since.items() if now - first >= settled}
        for pid in busy:
            os.kill(pid, signal.SIGKILL)
        killed += bool(busy)
        time.sleep(0.05)


@pytest.mark.slow
def test_the_local_path_never_imports_dask(tmp_path):
    code = ("import sys; from assess.portfolio.batch import run_batch; from assess.pipeline import RunOptions; "
            f"r = run_batch([{str(EXAMPLES / 'api-app')!r}], {str(tmp_path / 'out')!r}, "
            "RunOptions(run_bench=False, draws=0)); "
            "assert r.failed == 0; assert not any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["local", "dask"])
@pytest.mark.parametrize("kills, status", [(1, "ok"), (10, "failed")])
def test_a_lost_worker_is_retried_once_then_reported(executor, kills, status):
    """SIGKILL the worker mid-project: once, the project is retried and finishes; every time, it is a failed row.
    The pool's workers, or the Dask nanny's worker processes."""
    import threading

    from assess.portfolio.task import Task

    task = Task(name="strong", path=str(EXAMPLES / "strong" / "project.yaml"),
                options=RunOptions(budget=1, draws=0, date="2026-01-01"), cores=1, key="k")
    stop = threading.Event()
    killer = threading.Thread(target=_kill_pool_workers, args=(stop, kills))
    killer.start()
    try:
        stream = execute.run_local([task], workers=1) if executor == "local" else execute.run_dask([task], None, 1)
        outcomes = list(stream)
    finally:
        stop.set()
        killer.join()
    assert [o["status"] for o in outcomes] == [status]
    if status == "failed":
        assert "died twice" in outcomes[0]["errors"][0]["message"]


def test_manifest_names_cannot_leave_the_output_folder(apps):
    (apps / "m.csv").write_text('path,name\napi-app/project.yaml,../../etc/passwd\nmodel-lab,"a b/c"\n',
                                encoding="utf-8")
    assert [e.name for e in discover([str(apps / "m.csv")])] == ["a_b_c", "etc_passwd"]


def test_rows_carry_the_robustness_figures_and_the_portfolio_speaks_chinese(apps, tmp_path):
    options = RunOptions(run_bench=False, date="2026-01-01", draws=300, language="zh")
    result = run_batch([str(apps / n) for n in ("api-app", "consumer-app")], tmp_path / "out", options,
                       formats=("json", "md"), executor="local")
    rows = {r["name"]: r for r in result.portfolio["projects"]}
    api = rows["api-app"]["robustness"]
    assert api["ranged_inputs"] == 1 and 0 < api["verdict_holds"] < 1 and api["p10"] <= api["p50"] <= api["p90"]
    assert rows["consumer-app"]["robustness"]["verdict_holds"] == 1.0  # exact inputs: the verdict always holds
    table = pd.read_csv(tmp_path / "out" / "portfolio.csv")
    assert {"score_p10", "score_p90", "verdict_holds", "most_sensitive"} <= set(table.columns)
    md = (tmp_path / "out" / "portfolio.md").read_text(encoding="utf-8")
    assert "项目组合" in md and "结论稳定度" in md and "强" in md


def test_compare_in_chinese_has_a_robustness_row():
    results = [run(EXAMPLES / n / "project.yaml", RunOptions(run_bench=False, draws=200, language="zh"))
               for n in ("api-app", "model-lab")]
    html = render_compare(compare(results), "html").decode("utf-8")
    assert "差距从何而来" in html and "稳健性" in html and "的抽样保持原结论" in html
    assert 'lang="zh"' in html
