"""Charts as matplotlib SVG, embedded as data: URIs. Settings pinned so the same data gives the same bytes."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display, ever
import matplotlib.pyplot as plt  # noqa: E402

_RC: Any = {  # Any: matplotlib's stubs type rc keys as a closed set of literals
    "svg.hashsalt": "assess",  # fixed ids inside the SVG
    "svg.fonttype": "path",  # glyphs as paths: no font lookup at render time
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # Labels come from the founder's data (class names, column and folder names): draw them literally, never as
    # mathtext ("$25k_to_$50k" is not a formula) or through a TeX installation.
    "text.parse_math": False,
    "text.usetex": False,
}
INK = "#1f2a44"
ACCENT = "#2f6fdf"
MUTED = "#9aa5b8"
WARN = "#d9822b"


def _to_data_uri(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def radar_chart(labels: Sequence[str], scores: Sequence[float | None], lows: Sequence[float | None] | None = None,
                highs: Sequence[float | None] | None = None) -> str:
    """Area scores 0–100 on a radar. The shaded ring is each area's bounds (unknowns at 0 and at 5); an area with
    no evidence gets no point and reads 'unknown', never a 0."""
    with plt.rc_context(_RC):
        n = len(labels)
        angles = [2 * math.pi * i / n for i in range(n)] + [0.0]
        fig = plt.figure(figsize=(3.6, 3.6))
        ax: Any = fig.add_subplot(111, polar=True)  # PolarAxes, which the stubs do not infer
        ax.set_theta_offset(math.pi / 2)
        ax.set_theta_direction(-1)
        ax.set_ylim(0, 100)
        ax.set_yticks([25, 50, 75, 100])
        ax.set_yticklabels(["25", "50", "75", "100"], color=MUTED, fontsize=7)
        ax.set_xticks(angles[:-1])
        ax.set_xticklabels([f"{lab}\n{'unknown' if s is None else f'{s:.0f}'}" for lab, s in zip(labels, scores)],
                           color=INK)
        if lows is not None and highs is not None:
            low = [(v if v is not None else 0.0) for v in lows] + [lows[0] if lows[0] is not None else 0.0]
            high = [(v if v is not None else 100.0) for v in highs] + [highs[0] if highs[0] is not None else 100.0]
            ax.fill_between(angles, low, high, color=MUTED, alpha=0.18, linewidth=0)
        known = [(a, s) for a, s in zip(angles, scores) if s is not None]
        if len(known) == n and n:
            values = [float(s or 0.0) for s in scores] + [float(scores[0] or 0.0)]  # all known in this branch
            ax.plot(angles, values, color=ACCENT, linewidth=2)
            ax.fill(angles, values, color=ACCENT, alpha=0.18)
        elif known:  # no line through unknown areas: that would draw them at some value
            ax.plot([a for a, _ in known], [s for _, s in known], "o", color=ACCENT, markersize=6)
        return _to_data_uri(fig)


def learning_curve_chart(sizes: Sequence[float], scores: Sequence[float], fit: dict[str, float] | None,
                         target: float | None, metric: str, higher_is_better: bool,
                         backtest_prediction: float | None = None) -> str:
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 2.8))
        ax.plot(sizes, scores, "o", color=INK, label="CV score")
        if fit:
            top = max(sizes) * 10
            xs = [min(sizes) * (top / min(sizes)) ** (i / 99) for i in range(100)]
            sign = -1 if higher_is_better else 1
            base = 1.0 if higher_is_better else 0.0
            ys = [base + sign * (fit["a"] * x ** (-fit["b"]) + fit["c"]) for x in xs]
            ax.plot(xs, ys, "-", color=ACCENT, label="fitted power law")
            ax.axvline(max(sizes), color=MUTED, linestyle=":", linewidth=1)
        if backtest_prediction is not None:
            ax.plot([max(sizes)], [backtest_prediction], "x", color=WARN, markersize=8,
                    label="back-test prediction")
        if target is not None:
            ax.axhline(target, color=WARN, linestyle="--", linewidth=1, label=f"target {target:g}")
        ax.set_xscale("log")
        ax.set_xlabel("training rows")
        ax.set_ylabel(metric)
        ax.legend(frameon=False, fontsize=7, loc="lower right" if higher_is_better else "upper right")
        return _to_data_uri(fig)


def bar_chart(labels: Sequence[str], values: Sequence[float], xlabel: str, highlight: float | None = None) -> str:
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 0.35 * max(len(labels), 2) + 0.8))
        ax.barh(list(labels), list(values), color=ACCENT)
        ax.invert_yaxis()
        if highlight is not None:
            ax.axvline(highlight, color=WARN, linestyle="--", linewidth=1)
        ax.set_xlabel(xlabel)
        return _to_data_uri(fig)


def stacked_cost_chart(parts: dict[str, float], price: float | None, currency: str) -> str:
    """Cost per customer-month, stacked, against the price."""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 1.6))
        left = 0.0
        colours = [ACCENT, WARN, MUTED, INK]
        for (name, value), colour in zip(parts.items(), colours):
            ax.barh(["cost"], [value], left=left, color=colour, label=name)
            left += value
        if price is not None:
            ax.barh(["price"], [price], color="#3a9d5d", label="price")
        ax.set_xlabel(f"{currency} per customer-month")
        ax.legend(frameon=False, fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.45))
        return _to_data_uri(fig)



VERDICT_COLOURS = {"Strong": "#2e8b57", "Promising": ACCENT, "Needs work": WARN, "Not yet feasible": "#c0392b",
                   "Insufficient evidence": MUTED}


def scatter_chart(points: Sequence[tuple[float, float, str]], xlabel: str, ylabel: str,
                  labels: Sequence[str] | None = None) -> str:
    """Points (x, y, group) coloured by group (a verdict); names written beside them when there are few."""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 3.4))
        groups = sorted({g for _, _, g in points}, key=lambda g: list(VERDICT_COLOURS).index(g)
                        if g in VERDICT_COLOURS else len(VERDICT_COLOURS))
        for group in groups:
            xs = [x for x, _, g in points if g == group]
            ys = [y for _, y, g in points if g == group]
            ax.scatter(xs, ys, s=18 if len(points) > 50 else 30, color=VERDICT_COLOURS.get(group, INK),
                       alpha=0.75, label=group, linewidths=0)
        if labels is not None and len(points) <= 25:
            for (x, y, _), label in zip(points, labels):
                ax.annotate(label[:24], (x, y), xytext=(3, 3), textcoords="offset points", fontsize=6, color=INK)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(0, 100)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if groups:
            ax.legend(frameon=False, fontsize=7, loc="lower right")
        return _to_data_uri(fig)


def stacked_bar_chart(categories: Sequence[str], series: Mapping[str, Sequence[float]], xlabel: str) -> str:
    """Horizontal bars, one per category, stacked by series (verdicts), coloured as verdicts are."""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 0.35 * max(len(categories), 2) + 1.0))
        left = [0.0] * len(categories)
        for name, values in series.items():
            ax.barh(list(categories), list(values), left=left, color=VERDICT_COLOURS.get(name, INK), label=name)
            left = [a + b for a, b in zip(left, values)]
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.legend(frameon=False, fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.25))
        return _to_data_uri(fig)
