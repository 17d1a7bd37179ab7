"""The `assess` command line: parses options, calls the library, prints. Nothing else lives here.

Exit codes: 0 ok · 1 internal error · 2 bad input · 3 score below --fail-under · 4 some batch projects failed
· 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from . import __version__, jsonout
from .errors import Problem, UserError
from .vocab import BENCH_TASKS, DATA_SOURCES, PRECISIONS, REPORT_FORMATS, TABLE_METRICS, TEXT_FORMATS, TRAINING_TYPES

EXIT_CODES = """\b
Exit codes:
  0  success
  1  internal error (a bug: please report it; -v shows the traceback)
  2  bad input (each problem is printed on its own line)
  3  the overall score is below --fail-under
  4  a batch finished, but some of its projects failed (their rows in portfolio.* say why)
  130  interrupted (Ctrl-C); worker processes are stopped first
  141  stdout was closed early (e.g. piped into head)"""



@dataclass
class Console:
    """The one channel for progress, notes and logs on stderr; -q and -v set how much it says. It lives in the
    click context's `meta` (shared by a command and its group), so each invocation starts afresh, in-process
    runs included, and no module-level state is kept."""

    verbosity: int = 0

    def say(self, message: str) -> None:
        if self.verbosity >= 0:
            click.echo(f"assess: {terminal_safe(message)}", err=True)


def console(ctx: click.Context | None = None) -> Console:
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:  # called outside a command (library use): default verbosity
        return Console()
    return ctx.meta.setdefault("assess.console", Console())

SEED = click.IntRange(0, 2**32 - 1)  # what NumPy and scikit-learn accept
MAX_BUDGET_SECONDS = 86_400.0


class FiniteFloat(click.FloatRange):
    """A float in a range that is also finite: FloatRange alone lets 'nan' through (every comparison is false)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


BUDGET = FiniteFloat(min=1, max=MAX_BUDGET_SECONDS)
log = logging.getLogger("assess")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def terminal_safe(text: str) -> str:
    """Founder-written text on the analyst's terminal: control characters (escape sequences, CR) shown as \\xNN."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def warn(message: str) -> None:
    click.echo(f"warning: {terminal_safe(message)}", err=True)


class InputError(click.ClickException):
    """A UserError on its way out: one line per problem, exit code 2."""

    exit_code = 2

    def __init__(self, error: UserError):
        super().__init__(str(error))
        self.problems = error.problems

    def show(self, file=None) -> None:
        for problem in self.problems:
            click.echo(f"error: {terminal_safe(str(problem))}", err=True)


# The library names project.yaml fields; where a command takes them as flags instead, the CLI says the flag.
_FLAGS_FOR_FIELDS = {
    "bench": {"data.target": "--target", "data.text_columns": "--text/--drop", "bench.task": "--task"},
    "data": {"data.target": "--target", "data.text_columns": "--text"},
}


def _as_flags(error: UserError, command: str | None) -> UserError:
    from dataclasses import replace

    names = _FLAGS_FOR_FIELDS.get(command or "", {})
    return UserError([replace(p, field=names.get(p.field or "", p.field)) for p in error.problems])


class InternalError(click.ClickException):
    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"internal error: {self.message}", err=True)


def _terminate(signum: int, frame: Any) -> None:
    # SIGTERM unwinds like an exception, so atomic writers remove their temporary files.
    raise SystemExit(128 + signum)


def _interrupt(signum: int, frame: Any) -> None:
    # The first Ctrl-C unwinds the command (benchmark workers are stopped on the way out, temporary files
    # removed); later ones are ignored so that the clean-up finishes. The process exits 130 right after.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


class AssessGroup(click.Group):
    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        # Ctrl-C while the command line is parsed, before invoke's handling: click would print "Aborted!" and exit 1.
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(130) from None

    def invoke(self, ctx: click.Context) -> Any:
        import signal
        import threading

        previous_sigint = None
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _terminate)
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with it ignored
                previous_sigint = signal.signal(signal.SIGINT, _interrupt)
        try:
            return super().invoke(ctx)
        except UserError as exc:
            if console(ctx).verbosity >= 2:
                traceback.print_exc()
            raise InputError(_as_flags(exc, ctx.invoked_subcommand)) from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:  # Ctrl-C: one line, no traceback, the shell's code for SIGINT
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:  # the reader went away (`assess rubrics | head`): stop quietly, like SIGPIPE
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (Python would otherwise complain at exit)
            raise click.exceptions.Exit(141) from None
        except Exception as exc:  # anything else is our bug: say so briefly, traceback only with -v
            if console(ctx).verbosity >= 1:
                traceback.print_exc()
            hint = "" if console(ctx).verbosity >= 1 else " (run with -v for the traceback)"
            raise InternalError(f"{type(exc).__name__}: {exc}{hint}") from None
        finally:
            if previous_sigint is not None:
                signal.signal(signal.SIGINT, previous_sigint)


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    out = console(ctx)
    if param.name == "verbose" and value:
        out.verbosity = max(out.verbosity, value)
    if param.name == "quiet" and value:
        out.verbosity = -1
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(out.verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr, force=True)
    for noisy in ("fontTools", "weasyprint", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(max(level, logging.ERROR))
    return value


def verbosity(func):
    func = click.option("-v", "--verbose", count=True, expose_value=False, callback=_set_verbosity,
                        help="More output on stderr; -vv shows tracebacks for bad input too.")(func)
    return click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_verbosity,
                        help="Only errors on stderr.")(func)


def say(message: str) -> None:
    """Progress and notes go to stderr, keeping stdout clean for JSON."""
    console().say(message)


def emit(data: bytes | str, output: str | None) -> None:
    """Write to -o atomically, or to stdout for '-' / no path."""
    from .atomic import write_atomic

    if isinstance(data, str):
        data = data.encode("utf-8")
    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_atomic(output, data)
    say(f"wrote {output}")


def check_output_early(output: str | None) -> None:
    """-o is checked before any work: only a regular file (new or existing) in a writable folder may be written."""
    if output not in (None, "-"):
        from .atomic import check_output

        check_output(output)


def _read_limits(max_rows: int | None, max_bytes: str | None) -> dict[str, Any]:
    from .numbers import parse_number

    limits = {}
    if max_rows is not None:
        limits["max_rows"] = max_rows
    if max_bytes is not None:
        try:
            number = parse_number(max_bytes)
        except ValueError as exc:
            raise UserError(Problem(str(exc), field="--max-bytes")) from None
        if not isinstance(number, (int, float)) or number < 1:
            raise UserError(Problem(f"expected a size of at least 1 byte, e.g. 500M, got {max_bytes!r}",
                                    field="--max-bytes"))
        limits["max_bytes"] = int(number)
    return limits


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=AssessGroup, context_settings=CONTEXT, epilog=EXIT_CODES)
@click.version_option(__version__, "--version", prog_name="assess")
@verbosity
def main() -> None:
    """Feasibility assessment for AI and large-model ventures.

    Describe the venture in project.yaml (`assess init` writes a starter), then run `assess run project.yaml`
    for an investor-grade PDF. Everything runs offline.
    """


def entry() -> None:
    """The console script (and `python -m assess`): run the command, then exit without interpreter teardown.

    Freeing SciPy, scikit-learn and pandas module by module takes ~0.3 s at every exit, and nothing is left
    to release: outputs are written and closed, and worker processes are reaped before a command returns.
    """
    try:
        main()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # Ctrl-C outside a command's own handling (click turns most into Abort)
        click.echo("interrupted", err=True)
        code = 130
    if not isinstance(code, int):
        if code is not None:
            click.echo(code, err=True)
        code = 0 if code is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader left before the last buffered output: as SIGPIPE would
            code = code or 141
        except ValueError:  # stream already closed: nothing to flush
            pass
    os._exit(code)


def _check_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .i18n import LANGUAGES, check_language

    if value is None:
        return None
    try:
        return check_language(value)
    except UserError:
        raise click.BadParameter(f"unsupported language {value!r}; supported: {', '.join(LANGUAGES)} "
                                 f"(en: English, zh: 简体中文)") from None


lang_option = click.option(
    "--lang", callback=_check_lang, metavar="en|zh",
    help="Report language: en or zh (简体中文) [default: project.yaml's language, else en]. Scores do not change.")


def _data_options(func):
    for decorator in reversed([
        click.option("--encoding", help="Text encoding of the dataset (detected when omitted)."),
        click.option("--max-rows", type=click.IntRange(min=1), help="Refuse datasets with more rows [default: 5M]."),
        click.option("--max-bytes", help="Refuse dataset files larger than this, e.g. 500M [default: 2G]."),
    ]):
        func = decorator(func)
    return func


def _table_options(func):
    for decorator in reversed([
        click.option("--max-columns", type=click.IntRange(min=1),
                     help="Refuse datasets with more columns, checked from the header [default: 2,000]."),
        click.option("--decimal", type=click.Choice([".", ","]),
                     help="Decimal mark of a CSV/TSV. [default: '.', with decimal commas detected and read as "
                          "numbers, with a warning, in files not separated by commas]"),
    ]):
        func = decorator(func)
    return func


def _table_settings(max_columns: int | None, decimal: str | None) -> dict[str, Any]:
    settings: dict[str, Any] = {"decimal": decimal}
    if max_columns is not None:
        settings["max_columns"] = max_columns
    return settings


def _show_dataset_warnings(dataset: Any) -> None:
    for warning in dataset.warnings:
        click.echo(f"warning: {warning}", err=True)


RUN_DRAWS = 2000  # robustness draws of `run` and `compare`
BATCH_DRAWS = 500  # …and of `batch`, which triages many projects: P10/P90 and verdict shares to about ±2 points


def run_options(func):
    """The assessment options `run`, `batch` and `compare` share: each project is assessed as `assess run` would.
    A new option of the assessment belongs here, and in `options_from` below, and all three commands take it."""
    func = click.option("--allow-data-outside", is_flag=True,
                        help="Let data.path resolve outside the project file's folder (refused by default).")(func)
    func = _data_options(_table_options(func))
    for decorator in reversed([
        click.option("--rubrics", "rubrics_dir", type=click.Path(path_type=Path),
                     help="Directory of rubric YAML files that override or extend the bundled ones."),
        click.option("--template-dir", type=click.Path(path_type=Path),
                     help="Directory searched before the bundled templates. Templates are trusted code."),
        click.option("--seed", type=SEED, default=0, show_default=True,
                     help="Seed for CV splits, sampling and models."),
        click.option("--date", "date", help="Pin the report date (YYYY-MM-DD); SOURCE_DATE_EPOCH also works."),
        click.option("--budget", type=BUDGET, default=60.0, show_default=True,
                     help="Seconds for the baseline benchmark (a hard limit)."),
        click.option("--no-bench", is_flag=True, help="Skip the baseline benchmark."),
        click.option("--no-profile", is_flag=True, help="Skip the data-readiness profile."),
        click.option("--timings", is_flag=True, help="Include wall-clock timings (they differ between runs)."),
        click.option("--draws", type=click.IntRange(0, 1_000_000),
                     help="Robustness: Monte Carlo draws over the ranges in project.yaml; 0 turns the section off "
                     f"[default: {RUN_DRAWS:,}; batch: {BATCH_DRAWS}, a triage: raise it for the shortlist]."),
        click.option("--swing", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.25,
                     show_default=True, help="Robustness: how far the tornado moves each exact input (0.25 = ±25 %)."),
        lang_option,
    ]):
        func = decorator(func)
    return func


RUN_OPTION_PARAMS = ("rubrics_dir", "seed", "date", "budget", "no_bench", "no_profile", "timings", "encoding",
                     "max_rows", "max_bytes", "max_columns", "decimal", "allow_data_outside", "draws", "swing", "lang")


def options_from(params: dict[str, Any], default_draws: int = RUN_DRAWS, **extra: Any) -> Any:
    """RunOptions from the shared options' values (removed from `params`); `extra` sets further fields."""
    from .pipeline import RunOptions

    p = {name: params.pop(name) for name in RUN_OPTION_PARAMS if name in params}
    if p["draws"] is None:
        p["draws"] = default_draws
    return RunOptions(seed=p["seed"], budget=p["budget"], rubrics_dir=p["rubrics_dir"], date=p["date"],
                      run_bench=not p["no_bench"], run_profile=not p["no_profile"], timings=p["timings"],
                      encoding=p["encoding"], **_read_limits(p["max_rows"], p["max_bytes"]),
                      **_table_settings(p["max_columns"], p["decimal"]), allow_data_outside=p["allow_data_outside"],
                      draws=p["draws"], swing=p["swing"], language=p["lang"], **extra)


@main.command(epilog=EXIT_CODES)
@click.argument("project", type=click.Path(dir_okay=True, path_type=Path))
@click.option("-o", "--output", help="Output file, written atomically; '-' for stdout. "
              "[default: report.<format> for pdf/html, stdout for json/md]")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="pdf", show_default=True)
@click.option("--fail-under", type=FiniteFloat(0, 100), help="Exit 3 when the overall score is below this.")
@click.option("--data", "data_file", type=click.Path(exists=True, path_type=Path),
              help="Use this dataset instead of the project's data.path (a path you give is trusted).")
@run_options
@click.option("--allow-missing-glyphs", is_flag=True,
              help="Render the PDF even when no font can draw some CJK characters (they print as boxes).")
@verbosity
def run(project: Path, output: str | None, fmt: str, fail_under: float | None, data_file: Path | None,
        template_dir: Path | None, allow_missing_glyphs: bool, **assessment: Any) -> None:
    """Assess PROJECT (a project.yaml) and write the report.

    The dataset named by data.path must lie inside PROJECT's folder, symbolic links followed; --data or
    --allow-data-outside lift that rule."""
    from .pipeline import run as run_pipeline
    from .report import render

    if output is None and fmt in ("pdf", "html"):
        output = f"report.{fmt}"
    check_output_early(output)
    options = options_from(assessment, data=data_file)
    result = run_pipeline(project, options, progress=say)
    for warning in result["warnings"]:
        warn(warning)
    say(f"rendering {fmt}")
    emit(render(result, fmt, template_dir, allow_missing_glyphs=allow_missing_glyphs), output)
    overall = result["overall"]
    score = overall["score"]
    from .report.text import verdict_lines

    say(verdict_lines(result))
    if fail_under is not None and (score is None or score < fail_under):
        click.echo(f"assess: score {score} is below --fail-under {fail_under:g}", err=True)
        sys.exit(3)


@main.command(epilog=EXIT_CODES)
@click.argument("projects", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
@click.option("--allow-data-outside", is_flag=True,
              help="Let data.path resolve outside the project file's folder (refused by default).")
@verbosity
def validate(projects: tuple[Path, ...], allow_data_outside: bool) -> None:
    """Check one or more project.yaml files; exit 0 when all are valid, 2 otherwise."""
    from .pipeline import check_project

    problems: list[Problem] = []
    for path in projects:
        try:
            loaded = check_project(path, allow_data_outside=allow_data_outside)[0]
        except UserError as exc:
            problems += exc.problems
            continue
        for warning in loaded.warnings:
            warn(warning)
        say(f"{path}: valid")
    if problems:
        raise UserError(problems)


@main.command(epilog=EXIT_CODES)
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing project.yaml.")
@lang_option
@verbosity
def init(directory: Path, force: bool, lang: str | None) -> None:
    """Write a commented starter project.yaml into DIRECTORY (default: here); --lang zh: comments in Chinese."""
    from .atomic import write_atomic
    from .resources import bundled_dir

    target = directory / "project.yaml"
    if target.exists() and not force:
        raise UserError(Problem("already exists; pass --force to overwrite", file=str(target)))
    name = "project.yaml.example" if (lang or "en") == "en" else f"project.{lang}.yaml.example"
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(target, (bundled_dir("templates") / name).read_bytes())
    say(f"wrote {target}; edit it, then run: assess run {target}")


@main.command(epilog=EXIT_CODES)
@click.option("-o", "--output", help="Write the schema here instead of stdout.")
@verbosity
def schema(output: str | None) -> None:
    """Print the JSON Schema of project.yaml (for editor completion and validation)."""
    from .project import json_schema

    check_output_early(output)
    emit(jsonout.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", output)


@main.command(epilog=EXIT_CODES)
@click.option("--rubrics", "rubrics_dir", type=click.Path(path_type=Path), help="Extra or overriding rubrics.")
@click.option("--facts", "show_facts", is_flag=True, help="List the fact names rubrics may read instead.")
@click.option("--format", "fmt", type=click.Choice(TEXT_FORMATS), default="table", show_default=True)
@verbosity
def rubrics(rubrics_dir: Path | None, show_facts: bool, fmt: str) -> None:
    """List the rubric criteria (or, with --facts, every fact a criterion may read)."""
    from .facts import registry
    from .rubrics import load_rubrics

    if show_facts:
        rows = [{"fact": s.name, "unit": s.unit, "description": s.description} for s in sorted(
            registry().values(), key=lambda s: s.name)]
        if fmt == "json":
            emit(jsonout.dumps(rows, indent=2, ensure_ascii=False) + "\n", None)
        else:
            from .report.text import facts_table

            emit(facts_table(rows), None)
        return
    loaded = load_rubrics(rubrics_dir)
    if fmt == "json":
        emit(jsonout.dumps([r.model_dump(by_alias=True, exclude_none=True) for r in loaded], indent=2,
                        ensure_ascii=False) + "\n", None)
        return
    from .report.text import rubrics_table

    emit(rubrics_table(loaded), None)


@main.command(epilog=EXIT_CODES)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--target", required=True, help="Column to predict.")
@click.option("--task", type=click.Choice(BENCH_TASKS), help="Override the inferred task.")
@click.option("--text", "text_columns", multiple=True, help="Treat this column as free text (repeatable).")
@click.option("--drop", "drop_columns", multiple=True, help="Ignore this column (repeatable).")
@click.option("--budget", type=BUDGET, default=60.0, show_default=True,
              help="Hard time limit in seconds.")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True)
@click.option("--metric", type=click.Choice(TABLE_METRICS), help="Primary metric [default: accuracy or r2].")
@click.option("--target-score", type=FiniteFloat(), help="Score the venture needs; enables the data-need estimate.")
@click.option("--models", help="Comma-separated baselines to run, e.g. Dummy,Linear,TfidfChars "
              "[default: every one that applies and fits the budget].")
@click.option("--no-curve", is_flag=True, help="Skip the learning curve.")
@click.option("--format", "fmt", type=click.Choice(TEXT_FORMATS), default="table", show_default=True)
@click.option("-o", "--output", help="Write the result here (atomically) instead of stdout.")
@_data_options
@_table_options
@verbosity
def bench(data: Path, target: str, task: str | None, text_columns: tuple[str, ...], drop_columns: tuple[str, ...],
          budget: float, seed: int, folds: int, metric: str | None, target_score: float | None, models: str | None,
          no_curve: bool, fmt: str, output: str | None, encoding: str | None, max_rows: int | None,
          max_bytes: str | None, max_columns: int | None, decimal: str | None) -> None:
    """Benchmark quick baselines on DATA (CSV, TSV, Parquet, JSONL, Excel or an image folder)."""
    from .bench.baselines import BASELINES
    from .bench.engine import BenchOptions, run_benchmark
    from .dataset import load_dataset

    started = time.monotonic()
    check_output_early(output)
    chosen = [m.strip() for m in models.split(",") if m.strip()] if models else None
    known = [c.__name__ for c in BASELINES]
    unknown = [m for m in chosen or [] if m not in known]
    if unknown:
        raise UserError(Problem(f"unknown baseline(s) {', '.join(unknown)}; known: {', '.join(known)}",
                                field="--models"))
    # Loading may take half the budget (an image folder is then sampled); the benchmark keeps the rest.
    dataset = load_dataset(data, encoding=encoding, **_read_limits(max_rows, max_bytes),
                           **_table_settings(max_columns, decimal), deadline=started + budget / 2, seed=seed)
    for note in dataset.notes:
        say(note)
    _show_dataset_warnings(dataset)
    result = run_benchmark(dataset, target, BenchOptions(
        budget=budget, seed=seed, folds=folds, task=task, text_columns=list(text_columns) or None,
        drop_columns=list(drop_columns) or None, target_metric=metric, target_score=target_score,
        models=chosen, learning_curve=not no_curve, started=started), progress=say)
    for warning in result["warnings"]:
        warn(warning)
    if fmt == "json":
        emit(jsonout.dumps(result, indent=2, ensure_ascii=False) + "\n", output)
        return
    from .report.text import bench_table

    emit(bench_table(result), output)


@main.command(epilog=EXIT_CODES)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--target", required=True, help="Label column.")
@click.option("--text", "text_columns", multiple=True, help="Treat this column as free text (repeatable).")
@click.option("--project", "project_path", type=click.Path(path_type=Path),
              help="project.yaml whose data section supplies license, source and datasheet answers.")
@click.option("--license", "license", help="Dataset license (SPDX id), when no --project is given.")
@click.option("--source", type=click.Choice(DATA_SOURCES))
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--pii-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows sampled for the personal-data scan.")
@click.option("--format", "fmt", type=click.Choice(TEXT_FORMATS), default="table", show_default=True)
@click.option("-o", "--output", help="Write the result here (atomically) instead of stdout.")
@click.option("--budget", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds for loading and profiling; slow checks stop early, and say so, when it runs out.")
@_data_options
@_table_options
@verbosity
def data(data: Path, target: str, text_columns: tuple[str, ...], project_path: Path | None, license: str | None,
         source: str | None, seed: int, pii_rows: int, fmt: str, output: str | None, budget: float,
         encoding: str | None, max_rows: int | None, max_bytes: str | None, max_columns: int | None,
         decimal: str | None) -> None:
    """Profile DATA for due diligence: quality, leakage, personal data, license, datasheet."""
    from .dataprofile.profile import profile_dataset, profile_facts
    from .dataset import load_dataset, require_target
    from .project import Data, Project, load_project

    check_output_early(output)
    if project_path is not None:
        # Only the license and datasheet answers are used: data.path is never read here, so its rule does not apply.
        project = load_project(project_path, allow_data_outside=True).project
    else:
        project = Project(name=Path(data).name, data=Data(license=license, source=source))
    deadline = time.monotonic() + budget
    dataset = load_dataset(data, encoding=encoding, **_read_limits(max_rows, max_bytes),
                           **_table_settings(max_columns, decimal), deadline=deadline, seed=seed)
    for note in dataset.notes:
        say(note)
    _show_dataset_warnings(dataset)
    target = require_target(dataset, target)
    say(f"profiling {len(dataset.frame):,} rows")
    profile = profile_dataset(dataset, target, project, seed=seed, text_columns=list(text_columns) or None,
                              pii_rows=pii_rows, deadline=deadline)
    facts = {f.name: f.value for f in profile_facts(profile)}
    if fmt == "json":
        emit(jsonout.dumps({"facts": facts, "profile": profile}, indent=2, ensure_ascii=False) + "\n", output)
        return
    from .report.text import profile_table

    emit(profile_table(facts, profile), output)


@main.command(epilog=EXIT_CODES)
@click.argument("project", required=False, type=click.Path(path_type=Path))
@click.option("--base-model", help="A catalogue model, e.g. Llama-3.1-8B (see --list).")
@click.option("--params", help="Total parameters, e.g. 70e9.")
@click.option("--active-params", help="Active parameters per token (MoE).")
@click.option("--tokens", help="Training tokens, e.g. 2e12.")
@click.option("--training-type", type=click.Choice(TRAINING_TYPES),
              help="[default: full when --tokens is given]; lora/qlora count 4·N·D FLOPs and frozen weights.")
@click.option("--training-precision", type=click.Choice(["bf16", "fp8"]),
              help="Training number format [default: bf16]; fp8 uses the GPU's FP8 peak, as DeepSeek-V3 did.")
@click.option("--gpu", help="GPU name from the catalogue (see --list).")
@click.option("--gpu-count", help="GPUs used for training.")
@click.option("--mfu", help="Model FLOPs utilisation in [0.001, 1] [default: the median of published runs within "
              "5× of the model's size, from mfu.yaml: PaLM, Gopher, MT-NLG, GPT-3, Llama 3, MPT].")
@click.option("--goodput", help="Share of wall-clock GPU time spent training, after restarts and downtime "
              "[default: 0.9, Llama 3's 'higher than 90 % effective training time'].")
@click.option("--adapter-share", help="LoRA/QLoRA trainable parameters as a share of the model [default: 0.005].")
@click.option("--gpu-hour-usd", help="Price per GPU-hour [default: the catalogue's dated quote for --price-tier].")
@click.option("--price-tier", type=click.Choice(["low", "typical", "high"]),
              help="Catalogue price: low (reserved or marketplace), typical (specialist cloud on-demand), high "
              "(hyperscaler on-demand) [default: typical].")
@click.option("--country", help="Where the venture operates (ISO 3166-1 alpha-2): warns about GPU export controls.")
@click.option("--budget-usd", help="Training budget, for the cost-vs-budget ratio.")
@click.option("--layers", help="Transformer layers.")
@click.option("--kv-heads", help="Key/value heads (grouped-query attention).")
@click.option("--head-dim", help="Attention head dimension.")
@click.option("--context", type=click.IntRange(1, 10**9), help="Tokens held in the KV cache per request "
              "[default: input + output tokens].")
@click.option("--precision", type=click.Choice(PRECISIONS),
              help="Serving weight precision [default: bf16]; fp8 also stores the KV cache in fp8, int8/int4 keep "
              "a 16-bit KV cache.")
@click.option("--requests-per-month", help="Serving volume [default: none; then cost is per request at full "
              "load, with no fleet size].")
@click.option("--input-tokens", help="Input tokens per request [default: half of 2,048 or of the model's "
              "context if shorter, stated as an assumption].")
@click.option("--output-tokens", help="Output tokens per request [default: the other half; with only "
              "--input-tokens, the rest of --context or 1, stated as an assumption].")
@click.option("--batch-size", help="Concurrent requests per replica [default: as many as the KV cache holds in "
              "90 % of GPU memory after the weights (vLLM's default), capped by --ttft-ms and --tpot-ms].")
@click.option("--tensor-parallel", help="GPUs per serving replica: 1, 2, 4, 8 or a multiple of 8 [default: of the "
              "layouts from the smallest that fits up to 8, the one with the most output tokens/s per GPU].")
@click.option("--ttft-ms", help="Latency target, time to first token in ms [default: 2000, MLPerf Inference "
              "llama3_1-8b server scenario].")
@click.option("--tpot-ms", help="Latency target, time per output token in ms [default: 100, MLPerf Inference "
              "llama3_1-8b server scenario].")
@click.option("--peak-to-average", help="Peak request rate ÷ average; the fleet is sized for the peak around the "
              "clock [default: 3, an assumption to replace with your traffic].")
@click.option("--list", "list_catalogues", is_flag=True, help="List the GPU and model catalogues.")
@click.option("--format", "fmt", type=click.Choice(TEXT_FORMATS), default="table", show_default=True)
@click.option("-o", "--output", help="Write the result here (atomically) instead of stdout.")
@verbosity
def compute(project: Path | None, list_catalogues: bool, fmt: str, output: str | None, context: int | None,
            country: str | None, **flags: Any) -> None:
    """Training and serving cost from first principles, from PROJECT's compute section or from flags."""
    from .compute import gpu_catalogue, model_catalogue, run_compute
    from .compute.api import api_models
    from .compute.estimate import estimate
    from .compute.flags import spec_from_flags
    from .project import load_project

    check_output_early(output)
    if list_catalogues:
        rows = {"gpus": [g.__dict__ for g in gpu_catalogue().values()],
                "models": [m.__dict__ for m in model_catalogue().values()],
                "hosted": [m.__dict__ for m in api_models()]}
        if fmt == "json":
            emit(jsonout.dumps(rows, indent=2) + "\n", output)
        else:
            lines = ["GPUs (dense BF16 peak):"] + [
                f"  {g['name']:<12} {g['memory_gb']:>5g} GB {g['bandwidth_gbs']:>6g} GB/s "
                f"{g['bf16_tflops']:>6g} TFLOP/s  "
                + ("  ".join(f"{t} ${q['usd']:g} ({q['date']})" for t, q in g["prices"].items()) or "no sourced price")
                for g in rows["gpus"]] + ["Models:"] + [
                f"  {m['name']:<16} {m['params'] / 1e9:>7.2f}B params, {m['layers']} layers, "
                + (f"MLA latent {m['kv_lora_rank']}+{m['qk_rope_head_dim']}" if m.get("kv_lora_rank") else
                   f"{m['kv_heads']} KV heads")
                + (f", window {m['sliding_window']:,}" if m.get("sliding_window") else "")
                for m in rows["models"]] + ["Hosted APIs (USD per 1M input / output tokens, list price):"] + [
                f"  {m['name']:<26} {m['input_usd_per_1m']:>7g} / {m['output_usd_per_1m']:<7g} {m['vendor']}, "
                f"{m['as_of']}" for m in rows["hosted"]]
            emit("\n".join(lines) + "\n", output)
        return
    given = {k: v for k, v in flags.items() if v is not None}
    stated = None
    if project is not None:
        stated = load_project(project, allow_data_outside=True).project  # data.path is not read
        overrides = stated.compute.model_dump(exclude_none=True)
        country = country or stated.country
    else:
        overrides = {}
    if not overrides and not given and context is None:
        raise UserError(Problem("nothing to estimate: give a project.yaml, or --base-model / --params "
                                "(see assess compute -h)"))
    spec = spec_from_flags(overrides, given, flags_named=project is None)
    if context is not None and spec.inference is None:
        from .project import Inference

        spec.inference = Inference()
    country = country.strip().upper() if country else None
    if stated is not None and context is None:  # the project's own path: a hosted tech.base_model, make-or-buy
        result = run_compute(stated.model_copy(update={"compute": spec, "country": country}))[0]
    else:
        result = estimate(spec, context=context, country=country)
    if fmt == "json":
        emit(jsonout.dumps(result, indent=2, ensure_ascii=False) + "\n", output)
        return
    from .report.text import compute_table

    emit(compute_table(result), output)


# Portfolio: many projects at once (batch), or a few side by side (compare).

def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in REPORT_FORMATS]
    if unknown or not chosen:
        raise UserError(Problem(f"unknown format(s) {', '.join(unknown) or repr(value)}; expected a comma-separated "
                                f"list of {', '.join(REPORT_FORMATS)}", field="--format"))
    return chosen


class _BatchProgress:
    """done / total, failures and time left on stderr: at most one line a second, and the last one always."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, state: Any) -> None:
        now = time.monotonic()
        if state.done == state.total or now - self.last >= 1.0:
            self.last = now
            say(state.line())


@main.command(epilog=EXIT_CODES)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "outdir", required=True, type=click.Path(path_type=Path),
              help="Output folder (created): reports in projects/, portfolio.json/.csv/.parquet and, for the "
              "formats asked, portfolio.pdf/.html/.md.")
@click.option("--format", "formats", default="json", show_default=True,
              help="Comma-separated report formats for each project, e.g. pdf,json (pdf, html, json, md).")
@click.option("--scheduler", metavar="ADDRESS",
              help="A Dask scheduler to run on, e.g. tcp://10.0.0.5:8786 (needs pip install 'assess[dask]').")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Without --scheduler: this machine's process pool, or a Dask LocalCluster.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Projects assessed at once on this machine [default: one per core].")
@click.option("--cores-per-project", type=click.IntRange(min=1),
              help="Cores each project's benchmark may fork workers on [default: cores ÷ --workers here; 1 on a "
              "--scheduler cluster, so run its workers with --nthreads 1].")
@click.option("--force", is_flag=True, help="Assess every project again, even those unchanged since the last run.")
@run_options
@verbosity
def batch(inputs: tuple[str, ...], outdir: Path, formats: str, scheduler: str | None, executor: str,
          workers: int | None, cores_per_project: int | None, force: bool, template_dir: Path | None,
          **assessment: Any) -> None:
    """Assess many projects into OUTDIR and rank them.

    INPUTS are project files, folders (every project.yaml below them), glob patterns ('apps/*/project.yaml')
    or manifest CSVs with a 'path' column (relative to the manifest), an optional 'name' column, and any other
    columns kept as tags. A broken project becomes a row with its errors; the batch goes on. A rerun skips
    projects whose inputs, rubrics and options are unchanged since they last finished (--force to redo them)."""
    from .portfolio.batch import run_batch

    chosen = _formats(formats)
    options = options_from(assessment, default_draws=BATCH_DRAWS)
    result = run_batch(inputs, outdir, options, formats=chosen, executor=executor, scheduler=scheduler,
                       workers=workers, cores_per_project=cores_per_project, force=force,
                       template_dir=template_dir, timings=options.timings, progress=_BatchProgress())
    summary = result.portfolio["summary"]
    say(f"{summary['assessed']} assessed, {summary['failed']} failed, in {result.seconds:.1f} s; wrote "
        f"{outdir / 'portfolio.json'}")
    for row in result.portfolio["projects"]:
        for error in row["errors"]:
            warn(f"{row['name']}: {error['text']}")
    if result.failed:
        sys.exit(4)


@main.command(epilog=EXIT_CODES)
@click.argument("projects", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
@click.option("-o", "--output", help="Output file, written atomically; '-' for stdout. "
              "[default: compare.<format> for pdf/html, stdout for json/md]")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="pdf", show_default=True)
@run_options
@click.option("--allow-missing-glyphs", is_flag=True,
              help="Render the PDF even when no font can draw some CJK characters (they print as boxes).")
@verbosity
def compare(projects: tuple[Path, ...], output: str | None, fmt: str, template_dir: Path | None,
            allow_missing_glyphs: bool, **assessment: Any) -> None:
    """Compare 2 to 12 PROJECTS side by side: one column each, rows by area and criterion, gaps highlighted."""
    from .pipeline import run as run_pipeline
    from .portfolio.compare import MAX_PROJECTS, MIN_PROJECTS, common_language, render_compare
    from .portfolio.compare import compare as compare_results

    if not MIN_PROJECTS <= len(projects) <= MAX_PROJECTS:
        raise UserError(Problem(f"give {MIN_PROJECTS} to {MAX_PROJECTS} projects to compare, got {len(projects)}"))
    if output is None and fmt in ("pdf", "html"):
        output = f"compare.{fmt}"
    check_output_early(output)
    options = options_from(assessment)
    if options.language is None:
        options.language = common_language(list(projects))
    results, problems = [], []
    for path in projects:
        say(f"assessing {path}")
        try:
            results.append(run_pipeline(path, options))
        except UserError as exc:
            problems += exc.problems
    if problems:
        raise UserError(problems)
    for path, result in zip(projects, results):
        for warning in result["warnings"]:
            warn(f"{path}: {warning}")
    data = compare_results(results, [str(p) for p in projects])
    say(f"rendering {fmt}")
    emit(render_compare(data, fmt, template_dir, allow_missing_glyphs=allow_missing_glyphs), output)


if __name__ == "__main__":  # pragma: no cover
    main()
