"""The portfolio: one row per project, ranked, and its files (JSON, CSV, Parquet, HTML, PDF, Markdown)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from .. import __version__, jsonout
from .task import KEY_FACTS

VERDICT_ORDER = ["Strong", "Promising", "Needs work", "Not yet feasible", "Insufficient evidence"]


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Assessed projects by score (highest first; no score last), then name; failed ones after, by name."""
    ok = sorted((r for r in rows if r["status"] == "ok"),
                key=lambda r: (r["score"] is None, -(r["score"] or 0.0), r["name"]))
    failed = sorted((r for r in rows if r["status"] != "ok"), key=lambda r: r["name"])
    for i, row in enumerate(ok, start=1):
        row["rank"] = i
    for row in failed:
        row["rank"] = None
    return ok + failed


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if r["status"] == "ok"]
    verdicts = Counter(r["verdict"] for r in ok)
    return {
        "projects": len(rows), "assessed": len(ok), "failed": len(rows) - len(ok),
        "verdicts": {v: verdicts[v] for v in VERDICT_ORDER if verdicts[v]},
        "cannot_judge_yet": sorted(r["name"] for r in ok if r["verdict"] == "Insufficient evidence"),
    }


def portfolio(rows: list[dict[str, Any]], *, options: dict[str, Any], timings: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    """portfolio.json: deterministic (ranked rows, no timings unless asked)."""
    ranked = rank(rows)
    data: dict[str, Any] = {"assess_version": __version__, "summary": summary(ranked), "options": options,
                            "projects": ranked}
    if timings is not None:
        data["timings"] = timings
    return data


def flat_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The CSV/Parquet form: one scalar per cell."""
    tag_names = sorted({t for r in rows for t in (r.get("tags") or {})})
    flat = []
    for r in rows:
        flags = r.get("red_flags") or []
        item: dict[str, Any] = {
            "rank": r.get("rank"), "name": r["name"], "status": r["status"], "project": r.get("project"),
            "stage": r.get("stage"), "score": r.get("score"), "low": r.get("low"), "high": r.get("high"),
            "verdict": r.get("verdict"), "coverage": r.get("coverage"), "key_coverage": r.get("key_coverage"),
            "weakest_area": r.get("weakest_area"), "weakest_score": r.get("weakest_score"),
            "red_flags": len(flags), "red_flag_kinds": "; ".join(f["kind"] for f in flags),
            "fatal_flags": sum(1 for f in flags if f.get("fatal")),
        }
        rb = r.get("robustness") or {}
        item.update({"score_p10": rb.get("p10"), "score_p90": rb.get("p90"), "verdict_holds": rb.get("verdict_holds"),
                     "most_sensitive": rb.get("most_sensitive")})
        figures = r.get("figures") or {}
        for name in KEY_FACTS:
            value = figures.get(name)
            item[name] = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        item.update({"currency": r.get("currency"), "input_sha256": r.get("input_sha256"),
                     "dataset_sha256": r.get("dataset_sha256"), "path": r["path"],
                     "errors": " | ".join(e["text"] for e in r.get("errors") or [])})
        for tag in tag_names:
            item[f"tag.{tag}"] = (r.get("tags") or {}).get(tag)
        if "seconds" in r:
            item["seconds"] = r["seconds"]
        flat.append(item)
    return flat


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    import pandas as pd

    return pd.DataFrame(flat_rows(rows)).to_csv(index=False, lineterminator="\n").encode("utf-8")


def to_parquet(rows: list[dict[str, Any]]) -> bytes:
    import io

    import pandas as pd

    frame = pd.DataFrame(flat_rows(rows))
    for column in ("rank", "score", "low", "high", "coverage", "key_coverage", "weakest_score", *KEY_FACTS):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def charts(rows: list[dict[str, Any]], lang: str = "en") -> dict[str, str]:
    from ..i18n import gettext
    from ..report import charts as ch

    _ = lambda message: gettext(message, lang)  # noqa: E731
    ok = [r for r in rows if r["status"] == "ok"]
    made: dict[str, str] = {}
    scored = [r for r in ok if r.get("score") is not None]
    if scored:
        made["scatter"] = ch.scatter_chart([(r["coverage"] or 0.0, r["score"], r["verdict"]) for r in scored],
                                           _("evidence coverage"), _("overall score"),
                                           labels=[r["name"] for r in scored], lang=lang)
    if ok:
        stages = sorted({r.get("stage") or "unknown" for r in ok})
        series = {v: [float(sum(1 for r in ok if (r.get("stage") or "unknown") == s and r["verdict"] == v))
                      for s in stages] for v in VERDICT_ORDER}
        series = {v: counts for v, counts in series.items() if any(counts)}
        made["stages"] = ch.stacked_bar_chart([_(s) for s in stages], series, _("projects"), lang=lang)
    kinds = Counter(f["kind"] for r in ok for f in r.get("red_flags") or [])
    if kinds:
        top = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
        made["flags"] = ch.bar_chart([k for k, _n in top], [float(n) for _k, n in top],
                                     _("projects with this red flag"))
    return made


def render_portfolio(data: dict[str, Any], fmt: str, template_dir: str | Path | None = None,
                     link_base: str = "") -> bytes:
    """portfolio.html / .pdf / .md in the batch's language (`--lang`, else English). `link_base` prefixes each
    project's report link (a PDF needs an absolute one; the HTML's links are relative to its folder)."""
    from ..report.render import PORTFOLIO_TITLE, environment, render_pdf

    lang = (data.get("options") or {}).get("language") or "en"
    env = environment(template_dir, lang)
    if fmt == "md":
        return env.get_template("portfolio.md.j2").render(p=data).encode("utf-8")
    html = env.get_template("portfolio.html.j2").render(p=data, charts=charts(data["projects"], lang),
                                                        link_base=link_base)
    if fmt == "html":
        return html.encode("utf-8")
    return render_pdf(html, template_dir, lang=lang, title=PORTFOLIO_TITLE)


def dumps(data: dict[str, Any]) -> bytes:
    return (jsonout.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")
