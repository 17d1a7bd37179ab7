"""Plain-text writers for the terminal: the verdict lines, and the tables of `bench`, `data` and `rubrics`.

They sit beside `format.py` so that `cli.py` only parses options, calls the library and prints.
"""

from __future__ import annotations

from typing import Any

from ..caps import more_marker
from .format import fmt, human, money


def verdict_lines(result: dict[str, Any]) -> str:
    """The verdict, its score bounds, why, and the fact behind each red flag, for stderr."""
    o = result["overall"]
    cur = result["project"]["currency"]
    score = "n/a" if o["score"] is None else f"{o['score']:.0f}"
    bounds = "n/a" if o["low"] is None else f"{o['low']:.0f}–{o['high']:.0f}"
    label = o.get("verdict_label") or o["verdict"]
    shown = o["verdict"] if label == o["verdict"] else f"{o['verdict']} / {label}"  # zh: the id and the words
    lines = [f"verdict: {shown} (score {score}/100, bounds {bounds}, coverage {o['coverage']:.0%})",
             f"  why: {o['basis']}"]
    if result.get("robustness"):
        lines.append(f"  robustness: {result['robustness']['summary']}")
    for f in o["red_flags"]:
        note = f" ({f['note']})" if f["note"] else ""
        kind = "fatal red flag" if f["fatal"] else "red flag" if f.get("caps", True) else "red flag to watch"
        lines.append(f"  {kind} [{f['area']}.{f['criterion']}]: {f['message']} "
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


def compute_table(result: dict[str, Any]) -> str:
    """The training and serving estimate, its assumptions and warnings."""
    lines = []
    t = result.get("training")
    if t:
        moe = f" × MoE all-to-all {t['moe_overhead']:g}" if t["moe_overhead"] != 1 else ""
        lines += [f"training ({t['type']}, {t['flops_factor']:g}·N·D, {t['precision']})",
                  f"  FLOPs           {t['flops']:.3g}",
                  f"  GPU-hours       {human(t['gpu_hours'])} on {t['gpu']} at MFU {t['mfu']:g}{moe}, "
                  f"goodput {t['goodput']:g} (restarts and downtime included)",
                  f"  cost            {money(t['cost_usd']) if t['cost_usd'] is not None else 'unknown'}",
                  f"  wall-clock      {t['wall_days']:.1f} days on {t['gpu_count']} GPUs",
                  f"  memory          {t['memory_gb']:.0f} GB → at least {t['min_gpus']} GPUs "
                  f"(weights {t['memory_parts_gb']['weights']:.0f}, adapters and optimiser "
                  f"{t['memory_parts_gb']['adapters_and_optimiser']:.0f}, activations "
                  f"{t['memory_parts_gb']['activations']:.0f} GB)",
                  f"  tokens/param    {t['tokens_per_param']:.1f} (Chinchilla ≈ 20)"]
        grid = t.get("sensitivity") or {}
        if any(v is not None for row in grid.values() for v in row.values()):
            lines.append("  cost by MFU × price tier")
            for mfu, row in grid.items():
                lines.append(f"    MFU {mfu}  " + "  ".join(
                    f"{tier} {money(v) if v is not None else 'n/a'}" for tier, v in row.items()))
    i = result.get("inference")
    if i:
        lines.append(f"serving ({i['mode']})")
        if i["mode"] == "self-hosted":
            kv = f"{i['kv_bytes_per_token']:,.0f}" if i["kv_bytes_per_token"] else "unknown"
            lines += [f"  weights         {i['weights_gb']:.1f} GB ({i['precision']})",
                      f"  KV cache        {kv} bytes/token ({i['kv_attention']})",
                      f"  fits one GPU    {'yes' if i['fits_one_gpu'] else 'no'} ({i['gpu']}; "
                      f"{i['gpus_per_replica']} per replica, batch {i['batch_size']} of "
                      f"{i['max_batch_size_memory']} that fit)",
                      f"  latency         TTFT {i['ttft_ms']:,.0f} ms, TPOT {i['tpot_ms']:,.1f} ms",
                      f"  throughput      {i['tokens_per_second_per_gpu']:,.0f} output tokens/s per GPU "
                      f"({i['tokens_per_second_per_gpu_max']:,.0f} with no latency cap)",
                      f"  GPUs needed     {i['gpus_needed'] if i['gpus_needed'] is not None else 'unknown'}"
                      + (f" ({i['replicas']} replica(s) at {i['peak_to_average']:g}× peak, "
                         f"{i['utilisation']:.0%} average use)" if i.get("replicas") else "")]
            if i.get("idle_floor_monthly_usd") is not None:
                lines.append(f"  idle floor      {money(i['idle_floor_monthly_usd'])}/month for one always-on replica")
            full = i.get("cost_per_1m_tokens_full_load_usd")
            if full is not None:
                lines.append(f"  at full load    {money(full)} per 1M tokens")
        per_1k = i.get("cost_per_1k_requests_usd")
        per_1m = i.get("cost_per_1m_tokens_usd")
        lines += [f"  $/1k requests   {money(per_1k) if per_1k is not None else 'unknown'}",
                  f"  $/1M tokens     {money(per_1m) if per_1m is not None else 'unknown'}"]
    m = result.get("make_or_buy") or {}
    if m.get("available"):
        lines.append(f"make or buy: {m['api_model']} (list price {m['price_as_of'] or 'from project.yaml'}) against "
                     f"self-hosting {m['open_model']} ({m['precision']}) on {m['gpu']}")
        for row in m["rows"]:
            lines.append(f"  {row['label']:<18} {human(row['requests_per_month']):>8} requests/month  API "
                         f"{money(row['api_monthly_usd'])}  self-host {money(row['self_host_monthly_usd'])}  "
                         f"→ {row['cheaper']}")
        if m.get("breakeven_note"):
            lines.append(f"  self-hosting becomes cheaper: {m['breakeven_note']}")
    lines += [f"warning: {w}" for w in result.get("warnings") or ()]
    if result.get("assumptions"):
        lines.append("assumptions")
        lines += [f"  {a['name']}: {a['value']} ({a['source']})" for a in result["assumptions"]]
    return "\n".join(lines) + "\n"
