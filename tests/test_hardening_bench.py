"""Issue 10, findings 2, 3 and 12: small learning curves render; workers die with the parent; Ctrl-C exits 130.

Everything here is real: real datasets (bundled or generated), real forked workers and models, real renders read
back with pypdf, and real signals sent to a real `python -m assess` in its own process group.
"""

from __future__ import annotations

import io
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader
from sklearn.datasets import load_breast_cancer

from helpers import process_group, write

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
HAS_PROC = Path("/proc/self/stat").exists()
needs_proc = pytest.mark.skipif(not HAS_PROC, reason="reads process groups from /proc (Linux)")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# ---------------------------------------------------------------------------------------------------------------
# Finding 2: PDF and HTML crashed (UndefinedError: 'dict object' has no attribute 'backtest_error') when the
# learning curve had fewer than 3 sizes: binary data of 76–149 rows, 10 classes at 125–249 rows, tight budgets.

PROJECT = """\
name: Small Co
tech:
  target: {{metric: accuracy, value: 0.99}}
data:
  path: {file}
  target: {target}
"""


def _binary_100() -> tuple[pd.DataFrame, str]:
    frame = load_breast_cancer(as_frame=True).frame.sample(100, random_state=0)
    frame["target"] = np.where(frame["target"] == 1, "benign", "malignant")
    return frame, "target"


def _ten_classes_150() -> tuple[pd.DataFrame, str]:
    rng = np.random.default_rng(0)
    label = np.arange(150) % 10
    features = rng.normal(size=(150, 5))
    features[:, 0] += label
    return pd.DataFrame(features, columns=list("abcde")).assign(label=[f"c{v}" for v in label]), "label"


def _binary_70() -> tuple[pd.DataFrame, str]:  # folds of 56 rows: too small for any curve (0 sizes)
    frame, target = _binary_100()
    return frame.iloc[:70], target


SMALL = {"binary-100-rows": _binary_100, "10-classes-150-rows": _ten_classes_150, "binary-70-rows": _binary_70}


def _small_project(directory: Path, name: str) -> Path:
    frame, target = SMALL[name]()
    directory.mkdir(parents=True, exist_ok=True)
    frame.to_csv(directory / "data.csv", index=False)
    return write(directory, PROJECT.format(file="data.csv", target=target))


@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    """One real pipeline run (benchmark included) per small dataset."""
    from assess.pipeline import RunOptions, run

    base = tmp_path_factory.mktemp("small")
    return {name: run(_small_project(base / name, name), RunOptions(draws=0, budget=15, date="2026-01-15"))
            for name in SMALL}


def _curve_keys() -> set[str]:
    from assess.bench.curve import curve_result

    return set(curve_result([], [], None, n_available=0))


@pytest.mark.slow
def test_small_dataset_pdf(small_results):
    """The reproduction: the PDF of a real run on a dataset whose folds allow only 2 curve sizes. (The same run
    through the CLI, to a PDF, from a real process: the PDF run of tests/test_hostile_run.py.)"""
    from assess.report import render

    text = pdf_text(render(small_results["binary-100-rows"], "pdf"))
    assert "Evidence: baseline benchmark" in text and "Learning curve" in text
    assert "No power law fitted" in text and "a curve needs 3" in text.replace("\n", " ")


@pytest.mark.slow
@pytest.mark.parametrize("name,points", [("binary-100-rows", 2), ("10-classes-150-rows", 2), ("binary-70-rows", 0)])
def test_small_dataset_curve_has_every_key_and_every_format_renders(small_results, name, points):
    from assess.report import render, render_pdf

    result = small_results[name]
    curve = result["evidence"]["bench"]["learning_curve"]
    assert set(curve) == _curve_keys(), set(curve) ^ _curve_keys()
    assert len(curve["sizes"]) == points and curve["fit"] is None and curve["backtest_error"] is None
    assert curve["note"] and curve["model"]
    html = render(result, "html").decode()
    assert "<h3>Learning curve</h3>" in html and "No power law fitted" in html
    assert ('alt="Learning curve with fitted power law"' in html) == (points > 0)
    if name == "binary-70-rows":  # laid out once per curve length: 2 points in the test above, 1 and 3 below
        text = pdf_text(render_pdf(html))
        assert "Learning curve" in text and "No power law fitted" in text
    assert render(result, "md").startswith(b"# Small Co")
    assert json.loads(render(result, "json"))["evidence"]["bench"]["learning_curve"]["sizes"] == curve["sizes"]


@pytest.mark.slow
@pytest.mark.parametrize("points", [0, 1, 2, 3])
def test_curve_of_any_length_renders_to_pdf_and_html(small_results, points):
    """A real result, its curve cut to 0–3 measured sizes by the engine's own fit_learning_curve (a tight budget
    gives any of these), rendered for real."""
    from assess.bench.curve import fit_learning_curve
    from assess.report import render, render_pdf
    from assess.report.context import add_charts

    result = small_results["binary-100-rows"]
    result = {**result, "evidence": {**result["evidence"], "bench": dict(result["evidence"]["bench"])}}
    sizes, scores = [25, 50, 100], [0.80, 0.86, 0.89]
    curve = fit_learning_curve(sizes[:points], scores[:points], "accuracy", True, 0.99, n_available=100)
    curve.update(model="linear (one-hot + scaling)", status="timeout")
    assert set(curve) == _curve_keys()
    result["evidence"]["bench"]["learning_curve"] = curve
    add_charts(result)
    html = render(result, "html").decode()
    assert "<h3>Learning curve</h3>" in html
    assert ("No power law fitted" in html) == (points < 3)
    assert ('alt="Learning curve with fitted power law"' in html) == (points > 0)
    if points == 1:  # 0 and 2 points go through WeasyPrint in the tests above; 3 in test_report
        text = pdf_text(render_pdf(html))
        assert "Learning curve" in text and "Model: linear" in text


@pytest.mark.slow
def test_tight_budget_on_many_classes_renders(invoke, tmp_path):
    """letterdata-like (20,000 rows, 26 classes) under a tight --budget: the curve gets few sizes, or a nearly flat
    fit whose rows-for-target overflowed int() (OverflowError, exit 1). Either way the report must be written.
    (It is written as HTML, the document the PDF lays out; curves of every length are laid out as PDFs above.)"""
    rng = np.random.default_rng(1)
    label = rng.integers(0, 26, 20_000)
    features = rng.integers(0, 16, size=(20_000, 16))
    features[:, :4] += (label % 7)[:, None]
    frame = pd.DataFrame(features, columns=[f"x{i}" for i in range(16)]).assign(letter=[chr(65 + v) for v in label])
    frame.to_csv(tmp_path / "letters.csv", index=False)
    project = write(tmp_path, PROJECT.format(file="letters.csv", target="letter"))
    out = tmp_path / "report.html"
    result = invoke("run", project, "-o", out, "--format", "html", "--budget", "3", "--draws", "0")
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Evidence: baseline benchmark" in html and "<h3>Learning curve</h3>" in html


def test_curve_has_every_key_whatever_the_number_of_sizes():
    from assess.bench.curve import fit_learning_curve

    sizes = [100, 200, 400, 800, 1600, 3200]
    scores = [1 - (2.0 * n ** -0.5 + 0.02) for n in sizes]
    for k in range(len(sizes) + 1):
        for target in (None, 0.95):
            curve = fit_learning_curve(sizes[:k], scores[:k], "accuracy", True, target, n_available=3200)
            assert set(curve) == _curve_keys(), (k, set(curve) ^ _curve_keys())
            assert (curve["fit"] is not None) == (k >= 3)
            assert (curve["backtest_error"] is not None) == (k >= 4)


def test_nearly_flat_curve_does_not_overflow():
    """err(n) = 0.9·n^−0.007: reaching 0.99 needs ~10^400 rows, which overflowed int() (exit 1)."""
    from assess.bench.curve import fit_learning_curve

    sizes = [250, 500, 1000, 2000, 4000, 8000]
    curve = fit_learning_curve(sizes, [1 - 0.9 * n ** -0.007 for n in sizes], "accuracy", True, 0.99,
                               n_available=8000)
    assert curve["fit"] is not None and curve["rows_for_target"] is None and curve["reachable"] is False
    assert "1e+12 rows" in curve["note"]


# ---------------------------------------------------------------------------------------------------------------
# Findings 3 and 12: processes. `python -m assess` runs in its own session (so its own process group), as a
# shell job would; the tests signal it and then look for any live process left in that group.

_group = process_group


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class _Started:
    """A process in its own session, with stderr collected by a thread (so it never blocks on a full pipe)."""

    def __init__(self, args: list[str], cwd: Path):
        # A foreground job of an interactive shell: its own group, Ctrl-C at its default. (A job started in the
        # background by a script inherits SIGINT ignored, and Python keeps it so: Ctrl-C would never arrive.)
        self.proc = subprocess.Popen([sys.executable, *args], cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_default_sigint)
        self.pgid = self.proc.pid
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.decode("utf-8", "replace"))

    @property
    def stderr(self) -> str:
        self._reader.join(timeout=10)
        return "".join(self.lines)

    def wait_for_workers(self, line: str, count: int = 3, timeout: float = 90) -> None:
        """Until stderr shows `line` and the group has `count` live processes (leader and workers)."""
        ok = _wait_until(lambda: any(line in seen for seen in self.lines) and len(_group(self.pgid)) >= count,
                         timeout)
        assert ok, f"never saw {line!r} with {count} processes: {self.lines} {_group(self.pgid)}"
        time.sleep(0.5)  # let the workers get into their units

    def stdout_eof_within(self, seconds: float) -> bool:
        """As `out=$(assess …)` would: read stdout until EOF, at most `seconds`."""
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if select.select([fd], [], [], left)[0] and not os.read(fd, 65536):
                return True
        return False

    def cleanup(self) -> None:
        for pid in _group(self.pgid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def tabular(tmp_path_factory) -> dict[str, Path]:
    """5,000 rows: the pool's workers are busy with folds. 25,000 rows: threaded models (extra trees) run their
    folds in a separate child while the pool's workers sit idle."""
    base = tmp_path_factory.mktemp("tabular")
    paths = {}
    for name, n in (("busy", 5_000), ("idle", 25_000)):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(n, 12))
        y = X[:, 0] + X[:, 1] ** 2 + rng.normal(size=n) > 1
        paths[name] = base / f"{name}.csv"
        pd.DataFrame(X, columns=[f"f{i}" for i in range(12)]).assign(label=np.where(y, "yes", "no")).to_csv(
            paths[name], index=False)
    return paths


SCENARIOS = {  # name → (dataset, extra arguments, progress line after which the workers are at work)
    "pool-busy": ("busy", [], "linear (one-hot + scaling): 5-fold CV"),
    "pool-idle": ("idle", ["--models", "Dummy,ExtraTrees"], "extra trees: 5-fold CV"),
}


def _bench(tabular, scenario: str, tmp_path: Path) -> _Started:
    data, extra, _ = SCENARIOS[scenario]
    return _Started(["-m", "assess", "bench", str(tabular[data]), "--target", "label", "--budget", "60", *extra],
                    tmp_path)


def _run(tabular, tmp_path: Path) -> _Started:
    """`assess run` on a project whose dataset (beside it) keeps the pool busy."""
    (tmp_path / "data.csv").write_bytes(tabular["busy"].read_bytes())
    project = write(tmp_path, PROJECT.format(file="data.csv", target="label"))
    return _Started(["-m", "assess", "run", str(project), "-o", str(tmp_path / "report.pdf"), "--budget", "60"],
                    tmp_path)


@pytest.mark.slow
@needs_proc
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_sigkill_of_the_leader_leaves_no_process_and_frees_stdout(tabular, tmp_path, scenario):
    """Finding 3: SIGKILL (or the OOM killer, or subprocess.run(timeout=…)) hits only the leader. Its workers
    used to live on forever with PPID 1, holding stdout open, so `out=$(assess …)` never returned."""
    started = _bench(tabular, scenario, tmp_path)
    try:
        started.wait_for_workers(SCENARIOS[scenario][2])
        os.kill(started.pgid, signal.SIGKILL)
        started.proc.wait(timeout=10)
        assert started.stdout_eof_within(5), "a worker still holds stdout"
        assert _wait_until(lambda: not _group(started.pgid), 5), f"survivors: {_group(started.pgid)}"
    finally:
        started.cleanup()


_ENGINE_SCRIPT = """
import sys, time
from assess.bench import workers
mode = sys.argv[1]
if mode in ("pipes-only", "stdout-only") and hasattr(workers, "_prctl"):
    workers._prctl[:] = [None]  # no parent-death signal, as on macOS: only the closed pipe ends can end them

def forever():
    while True:
        time.sleep(0.05)
        yield 1

def sleeper():
    time.sleep(600)
    yield 1

with workers.WorkerPool(workers.one(lambda unit: time.sleep(unit[0])), 3) as pool:
    if mode == "pipes-only":  # 3 idle pool workers, and 2 run_bounded children streaming items
        workers.run_bounded([forever, forever], 600)
    elif mode == "stdout-only":  # no death signal, and children deep in a unit: they outlive the parent
        workers.run_bounded([sleeper, sleeper], 600)
    else:  # every worker inside a 600 s unit: it never reads or writes its pipe, only a signal can end it
        pool.run([("a", [(600,), (600,)], lambda: 600)] if mode == "pool-mid-unit" else [])
        workers.run_bounded([sleeper, sleeper], 600)
"""


@needs_proc
@pytest.mark.parametrize("mode,count", [("pipes-only", 6), ("pool-mid-unit", 4), ("bounded-mid-unit", 6)])
def test_engine_workers_end_with_their_parent(tmp_path, mode, count):
    """The two mechanisms apart, on the engine's real pool and run_bounded with real forks.

    pipes-only: without the death signal, idle pool workers must read EOF and streaming run_bounded children
    must get EPIPE, which needs every inherited parent-side end closed in every child (their own, and earlier
    workers'). *-mid-unit: a worker deep in a unit never touches its pipe; on Linux the parent-death signal
    must end it anyway."""
    started = _Started(["-c", _ENGINE_SCRIPT, mode], tmp_path)
    try:
        assert _wait_until(lambda: len(_group(started.pgid)) >= count, 60), (started.lines, _group(started.pgid))
        time.sleep(0.5)
        os.kill(started.pgid, signal.SIGKILL)
        started.proc.wait(timeout=10)
        assert _wait_until(lambda: not _group(started.pgid), 5), f"survivors: {_group(started.pgid)}"
        assert "Traceback" not in started.stderr
    finally:
        started.cleanup()


@needs_proc
def test_worker_without_death_signal_still_frees_stdout(tmp_path):
    """Where there is no parent-death signal (macOS), a worker deep in a unit outlives the parent until the unit
    ends; it must not hold stdout meanwhile, or `out=$(assess …)` waits for it."""
    started = _Started(["-c", _ENGINE_SCRIPT, "stdout-only"], tmp_path)
    try:
        assert _wait_until(lambda: len(_group(started.pgid)) >= 6, 60), (started.lines, _group(started.pgid))
        time.sleep(0.5)
        os.kill(started.pgid, signal.SIGKILL)
        started.proc.wait(timeout=10)
        assert started.stdout_eof_within(5), "a worker holds stdout"
    finally:
        started.cleanup()


@needs_proc
def test_pool_worker_holds_no_parent_side_pipe_end():
    """Each worker closes, first thing, the parent's end of its own pipe and of earlier workers' pipes."""
    from assess.bench.workers import WorkerPool, one

    def socket_inodes(pid: int) -> set[int]:
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(int(link[8:-1]))
        return inodes

    with WorkerPool(one(lambda unit: unit), 3) as pool:
        workers = list(pool._idle)
        parent_ends = {os.fstat(conn.fileno()).st_ino for conn, _ in workers}
        for conn, _ in workers:  # a round trip: each worker is past its start-up
            conn.send(("x",))
            assert conn.recv() == ("item", ("x",)) and conn.recv() == ("done", None)
        for _, process in workers:
            assert not socket_inodes(process.pid) & parent_ends, process.pid


@pytest.mark.slow
@needs_proc
@pytest.mark.parametrize("scenario", [*SCENARIOS, "run"])
def test_ctrl_c_mid_bench_exits_130_quietly(tabular, tmp_path, scenario):
    """Finding 12: Ctrl-C (SIGINT to the whole foreground group, as a terminal sends it) exited 1 with "Aborted!",
    and idle workers each printed a KeyboardInterrupt traceback. Now: exit 130, one line, nobody left."""
    started = _run(tabular, tmp_path) if scenario == "run" else _bench(tabular, scenario, tmp_path)
    try:
        started.wait_for_workers(SCENARIOS["pool-busy" if scenario == "run" else scenario][2])
        os.killpg(started.pgid, signal.SIGINT)
        assert started.proc.wait(timeout=30) == 130, started.stderr
        stderr = started.stderr
        assert "Traceback" not in stderr and "Aborted" not in stderr and "KeyboardInterrupt" not in stderr, stderr
        assert stderr.splitlines()[-1] == "interrupted", stderr
        assert started.proc.stdout.read() == b""
        assert _wait_until(lambda: not _group(started.pgid), 5), f"survivors: {_group(started.pgid)}"
        assert sorted(p.name for p in tmp_path.iterdir()) == (["data.csv", "project.yaml"] if scenario == "run" else [])
    finally:
        started.cleanup()


def test_exit_codes_document_130(invoke):
    for command in ("run", "bench"):
        assert "130  interrupted (Ctrl-C)" in invoke(command, "-h").stdout
