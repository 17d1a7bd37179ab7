"""The benchmark protocol: stratified k-fold CV with a hard time budget, then a learning curve.

Folds and learning-curve points run in forked worker processes (one pool for the whole run, one worker per
core), so a model that would overrun its share of the budget is stopped by killing its worker, and the folds
it finished are kept. Results cross the process boundary as plain tuples.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import stdtrit  # Student-t quantile, without importing all of scipy.stats
from sklearn.model_selection import train_test_split

from ..caps import cap_list
from ..dataset import Dataset, row_hashes
from ..errors import Problem, UserError
from ..i18n import N_, Message
from .answers import answer_questions, target_met
from .baselines import BASELINES, Baseline, NgramCounts, TextCache, _clip_text, count_ngrams
from .curve import MIN_SIZES, curve_result, fit_learning_curve
from .prepare import BenchOptions, Prepared, _splits, prepare, score_fold
from .workers import NO_FORK_WARNING, WorkerPool, _pool_size, can_fork, one, run_bounded

__all__ = ["BenchOptions", "run_benchmark"]  # what callers import from here (BenchOptions is defined in prepare)

log = logging.getLogger(__name__)

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc")
REGRESSION_METRICS = ("r2", "mae", "rmse")
LOWER_IS_BETTER = {"mae", "rmse"}
CURVE_SHARE = 0.2  # share of the budget kept for the learning curve
SAFETY = 0.9  # the engine plans to finish by this share of the budget
LATENCY_SAMPLE_ROWS = 256  # text models time prediction on this many fresh (tokenised) test rows per fold


def _t_interval(values: list[float]) -> tuple[float, tuple[float, float] | None]:
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    if len(arr) < 2:
        return mean, None
    half = float(stdtrit(len(arr) - 1, 0.975) * arr.std(ddof=1) / math.sqrt(len(arr)))
    return mean, (mean - half, mean + half)


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
        if proba is not None and prep.labels is not None:  # a fold may lack a class: give every class its column
            classes = getattr(model.model, "classes_", np.arange(len(prep.labels)))
            full = np.zeros((len(test), len(prep.labels)))
            full[:, np.asarray(classes, dtype=int)] = proba
            proba = full
            pred = proba.argmax(axis=1)
        else:
            pred = model.predict(X_test)
        per_row = (time.perf_counter() - t0) / max(len(test), 1)
        key = cls.ngram_key()
        cache = prep.spec.cache
        if timed and cache is not None and key in cache.ngrams:
            fit_s += cache.ngrams[key].seconds_per_text * len(train) * len(prep.spec.text)  # its share of counting
            sample = X_test.iloc[:LATENCY_SAMPLE_ROWS]
            with cache.ngrams_hidden():
                t0 = time.perf_counter()
                model.predict_proba(sample) if prep.spec.classification else model.predict(sample)
                per_row = (time.perf_counter() - t0) / max(len(sample), 1)
    codes = list(range(len(prep.labels))) if prep.labels else None
    scores = score_fold(prep.spec.task, prep.y[test], pred, proba, codes)
    return scores, fit_s, per_row * 1000 * 1000


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
    cache = TextCache()  # this run's text counts and embeddings, handed to its models when they are built
    try:
        return _run_benchmark(ds, target, options or BenchOptions(), progress, cache)
    finally:
        cache.clear()  # the texts of this dataset: nothing outlives the run


def _run_benchmark(ds: Dataset, target: str, options: BenchOptions,
                   progress: Callable[[str], None] | None, cache: TextCache) -> dict[str, Any]:
    say = progress or (lambda m: None)
    started = options.started or time.monotonic()
    deadline = started + options.budget * SAFETY
    prep = prepare(ds, target, options)
    prep.spec.cache = cache
    metric = primary_metric(prep.spec.task, options.target_metric)
    higher = metric not in LOWER_IS_BETTER
    folds = options.folds
    if prep.spec.classification:
        smallest = int(pd.Series(prep.y).value_counts().min())
        if smallest < folds:
            prep.warnings.append(Message(N_("smallest class has {rows} rows: using {used}-fold CV instead of {folds}"),
                                         rows=smallest, used=max(2, smallest), folds=folds))
            folds = max(2, smallest)
    folds = max(2, min(folds, len(prep.y) // 2))
    splits = _splits(prep, folds, options.seed)
    leak = _cross_fold_duplicates(prep, splits)
    if leak:
        prep.warnings.append(Message(N_("{rows} test rows have an exact duplicate in their training fold: scores may "
                                        "be optimistic (possible leakage)"), rows=f"{leak:,}"))
    chosen = [c for c in BASELINES if c.applies(prep.spec) and (not options.models or c.__name__ in options.models)]
    candidates = [c for c in chosen if options.models or options.budget >= c.min_budget]
    skipped = [c.name for c in chosen if c not in candidates]
    if skipped:
        prep.warnings.append(Message(N_("skipped for the {budget} s budget: {models}"), budget=f"{options.budget:g}",
                                     models=", ".join(skipped)))
    candidates.sort(key=lambda c: c.cost)
    _warm_up(prep, splits)
    if not can_fork():
        prep.warnings.append(NO_FORK_WARNING)
    curve_reserve = options.budget * CURVE_SHARE if options.learning_curve else 0.0
    plan = _ModelPlan(candidates, deadline, curve_reserve)
    unfinished = _count_texts(plan, prep, cache, say)  # before the workers fork, so they inherit the counts

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

    with WorkerPool(one(compute), _pool_size()) as pool:
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
    finished = sum(1 for m in ok if m["name"] != BASELINES[0].name)
    if not finished:
        prep.warnings.append(Message(N_("only the dummy baseline finished within the {budget} s budget: whether the "
                                        "task is learnable is unknown; raise --budget"),
                                     budget=f"{options.budget:g}"))
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
        "baselines_finished": finished,  # models beyond the dummy with a score
        "target_metric": options.target_metric,
        "target_score": options.target_score,
        "cross_fold_duplicates": leak,
        "warnings": prep.warnings,
    }
    if curve is not None and target_met(result):
        # The best model already meets the target with the data at hand, whatever the curve's model family
        # would need: the curve must not say otherwise.
        curve.update(reachable=True, data_multiple=min(curve.get("data_multiple") or 1.0, 1.0),
                     note=Message(N_("the target is already met by {model} with the data available"),
                                  model=best["name"]))
    result["learning_curve"] = curve
    result["answers"] = answer_questions(result)
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def _count_texts(plan: _ModelPlan, prep: Prepared, cache: TextCache, say: Callable[[str], None]
                 ) -> dict[type[Baseline], tuple[str, str | None]]:
    """Count each text model's n-grams once for every text, in parallel chunks, before the workers fork.

    The folds then read their rows from the run's cache instead of each re-tokenising its texts. Returns the
    models whose counting did not finish (timeout or failure), which then run no folds."""
    unfinished: dict[type[Baseline], tuple[str, str | None]] = {}
    texts: list[str] = []
    rows: dict[str, int] = {}
    chunks: list[np.ndarray] = []
    for cls in plan.candidates:
        key = cls.ngram_key()
        if key is None or key in cache.ngrams:
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
            per_text = sum(seconds for _, _, seconds in items) / max(len(texts), 1)
            cache.ngrams[key] = NgramCounts(rows, counts, per_text)
        else:
            unfinished[cls] = (status, f"stopped while counting n-grams, at its {allowed:.1f} s share of the budget"
                               if status == "timeout" else error)
    return unfinished


def _cross_validate(pool: WorkerPool, plan: _ModelPlan, prep: Prepared, folds: int,
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
        outcomes[cls] = pool.alone(units, start())
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


def _learning_curve(pool: WorkerPool, model: int, cls: type[Baseline], prep: Prepared, splits: list, metric: str,
                    higher: bool, options: BenchOptions, deadline: float, cv_scores: dict[int, float | None]
                    ) -> dict[str, Any] | None:
    """Scores at geometric subset sizes of the training folds. The largest size is the full training fold,
    whose scores the CV already measured, so it is reused rather than refitted."""
    n_train = min(len(train) for train, _ in splits)
    smallest = max(30, 5 * len(prep.labels or [1]))
    if n_train < 2 * smallest:
        curve = curve_result([], [], options.target_score, n_available=prep.rows_total,
                             note=Message(N_("training folds of {rows} rows are too small for a learning curve "
                                             "(subsets of at least {smallest} rows, halving, {needed} sizes needed)"),
                                          rows=f"{n_train:,}", smallest=smallest, needed=MIN_SIZES))
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
        items, status, _ = pool.alone(units, deadline - time.monotonic())
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
        curve["note"] = (Message(N_("training folds of {rows} rows allow only {sizes} size(s) of at least {smallest} "
                                    "rows; a curve needs {needed}"), rows=f"{n_train:,}", sizes=len(sizes),
                                 smallest=smallest, needed=MIN_SIZES) if len(sizes) < MIN_SIZES else
                         Message(N_("too few sizes finished within the budget to fit a curve")))
    curve.update(model=cls.name, status=status)
    return curve
