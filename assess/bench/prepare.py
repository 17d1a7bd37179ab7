"""Data preparation for the benchmark: the task, the feature columns, a sample that fits the budget, the
cross-validation splits, and the scores of one fold."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from ..caps import join_capped
from ..dataset import Dataset, beyond_float32
from ..errors import Problem, UserError
from .baselines import MAX_TEXT_CHARS, TaskSpec

ROWS_PER_BUDGET_SECOND = 1000  # sampling cap: rows ≈ this × budget, so 5-fold CV fits in the budget


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
        raise UserError(Problem(f"target column '{target}' not found", file=str(ds.path), field="data.target"))
    missing_target = frame[target].isna()
    if missing_target.all():
        raise UserError(Problem(f"target column '{target}' is empty", file=str(ds.path), field="data.target"))
    if missing_target.any():
        notes.append(f"dropped {int(missing_target.sum()):,} rows with no target value")
        frame = frame[~missing_target]
    y_raw = frame[target]
    task = options.task or infer_task(y_raw)
    if task not in ("binary", "multiclass", "regression"):
        raise UserError(Problem(f"expected binary, multiclass or regression, got {task!r}", field="bench.task"))
    if task == "regression":
        y_num = pd.to_numeric(y_raw, errors="coerce")
        if y_num.isna().any():
            raise UserError(Problem(f"target '{target}' has non-numeric values; a regression target must be numeric",
                                    file=str(ds.path), field="data.target"))
        y_series = y_num.astype(float)
    else:
        y_series = y_raw.astype(str)
        if pd.api.types.is_numeric_dtype(y_raw) and options.task is None:
            notes.append(f"numeric target '{target}' treated as {y_raw.nunique()} class labels; "
                         "pass --task regression to override")
        counts = y_series.value_counts()
        if len(counts) < 2:
            raise UserError(Problem(f"target '{target}' has a single class ('{counts.index[0]}'); "
                                    "a classifier needs at least two", file=str(ds.path), field="data.target"))
        lonely = counts[counts < 2]
        if len(lonely):
            notes.append(f"dropped {len(lonely)} class(es) with a single row: {join_capped(lonely.index, 5, quote='')}")
            keep = ~y_series.isin(lonely.index)
            frame, y_series = frame[keep], y_series[keep]
            if y_series.nunique() < 2:
                raise UserError(Problem("fewer than two classes have two or more rows", file=str(ds.path),
                                        field="data.target"))
        if task == "binary" and y_series.nunique() > 2:
            raise UserError(Problem(f"task binary but the target has {y_series.nunique()} classes", field="bench.task"))
    drop = set(options.drop_columns or [])
    declared_text = set(options.text_columns or [])
    unknown = sorted((drop | declared_text) - set(frame.columns))
    if unknown:
        raise UserError(Problem(f"column(s) not in the dataset: {', '.join(unknown)}", file=str(ds.path),
                                field="data.text_columns"))
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
    assert labels is not None  # classification always has its class codes
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
