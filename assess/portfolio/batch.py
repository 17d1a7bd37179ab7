"""`assess batch`: many projects, each assessed as `assess run` would, into one output folder.

OUTDIR/
  portfolio.json, portfolio.csv, portfolio.parquet   always
  portfolio.pdf / .html / .md                        when the format is asked for
  projects/<name>.<format>                           each project's reports
  .assess-batch/<name>.json                          what resume reads: the task's key and its row

The coordinator (this process) writes every file, atomically, as results stream back; a project's state record
is written last, so a project counts as finished only once all its files are in place.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import check_output, write_atomic
from ..errors import Problem, UserError
from ..pipeline import RunOptions
from . import table
from .execute import machine_cores, run_dask, run_local
from .inputs import Entry, discover
from .task import Task, options_fingerprint, rubrics_fingerprint, task_key

STATE = ".assess-batch"
PROJECTS = "projects"
PORTFOLIO_FORMATS = ("html", "pdf", "md")  # drawn when the batch's --format asks for them; json/csv/parquet always


@dataclass
class Progress:
    total: int
    done: int = 0
    failed: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.monotonic)

    def eta(self) -> float | None:
        ran = self.done - self.skipped
        left = self.total - self.done
        if ran <= 0 or left <= 0:
            return None if left else 0.0
        return (time.monotonic() - self.started) / ran * left

    def line(self) -> str:
        eta = self.eta()
        when = "" if not eta else f", about {_duration(eta)} left"
        failed = f", {self.failed} failed" if self.failed else ""
        skipped = f" ({self.skipped} unchanged, skipped)" if self.skipped else ""
        return f"{self.done}/{self.total} done{skipped}{failed}{when}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@dataclass
class BatchResult:
    outdir: Path
    portfolio: dict[str, Any]
    files: list[Path]
    seconds: float

    @property
    def failed(self) -> int:
        return int(self.portfolio["summary"]["failed"])


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def _file_sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def prepare_outdir(outdir: Path) -> None:
    """Create OUTDIR (and its parents) and prove it writable before any work."""
    try:
        for folder in (outdir, outdir / PROJECTS, outdir / STATE):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(Problem(f"cannot create the output folder ({exc.strerror})", file=str(outdir))) from None
    for folder in (outdir, outdir / PROJECTS, outdir / STATE):
        check_output(folder / "portfolio.json")


def _finished(outdir: Path, task: Task) -> dict[str, Any] | None:
    """The saved row when this exact task (same key) finished before and its reports are all still there."""
    try:
        state = json.loads((outdir / STATE / f"{task.name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if state.get("key") != task.key or state.get("row", {}).get("status") != "ok":
        return None
    if not all((outdir / PROJECTS / f"{task.name}.{fmt}").is_file() for fmt in task.formats):
        return None
    row: dict[str, Any] = state["row"]
    return row


def _row(entry: Entry, outcome: dict[str, Any], formats: tuple[str, ...], timings: bool) -> dict[str, Any]:
    base: dict[str, Any] = {"rank": None, "name": entry.name, "path": _shown_path(entry.path),
                            "status": outcome["status"], "tags": dict(entry.tags)}
    if outcome["status"] == "ok":
        base.update(outcome["row"])
        base["reports"] = {fmt: f"{PROJECTS}/{entry.name}.{fmt}" for fmt in formats}
        base["errors"] = []
    else:
        base.update({"project": None, "stage": None, "currency": None, "score": None, "low": None, "high": None,
                     "verdict": None, "coverage": None, "key_coverage": None, "weakest_area": None,
                     "weakest_score": None, "red_flags": [], "figures": {}, "input_sha256": _file_sha(entry.path),
                     "dataset_sha256": None, "warnings": 0, "reports": {}, "errors": outcome["errors"]})
    if timings:
        base["seconds"] = outcome.get("seconds")
    return base


def run_batch(inputs: list[str] | tuple[str, ...], outdir: str | Path, options: RunOptions | None = None, *,
              formats: tuple[str, ...] = ("json",), executor: str = "local", scheduler: str | None = None,
              workers: int | None = None, cores_per_project: int | None = None, force: bool = False,
              template_dir: str | Path | None = None, timings: bool = False,
              progress: Callable[[Progress], None] | None = None) -> BatchResult:
    """Assess every project the inputs name; write the reports and the portfolio into `outdir`.

    `options` are the RunOptions every project runs with (all of them, whatever fields RunOptions has).
    `executor` is "local" (a process pool) or "dask" (a LocalCluster, or the cluster at `scheduler`)."""
    started = time.monotonic()
    options = options or RunOptions()
    outdir = Path(outdir)
    entries = discover(inputs)
    if template_dir is not None and not Path(template_dir).is_dir():
        raise UserError(Problem("template directory not found", file=str(template_dir)))
    prepare_outdir(outdir)
    use_dask = executor == "dask" or scheduler is not None
    workers = workers or machine_cores()
    if cores_per_project is None:  # the cores this machine's workers share; a cluster's task gets one each
        cores_per_project = 1 if scheduler else max(1, machine_cores() // workers)
    rubrics = rubrics_fingerprint(options.rubrics_dir)
    template = str(template_dir) if template_dir is not None else None
    tasks = []
    for entry in entries:
        tasks.append(Task(name=entry.name, path=str(entry.path.resolve()), options=options, formats=tuple(formats),
                          template_dir=str(Path(template).resolve()) if template else None,
                          cores=cores_per_project, tags=dict(entry.tags),
                          key=task_key(entry.path, options, tuple(formats), rubrics, template)))
    by_name = {e.name: e for e in entries}
    state = Progress(total=len(tasks))
    rows: list[dict[str, Any]] = []
    to_run = []
    for task in tasks:
        saved = None if force else _finished(outdir, task)
        if saved is not None:
            saved.update(path=_shown_path(by_name[task.name].path), tags=dict(by_name[task.name].tags))
            if not timings:
                saved.pop("seconds", None)
            rows.append(saved)
            state.done += 1
            state.skipped += 1
        else:
            to_run.append(task)
    if progress and state.skipped:
        progress(state)
    if to_run:
        outcomes = run_dask(to_run, scheduler, workers) if use_dask else run_local(to_run, workers)
        for outcome in outcomes:
            entry = by_name[outcome["name"]]
            for fmt, data in outcome["outputs"].items():  # the reports first, the state record last
                write_atomic(outdir / PROJECTS / f"{entry.name}.{fmt}", data)
            row = _row(entry, outcome, tuple(formats), timings)
            record = {"key": outcome["key"], "row": {**row, "seconds": outcome.get("seconds")}}
            write_atomic(outdir / STATE / f"{entry.name}.json", table.dumps(record))
            rows.append(row)
            state.done += 1
            state.failed += outcome["status"] != "ok"
            if progress:
                progress(state)
    elapsed = time.monotonic() - started
    run_timings = {"seconds": round(elapsed, 3), "assessed_now": len(to_run), "skipped": state.skipped,
                   "executor": "dask" if use_dask else "local", "workers": workers} if timings else None
    data = table.portfolio(rows, options=_public_options(options, formats), timings=run_timings)
    files = [write_atomic(outdir / "portfolio.json", table.dumps(data)),
             write_atomic(outdir / "portfolio.csv", table.to_csv(data["projects"])),
             write_atomic(outdir / "portfolio.parquet", table.to_parquet(data["projects"]))]
    for fmt in PORTFOLIO_FORMATS:
        if fmt in formats:
            link_base = (outdir.resolve().as_uri() + "/") if fmt == "pdf" else ""
            files.append(write_atomic(outdir / f"portfolio.{fmt}",
                                      table.render_portfolio(data, fmt, template_dir, link_base=link_base)))
    return BatchResult(outdir=outdir, portfolio=data, files=files, seconds=elapsed)


def _public_options(options: RunOptions, formats: tuple[str, ...]) -> dict[str, Any]:
    """The options every project ran with, as the portfolio records them (paths as given)."""
    shown = options_fingerprint(options)
    shown["formats"] = list(formats)
    return shown

