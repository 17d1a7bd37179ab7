"""Charts for the report, computed from the plain result dict and stored under result['_charts']."""

from __future__ import annotations

from typing import Any

from ..i18n import DEFAULT, N_, gettext
from . import charts


def with_charts(result: dict[str, Any], lang: str = DEFAULT) -> dict[str, Any]:
    """A shallow copy of the result with its charts drawn: only HTML and PDF need them, so JSON and Markdown
    runs never load matplotlib."""
    copy = dict(result)
    add_charts(copy, lang)
    return copy


def add_charts(result: dict[str, Any], lang: str = DEFAULT) -> None:
    _ = lambda message: gettext(message, lang)  # noqa: E731
    made: dict[str, str] = {}
    areas = result["areas"]
    made["radar"] = charts.radar_chart([a["title"] for a in areas], [a["score"] for a in areas],
                                       [a.get("low") for a in areas], [a.get("high") for a in areas], lang=lang)
    evidence = result.get("evidence", {})
    bench = evidence.get("bench")
    if bench and bench.get("learning_curve") and bench["learning_curve"].get("sizes"):
        lc = bench["learning_curve"]
        made["learning_curve"] = charts.learning_curve_chart(
            lc["sizes"], lc["scores"], lc.get("fit"), lc.get("target"), bench["metric"],
            bench.get("higher_is_better", True), lc.get("backtest_prediction"), lang=lang)
    if bench and bench.get("models"):
        ok = [m for m in bench["models"] if m.get("cv_mean") is not None]
        if ok:
            made["leaderboard"] = charts.bar_chart([m["name"] for m in ok], [m["cv_mean"] for m in ok],
                                                   bench["metric"], highlight=bench.get("target_score"))
    data = evidence.get("data")
    if data and data.get("columns"):
        cols = sorted(data["columns"], key=lambda c: -c["missing_share"])[:12]
        if any(c["missing_share"] > 0 for c in cols):
            made["missing"] = charts.bar_chart([c["name"][:30] for c in cols],
                                               [100 * c["missing_share"] for c in cols], _("missing cells (%)"))
        balance = data.get("class_balance")
        if balance:
            items = sorted(balance.items(), key=lambda kv: -kv[1])[:12]
            made["balance"] = charts.bar_chart([str(k)[:30] for k, _ in items], [100 * v for _, v in items],
                                               _("share of rows (%)"))
    facts = result["facts"]
    price = facts.get("business.price_per_customer_month", {}).get("value")
    inference = facts.get("compute.inference_cost_per_customer_month", {}).get("value")
    gm = facts.get("business.gross_margin", {}).get("value")
    if price and gm is not None:
        total_cogs = price * (1 - gm)
        parts = {}
        if inference is not None:
            parts[N_("inference")] = inference
        other = total_cogs - (inference or 0)
        if other > 1e-9:
            parts[N_("other COGS")] = other
        if parts:
            made["cost"] = charts.stacked_cost_chart(parts, price, result["project"]["currency"], lang=lang)
    rob = result.get("robustness")
    if rob and rob["overall"]["p50"] is not None:
        o = rob["overall"]
        bands = [(b["min_score"], b["verdict"]) for b in result["method"]["verdict_bands"]]
        made["fan"] = charts.score_fan_chart(rob["histogram"]["bins"], rob["histogram"]["counts"], o["p10"],
                                             o["p50"], o["p90"], bands, lang=lang)
    if rob and rob["tornado"] and rob["base"]["score"] is not None:
        rows = rob["tornado"]
        made["tornado"] = charts.tornado_chart([r["label"] for r in rows], [r["score_low"] for r in rows],
                                               [r["score_high"] for r in rows], rob["base"]["score"], lang=lang)
    result["_charts"] = made
