"""One path for the data: load and validate → derive facts → score against the rubrics → a plain result dict.

The result dict is the JSON twin of the report; templates receive it as-is.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .economics import TARGET_GROSS_MARGIN, economic_facts
from .errors import Problem, UserError
from .facts import Facts
from .fx import Rate, resolve_rate
from .i18n import N_, Message, check_language, gettext
from .localise import Localiser, localise_overall, localise_robustness
from .project import LoadedProject, Project, load_project
from .resources import bundled_dir, sha256_file
from .rubrics import load_rubrics
from .scoring import Context, method, score

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class RunOptions:
    seed: int = 0
    budget: float = 60.0
    rubrics_dir: Path | None = None
    date: str | None = None
    run_bench: bool = True
    run_profile: bool = True
    timings: bool = False  # wall-clock timings vary between runs, so they stay out of the result unless asked
    encoding: str | None = None
    max_rows: int | None = None
    max_bytes: int | None = None
    max_columns: int | None = None
    decimal: str | None = None  # "." or ","; None detects decimal commas
    data: Path | None = None  # --data: a dataset named by the analyst, used instead of data.path
    allow_data_outside: bool = False  # --allow-data-outside: data.path may resolve outside the project folder
    draws: int = 2000  # robustness: Monte Carlo draws over the ranges (0 turns the section off)
    swing: float = 0.25  # robustness: how far the tornado moves an exact input, as a share of its value
    language: str | None = None  # --lang en|zh; None: project.yaml's `language:`, else English


def report_date(pinned: str | None = None) -> str:
    """--date, else SOURCE_DATE_EPOCH, else today (UTC)."""
    if pinned:
        try:
            return dt.date.fromisoformat(pinned).isoformat()
        except ValueError:
            raise UserError(Problem(f"expected a date like 2026-01-31, got {pinned!r}", field="--date")) from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
        except (ValueError, OverflowError, OSError):
            raise UserError(Problem(f"SOURCE_DATE_EPOCH must be a Unix timestamp, got {epoch!r}")) from None
    return dt.datetime.now(tz=dt.UTC).date().isoformat()


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    versions = {"assess": __version__, "python": platform.python_version()}
    for name in ("numpy", "pandas", "scikit-learn", "scipy", "matplotlib", "weasyprint", "jinja2", "pydantic"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _questions(areas: list[dict[str, Any]], lang: str = "en") -> list[dict[str, Any]]:
    groups = []
    for area in areas:
        items = [{"question": c["question"],
                  "why": gettext(N_("no evidence"), lang) if c["score"] is None
                  else gettext(N_("scored {score}/5"), lang).format(score=f"{c['score']:g}")}
                 for c in area["criteria"] if c["applicable"] and (c["score"] is None or c["score"] <= 2)]
        if items:
            groups.append({"area": area["id"], "title": area["title"], "questions": items})
    return groups


def _highlights(areas: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    scored = [dict(c, area_title=a["title"]) for a in areas for c in a["criteria"] if c["score"] is not None]
    strengths = sorted((c for c in scored if c["score"] >= 4), key=lambda c: (-c["weight"] * c["score"], c["id"]))
    risks = sorted((c for c in scored if c["score"] <= 2), key=lambda c: (c["score"] - c["weight"], c["id"]))
    return strengths[:5], risks[:5]


def _origin(rubric_path: str) -> str:
    bundled = bundled_dir("rubrics").resolve()
    path = Path(rubric_path).resolve()
    return "bundled" if path.parent == bundled else f"user: {path.name}"


def scoring_context(project: Project, rate: Rate, has_dataset: bool | None = None) -> Context:
    """Stage, currency and what the venture is known to have (None: unknown), for the scorer."""
    from .compute.catalog import is_catalogue_model

    t, b = project.tech, project.business
    vendor_model = t.base_model is not None and not is_catalogue_model(t.base_model)
    labelled = True if (project.data.path if has_dataset is None else has_dataset) else None
    if labelled is None and (t.approach in ("prompt", "rag") or (t.approach is None and vendor_model)):
        labelled = False
    revenue = b.arr_now or b.revenue_12m or b.customers_now
    has_revenue = True if revenue else (False if revenue == 0 or project.stage in ("idea", "pre-seed") else None)
    vendors = project.dependencies and project.dependencies.model_vendors
    model_vendor = True if (vendors or vendor_model) else (
        False if (t.approach in ("classical", "pretrain") or (t.base_model and not vendor_model)) else None)
    c = project.compute
    plans_training = bool(c.training_tokens) or c.training_type not in (None, "none") or \
        t.approach in ("fine-tune", "pretrain")
    training = True if plans_training else (
        False if c.training_type == "none" or t.approach in ("prompt", "rag") or (t.approach is None and vendor_model)
        else None)
    self_hosted = True if (c.base_model or c.model_params) else (False if vendor_model else None)
    return Context(stage=project.stage, currency=project.currency, local_per_usd=1.0 / rate.usd_per_unit, has={
        "labelled_data": labelled, "hardware": project.hardware is not None, "users": project.users is not None,
        "debt": bool(b.debt) or b.covenants_met is not None, "revenue": has_revenue, "model_vendor": model_vendor,
        "training": training, "self_hosted_model": self_hosted})


def build_result(loaded: LoadedProject, facts: Facts, rubrics: list, evidence: dict[str, Any], *,
                 seed: int, date: str, dataset_sha: str | None, warnings: list[str],
                 rate: Rate | None = None, language: str = "en") -> dict[str, Any]:
    """The result dict. `language` changes display strings only (rubric text, verdict labels, the basis)."""
    rate = rate or resolve_rate(loaded.project.currency, loaded.project.fx)
    assessment = score(facts, rubrics, scoring_context(loaded.project, rate, loaded.dataset_path() is not None))
    areas = []
    for area in assessment.areas:
        areas.append({
            "id": area.id, "title": area.title, "weight": area.weight, "score": area.score,
            "coverage": area.coverage, "low": area.low, "high": area.high,
            "criteria": [{
                "id": c.id, "question": c.question, "fact": c.fact, "weight": c.weight, "value": c.value,
                "unit": c.unit, "score": c.score, "band": c.band, "target": c.target, "red_flag": c.red_flag,
                "advice": c.advice, "source": c.source, "note": c.note, "applicable": c.applicable,
                "key": c.key, "fatal": c.fatal,
            } for c in area.criteria],
        })
    p = loaded.project
    localiser = Localiser(rubrics, language)
    localiser.areas(areas, p.stage, 1.0 / rate.usd_per_unit, p.currency)
    strengths, risks = _highlights(areas)
    result = {
        "assess_version": __version__,
        "language": language,
        "method": {**method(rubrics), "breakeven_gross_margin": TARGET_GROSS_MARGIN},
        "project": {"name": p.name, "tagline": p.tagline, "stage": p.stage, "currency": p.currency,
                    "file": loaded.path.name, "fx": rate.as_dict(), "company": company_profile(p)},
        "overall": {"score": assessment.score, "verdict": assessment.verdict, "coverage": assessment.coverage,
                    "low": assessment.low, "high": assessment.high, "key_coverage": assessment.key_coverage,
                    "basis": assessment.basis, "possible": assessment.possible, "deciding": assessment.deciding,
                    "capped": assessment.capped,
                    "weakest_area": assessment.weakest_area, "weakest_score": assessment.weakest_score,
                    "red_flags": assessment.red_flags,
                    "strengths": [{"area": c["area_title"], "id": c["id"], "question": c["question"],
                                   "score": c["score"]} for c in strengths],
                    "risks": [{"area": c["area_title"], "id": c["id"], "question": c["question"],
                               "score": c["score"]} for c in risks]},
        "areas": areas,
        "questions": _questions(areas, language),
        "facts": facts.as_dict(),
        "evidence": evidence,
        "warnings": warnings,
        "reproducibility": {
            "seed": seed, "date": date,
            "input": {"file": loaded.path.name, "sha256": sha256_file(loaded.path)},
            "dataset": ({"file": dataset.name, "sha256": dataset_sha}
                        if dataset_sha and (dataset := loaded.dataset_path()) is not None else None),
            "rubrics": [{"id": r.id, "version": r.version, "sha256": r.sha256, "origin": _origin(r.path)}
                        for r in rubrics],
            "versions": _versions(),
        },
    }
    localise_overall(result, localiser, rubrics)
    untranslated = localiser.warning()
    if untranslated:
        warnings.append(untranslated)
    return result


def company_profile(p: Project) -> dict[str, Any]:
    """What the report prints about the company as stated: competitors, differentiation, dependencies, risks."""
    deps = p.dependencies
    return {
        "competitors": [c.model_dump() for c in (p.market.competitors or [])],
        "differentiation": p.market.differentiation,
        "base_model": p.tech.base_model,
        "model_vendors": [v.model_dump() for v in ((deps.model_vendors or []) if deps else [])],
        "compute_provider": deps.compute_provider.model_dump() if deps and deps.compute_provider else None,
        "risks": [r.model_dump() for r in (p.risks or [])],
        "figures": {k: v for k, v in p.business.model_dump(exclude={"revenue_quality"}).items() if v is not None},
        "users": p.users.model_dump(exclude_none=True) if p.users else None,
        "hardware": p.hardware.model_dump(exclude_none=True) if p.hardware else None,
    }


def check_project(path: str | Path, *, allow_data_outside: bool = False, data: Path | None = None,
                  as_of: str | None = None) -> tuple[LoadedProject, dict[str, Any], Facts]:
    """Everything `assess validate` checks: the schema, cross-field rules, the data-path rule, and catalogue
    names (GPUs, models, context lengths), which only the compute engine can resolve. Returns the compute
    estimate it made. `allow_data_outside` and `data` come from the analyst's command line only."""
    from .compute import run_compute
    from .economics import inference_gap

    loaded = load_project(path, allow_data_outside=allow_data_outside, data_override=data)
    try:
        compute_result, compute_facts = run_compute(loaded.project, as_of=as_of)
    except UserError as exc:
        raise loaded.locate(exc) from None
    gap = inference_gap(loaded.project, compute_result)  # business judgement on the compute result: not compute's
    if gap:
        compute_result["warnings"].append(Message(N_("gross margin per customer is unknown: {why}"), why=gap))
    loaded.warnings.extend(compute_result.get("warnings") or [])  # e.g. an unknown tech.base_model, an API price of 0
    return loaded, compute_result, compute_facts


def run(path: str | Path, options: RunOptions | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Assess one project.yaml end to end; returns the result dict (no I/O besides reading inputs)."""
    options = options or RunOptions()
    say = progress or (lambda message: None)
    date = report_date(options.date)
    say("validating project and estimating compute")
    loaded, compute_result, compute_facts = check_project(path, allow_data_outside=options.allow_data_outside,
                                                          data=options.data, as_of=date)
    warnings = list(loaded.warnings)
    language = check_language(options.language or loaded.project.language)
    rubrics = load_rubrics(options.rubrics_dir)
    rate = resolve_rate(loaded.project.currency, loaded.project.fx)
    engine_facts = Facts()  # what the data engines measure: held fixed when the robustness draws vary the claims
    evidence: dict[str, Any] = {}

    if compute_result.get("training") or compute_result.get("inference"):
        evidence["compute"] = compute_result

    dataset_sha = None
    dataset_file = loaded.dataset_path()
    if dataset_file is not None and (options.run_bench or options.run_profile):
        from .dataset import load_dataset, require_target

        say(f"loading {dataset_file.name}")
        kwargs = {k: v for k, v in (("max_rows", options.max_rows), ("max_bytes", options.max_bytes),
                                    ("max_columns", options.max_columns)) if v}
        # Loading and profiling together get one --budget of their own (the benchmark gets another).
        data_deadline = time.monotonic() + options.budget
        dataset = load_dataset(dataset_file, encoding=options.encoding, decimal=options.decimal,
                               deadline=data_deadline, seed=options.seed, **kwargs)
        warnings += dataset.warnings
        dataset_sha = sha256_file(dataset_file) if dataset_file.is_file() else None
        target = require_target(dataset, loaded.project.data.target, field="data.target")
        if options.run_profile:
            from .dataprofile.profile import profile_dataset, profile_facts

            say("profiling data")
            profile = profile_dataset(dataset, target, loaded.project, seed=options.seed, deadline=data_deadline)
            evidence["data"] = profile
            engine_facts.update(profile_facts(profile))
        bench = None
        if options.run_bench:
            from .bench.answers import bench_facts
            from .bench.engine import BenchOptions, run_benchmark
            from .vocab import TABLE_METRICS

            target_spec = loaded.project.tech.target
            if target_spec is not None and target_spec.metric not in TABLE_METRICS:
                target_spec = None  # a generative target (win rate, pass@k…) is not a table benchmark's metric
            try:
                bench = run_benchmark(dataset, target, BenchOptions(
                    budget=options.budget, seed=options.seed, text_columns=loaded.project.data.text_columns,
                    drop_columns=loaded.project.data.drop_columns,
                    target_metric=target_spec.metric if target_spec else None,
                    target_score=target_spec.value if target_spec else None), progress=say)
            except UserError as exc:
                # The rest of the assessment stands; the benchmark's criteria show as "no evidence".
                warnings += [Message(N_("benchmark skipped: {why}"), why=p.message) for p in exc.problems]
        if bench is not None:
            engine_facts.update(bench_facts(bench, include_timings=options.timings))
            warnings += [Message(N_("benchmark: {warning}"), warning=w) for w in bench.get("warnings", [])]
            if not options.timings:
                bench = strip_timings(bench)
            evidence["bench"] = bench
    elif options.run_profile:
        from .dataprofile.profile import declared_data_facts

        engine_facts.update(declared_data_facts(loaded.project))

    say("scoring")
    facts = derive_facts(loaded.project, compute_result, compute_facts, rate, engine_facts)
    result = build_result(loaded, facts, rubrics, evidence, seed=options.seed, date=date,
                          dataset_sha=dataset_sha, warnings=warnings, rate=rate, language=language)
    if options.draws:
        from .robustness import Core, analyse

        say(f"robustness: {options.draws:,} draws, tornado and verdict flips")
        core = Core(loaded.project, rubrics, rate, engine_facts, dataset_file is not None, date,
                    (compute_result, compute_facts))
        try:
            result["robustness"] = analyse(core, loaded.distributions, draws=options.draws, swing=options.swing,
                                           seed=options.seed)
        except UserError as exc:
            raise loaded.locate(exc) from None
        localise_robustness(result["robustness"], Localiser(rubrics, language))
    return result


def derive_facts(project: Project, compute_result: dict[str, Any], compute_facts: Facts, rate: Rate,
                 engine_facts: Facts) -> Facts:
    """Every fact the scorer reads: compute's, then the economics that follow from the project and the compute
    estimate, then what the data engines measured. The run and each robustness draw take this one path."""
    facts = Facts()
    facts.update(compute_facts)
    facts.update(economic_facts(project, compute_result, rate))
    facts.update(engine_facts)
    return facts


def strip_timings(bench: dict[str, Any]) -> dict[str, Any]:
    """Drop wall-clock measurements, which differ between otherwise identical runs."""
    bench = dict(bench)
    bench.pop("seconds", None)
    bench["models"] = [{k: v for k, v in m.items() if k not in ("fit_seconds", "predict_ms_per_1k")}
                       for m in bench.get("models", [])]
    return bench
