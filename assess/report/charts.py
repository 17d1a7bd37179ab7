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
from matplotlib import font_manager, ticker  # noqa: E402

from ..i18n import DEFAULT, gettext  # noqa: E402
from .fonts import FILES, fonts_dir  # noqa: E402


def _cjk_family() -> list[str]:
    """Register the bundled CJK subset with matplotlib; the family name to fall back on for CJK labels."""
    names = []
    for name in FILES.values():
        path = fonts_dir() / name
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            names.append(font_manager.FontProperties(fname=str(path)).get_name())
    return sorted(set(names))


_RC: Any = {  # Any: matplotlib's stubs type rc keys as a closed set of literals
    "svg.hashsalt": "assess",  # fixed ids inside the SVG
    # Labels as SVG <text>, laid out by WeasyPrint with the fonts the report's own text uses (DejaVu Sans, and the
    # bundled Noto Sans CJK SC subset for CJK glyphs). Glyphs drawn as paths looked the same but made WeasyPrint
    # draw hundreds of path nodes per chart: an English PDF took 17 % longer, and its chart labels could not be
    # searched or copied.
    "svg.fonttype": "none",
    # DejaVu Sans measures Latin; a CJK label (a Chinese class name, a zh report's axis titles) falls back glyph by
    # glyph to the bundled Noto Sans CJK SC subset.
    # The generic family last: where DejaVu Sans is missing (an HTML report in a browser on macOS or Windows), the
    # labels fall back to a sans-serif face, not the default serif.
    "font.family": ["DejaVu Sans", *_cjk_family(), "sans-serif"],
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
                highs: Sequence[float | None] | None = None, lang: str = DEFAULT) -> str:
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
        unknown = gettext("unknown", lang)
        ax.set_xticklabels([f"{lab}\n{unknown if s is None else f'{s:.0f}'}" for lab, s in zip(labels, scores)],
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
                         backtest_prediction: float | None = None, lang: str = DEFAULT) -> str:
    _ = lambda message: gettext(message, lang)  # noqa: E731
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 2.8))
        ax.plot(sizes, scores, "o", color=INK, label=_("CV score"))
        if fit:
            top = max(sizes) * 10
            xs = [min(sizes) * (top / min(sizes)) ** (i / 99) for i in range(100)]
            sign = -1 if higher_is_better else 1
            base = 1.0 if higher_is_better else 0.0
            ys = [base + sign * (fit["a"] * x ** (-fit["b"]) + fit["c"]) for x in xs]
            ax.plot(xs, ys, "-", color=ACCENT, label=_("fitted power law"))
            ax.axvline(max(sizes), color=MUTED, linestyle=":", linewidth=1)
        if backtest_prediction is not None:
            ax.plot([max(sizes)], [backtest_prediction], "x", color=WARN, markersize=8,
                    label=_("back-test prediction"))
        if target is not None:
            ax.axhline(target, color=WARN, linestyle="--", linewidth=1,
                       label=_("target {value}").format(value=f"{target:g}"))
        ax.set_xscale("log")
        # Rows as plain numbers: a log axis labels its ticks in mathtext ("$\mathdefault{10^{3}}$"), which
        # parse_math=False (founders' labels drawn literally) would print verbatim.
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        ax.set_xlabel(_("training rows"))
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


def stacked_cost_chart(parts: dict[str, float], price: float | None, currency: str, lang: str = DEFAULT) -> str:
    """Cost per customer-month, stacked, against the price."""
    _ = lambda message: gettext(message, lang)  # noqa: E731
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 1.6))
        left = 0.0
        colours = [ACCENT, WARN, MUTED, INK]
        for (name, value), colour in zip(parts.items(), colours):
            ax.barh([_("cost")], [value], left=left, color=colour, label=_(name))
            left += value
        if price is not None:
            ax.barh([_("price")], [price], color="#3a9d5d", label=_("price"))
        ax.set_xlabel(_("{currency} per customer-month").format(currency=currency))
        ax.legend(frameon=False, fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.45))
        return _to_data_uri(fig)



VERDICT_COLOURS = {"Strong": "#2e8b57", "Promising": ACCENT, "Needs work": WARN, "Not yet feasible": "#c0392b",
                   "Insufficient evidence": MUTED}


def scatter_chart(points: Sequence[tuple[float, float, str]], xlabel: str, ylabel: str,
                  labels: Sequence[str] | None = None, lang: str = DEFAULT) -> str:
    """Points (x, y, group) coloured by group (a verdict); names written beside them when there are few."""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 3.4))
        groups = sorted({g for _, _, g in points}, key=lambda g: list(VERDICT_COLOURS).index(g)
                        if g in VERDICT_COLOURS else len(VERDICT_COLOURS))
        for group in groups:
            xs = [x for x, _, g in points if g == group]
            ys = [y for _, y, g in points if g == group]
            ax.scatter(xs, ys, s=18 if len(points) > 50 else 30, color=VERDICT_COLOURS.get(group, INK),
                       alpha=0.75, label=gettext(group, lang), linewidths=0)
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


def stacked_bar_chart(categories: Sequence[str], series: Mapping[str, Sequence[float]], xlabel: str,
                      lang: str = DEFAULT) -> str:
    """Horizontal bars, one per category, stacked by series (verdicts), coloured as verdicts are."""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 0.35 * max(len(categories), 2) + 1.0))
        left = [0.0] * len(categories)
        for name, values in series.items():
            ax.barh(list(categories), list(values), left=left, color=VERDICT_COLOURS.get(name, INK),
                    label=gettext(name, lang))
            left = [a + b for a, b in zip(left, values)]
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.legend(frameon=False, fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.25))
        return _to_data_uri(fig)


def score_fan_chart(bins: Sequence[float], counts: Sequence[int], p10: float, p50: float, p90: float,
                    bands: Sequence[tuple[float, str]], lang: str = DEFAULT) -> str:
    """The overall score across the draws: a histogram over the verdict bands, with P10, P50 and P90 marked."""
    _ = lambda message: gettext(message, lang)  # noqa: E731
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 1.9))
        edges = sorted(bands)  # (floor, verdict) ascending
        for i, (floor, verdict) in enumerate(edges):
            top = edges[i + 1][0] if i + 1 < len(edges) else 100.0
            ax.axvspan(floor, top, color=VERDICT_COLOURS.get(verdict, MUTED), alpha=0.12, linewidth=0)
            ax.text((floor + top) / 2, 1.02, _(verdict), transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=7, color=MUTED)
        width = bins[1] - bins[0] if len(bins) > 1 else 5.0
        ax.bar(list(bins[:-1]), list(counts), width=width, align="edge", color=ACCENT, alpha=0.85)
        for value, style in ((p10, ":"), (p50, "-"), (p90, ":")):
            ax.axvline(value, color=INK, linestyle=style, linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_yticks([])
        ax.set_xlabel(_("overall score across the draws (P10 · P50 · P90 marked)"))
        return _to_data_uri(fig)


def tornado_chart(labels: Sequence[str], lows: Sequence[float | None], highs: Sequence[float | None],
                  base: float, lang: str = DEFAULT) -> str:
    """Overall score at each end of each input, as bars from the base score: the widest on top."""
    _ = lambda message: gettext(message, lang)  # noqa: E731
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(5.6, 0.32 * max(len(labels), 2) + 0.9))
        for row, (low, high) in enumerate(zip(lows, highs)):
            for end, colour in ((low, WARN), (high, ACCENT)):
                if end is not None:
                    ax.barh([row], [end - base], left=base, color=colour, height=0.6)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels([label[:40] for label in labels])
        ax.invert_yaxis()
        ax.axvline(base, color=INK, linewidth=1)
        ax.set_xlabel(_("overall score (base {base}); orange: input at its low end, blue: at its high end")
                      .format(base=f"{base:.1f}"))
        return _to_data_uri(fig)
