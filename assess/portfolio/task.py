"""One project of a batch, as a self-contained task: what runs on a worker (a local process or a Dask worker),
and the fingerprint that lets a rerun skip it.

A task reads its inputs where it runs (so a cluster's workers must see the same paths: a shared file system or
the same checkout) and sends its reports back as bytes; the coordinator writes every file, atomically."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import Problem, UserError
from ..pipeline import RunOptions
from ..resources import sha256_file

# Key figures for the portfolio table: a fixed set, so every row has the same columns.
KEY_FACTS = (
    "business.annual_revenue", "business.revenue_growth", "business.gross_margin", "business.ltv_to_cac",
    "business.burn_multiple", "business.runway_months", "market.tam_for_scoring",
    "compute.inference_cost_per_customer_month", "compute.training_cost_vs_budget",
)


@dataclass
class Task:
    name: str
    path: str
    options: RunOptions
    formats: tuple[str, ...] = ("json",)
    template_dir: str | None = None
    cores: int | None = None  # cores this project's benchmark may use (None: all of the machine's)
    key: str = ""
    tags: dict[str, str] = field(default_factory=dict)


def _tree_fingerprint(path: Path) -> str:
    """A file's content hash; for a folder (images), names, sizes and modification times of what it holds."""
    try:
        if path.is_file():
            return sha256_file(path)
        if path.is_dir():
            listing = sorted((str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns)
                             for p in path.rglob("*") if p.is_file())
            return hashlib.sha256(json.dumps(listing).encode()).hexdigest()
    except OSError:
        pass
    return "missing"


_DATA_SECTION = re.compile(r"^data\s*:", re.M)


def _dataset_of(project: Path, options: RunOptions) -> Path | None:
    if options.data is not None:
        return Path(options.data)
    try:
        text = project.read_text(encoding="utf-8")
        if not _DATA_SECTION.search(text):  # most projects name no dataset: no need to parse them here
            return None
        import yaml

        loaded = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        section = loaded.get("data") if isinstance(loaded, dict) else None
        named = section.get("path") if isinstance(section, dict) else None
    except Exception:  # a broken file: its own run reports why; its key is its bytes
        return None
    if not isinstance(named, str) or not named:
        return None
    return project.parent / named


def rubrics_fingerprint(rubrics_dir: Path | None) -> str:
    """The bundled rubrics and any --rubrics folder, by content."""
    from ..resources import bundled_dir

    digest = hashlib.sha256()
    for folder in [bundled_dir("rubrics")] + ([Path(rubrics_dir)] if rubrics_dir else []):
        digest.update(_tree_fingerprint(folder).encode())
        for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
            digest.update(path.name.encode() + sha256_file(path).encode())
    return digest.hexdigest()


def options_fingerprint(options: RunOptions) -> dict[str, Any]:
    """Every RunOptions field, whatever fields it has (new ones join the key without code changes here)."""
    return json.loads(json.dumps(dataclasses.asdict(options), default=str, sort_keys=True))


def task_key(path: Path, options: RunOptions, formats: tuple[str, ...], rubrics: str,
             template_dir: str | None = None) -> str:
    """Same key, same result: the project file, its dataset, the rubrics, every option, the formats and assess."""
    dataset = _dataset_of(path, options)
    parts = {
        "assess": __version__, "project": _tree_fingerprint(path),
        "dataset": _tree_fingerprint(dataset) if dataset is not None else None,
        "rubrics": rubrics, "options": options_fingerprint(options), "formats": sorted(formats),
        "templates": _tree_fingerprint(Path(template_dir)) if template_dir else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"message": p.message, "file": p.file, "line": p.line, "field": p.field, "text": str(p)}
            for p in problems]


def summary_row(result: dict[str, Any]) -> dict[str, Any]:
    """The portfolio's row for one assessed project (no timings; tags and name are added by the batch)."""
    o = result["overall"]
    facts = result.get("facts", {})
    flags = o.get("red_flags") or []
    return {
        "project": result["project"]["name"], "stage": result["project"].get("stage"),
        "currency": result["project"].get("currency"),
        "score": o["score"], "low": o["low"], "high": o["high"], "verdict": o["verdict"],
        "coverage": o["coverage"], "key_coverage": o.get("key_coverage"),
        "weakest_area": o.get("weakest_area"), "weakest_score": o.get("weakest_score"),
        "weakest_title": next((a["title"] for a in result["areas"] if a["id"] == o.get("weakest_area")), None),
        "red_flags": [{"kind": f"{f['area']}.{f['criterion']}", "message": f["message"], "fatal": f.get("fatal", False),
                       "caps": f.get("caps", True)} for f in flags],
        "figures": {name: (facts.get(name) or {}).get("value") for name in KEY_FACTS},
        "input_sha256": result["reproducibility"]["input"]["sha256"],
        "dataset_sha256": (result["reproducibility"].get("dataset") or {}).get("sha256"),
        "warnings": len(result.get("warnings") or []),
        "robustness": robustness_row(result.get("robustness")),
    }


def robustness_row(rb: dict[str, Any] | None) -> dict[str, Any] | None:
    """The robustness figures a portfolio compares: the score's P10/P50/P90, how often the base verdict holds,
    the input the verdict leans on most, and the cover line."""
    if not rb:
        return None
    base = rb["base"]["verdict"]
    return {"p10": rb["overall"]["p10"], "p50": rb["overall"]["p50"], "p90": rb["overall"]["p90"],
            "verdict_holds": next((v["share"] for v in rb["verdicts"] if v["verdict"] == base), 0.0),
            "ranged_inputs": len(rb["inputs"]), "most_sensitive": rb["tornado"][0]["field"] if rb["tornado"] else None,
            "summary": rb["summary"]}


@contextmanager
def _may_fork():
    """Dask's worker processes (started by a nanny) are daemonic, and multiprocessing refuses to start children
    from a daemonic process. The benchmark's pool forks workers that end with their parent anyway (they are
    killed or joined before `run` returns, and die with it), so for the duration of one project the flag is
    lifted. With `distributed.worker.daemon: False` (set for the local cluster) there is nothing to lift."""
    process = multiprocessing.current_process()
    config = getattr(process, "_config", {})
    daemonic = bool(config.get("daemon"))
    if daemonic:
        config["daemon"] = False
    try:
        yield
    finally:
        if daemonic:
            config["daemon"] = True


def assess_one(task: Task) -> dict[str, Any]:
    """Run one project as `assess run` would and render its reports. Never raises for the project's own
    problems: they come back as a failed outcome with located errors."""
    from threadpoolctl import threadpool_limits

    from ..bench.workers import cores_allowed
    from ..pipeline import run
    from ..report.render import render

    started = time.monotonic()
    outcome: dict[str, Any] = {"name": task.name, "key": task.key, "status": "ok", "errors": [], "outputs": {}}
    try:
        with cores_allowed(task.cores), threadpool_limits(task.cores), _may_fork():
            result = run(task.path, task.options)
            outcome["outputs"] = {fmt: render(result, fmt, task.template_dir) for fmt in task.formats}
        outcome["row"] = summary_row(result)
    except UserError as exc:
        outcome.update(status="failed", errors=problem_dicts(exc.problems), outputs={})
    except Exception as exc:  # a bug in assess on this input: the batch goes on, and the row says so
        outcome.update(status="failed", outputs={}, errors=problem_dicts(
            [Problem(f"internal error: {type(exc).__name__}: {exc}", file=task.path)]))
    outcome["seconds"] = round(time.monotonic() - started, 3)
    return outcome


def lost_outcome(task: Task, why: str) -> dict[str, Any]:
    """A project whose worker died twice (killed, out of memory, a crash in native code)."""
    return {"name": task.name, "key": task.key, "status": "failed", "outputs": {}, "seconds": None,
            "errors": problem_dicts([Problem(why, file=task.path)])}
