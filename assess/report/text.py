"""Plain-text writers for the terminal: the verdict lines, and the tables of `bench`, `data` and `rubrics`.

They sit beside `format.py` so that `cli.py` only parses options, calls the library and prints.
"""

from __future__ import annotations

from typing import Any

from ..caps import more_marker
from .format import fmt


def verdict_lines(result: dict[str, Any]) -> str:
    """The verdict, its score bounds, why, and the fact behind each red flag, for stderr."""
    o = result["overall"]
    cur = result["project"]["currency"]
    score = "n/a" if o["score"] is None else f"{o['score']:.0f}"
    bounds = "n/a" if o["low"] is None else f"{o['low']:.0f}–{o['high']:.0f}"
    lines = [f"verdict: {o['verdict']} (score {score}/100, bounds {bounds}, coverage {o['coverage']:.0%})",
             f"  why: {o['basis']}"]
    for f in o["red_flags"]:
        note = f" ({f['note']})" if f["note"] else ""
        lines.append(f"  {'fatal ' if f['fatal'] else ''}red flag [{f['area']}.{f['criterion']}]: {f['message']} "
                     f"{f['fact']} = {fmt(f['value'], f['unit'], cur)}{note}")
    return "\n".join(lines)


def bench_table(r: dict[str, Any]) -> str:
    """The leaderboard and the three investor answers of a benchmark result."""
    lines = [f"task {r['task']} · metric {r['metric']} · {r['folds']}-fold CV · rows {r['rows_used']:,} of "
             f"{r['rows_total']:,}{' (sampled)' if r['sampled'] else ''} · {r['seconds']:.1f} s", ""]
    lines.append(f"{'model':<40} {'mean':>8} {'95% CI':>19} {'fit s':>7} {'ms/1k':>8}  status")
    for m in r["models"]:
        mean = f"{m['cv_mean']:.4f}" if m["cv_mean"] is not None else "—"
        ci = f"{m['cv_ci95'][0]:.4f}–{m['cv_ci95'][1]:.4f}" if m["cv_ci95"] else "—"
        fit = f"{m['fit_seconds']:.2f}" if m["fit_seconds"] is not None else "—"
        pred = f"{m['predict_ms_per_1k']:.1f}" if m["predict_ms_per_1k"] is not None else "—"
        status = m["status"] + (f" ({m['error']})" if m["error"] else "")
        lines.append(f"{m['name']:<40} {mean:>8} {ci:>19} {fit:>7} {pred:>8}  {status}")
    lines.append("")
    for qa in r["answers"]:
        lines.append(f"{qa['question']}\n  {qa['answer']}")
    return "\n".join(lines) + "\n"


def profile_table(facts: dict[str, Any], profile: dict[str, Any]) -> str:
    """A data-readiness profile: its facts, the columns, class balance, personal data and licence."""
    lines = [f"{name:<30} {value}" for name, value in facts.items()]
    lines += ["", f"{'column':<30} {'type':<12} {'missing':>8} {'unique':>8}"]
    lines += [f"{c['name'][:30]:<30} {c['type']:<12} {c['missing_share']:>8.1%} {c['unique']:>8,}"
              for c in profile["columns"]]
    if profile["column_count"] > len(profile["columns"]):
        lines.append(f"{more_marker(profile['column_count'] - len(profile['columns']))} columns")
    if profile["class_balance"]:
        lines += ["", "class balance: " + ", ".join(f"{k} {v:.1%}" for k, v in profile["class_balance"].items())]
    pii = profile["pii"]
    lines += [f"personal data: {pii['rows_with_pii']:,} of {pii['rows_scanned']:,} rows"
              f"{' (sampled)' if pii['sampled'] else ''}: {pii['by_kind']}"]
    lines += [f"commercial use: {profile['commercial_use']} ({'; '.join(profile['license']['reasons'])})",
              f"readiness level: {profile['readiness_level']} ({'; '.join(profile['readiness_reasons'])})"]
    return "\n".join(lines) + "\n"


def facts_table(rows: list[dict[str, str]]) -> str:
    """Every fact a rubric may read: name, unit, description."""
    return "".join(f"{row['fact']:<42} {row['unit']:<16} {row['description']}\n" for row in rows)


def rubrics_table(rubrics: list[Any]) -> str:
    """Each rubric's criteria: id, weight, fact, what a good score needs, and the source."""
    lines = []
    for rubric in rubrics:
        lines.append(f"{rubric.title} [{rubric.id} v{rubric.version}, weight {rubric.weight:g}]")
        for c in rubric.criteria:
            flag = "  (red flag)" if c.red_flag else ""
            lines.append(f"  {c.id:<26} w{c.weight:<4g} {c.fact:<38} {rubric.target_for(c)}{flag}")
            lines.append(f"  {'':<26} {c.source}")
    return "\n".join(lines) + "\n"
