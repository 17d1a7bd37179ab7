"""Baseline benchmark engine: quick, honest baselines on the venture's own data, and a learning curve."""

from __future__ import annotations

from ..facts import specs

FACTS = specs([
    ("bench.best_score", "metric", "Best baseline's cross-validated score"),
    ("bench.dummy_score", "metric", "Dummy (majority class / mean) score"),
    ("bench.lift_over_dummy", "share of headroom", "(best − dummy) ÷ (perfect − dummy)"),
    ("bench.gap_to_target", "metric", "Target − best score (≤ 0: a cheap baseline already meets it)"),
    ("bench.meets_target_cheaply", "bool", "A cheap baseline meets the stated target"),
    ("bench.rows_for_target", "rows", "Rows the fitted learning curve predicts are needed to reach the target"),
    ("bench.data_multiple_for_target", "×", "Rows needed for the target ÷ rows the dataset has"),
    ("bench.fit_seconds", "s", "Fit time of the best baseline"),
])
