"""`assess compare`: two to about ten projects side by side, one column each, rows by area and criterion, the
differences highlighted and the facts behind the biggest gaps listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Problem, UserError

MIN_PROJECTS, MAX_PROJECTS = 2, 12
AREA_GAP = 15.0  # area scores (0–100) this far apart are highlighted
CRITERION_GAP = 2.0  # criterion scores (0–5) this far apart are highlighted
TOP_GAPS = 8


def _spread(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(max(known) - min(known), 3) if len(known) >= 2 else None


def _column_names(results: list[dict[str, Any]], files: list[str]) -> list[str]:
    names = [r["project"]["name"] for r in results]
    if len(set(names)) == len(names):
        return names
    return [f"{n} ({f})" for n, f in zip(names, files)]


def common_language(paths: list[Path]) -> str:
    """The language the projects' files ask for (`language:`) when they agree, else English: a comparison is
    read in one language."""
    from ..project import load_project

    asked = set()
    for path in paths:
        try:
            asked.add(load_project(path).project.language or "en")
        except (UserError, OSError):
            continue  # the run reports it
    return asked.pop() if len(asked) == 1 else "en"


def compare(results: list[dict[str, Any]], files: list[str] | None = None) -> dict[str, Any]:
    """The comparison as a plain dict (the JSON output; templates render it as-is)."""
    if not MIN_PROJECTS <= len(results) <= MAX_PROJECTS:
        raise UserError(Problem(f"compare takes {MIN_PROJECTS} to {MAX_PROJECTS} projects, got {len(results)}"))
    files = files or [r["reproducibility"]["input"]["file"] for r in results]
    names = _column_names(results, files)
    from .task import robustness_row

    projects = []
    for name, file, r in zip(names, files, results):
        o = r["overall"]
        titles = {a["id"]: a["title"] for a in r["areas"]}
        projects.append({"name": name, "file": file, "stage": r["project"].get("stage"),
                         "currency": r["project"].get("currency") or "USD", "score": o["score"], "low": o["low"],
                         "high": o["high"], "verdict": o["verdict"], "coverage": o["coverage"],
                         "weakest_area": o.get("weakest_area"), "weakest_title": titles.get(o.get("weakest_area")),
                         "red_flags": [f["message"] for f in o["red_flags"]],
                         "robustness": robustness_row(r.get("robustness")),
                         "input_sha256": r["reproducibility"]["input"]["sha256"]})
    area_ids: list[str] = []
    for r in results:
        area_ids += [a["id"] for a in r["areas"] if a["id"] not in area_ids]
    by_area = [{a["id"]: a for a in r["areas"]} for r in results]
    areas, gaps = [], []
    for area_id in area_ids:
        present = [b.get(area_id) for b in by_area]
        first = next(a for a in present if a is not None)
        scores = [a["score"] if a else None for a in present]
        spread = _spread(scores)
        criterion_ids: list[str] = []
        for a in present:
            criterion_ids += [c["id"] for c in (a["criteria"] if a else []) if c["id"] not in criterion_ids]
        criteria = []
        for cid in criterion_ids:
            cells = [next((c for c in a["criteria"] if c["id"] == cid), None) if a else None for a in present]
            model = next(c for c in cells if c is not None)
            c_scores = [c["score"] if c and c["applicable"] else None for c in cells]
            c_spread = _spread(c_scores)
            row = {"id": cid, "question": model["question"], "fact": model["fact"], "unit": model["unit"],
                   "weight": model["weight"], "scores": c_scores,
                   "values": [c["value"] if c else None for c in cells],
                   "applicable": [bool(c and c["applicable"]) for c in cells], "spread": c_spread,
                   "highlight": c_spread is not None and c_spread >= CRITERION_GAP,
                   "best": _best(c_scores), "worst": _worst(c_scores)}
            criteria.append(row)
            if row["highlight"]:
                gaps.append({"area": first["title"], **row})
        areas.append({"id": area_id, "title": first["title"], "scores": scores, "spread": spread,
                      "highlight": spread is not None and spread >= AREA_GAP, "best": _best(scores),
                      "worst": _worst(scores), "criteria": criteria})
    gaps.sort(key=lambda g: (-(g["weight"] * (g["spread"] or 0)), g["id"]))
    overall = [p["score"] for p in projects]
    return {"language": results[0].get("language", "en"),
            "projects": projects, "overall": {"scores": overall, "spread": _spread(overall),
                                              "best": _best(overall), "worst": _worst(overall)},
            "areas": areas, "gaps": gaps[:TOP_GAPS],
            "thresholds": {"area": AREA_GAP, "criterion": CRITERION_GAP}}


def _best(values: list[float | None]) -> int | None:
    known = [(v, i) for i, v in enumerate(values) if v is not None]
    if len(known) < 2 or _spread(values) == 0:  # no best where all agree
        return None
    return max(known, key=lambda t: (t[0], -t[1]))[1]


def _worst(values: list[float | None]) -> int | None:
    known = [(v, i) for i, v in enumerate(values) if v is not None]
    if len(known) < 2 or _spread(values) == 0:
        return None
    return min(known)[1]


def render_compare(data: dict[str, Any], fmt: str, template_dir: str | Path | None = None, *,
                   allow_missing_glyphs: bool = False) -> bytes:
    """The comparison in its language (that of the runs: `--lang`, else the first project's)."""
    from ..report.render import COMPARISON_TITLE, environment, render_pdf

    if fmt == "json":
        from .table import dumps

        return dumps(data)
    lang = data.get("language", "en")
    env = environment(template_dir, lang)
    if fmt == "md":
        return env.get_template("compare.md.j2").render(c=data).encode("utf-8")
    html = env.get_template("compare.html.j2").render(c=data)
    if fmt == "html":
        return html.encode("utf-8")
    return render_pdf(html, template_dir, allow_missing_glyphs=allow_missing_glyphs, lang=lang,
                      title=COMPARISON_TITLE)
