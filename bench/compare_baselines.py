"""Side-by-side: `assess bench` against LazyPredict and FLAML, all scored under the same 5-fold CV.

Run it in its own environment; LazyPredict and FLAML are never dependencies of assess:

    python3 -m venv --system-site-packages /tmp/benchenv
    /tmp/benchenv/bin/pip install lazypredict flaml
    /tmp/benchenv/bin/python bench/compare_baselines.py --sms ../shared/datasets/sms_spam.csv --out bench/results

Datasets: scikit-learn's bundled breast-cancer, digits, wine (classification) and diabetes (regression), and the
SMS Spam Collection given by path. For each dataset:
- assess: `assess bench DATA --target T --budget B --format json` in a subprocess (wall time includes start-up);
- LazyPredict: LazyClassifier/LazyRegressor on each of the same 5 folds; the best model's mean over folds;
- FLAML: AutoML(time_budget=30) fitted on each training fold, scored on the held-out fold.
Metric: accuracy (classification) or R² (regression). Wall time per tool per dataset is recorded: for assess and
LazyPredict the median of --repeats runs (default 3), interleaved so both meet the same machine conditions.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold

SEED = 0


def bundled(name: str) -> tuple[pd.DataFrame, str, str]:
    loader = {"breast_cancer": datasets.load_breast_cancer, "digits": datasets.load_digits,
              "wine": datasets.load_wine, "diabetes": datasets.load_diabetes}[name]
    frame = loader(as_frame=True).frame
    task = "regression" if name == "diabetes" else "classification"
    return frame, "target", task


def folds(y: pd.Series, task: str) -> list[tuple[np.ndarray, np.ndarray]]:
    splitter = (StratifiedKFold(5, shuffle=True, random_state=SEED) if task == "classification"
                else KFold(5, shuffle=True, random_state=SEED))
    return list(splitter.split(np.zeros(len(y)), y))


def run_assess(csv: Path, target: str, budget: float, task: str) -> dict:
    args = [sys.executable, "-m", "assess", "bench", str(csv), "--target", target, "--budget", str(budget),
            "--format", "json", "-q"]
    if task == "regression":
        args += ["--task", "regression"]
    started = time.monotonic()
    proc = subprocess.run(args, capture_output=True, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        return {"tool": "assess", "wall_s": wall, "error": proc.stderr.strip()[-300:]}
    result = json.loads(proc.stdout)
    return {"tool": "assess", "wall_s": wall, "best": result["best"]["name"], "score": result["best"]["score"],
            "ci95": result["best"]["ci95"], "rows": result["rows_used"],
            "statuses": {m["name"]: m["status"] for m in result["models"]}}


def _lazy_worker(frame, target, task, splits, queue):
    try:
        _lazy_folds(frame, target, task, splits, queue)
    except BaseException as exc:  # report the competitor's failure instead of leaving the parent waiting
        queue.put({"error": f"{type(exc).__name__}: {exc}"[:300]})


def _lazy_folds(frame, target, task, splits, queue):
    warnings.filterwarnings("ignore")
    from lazypredict.Supervised import LazyClassifier, LazyRegressor

    X, y = frame.drop(columns=[target]), frame[target]
    per_model: dict[str, list[float]] = {}
    errors = set()
    for train, test in splits:
        model = (LazyClassifier if task == "classification" else LazyRegressor)(verbose=0, ignore_warnings=True,
                                                                                 random_state=SEED)
        scores, _ = model.fit(X.iloc[train], X.iloc[test], y.iloc[train], y.iloc[test])
        column = "Accuracy" if task == "classification" else "R-Squared"
        for name, value in scores[column].items():
            per_model.setdefault(name, []).append(float(value))
        errors.add(len(scores))
    complete = {k: float(np.mean(v)) for k, v in per_model.items() if len(v) == len(splits)}
    best = max(complete, key=complete.get)
    queue.put({"best": best, "score": complete[best], "models_scored": sorted(errors)})


def run_lazypredict(frame: pd.DataFrame, target: str, task: str, timeout: float) -> dict:
    splits = folds(frame[target], task)
    # spawn, not fork: FLAML's LightGBM/OpenMP threads in this process would deadlock a forked child.
    context = mp.get_context("spawn")
    queue = context.Queue()
    proc = context.Process(target=_lazy_worker, args=(frame, target, task, splits, queue))
    started = time.monotonic()
    proc.start()
    try:
        result = queue.get(timeout=timeout)  # read before join: a large result would block the child's exit
    except Exception:
        result = None
    wall = time.monotonic() - started
    proc.join(5)
    if proc.is_alive():
        proc.kill()
    if result is None:
        reason = f"did not finish within {timeout:.0f} s" if wall >= timeout else f"crashed (exit code {proc.exitcode})"
        return {"tool": "lazypredict", "wall_s": wall, "error": reason}
    return {"tool": "lazypredict", "wall_s": wall, **result}


def run_flaml(frame: pd.DataFrame, target: str, task: str, time_budget: float) -> dict:
    warnings.filterwarnings("ignore")
    from flaml import AutoML

    X, y = frame.drop(columns=[target]), frame[target]
    scores, chosen = [], []
    started = time.monotonic()
    try:
        for train, test in folds(y, task):
            automl = AutoML()
            automl.fit(X.iloc[train], y.iloc[train],
                       task="classification" if task == "classification" else "regression",
                       time_budget=time_budget, seed=SEED, verbose=0)
            pred = automl.predict(X.iloc[test])
            scores.append(accuracy_score(y.iloc[test], pred) if task == "classification"
                          else r2_score(y.iloc[test], pred))
            chosen.append(automl.best_estimator)
    except Exception as exc:  # report, do not hide, a competitor's failure
        return {"tool": "flaml", "wall_s": time.monotonic() - started, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"tool": "flaml", "wall_s": time.monotonic() - started, "best": ",".join(sorted(set(chosen))),
            "score": float(np.mean(scores))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sms", type=Path, help="path to sms_spam.csv (columns type,text)")
    parser.add_argument("--datasets", nargs="*", default=["breast_cancer", "digits", "wine", "diabetes"])
    parser.add_argument("--budget", type=float, default=30.0, help="assess --budget")
    parser.add_argument("--flaml-budget", type=float, default=30.0, help="FLAML time_budget per fold")
    parser.add_argument("--lazy-timeout", type=float, default=900.0)
    parser.add_argument("--tools", nargs="*", default=["assess", "lazypredict", "flaml"])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of assess and LazyPredict (median)")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [(name, *bundled(name)) for name in args.datasets]
    if args.sms:
        jobs.append(("sms_spam", pd.read_csv(args.sms), "type", "classification"))
    rows = []
    for name, frame, target, task in jobs:
        csv = args.out / f"{name}.csv"
        frame.to_csv(csv, index=False)
        runs: dict[str, list[dict]] = {}
        # Timed tools run `--repeats` times, interleaved (assess, LazyPredict, assess, …) so that both meet the
        # same machine conditions; the median wall time is reported. FLAML has a fixed time budget: run once.
        order = [t for t in args.tools if t != "flaml"] * args.repeats + [t for t in args.tools if t == "flaml"]
        for tool in order:
            print(f"{name}: {tool} …", file=sys.stderr, flush=True)
            if tool == "assess":
                row = run_assess(csv, target, args.budget, task)
            elif tool == "lazypredict":
                row = run_lazypredict(frame, target, task, args.lazy_timeout)
            else:
                row = run_flaml(frame, target, task, args.flaml_budget)
            runs.setdefault(tool, []).append(row)
        for _tool, results in runs.items():
            row = dict(results[0])
            walls = [r["wall_s"] for r in results]
            row.update(wall_s=float(np.median(walls)), wall_runs=walls, dataset=name, rows=len(frame),
                       metric="accuracy" if task == "classification" else "r2")
            rows.append(row)
            print(json.dumps(row), flush=True)
        csv.unlink()
    (args.out / "compare.json").write_text(json.dumps({"machine": platform.uname()._asdict(), "cpus": os.cpu_count(),
                                                       "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
