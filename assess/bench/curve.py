"""Learning-curve fit: err(n) = a·n^(−b) + c by weighted least squares (larger n weigh more), with a back-test.

err is 1 − score for metrics where higher is better, and the score itself for error metrics (MAE, RMSE).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..i18n import N_, Message

MAX_EXTRAPOLATION = 10.0
MAX_ROWS = 1e12  # beyond this the curve's answer is "not in practice", and it must not overflow an int


def _power_law(n, a, b, c):
    return a * np.power(n, -b) + c


def _fit(sizes: np.ndarray, errors: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    from scipy.optimize import curve_fit  # imported here: it is slow to import and only the curve needs it

    upper_c = max(float(errors.min()), 1e-9)
    p0 = [max(float(errors[0] - errors[-1]), 1e-3) * sizes[0] ** 0.5, 0.5, upper_c * 0.5]
    # Weight larger n more (Figueroa et al. 2012): sigma ∝ 1/√n.
    sigma = 1.0 / np.sqrt(sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            params, cov = curve_fit(_power_law, sizes, errors, p0=p0, sigma=sigma, maxfev=20000,
                                    bounds=([0.0, 0.0, 0.0], [np.inf, 3.0, upper_c]))
        except (RuntimeError, ValueError):
            return None
    return params, cov


def _rows_for(err_target: float, a: float, b: float, c: float) -> float | None:
    if err_target <= c or a <= 0 or b <= 0:
        return None
    log_rows = (math.log(a) - math.log(err_target - c)) / b  # in logs: a tiny b overflows the power
    return math.exp(log_rows) if log_rows <= math.log(MAX_ROWS) else None


MIN_SIZES = 3  # the power law has three parameters


def curve_result(sizes: list[int], scores: list[float], target: float | None, *, n_available: int,
                 note: str | None = None) -> dict[str, Any]:
    """A learning curve with every key a report may read, those not measured or fitted set to None.

    Every curve the engine returns starts from this, whatever the number of sizes (0, 1, 2 or more), so a
    template never meets a missing key."""
    return {"model": None, "status": None, "sizes": [int(x) for x in sizes],
            "scores": [round(float(x), 6) for x in scores], "fit": None, "backtest_error": None,
            "backtest_prediction": None, "rows_for_target": None, "rows_for_target_interval": None,
            "reachable": None, "reachable_share": None, "asymptote": None, "data_multiple": None,
            "extrapolation_warning": None, "target": target, "n_available": n_available, "note": note}


def fit_learning_curve(sizes: list[int], scores: list[float], metric: str, higher_is_better: bool,
                       target: float | None, *, n_available: int, seed: int = 0) -> dict[str, Any]:
    n = np.asarray(sizes, dtype=float)
    s = np.asarray(scores, dtype=float)
    err = 1.0 - s if higher_is_better else s
    to_score = (lambda e: 1.0 - e) if higher_is_better else (lambda e: e)
    out = curve_result(sizes, scores, target, n_available=n_available)
    if len(n) < MIN_SIZES:  # curve_fit needs at least as many points as parameters
        out["note"] = Message(N_("{sizes} size(s) measured; a curve needs at least {needed}"), sizes=len(n),
                              needed=MIN_SIZES)
        return out
    fitted = _fit(n, err)
    if fitted is None:
        out["note"] = Message(N_("the power law could not be fitted (non-monotone curve)"))
        return out
    (a, b, c), cov = fitted
    out["fit"] = {"a": float(a), "b": float(b), "c": float(c)}
    out["asymptote"] = float(to_score(c))
    if len(n) >= 4:  # back-test: fit without the largest size, predict it
        partial = _fit(n[:-1], err[:-1])
        if partial is not None:
            predicted = to_score(_power_law(n[-1], *partial[0]))
            out["backtest_prediction"] = float(predicted)
            out["backtest_error"] = float(abs(predicted - s[-1]))
    if target is None:
        return out
    err_target = 1.0 - target if higher_is_better else target
    rows = _rows_for(err_target, a, b, c)
    out["reachable"] = rows is not None
    if rows is None:
        if err_target > c:  # the asymptote is past the target, but only at an absurd number of rows
            out["note"] = Message(N_("the fitted curve reaches the target only beyond {rows} rows"),
                                  rows=f"{MAX_ROWS:.0e}")
        return out
    out["rows_for_target"] = int(math.ceil(rows))
    out["data_multiple"] = float(rows / n_available)
    if np.all(np.isfinite(cov)):
        rng = np.random.default_rng(seed)
        draws = rng.multivariate_normal([a, b, c], cov, size=500, check_valid="ignore")
        needed = [r for r in (_rows_for(err_target, *d) for d in draws) if r is not None and np.isfinite(r)]
        if len(needed) >= 50:
            low, high = np.percentile(needed, [5, 95])
            # The target was not met at the largest size measured, so fewer rows than that cannot be enough.
            floor = max(sizes)
            out["rows_for_target_interval"] = [int(math.ceil(max(low, floor))), int(math.ceil(max(high, floor)))]
            out["reachable_share"] = round(len(needed) / len(draws), 3)
    if rows > MAX_EXTRAPOLATION * max(sizes):
        out["extrapolation_warning"] = Message(N_("This extrapolates {times}× beyond the largest size measured; "
                                                  "treat it as an order of magnitude."),
                                               times=f"{rows / max(sizes):.0f}")
    return out
