"""The benchmark protocol: stratified k-fold CV with a hard time budget, then a learning curve.

Folds and learning-curve points run in forked worker processes (one pool for the whole run, one worker per
core), so a model that would overrun its share of the budget is stopped by killing its worker, and the folds
it finished are kept. Results cross the process boundary as plain tuples.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import os
import signal
import sys
import time
import warnings
import weakref
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import wait
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import stdtrit  # Student-t quantile, without importing all of scipy.stats
from sklearn import metrics
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from threadpoolctl import threadpool_limits

from ..caps import cap_list, join_capped
from ..dataset import Dataset, beyond_float32, row_hashes
from ..errors import Problem, UserError
from ..facts import Facts
from .baselines import (BASELINES, MAX_TEXT_CHARS, NGRAM_COUNTS, Baseline, NgramCounts, TaskSpec, _clip_text,
                        count_ngrams, ngram_counts_hidden)
from .curve import MIN_SIZES, curve_result, fit_learning_curve

log = logging.getLogger(__name__)

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc")
REGRESSION_METRICS = ("r2", "mae", "rmse")
LOWER_IS_BETTER = {"mae", "rmse"}
ROWS_PER_BUDGET_SECOND = 1000  # sampling cap: rows ≈ this × budget, so 5-fold CV fits in the budget
CURVE_SHARE = 0.2  # share of the budget kept for the learning curve
SAFETY = 0.9  # the engine plans to finish by this share of the budget
LATENCY_SAMPLE_ROWS = 256  # text models time prediction on this many fresh (tokenised) test rows per fold
MAX_FOLD_WORKERS = 4  # folds of single-threaded models run in parallel, one process each (memory grows with it)


@dataclass
class BenchOptions:
    budget: float = 60.0
    seed: int = 0
    folds: int = 5
    task: str | None = None  # binary | multiclass | regression | None (infer)
    text_columns: list[str] | None = None
    drop_columns: list[str] | None = None
    target_metric: str | None = None
    target_score: float | None = None
    models: list[str] | None = None  # restrict to these baseline class names
    learning_curve: bool = True
    started: float | None = None  # time.monotonic() when the budget started (defaults to now)


@dataclass
class Prepared:
    X: pd.DataFrame
    y: np.ndarray  # regression values, or class codes: indices into `labels`
    spec: TaskSpec
    labels: list[str] | None  # class names, sorted
    rows_total: int
    sampled: bool
    warnings: list[str] = field(default_factory=list)


def _t_interval(values: list[float]) -> tuple[float, tuple[float, float] | None]:
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    if len(arr) < 2:
        return mean, None
    half = float(stdtrit(len(arr) - 1, 0.975) * arr.std(ddof=1) / math.sqrt(len(arr)))
    return mean, (mean - half, mean + half)


def infer_task(y: pd.Series) -> str:
    from ..dataprofile.profile import is_classification

    if not is_classification(y):
        return "regression"
    return "binary" if y.nunique() == 2 else "multiclass"


def prepare(ds: Dataset, target: str, options: BenchOptions) -> Prepared:
    """Choose task and feature columns, drop unusable rows/columns, sample to fit the budget."""
    from ..dataprofile.profile import infer_type

    frame = ds.frame
    notes: list[str] = []
    if target not in frame.columns:
        raise UserError(Problem(f"target column '{target}' not found", file=str(ds.path), field="--target"))
    missing_target = frame[target].isna()
    if missing_target.all():
        raise UserError(Problem(f"target column '{target}' is empty", file=str(ds.path), field="--target"))
    if missing_target.any():
        notes.append(f"dropped {int(missing_target.sum()):,} rows with no target value")
        frame = frame[~missing_target]
    y_raw = frame[target]
    task = options.task or infer_task(y_raw)
    if task not in ("binary", "multiclass", "regression"):
        raise UserError(Problem(f"expected binary, multiclass or regression, got {task!r}", field="--task"))
    if task == "regression":
        y_num = pd.to_numeric(y_raw, errors="coerce")
        if y_num.isna().any():
            raise UserError(Problem(f"target '{target}' has non-numeric values; a regression target must be numeric",
                                    file=str(ds.path), field="--target"))
        y_series = y_num.astype(float)
    else:
        y_series = y_raw.astype(str)
        if pd.api.types.is_numeric_dtype(y_raw) and options.task is None:
            notes.append(f"numeric target '{target}' treated as {y_raw.nunique()} class labels; "
                         "pass --task regression to override")
        counts = y_series.value_counts()
        if len(counts) < 2:
            raise UserError(Problem(f"target '{target}' has a single class ('{counts.index[0]}'); "
                                    "a classifier needs at least two", file=str(ds.path), field="--target"))
        lonely = counts[counts < 2]
        if len(lonely):
            notes.append(f"dropped {len(lonely)} class(es) with a single row: {join_capped(lonely.index, 5, quote='')}")
            keep = ~y_series.isin(lonely.index)
            frame, y_series = frame[keep], y_series[keep]
            if y_series.nunique() < 2:
                raise UserError(Problem("fewer than two classes have two or more rows", file=str(ds.path),
                                        field="--target"))
        if task == "binary" and y_series.nunique() > 2:
            raise UserError(Problem(f"--task binary but the target has {y_series.nunique()} classes", field="--task"))
    drop = set(options.drop_columns or [])
    declared_text = set(options.text_columns or [])
    unknown = sorted((drop | declared_text) - set(frame.columns))
    if unknown:
        raise UserError(Problem(f"column(s) not in the dataset: {', '.join(unknown)}", file=str(ds.path),
                                field="--text/--drop"))
    spec = TaskSpec(task=task, seed=options.seed, images=ds.kind == "images")
    dropped: dict[str, list[str]] = {}  # reason → columns: one note per reason (names capped), not per column
    for column in frame.columns:
        if column == target or column in drop:
            continue
        series = frame[column]
        if series.isna().all():
            dropped.setdefault("all-empty", []).append(column)
            continue
        kind = "text" if column in declared_text else infer_type(series)
        if kind == "text":
            spec.text.append(column)
            if series.astype(str).str.len().max() > MAX_TEXT_CHARS:
                dropped.setdefault("long-text", []).append(column)
        elif kind == "numeric":
            spec.numeric.append(column)
        elif kind == "categorical":
            if series.nunique() > 1:
                spec.categorical.append(column)
        elif kind == "id-like":
            dropped.setdefault("id-like", []).append(column)
        elif kind == "datetime":
            dropped.setdefault("datetime", []).append(column)
    why = {"all-empty": "", "id-like": " (unique per row; it would only memorise)",
           "datetime": " (derive features from it explicitly)"}
    for reason, columns in dropped.items():
        if reason == "long-text":
            notes.append(f"text cells in {join_capped(columns)} longer than {MAX_TEXT_CHARS:,} characters are "
                         "truncated")
            continue
        notes.append(f"dropped {reason} column{'s' if len(columns) > 1 else ''} {join_capped(columns)}{why[reason]}")
    if not (spec.tabular or spec.text):
        raise UserError(Problem("no usable feature columns besides the target", file=str(ds.path)))
    X = frame[spec.numeric + spec.categorical + spec.text]
    huge = {}
    for column in spec.numeric:  # models work in float32, where 1e308 overflows: such features become gaps
        mask = beyond_float32(X[column])
        if mask.any():
            X[column] = X[column].mask(mask)
            huge[column] = int(mask.sum())
    if huge:
        notes.append(f"{sum(huge.values()):,} feature values beyond ±3.4e38 (the float32 range models use) in "
                     f"{join_capped(huge)} are treated as missing")
    for column in spec.categorical:
        # Encoders need one type per column: bools, numbers and mixed JSON values become strings; gaps stay gaps.
        X[column] = X[column].astype(str).where(X[column].notna(), None)
    rows_total = len(X)
    cap = max(2000, int(ROWS_PER_BUDGET_SECOND * options.budget))
    sampled = rows_total > cap
    if sampled:
        stratify = y_series if task != "regression" else None
        try:
            X, _, y_series, _ = train_test_split(X, y_series, train_size=cap, random_state=options.seed,
                                                 stratify=stratify)
        except ValueError:
            X, _, y_series, _ = train_test_split(X, y_series, train_size=cap, random_state=options.seed)
        notes.append(f"sampled {cap:,} of {rows_total:,} rows (stratified) to fit the {options.budget:g} s budget")
    spec.rows = len(X)
    labels = sorted(y_series.unique().tolist()) if task != "regression" else None
    # Classes travel as integer codes into `labels`: scikit-learn checks string targets slowly, once per tree.
    y = np.searchsorted(labels, y_series.to_numpy()) if labels else y_series.to_numpy()
    return Prepared(X.reset_index(drop=True), y, spec, labels, rows_total, sampled, notes)


def score_fold(task: str, y_true: np.ndarray, pred: np.ndarray, proba: np.ndarray | None,
               labels: list[int] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    if task == "regression":
        out["r2"] = float(metrics.r2_score(y_true, pred))
        out["mae"] = float(metrics.mean_absolute_error(y_true, pred))
        out["rmse"] = float(math.sqrt(metrics.mean_squared_error(y_true, pred)))
        return out
    out["accuracy"] = float(metrics.accuracy_score(y_true, pred))
    out["balanced_accuracy"] = float(metrics.balanced_accuracy_score(y_true, pred))
    out["f1_macro"] = float(metrics.f1_score(y_true, pred, average="macro", labels=labels, zero_division=0))
    if proba is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if task == "binary":
                    out["roc_auc"] = float(metrics.roc_auc_score(y_true == labels[1], proba[:, 1]))
                else:
                    out["roc_auc"] = float(metrics.roc_auc_score(y_true, proba, multi_class="ovr", average="macro",
                                                                 labels=labels))
            except ValueError:
                pass
    return out


def _splits(prep: Prepared, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if prep.spec.classification:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(prep.y)), prep.y))
    return list(KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(prep.y))))


def _fit_and_score(cls: type[Baseline], prep: Prepared, train: np.ndarray, test: np.ndarray,
                   timed: bool = True) -> tuple:
    """Fit on `train`, score on `test`. Returns (scores, fit seconds, prediction µs per row); with `timed`,
    a text model's times are what it would take on new texts, not on the engine's precomputed counts."""
    model = cls(prep.spec)
    X_train, X_test = prep.X.iloc[train], prep.X.iloc[test]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        model.fit(X_train, prep.y[train])
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = model.predict_proba(X_test) if prep.spec.classification else None
        if proba is not None:  # a training fold may lack a class: give every class its column
            classes = getattr(model.model, "classes_", np.arange(len(prep.labels)))
            full = np.zeros((len(test), len(prep.labels)))
            full[:, np.asarray(classes, dtype=int)] = proba
            proba = full
            pred = proba.argmax(axis=1)
        else:
            pred = model.predict(X_test)
        per_row = (time.perf_counter() - t0) / max(len(test), 1)
        key = cls.ngram_key()
        if timed and key in NGRAM_COUNTS:
            fit_s += NGRAM_COUNTS[key].seconds_per_text * len(train) * len(prep.spec.text)  # its share of counting
            sample = X_test.iloc[:LATENCY_SAMPLE_ROWS]
            with ngram_counts_hidden():
                t0 = time.perf_counter()
                model.predict_proba(sample) if prep.spec.classification else model.predict(sample)
                per_row = (time.perf_counter() - t0) / max(len(sample), 1)
    codes = list(range(len(prep.labels))) if prep.labels else None
    scores = score_fold(prep.spec.task, prep.y[test], pred, proba, codes)
    return scores, fit_s, per_row * 1000 * 1000


def _describe(exc: BaseException) -> str:
    """A model's failure in one line: its type and the first line of its message."""
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first}"[:300]


def can_fork() -> bool:
    """Workers are forked so they inherit the prepared data (and text counts) without pickling them. Where
    there is no fork (Windows), the work runs in this process and the budget is checked between units."""
    return "fork" in mp.get_all_start_methods()


NO_FORK_WARNING = ("this platform cannot fork worker processes: models ran one after another in this process, "
                   "and the time budget was checked between folds rather than enforced")


def _run_inline(jobs: list[Callable[[], Any]], timeout: float) -> tuple[list[Any], str, str | None]:
    """run_bounded without processes: each job in turn, the timeout checked after every item."""
    if timeout <= 0.05:
        return [], "timeout", "no budget left"
    deadline = time.monotonic() + timeout
    items: list[Any] = []
    try:
        for job in jobs:
            for item in job():
                items.append(item)
                if time.monotonic() > deadline:
                    return items, "timeout", f"stopped at its {timeout:.1f} s share of the budget"
    except Exception as exc:  # reported as this model's failure, never as a crash of the run
        return items, "failed", _describe(exc)
    return items, "ok", None


# Worker processes and the parent's death. This process's ends of its workers' pipes: a forked worker
# inherits them (its own pipe's and earlier workers') and closes them first thing, or no worker would ever
# read EOF when the parent dies. Weak, so a connection dropped without close() does not linger here.
_PARENT_ENDS: "weakref.WeakSet[Any]" = weakref.WeakSet()
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_prctl: list[Any] = []  # libc's prctl, looked up once in the parent (so workers need not import ctypes)


def _find_prctl() -> Any:
    if not _prctl:
        function = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                function = ctypes.CDLL(None, use_errno=True).prctl
                function.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
                function.restype = ctypes.c_int
            except (ImportError, OSError, AttributeError):  # no ctypes or no libc symbols: the pipes still work
                pass
        _prctl.append(function)
    return _prctl[0]


@contextmanager
def _forking() -> Any:
    """Around each fork: hold Ctrl-C and SIGTERM, so that a new worker never runs the parent's handlers (a
    traceback in the child) before _become_worker sets its own, and so that the parent is not interrupted
    between starting a worker and recording it. Held signals are delivered when the block ends."""
    _find_prctl()
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _become_worker(parent: int) -> None:
    """First thing in a forked worker: end with the parent, leave Ctrl-C to it, and keep off its stdout.

    - Close the inherited parent-side pipe ends, so that a worker reads EOF (or gets EPIPE) once the parent
      is gone, on any platform.
    - On Linux, ask the kernel for SIGKILL when the parent dies (SIGKILL, OOM killer, a caller's timeout),
      even in the middle of a fit; then check the parent is still the one that forked us (it may have died
      before the request took effect).
    - Ignore SIGINT: a terminal's Ctrl-C reaches the whole process group, and the parent stops the workers
      itself. SIGTERM gets its default action (the parent's handler would unwind the worker's loop).
    - Point stdout at /dev/null: a worker never writes there, and must not hold a caller's `out=$(assess …)`.
    """
    for conn in list(_PARENT_ENDS):
        conn.close()
    _PARENT_ENDS.clear()
    prctl = _find_prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)  # on failure the pipes still end the worker
    if os.getppid() != parent:
        os._exit(0)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:  # not the main thread: cannot happen after fork, but never fail a worker for it
        pass
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_SIGNALS)  # held in _forking
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def _reply(conn, message: tuple) -> bool:
    """Send to the parent. False when it is gone (its ends closed: EPIPE), and the worker should end quietly."""
    try:
        conn.send(message)
    except OSError:
        return False
    except Exception as exc:  # a result that does not pickle: this unit's failure
        return _reply(conn, ("error", _describe(exc)))
    return True


def _child(conn, job: Callable[[], Any], parent: int) -> None:
    """Runs in the forked child: streams each finished unit of work back, then 'done'."""
    _become_worker(parent)
    try:
        for item in job():
            if not _reply(conn, ("item", item)):
                return
        _reply(conn, ("done", None))
    except BaseException as exc:  # reported as this model's failure, never as a crash of the run
        _reply(conn, ("error", _describe(exc)))
    finally:
        conn.close()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool_size() -> int:
    return max(1, min(_cores(), MAX_FOLD_WORKERS))


def _serve(conn, compute: Callable[[tuple], Any], parent: int) -> None:
    """A pool worker's loop (in the forked child): one unit in, one result out, until told to stop."""
    _become_worker(parent)
    while True:
        try:
            unit = conn.recv()
        except (EOFError, OSError):  # the parent closed its end, or died
            return
        if unit is None:
            return
        try:
            reply = ("ok", compute(unit))
        except BaseException as exc:  # reported as this model's failure, never as a crash of the run
            reply = ("error", _describe(exc))
        if not _reply(conn, reply):
            return


class _Pool:
    """Forked worker processes fed one unit of work (a fold, a learning-curve point) at a time.

    One pool serves every model, so the next model's folds start as soon as a worker is free instead of
    waiting for the slowest fold of the last one. A unit that runs past its group's time limit is stopped by
    killing its worker, which is replaced. Workers run one BLAS/OpenMP thread each when there are several.
    """

    def __init__(self, compute: Callable[[tuple], Any], size: int):
        self.compute = compute
        self.size = size
        self._context = mp.get_context("fork") if can_fork() else None
        self._idle: list[tuple[Any, Any]] = []
        self._busy: dict[Any, tuple[Any, Any]] = {}  # connection → (connection, process)

    def __enter__(self) -> "_Pool":
        if self._context is not None:
            try:
                for _ in range(self.size):
                    self._spawn()
            except BaseException:  # Ctrl-C while starting: `with` calls no __exit__ for a failed __enter__
                self.__exit__()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        for conn, process in self._idle:  # idle workers are asked to finish
            try:
                conn.send(None)
            except OSError:
                pass
            process.join(timeout=1)
        for conn, process in self._idle + list(self._busy.values()):
            if process.is_alive():  # busy (the run was interrupted) or not answering
                process.kill()
                process.join(timeout=5)
            conn.close()
        self._idle, self._busy = [], {}

    def _spawn(self) -> None:
        """Start a worker and add it to the idle ones."""
        parent, child = self._context.Pipe(duplex=True)
        _PARENT_ENDS.add(parent)
        # Set before forking and inherited: set inside a forked child, OpenBLAS spends ~0.1 s on its threads.
        with threadpool_limits(1 if self.size > 1 else None), _forking():
            process = self._context.Process(target=_serve, args=(child, self.compute, os.getpid()), daemon=True)
            process.start()
            child.close()
            self._idle.append((parent, process))

    def _replace(self, worker: tuple[Any, Any]) -> None:
        """Stop a worker (overrunning, or dead) and start a fresh one in its place."""
        conn, process = worker
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        conn.close()
        self._spawn()

    def run(self, groups: list[tuple[Any, list[tuple], Callable[[], float]]]
            ) -> dict[Any, tuple[list[Any], str, str | None]]:
        """Run each group's units, the groups in order. A group's time limit is asked for (`start()`) when its
        first unit is handed out. Returns, per group key: (results, status ok|timeout|failed, error)."""
        if self._context is None:
            return {key: _run_inline([partial(map, self.compute, units)], start()) for key, units, start in groups}
        results: dict[Any, list[Any]] = {key: [] for key, _, _ in groups}
        state: dict[Any, tuple[str, str | None]] = {key: ("ok", None) for key, _, _ in groups}
        starts = {key: start for key, _, start in groups}
        limits: dict[Any, tuple[float, float]] = {}  # key → (deadline, seconds allowed)
        queue = deque((key, unit) for key, units, _ in groups for unit in units)
        owner: dict[Any, Any] = {}  # busy worker's connection → the group its unit belongs to

        def timed_out(key: Any) -> None:
            if state[key][0] == "ok":
                state[key] = ("timeout", f"stopped at its {limits[key][1]:.1f} s share of the budget")

        while queue or self._busy:
            while queue and self._idle:
                key, unit = queue.popleft()
                if state[key][0] != "ok":
                    continue
                if key not in limits:
                    allowed = starts[key]()
                    limits[key] = (time.monotonic() + allowed, allowed)
                if limits[key][0] - time.monotonic() <= 0.05:
                    timed_out(key)
                    continue
                worker = self._idle.pop()
                worker[0].send(unit)
                self._busy[worker[0]], owner[worker[0]] = worker, key
            if not self._busy:
                continue
            wake = min(limits[key][0] for key in owner.values()) - time.monotonic()
            for conn in wait(list(self._busy), timeout=max(0.0, min(wake, 0.5))):
                worker, key = self._busy.pop(conn), owner.pop(conn)
                try:
                    kind, payload = conn.recv()
                except EOFError:
                    if state[key][0] == "ok":
                        state[key] = ("failed", "worker exited unexpectedly (out of memory?)")
                    self._replace(worker)
                    continue
                self._idle.append(worker)
                if state[key][0] != "ok":
                    continue
                if kind == "ok":
                    results[key].append(payload)
                else:
                    state[key] = ("failed", payload)
            now = time.monotonic()
            for conn, key in list(owner.items()):
                if now >= limits[key][0]:
                    timed_out(key)
                    self._replace(self._busy.pop(conn))
                    del owner[conn]
        return {key: (results[key], *state[key]) for key, _, _ in groups}


class _ModelPlan:
    """How much of the budget each model gets, decided when it starts: what is left (less the learning
    curve's reserve) shared among the models still to run, cheapest first; a model may use slack."""

    def __init__(self, candidates: list[type[Baseline]], deadline: float, reserve: float):
        self.candidates = candidates
        self.deadline = deadline
        self.reserve = reserve

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic() - self.reserve)

    def share(self, index: int) -> float:
        remaining = self.remaining()
        if self.candidates[index].cost == 0:
            return remaining
        return min(remaining, remaining / max(1, len(self.candidates) - index) * (2.0 if index else 1.0))

    def start(self, index: int, label: str, say: Callable[[str], None]) -> float:
        allowed = self.share(index)
        say(f"{label} ({allowed:.0f} s max)")
        return allowed


def run_bounded(jobs: Callable[[], Any] | list[Callable[[], Any]], timeout: float
                ) -> tuple[list[Any], str, str | None]:
    """Run generator-producing jobs, each in its own child process, and stop them all at the timeout.

    Several jobs run side by side with one BLAS/OpenMP thread each, so they do not oversubscribe the cores.
    Returns (items from every job, status, error); a failure in any job fails the whole run.
    """
    if callable(jobs):
        jobs = [jobs]
    if timeout <= 0.05:
        return [], "timeout", "no budget left"
    if not can_fork():
        return _run_inline(jobs, timeout)
    context = mp.get_context("fork")
    workers: dict[Any, Any] = {}
    items: list[Any] = []
    status, error = "ok", None
    try:  # the workers are stopped however this ends, Ctrl-C included
        # The limit is set here, before forking, and inherited: set inside a forked child, OpenBLAS first
        # spends ~0.1 s rebuilding its thread pool.
        with threadpool_limits(1 if len(jobs) > 1 else None):
            for job in jobs:
                parent, child = context.Pipe(duplex=False)
                _PARENT_ENDS.add(parent)
                with _forking():
                    process = context.Process(target=_child, args=(child, job, os.getpid()), daemon=True)
                    process.start()
                    child.close()
                    workers[parent] = process
        deadline = time.monotonic() + timeout
        pending = dict(workers)
        while pending and status == "ok":
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                status, error = "timeout", f"stopped at its {timeout:.1f} s share of the budget"
                break
            for conn in wait(list(pending), timeout=min(remaining, 0.5)):
                try:
                    kind, payload = conn.recv()
                except EOFError:
                    status, error = "failed", "worker exited unexpectedly (out of memory?)"
                    break
                if kind == "item":
                    items.append(payload)
                elif kind == "done":
                    del pending[conn]
                else:
                    status, error = "failed", payload
                    break
    finally:
        for conn, process in workers.items():
            if process.is_alive():
                process.kill()
            process.join(timeout=5)
            conn.close()
    return items, status, error


def primary_metric(task: str, requested: str | None) -> str:
    allowed = REGRESSION_METRICS if task == "regression" else CLASSIFICATION_METRICS
    if requested is None:
        return "r2" if task == "regression" else "accuracy"
    if requested not in allowed:
        raise UserError(Problem(f"metric '{requested}' does not apply to a {task} task; expected one of "
                                f"{', '.join(allowed)}", field="tech.target.metric"))
    return requested


def run_benchmark(ds: Dataset, target: str, options: BenchOptions | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Benchmark the baselines on one dataset. Returns the JSON-ready result."""
    try:
        return _run_benchmark(ds, target, options or BenchOptions(), progress)
    finally:
        NGRAM_COUNTS.clear()  # counts of this dataset's texts; the next run must not see them


def _run_benchmark(ds: Dataset, target: str, options: BenchOptions,
                   progress: Callable[[str], None] | None) -> dict[str, Any]:
    say = progress or (lambda m: None)
    started = options.started or time.monotonic()
    deadline = started + options.budget * SAFETY
    prep = prepare(ds, target, options)
    metric = primary_metric(prep.spec.task, options.target_metric)
    higher = metric not in LOWER_IS_BETTER
    folds = options.folds
    if prep.spec.classification:
        smallest = int(pd.Series(prep.y).value_counts().min())
        if smallest < folds:
            prep.warnings.append(f"smallest class has {smallest} rows: "
                                 f"using {max(2, smallest)}-fold CV instead of {folds}")
            folds = max(2, smallest)
    folds = max(2, min(folds, len(prep.y) // 2))
    splits = _splits(prep, folds, options.seed)
    leak = _cross_fold_duplicates(prep, splits)
    if leak:
        prep.warnings.append(f"{leak:,} test rows have an exact duplicate in their training fold: "
                             "scores may be optimistic (possible leakage)")
    chosen = [c for c in BASELINES if c.applies(prep.spec) and (not options.models or c.__name__ in options.models)]
    candidates = [c for c in chosen if options.models or options.budget >= c.min_budget]
    skipped = [c.name for c in chosen if c not in candidates]
    if skipped:
        prep.warnings.append(f"skipped for the {options.budget:g} s budget: {', '.join(skipped)}")
    candidates.sort(key=lambda c: c.cost)
    _warm_up(prep, splits)
    if not can_fork():
        prep.warnings.append(NO_FORK_WARNING)
    curve_reserve = options.budget * CURVE_SHARE if options.learning_curve else 0.0
    plan = _ModelPlan(candidates, deadline, curve_reserve)
    unfinished = _count_texts(plan, prep, say)  # before the workers fork, so they inherit the counts

    def compute(unit: tuple) -> tuple:
        kind, index, *args = unit  # the model travels as its index: a class may not pickle
        cls = candidates[index]
        if kind == "cv":
            train, test = splits[args[0]]
            return (args[0], *_fit_and_score(cls, prep, train, test))
        size, fold = args  # a learning-curve point: a stratified subset of a training fold
        train, test = splits[fold]
        if size < len(train):
            strat = prep.y[train] if prep.spec.classification else None
            try:
                train, _ = train_test_split(train, train_size=size, random_state=options.seed, stratify=strat)
            except ValueError:
                train, _ = train_test_split(train, train_size=size, random_state=options.seed)
            train = np.sort(train)
        scores, _, _ = _fit_and_score(cls, prep, train, test, timed=False)
        return size, scores.get(metric)

    with _Pool(compute, _pool_size()) as pool:
        outcomes = _cross_validate(pool, plan, prep, folds, unfinished, say)
        models = []
        fold_scores: dict[str, dict[int, float | None]] = {}  # model → fold index → primary metric
        for cls in candidates:
            items, status, error = outcomes[cls]
            items.sort(key=lambda item: item[0])
            fold_scores[cls.name] = {index: scores.get(metric) for index, scores, _, _ in items}
            models.append(_summarise(cls, [item[1:] for item in items], folds, status, error, metric))
        ok = [m for m in models if m["cv_mean"] is not None]
        if not ok:
            raise UserError(Problem(f"no baseline finished within the {options.budget:g} s budget; raise --budget"))
        best = (max if higher else min)(ok, key=lambda m: m["cv_mean"])
        curve = None
        best_index = next(i for i, c in enumerate(candidates) if c.name == best["name"])
        if options.learning_curve and candidates[best_index].cost > 0:  # a dummy has no curve worth fitting
            say(f"learning curve: {best['name']}")
            curve = _learning_curve(pool, best_index, candidates[best_index], prep, splits, metric, higher, options,
                                    deadline, fold_scores.get(best["name"], {}))
    dummy = next((m for m in models if m["name"] == BASELINES[0].name and m["cv_mean"] is not None), None)
    result: dict[str, Any] = {
        "task": prep.spec.task,
        "metric": metric,
        "higher_is_better": higher,
        "target": target,
        "rows_used": len(prep.y),
        "rows_total": prep.rows_total,
        "sampled": prep.sampled,
        "budget": options.budget,
        "seed": options.seed,
        "folds": folds,
        "features": {"numeric": cap_list(prep.spec.numeric), "categorical": cap_list(prep.spec.categorical),
                     "text": cap_list(prep.spec.text)},
        "models": models,
        "best": {"name": best["name"], "score": best["cv_mean"], "ci95": best["cv_ci95"]},
        "dummy": {"name": dummy["name"], "score": dummy["cv_mean"]} if dummy else None,
        "target_metric": options.target_metric,
        "target_score": options.target_score,
        "cross_fold_duplicates": leak,
        "warnings": prep.warnings,
    }
    if curve is not None and target_met(result):
        # The best model already meets the target with the data at hand, whatever the curve's model family
        # would need: the curve must not say otherwise.
        curve.update(reachable=True, data_multiple=min(curve.get("data_multiple") or 1.0, 1.0),
                     note=f"the target is already met by {best['name']} with the data available")
    result["learning_curve"] = curve
    result["answers"] = answer_questions(result)
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def _count_texts(plan: _ModelPlan, prep: Prepared, say: Callable[[str], None]
                 ) -> dict[type[Baseline], tuple[str, str | None]]:
    """Count each text model's n-grams once for every text, in parallel chunks, before the workers fork.

    The folds then read their rows from NGRAM_COUNTS instead of each re-tokenising its texts. Returns the
    models whose counting did not finish (timeout or failure), which then run no folds."""
    unfinished: dict[type[Baseline], tuple[str, str | None]] = {}
    texts: list[str] = []
    rows: dict[str, int] = {}
    chunks: list[np.ndarray] = []
    for cls in plan.candidates:
        key = cls.ngram_key()
        if key is None or key in NGRAM_COUNTS:
            continue
        if not chunks:  # the texts, and their split among workers, are the same for every analyzer
            texts = list(dict.fromkeys(text for column in prep.spec.text for text in _clip_text(prep.X[column])))
            rows = {text: row for row, text in enumerate(texts)}
            chunks = np.array_split(np.arange(len(texts)), _pool_size())
        allowed = plan.remaining() / len(plan.candidates)  # a fair slice: counting must not starve the others
        say(f"{cls.name}: counting n-grams ({allowed:.0f} s max)")

        def job(part: int, key=key, chunks=chunks, texts=texts):
            started = time.perf_counter()
            counts = count_ngrams(key, [texts[i] for i in chunks[part]])
            yield part, counts, time.perf_counter() - started

        items, status, error = run_bounded([partial(job, part) for part in range(len(chunks))], allowed)
        if status == "ok":
            counts = sparse.vstack([matrix for _, matrix, _ in sorted(items, key=lambda item: item[0])], format="csr")
            NGRAM_COUNTS[key] = NgramCounts(rows, counts, sum(seconds for _, _, seconds in items) / max(len(texts), 1))
        else:
            unfinished[cls] = (status, f"stopped while counting n-grams, at its {allowed:.1f} s share of the budget"
                               if status == "timeout" else error)
    return unfinished


def _cross_validate(pool: _Pool, plan: _ModelPlan, prep: Prepared, folds: int,
                    unfinished: dict[type[Baseline], tuple[str, str | None]], say: Callable[[str], None]
                    ) -> dict[type[Baseline], tuple[list[Any], str, str | None]]:
    """k-fold CV of every candidate. Single-threaded models share the pool; a model that uses every core
    itself (large data) runs alone, its folds in sequence."""
    outcomes: dict[type[Baseline], tuple[list[Any], str, str | None]] = {}
    batch: list[tuple[Any, list[tuple], Callable[[], float]]] = []
    for index, cls in enumerate(plan.candidates):
        if cls in unfinished:
            outcomes[cls] = ([], *unfinished[cls])
            continue
        units = [("cv", index, fold) for fold in range(folds)]
        start = partial(plan.start, index, f"{cls.name}: {folds}-fold CV", say)
        if cls.parallel_folds(prep.spec):
            batch.append((cls, units, start))
            continue
        outcomes.update(pool.run(batch))
        batch = []
        outcomes[cls] = run_bounded(partial(map, pool.compute, units), start())
    outcomes.update(pool.run(batch))
    return outcomes


def _warm_up(prep: Prepared, splits: list) -> None:
    """One dummy fit in this process before any fork. scikit-learn imports parts of itself (and narwhals) on
    first use; done here once, the forked workers inherit them instead of each paying ~50 ms."""
    train, test = splits[0]
    try:
        _fit_and_score(BASELINES[0], prep, train[:50], test[:50])
    except Exception:  # a warm-up only; the real run reports any failure
        pass


def _cross_fold_duplicates(prep: Prepared, splits: list) -> int:
    hashes = row_hashes(prep.X).to_numpy()
    count = 0
    for train, test in splits:
        count += int(np.isin(hashes[test], hashes[train]).sum())
    return count


def _summarise(cls: type[Baseline], items: list, folds: int, status: str, error: str | None,
               metric: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": cls.name, "status": status, "error": error, "folds_done": len(items),
                             "cv_mean": None, "cv_ci95": None, "fit_seconds": None, "predict_ms_per_1k": None,
                             "metrics": {}}
    if status != "ok" and len(items) < 2:
        return entry
    if status != "ok":
        entry["error"] = f"{error}; scored on {len(items)} of {folds} folds"
    names = sorted({k for scores, _, _ in items for k in scores})
    for name in names:
        values = [scores[name] for scores, _, _ in items if name in scores]
        mean, ci = _t_interval(values)
        entry["metrics"][name] = {"mean": round(mean, 6), "ci95": [round(ci[0], 6), round(ci[1], 6)] if ci else None}
    if metric in entry["metrics"]:
        entry["cv_mean"] = entry["metrics"][metric]["mean"]
        entry["cv_ci95"] = entry["metrics"][metric]["ci95"]
    entry["fit_seconds"] = round(float(np.mean([f for _, f, _ in items])), 4)
    entry["predict_ms_per_1k"] = round(float(np.mean([p for _, _, p in items])), 3)
    return entry


def _learning_curve(pool: _Pool, model: int, cls: type[Baseline], prep: Prepared, splits: list, metric: str,
                    higher: bool, options: BenchOptions, deadline: float, cv_scores: dict[int, float | None]
                    ) -> dict[str, Any] | None:
    """Scores at geometric subset sizes of the training folds. The largest size is the full training fold,
    whose scores the CV already measured, so it is reused rather than refitted."""
    n_train = min(len(train) for train, _ in splits)
    smallest = max(30, 5 * len(prep.labels or [1]))
    if n_train < 2 * smallest:
        curve = curve_result([], [], options.target_score, n_available=prep.rows_total,
                             note=f"training folds of {n_train:,} rows are too small for a learning curve "
                                  f"(subsets of at least {smallest} rows, halving, {MIN_SIZES} sizes needed)")
        curve.update(model=cls.name, status="skipped")
        return curve
    sizes = sorted({int(round(n_train / 2 ** k)) for k in range(0, 6) if n_train / 2 ** k >= smallest})
    use = range(min(3, len(splits)))
    # The full-size point is the leaderboard's own figure: every CV fold, not the 3 the smaller sizes use, so the
    # chart's last point and the table agree.
    reused = [cv_scores[i] for i in range(len(splits)) if cv_scores.get(i) is not None]
    refit_full = len(reused) < len(splits)
    units = [("curve", model, size, fold) for size in sizes for fold in use if size < n_train or refit_full]
    if cls.parallel_folds(prep.spec):
        items, status, _ = pool.run([(cls, units, lambda: deadline - time.monotonic())])[cls]
    else:
        items, status, _ = run_bounded(partial(map, pool.compute, units), deadline - time.monotonic())
    if not refit_full:
        items += [(n_train, score) for score in reused]
    by_size: dict[int, list[float]] = {}
    for size, score in items:
        if score is not None:
            by_size.setdefault(size, []).append(score)
    for scores in by_size.values():
        scores.sort()  # workers finish in any order; a fixed order keeps the means bit-identical
    # A size counts only when every fold of it finished, so the points are comparable.
    wanted = {s: len(splits) if s == n_train and not refit_full else len(use) for s in sizes}
    done = [s for s in sizes if len(by_size.get(s, [])) == wanted[s]]
    # Rows needed are compared with the rows the venture has (a final model trains on all of them), not with
    # one training fold.
    curve = fit_learning_curve(done, [float(np.mean(by_size[s])) for s in done], metric, higher,
                               options.target_score, n_available=prep.rows_total, seed=options.seed)
    if len(done) < MIN_SIZES:  # same keys as a fitted curve, with nothing fitted
        curve["note"] = (f"training folds of {n_train:,} rows allow only {len(sizes)} size(s) of at least "
                         f"{smallest} rows; a curve needs {MIN_SIZES}" if len(sizes) < MIN_SIZES else
                         "too few sizes finished within the budget to fit a curve")
    curve.update(model=cls.name, status=status)
    return curve


def answer_questions(result: dict[str, Any]) -> list[dict[str, str]]:
    """Plain-language answers to the three questions investors ask."""
    metric, best, dummy = result["metric"], result["best"], result["dummy"]
    lift = lift_over_dummy(result)
    answers = []
    if dummy is None or lift is None:
        learnable = "Unknown: the dummy baseline did not finish."
    elif lift >= 0.3:
        learnable = (f"Yes. {best['name']} reaches {metric} {best['score']:.3f} against {dummy['score']:.3f} for "
                     f"chance, closing {lift:.0%} of the gap to a perfect score.")
    elif lift >= 0.05:
        learnable = (f"Partly. The best baseline ({best['score']:.3f}) beats chance ({dummy['score']:.3f}) but closes "
                     f"only {lift:.0%} of the gap.")
    else:
        learnable = (f"Not with these baselines: the best ({best['score']:.3f}) is no better than chance "
                     f"({dummy['score']:.3f}).")
    answers.append({"question": "Is the task learnable from this data?", "answer": learnable})
    target = result.get("target_score")
    if target is None:
        cheap = "No target stated (tech.target or --target-score), so this cannot be judged."
    elif _meets(result, target):
        cheap = (f"Yes: {best['name']} already reaches {best['score']:.3f} against a target of {target:g}. "
                 "A large model is no moat for this task on its own.")
    else:
        cheap = f"No: the best cheap baseline reaches {best['score']:.3f}, short of the {target:g} target."
    answers.append({"question": "Does a cheap model already meet the target?", "answer": cheap})
    curve = result.get("learning_curve")
    if target is None:
        need = "No target stated."
    elif curve is None or not curve.get("fit"):
        need = f"No learning curve was fitted: {curve['note']}." if curve and curve.get("note") else \
            "No learning curve could be fitted within the budget."
    elif _meets(result, target):
        need = "None: the target is met with the data available."
    elif not curve.get("reachable") and curve.get("note"):
        need = f"Not in practice: {curve['note']}."
    elif not curve.get("reachable"):
        need = (f"Not reachable with this model family: the fitted curve levels off at {curve['asymptote']:.3f} "
                f"({metric}), short of {target:g}.")
    else:
        need = (f"About {curve['rows_for_target']:,} training rows "
                f"({curve['data_multiple']:.1f}× the {curve['n_available']:,} rows the dataset has)")
        interval = curve.get("rows_for_target_interval")
        if interval:
            need += f", 90 % interval {interval[0]:,}–{interval[1]:,}"
        need += "."
        if curve.get("extrapolation_warning"):
            need += " " + curve["extrapolation_warning"]
    if curve and curve.get("backtest_error") is not None:
        need += f" (Back-test error of the curve: {curve['backtest_error']:.3f}.)"
    answers.append({"question": "How much more data would reach the target?", "answer": need})
    return answers


def _meets(result: dict[str, Any], target: float) -> bool:
    score = result["best"]["score"]
    return score >= target if result["higher_is_better"] else score <= target


def target_met(result: dict[str, Any]) -> bool:
    target = result.get("target_score")
    return target is not None and _meets(result, target)


def lift_over_dummy(result: dict[str, Any]) -> float | None:
    dummy = result.get("dummy")
    if not dummy or dummy.get("score") is None:
        return None
    best, chance = result["best"]["score"], dummy["score"]
    if result["higher_is_better"]:
        perfect = 1.0
        return max(0.0, (best - chance) / (perfect - chance)) if perfect > chance else 0.0
    return max(0.0, (chance - best) / chance) if chance > 0 else 0.0


def bench_facts(result: dict[str, Any], include_timings: bool = True) -> Facts:
    facts = Facts()
    add = lambda name, value, note="": facts.add(name, value, origin="benchmark", note=note)  # noqa: E731
    metric = result["metric"]
    add("bench.best_score", result["best"]["score"], f"{metric}, {result['best']['name']}")
    if result.get("dummy"):
        add("bench.dummy_score", result["dummy"]["score"], metric)
    add("bench.lift_over_dummy", lift_over_dummy(result), metric)
    target = result.get("target_score")
    if target is not None:
        gap = (target - result["best"]["score"]) if result["higher_is_better"] else (result["best"]["score"] - target)
        add("bench.gap_to_target", gap, f"{metric} target {target:g}")
        add("bench.meets_target_cheaply", _meets(result, target), result["best"]["name"])
        curve = result.get("learning_curve") or {}
        if _meets(result, target):
            add("bench.data_multiple_for_target", 1.0, "target already met")
        elif curve.get("fit"):
            if curve.get("reachable"):
                add("bench.rows_for_target", curve["rows_for_target"])
                add("bench.data_multiple_for_target", curve["data_multiple"],
                    curve.get("extrapolation_warning") or "")
            else:
                add("bench.data_multiple_for_target", float("1e9"), "not reachable with this model family")
    if include_timings:
        best = next(m for m in result["models"] if m["name"] == result["best"]["name"])
        add("bench.fit_seconds", best.get("fit_seconds"))
    return facts
