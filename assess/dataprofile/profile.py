"""The data-readiness profile: one pass over the loaded dataset, producing facts for the data rubric."""

from __future__ import annotations

import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..caps import MAX_LISTED, cap_list, cap_shares, join_capped, more_marker
from ..dataset import Dataset, beyond_float32, row_hashes
from ..facts import Facts

if TYPE_CHECKING:  # kept out of the benchmark's start-up, which only needs the type inference here
    from ..project import Project

DATASHEET_SECTIONS = ("motivation", "composition", "collection", "preprocessing", "uses", "distribution",
                      "maintenance")
LEAKAGE_AUC = 0.98
LEAKAGE_R2 = 0.98
MAX_LEAKAGE_ROWS = 20_000
MAX_LEAKAGE_COLUMNS = 60
SMALL_CLASS = 20
TYPE_SAMPLE_CHARS = 1000  # type inference reads the start of each sampled cell: a 1 MB cell costs no more


def is_classification(target: pd.Series) -> bool:
    """Numbers with many distinct values are a regression target; everything else is labels."""
    if pd.api.types.is_bool_dtype(target) or not pd.api.types.is_numeric_dtype(target):
        return True
    values = target.dropna()
    unique = values.nunique()
    if pd.api.types.is_float_dtype(values) and not np.allclose(values, np.round(values)):
        return False
    return unique <= max(20, int(0.01 * len(values)))


def infer_type(series: pd.Series, unique: int | None = None) -> str:
    """numeric, categorical, text, datetime, id-like or empty. `unique` (non-null distinct values) saves a pass."""
    n = len(series)
    values = series.dropna()
    if values.empty:
        return "empty"
    if pd.api.types.is_bool_dtype(series):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        if pd.api.types.is_integer_dtype(values) and n > 50:
            unique = values.nunique() if unique is None else unique
            ordered = values.is_monotonic_increasing or values.is_monotonic_decreasing
            if unique == len(values) and (ordered or str(series.name).lower().endswith("id")):
                return "id-like"
        return "numeric"
    sample = values.head(2000).astype(str).str.slice(0, TYPE_SAMPLE_CHARS)
    mean_len = sample.str.len().mean()
    mean_words = sample.str.count(r"\s+").mean() + 1
    if mean_len >= 25 and mean_words >= 4:
        return "text"
    unique = values.nunique() if unique is None else unique
    if unique > 0.95 * len(values) and len(values) > 50:
        return "id-like"
    if sample.str.match(r"^\d{4}-\d{2}-\d{2}").mean() > 0.9:
        return "datetime"
    return "categorical"


def _feature_codes(series: pd.Series, kind: str) -> np.ndarray:
    if kind == "numeric":
        values = pd.to_numeric(series, errors="coerce")
        values = values.mask(beyond_float32(values))  # the tree works in float32: 1e308 would overflow it
        return values.fillna(-1e18).to_numpy(dtype=float).reshape(-1, 1)
    codes, _ = pd.factorize(series.astype(str), sort=True)
    return codes.astype(float).reshape(-1, 1)


def leakage_suspects(frame: pd.DataFrame, target: str, types: dict[str, str], classification: bool,
                     seed: int = 0, deadline: float | None = None, progress: dict | None = None
                     ) -> list[dict[str, Any]]:
    """Single features that predict the target almost perfectly under 3-fold CV of a shallow tree.
    Stops at `deadline` (time.monotonic()); `progress`, if given, receives the columns checked and due."""
    from sklearn.metrics import r2_score, roc_auc_score
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    data = frame[frame[target].notna()]
    if len(data) > MAX_LEAKAGE_ROWS:
        data = data.sample(n=MAX_LEAKAGE_ROWS, random_state=seed)
    y = data[target]
    if classification:
        y = y.astype(str)
        counts = y.value_counts()
        if len(counts) < 2 or counts.min() < 3:
            return []
        cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    else:
        cv = KFold(n_splits=3, shuffle=True, random_state=seed)
    suspects = []
    candidates = [c for c in data.columns if c != target and types.get(c) in ("numeric", "categorical", "id-like")]
    due = candidates[:MAX_LEAKAGE_COLUMNS]
    if progress is not None:
        progress.update(checked=0, due=len(due))
    for column in due:
        if deadline is not None and time.monotonic() > deadline:
            break
        if progress is not None:
            progress["checked"] += 1
        x = _feature_codes(data[column], "numeric" if types[column] == "numeric" else "categorical")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if classification:
                model = DecisionTreeClassifier(max_depth=6, random_state=seed)
                proba = cross_val_predict(model, x, y, cv=cv, method="predict_proba")
                classes = np.unique(y)
                if len(classes) == 2:
                    score = roc_auc_score((y == classes[1]).astype(int), proba[:, 1])
                else:
                    score = roc_auc_score(y, proba, multi_class="ovr", average="weighted", labels=classes)
                metric, threshold = "ROC-AUC", LEAKAGE_AUC
            else:
                model = DecisionTreeRegressor(max_depth=6, random_state=seed)
                pred = cross_val_predict(model, x, y.astype(float), cv=cv)
                score, metric, threshold = r2_score(y.astype(float), pred), "R²", LEAKAGE_R2
        if score > threshold:
            suspects.append({"column": column, "metric": metric, "score": round(float(score), 4)})
    return suspects


def datasheet_status(project: Project) -> dict[str, Any]:
    sheet = project.data.datasheet
    answered = [s for s in DATASHEET_SECTIONS if sheet is not None and (getattr(sheet, s) or "").strip()]
    return {"answered": answered, "missing": [s for s in DATASHEET_SECTIONS if s not in answered],
            "completeness": len(answered) / len(DATASHEET_SECTIONS)}


def license_status(project: Project) -> tuple[dict[str, Any], str]:
    from .license import classify_license, commercial_use_verdict

    license = classify_license(project.data.license)
    verdict, reasons = commercial_use_verdict(license, project.data.source, project.data.commercial_use_allowed)
    license["reasons"] = reasons
    if project.data.personal_data and project.data.consent is not True:
        license["reasons"].append("personal data without recorded consent")
    return license, verdict


def readiness(profile: dict[str, Any]) -> tuple[str, list[str]]:
    """Data Readiness Level in the spirit of Lawrence (2017): C accessible, B faithful, A fit for the task."""
    reasons = ["C: the data loads and can be profiled"]
    faithful = []
    if profile["missing_rate"] > 0.2:
        faithful.append(f"missing cells {profile['missing_rate']:.0%} > 20 %")
    if profile["duplicate_rate"] > 0.1:
        faithful.append(f"duplicate rows {profile['duplicate_rate']:.0%} > 10 %")
    if profile["label_conflicts"] > 0.01 * profile["rows"]:
        faithful.append(f"{profile['label_conflicts']} label conflicts > 1 % of rows")
    if profile["leakage_suspects"]:
        faithful.append("leakage suspects present")
    if profile["commercial_use"] == "forbidden":
        faithful.append("may not be used commercially")
    bad_numbers = (profile.get("non_finite_values") or {}).get("cells", 0)  # infinite, or beyond float32
    if bad_numbers:
        faithful.append(f"{bad_numbers:,} infinite or out-of-range numbers")
    if faithful:
        return "C", reasons + ["not B: " + "; ".join(faithful)]
    reasons.append("B: quality checks pass (missing, duplicates, label noise, leakage, license)")
    fit = []
    if profile["rows"] < 500:
        fit.append(f"only {profile['rows']} rows")
    if profile.get("minority_share") is not None and profile["minority_share"] < 0.05:
        fit.append(f"minority class {profile['minority_share']:.1%} < 5 %")
    if profile["datasheet"]["completeness"] < 4 / 7:
        fit.append("datasheet under 4 of 7 sections")
    if fit:
        return "B", reasons + ["not A: " + "; ".join(fit)]
    return "A", reasons + ["A: enough rows, usable class balance, documented"]


def _capped_columns(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most MAX_LISTED column entries: those with the most missing cells (for the chart), in file order."""
    if len(columns) <= MAX_LISTED:
        return columns
    chosen = sorted(range(len(columns)), key=lambda i: (-columns[i]["missing_share"], i))[:MAX_LISTED]
    return [columns[i] for i in sorted(chosen)]


def _capped_suspects(suspects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    suspects = sorted(suspects, key=lambda s: -s["score"])
    if len(suspects) <= MAX_LISTED:
        return suspects
    rest = suspects[MAX_LISTED:]
    return suspects[:MAX_LISTED] + [{"column": more_marker(len(rest)), "metric": rest[0]["metric"],
                                     "score": rest[0]["score"]}]


def profile_dataset(ds: Dataset, target: str, project: Project | None = None, *, seed: int = 0,
                    text_columns: list[str] | None = None, pii_rows: int = 10_000,
                    deadline: float | None = None) -> dict[str, Any]:
    """Profile the loaded dataset. `project` supplies license, source and datasheet answers (may be None).

    Every list of values drawn from the data (classes, column names) is capped at MAX_LISTED entries plus
    "… and N more", with the true count beside it. At `deadline` (time.monotonic()) the optional checks
    (leakage, personal data) stop early and the notes say so."""
    from ..project import Project
    from .pii import scan_frame

    project = project or Project(name="dataset")
    frame = ds.frame
    rows = len(frame)
    declared_text = set(text_columns or project.data.text_columns or [])
    missing = frame.isna().mean()
    types: dict[str, str] = {}
    columns = []
    for c in frame.columns:
        counts = frame[c].value_counts(dropna=False)  # one pass gives distinct values and the top share
        unique = int(counts[counts.index.notna()].size)
        types[c] = "text" if c in declared_text else infer_type(frame[c], unique)
        columns.append({"name": c, "type": types[c], "missing_share": round(float(missing[c]), 4),
                        "unique": unique, "top_share": round(float(counts.iloc[0]) / rows, 4) if rows else 0.0})
    huge = {c: int(beyond_float32(frame[c]).sum()) for c in frame.columns if pd.api.types.is_float_dtype(frame[c])}
    huge = {c: n for c, n in huge.items() if n}
    row_hash = row_hashes(frame)
    duplicate_rows = int(row_hash.duplicated().sum())
    features = [c for c in frame.columns if c != target]
    text_cols = [c for c in features if types[c] == "text"]
    key_cols = text_cols or features
    label_conflicts = 0
    duplicate_inputs = 0
    if key_cols:
        key_hash = row_hashes(frame[key_cols])
        duplicate_inputs = int(key_hash.duplicated().sum())
        labels = frame[target].astype(str)
        per_key = pd.DataFrame({"k": key_hash.to_numpy(), "y": labels.to_numpy()}).groupby("k")["y"].nunique()
        label_conflicts = int((per_key > 1).sum())
    classification = is_classification(frame[target])
    balance = minority = None
    small_classes: list[str] = []
    if classification:
        shares = frame[target].astype(str).value_counts(normalize=True)
        counts = frame[target].astype(str).value_counts()
        balance = {str(k): round(float(v), 4) for k, v in shares.items()}
        minority = float(shares.min()) if len(shares) else None
        small_classes = [str(k) for k, v in counts.items() if v < SMALL_CLASS]
    constant = [c["name"] for c in columns if c["unique"] <= 1]
    near_constant = [c["name"] for c in columns if c["unique"] > 1 and c["top_share"] >= 0.99]
    id_like = [c for c in features if types[c] == "id-like"]
    leakage_progress: dict[str, int] = {}
    suspects = leakage_suspects(frame, target, types, classification, seed=seed, deadline=deadline,
                                progress=leakage_progress) if features else []
    string_cols = [c for c in features if types[c] in ("text", "categorical", "id-like")
                   and not pd.api.types.is_numeric_dtype(frame[c])]
    pii = scan_frame(frame, string_cols, max_rows=pii_rows, seed=seed, deadline=deadline)
    license, verdict = license_status(project)
    notes = list(ds.notes) + list(ds.warnings)
    if huge:
        notes.append(f"{sum(huge.values()):,} numbers beyond ±3.4e38 (the float32 range models use) in column(s) "
                     f"{join_capped(huge)}")
    if pii["sampled"]:
        notes.append(f"personal-data scan sampled {pii['rows_scanned']:,} of {rows:,} rows")
    if leakage_progress and leakage_progress["checked"] < leakage_progress["due"]:
        notes.append(f"leakage check stopped at the time budget after {leakage_progress['checked']} of "
                     f"{leakage_progress['due']} columns; raise --budget for the rest")
    if not pii["complete"]:
        notes.append("personal-data scan stopped at the time budget before every column was scanned; "
                     "raise --budget for the rest")
    profile: dict[str, Any] = {
        "rows": rows,
        "target": target,
        "task": "classification" if classification else "regression",
        "columns": _capped_columns(columns),
        "column_count": len(columns),
        "missing_rate": round(float(frame.isna().to_numpy().mean()) if frame.size else 0.0, 4),
        "duplicate_rows": duplicate_rows,
        "duplicate_rate": round(duplicate_rows / rows, 4) if rows else 0.0,
        "duplicate_inputs": duplicate_inputs,
        "label_conflicts": label_conflicts,
        "class_balance": cap_shares(balance) if balance is not None else None,
        "classes": len(balance) if balance is not None else None,
        "minority_share": round(minority, 4) if minority is not None else None,
        "small_classes": cap_list(small_classes),
        "small_class_count": len(small_classes),
        "constant_columns": cap_list(constant),
        "near_constant_columns": cap_list(near_constant),
        "id_like_columns": cap_list(id_like),
        "leakage_suspects": _capped_suspects(suspects),
        "leakage_suspect_count": len(suspects),
        "non_finite_values": {"cells": sum(ds.non_finite.values()) + sum(huge.values()),
                              "infinite": sum(ds.non_finite.values()), "beyond_float32": sum(huge.values()),
                              "columns": cap_list([c for c in frame.columns if c in ds.non_finite or c in huge])},
        "pii": pii,
        "license": license,
        "commercial_use": verdict,
        "datasheet": datasheet_status(project),
        "notes": notes,
    }
    level, reasons = readiness(profile)
    profile["readiness_level"] = level
    profile["readiness_reasons"] = reasons
    return profile


def profile_facts(profile: dict[str, Any]) -> Facts:
    facts = Facts()
    add = lambda name, value, note="": facts.add(name, value, origin="data profile", note=note)  # noqa: E731
    add("data.rows", profile["rows"])
    add("data.missing_rate", profile["missing_rate"])
    add("data.duplicate_rate", profile["duplicate_rate"])
    add("data.label_conflicts", profile["label_conflicts"])
    add("data.minority_share", profile["minority_share"])
    add("data.leakage_suspects", profile.get("leakage_suspect_count", len(profile["leakage_suspects"])),
        ", ".join(s["column"] for s in profile["leakage_suspects"]))
    add("data.pii_rate", profile["pii"]["rate"], "sampled" if profile["pii"]["sampled"] else "")
    add("data.pii_columns", profile["pii"].get("column_count", len(profile["pii"]["columns"])))
    add("data.commercial_use", profile["commercial_use"])
    add("data.datasheet_completeness", profile["datasheet"]["completeness"])
    add("data.readiness_level", profile["readiness_level"])
    return facts


def declared_data_facts(project: Project) -> Facts:
    """Without a dataset only the declared terms can be judged: license and datasheet."""
    facts = Facts()
    d = project.data
    if d.license or d.source or d.commercial_use_allowed is not None:
        _, verdict = license_status(project)
        facts.add("data.commercial_use", verdict, origin="data profile", note="declared, no dataset given")
    if d.datasheet is not None:
        facts.add("data.datasheet_completeness", datasheet_status(project)["completeness"], origin="data profile")
    return facts
