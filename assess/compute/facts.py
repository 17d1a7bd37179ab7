"""The compute engine's facts: training and serving, in US dollars (economics converts what it uses)."""

from __future__ import annotations

from typing import Any

from ..facts import Facts, specs

FACTS = specs([
    ("compute.training_flops", "FLOP", "Training compute: k·N_active·D"),
    ("compute.training_gpu_hours", "GPU-h", "FLOPs ÷ (dense peak × MFU × 3600)"),
    ("compute.training_cost_usd", "USD", "GPU-hours × $/GPU-hour"),
    ("compute.training_cost_vs_budget", "×", "Estimated training cost ÷ training budget"),
    ("compute.training_wall_days", "days", "Wall-clock days on the stated GPU count"),
    ("compute.training_memory_fits", "bool", "The stated GPU count holds the training state"),
    ("compute.tokens_per_param", "tokens/param", "Training tokens per parameter (Chinchilla ≈ 20)"),
    ("compute.serving_fits_one_gpu", "bool", "Weights plus one request's KV cache fit on one GPU"),
    ("compute.serving_gpus", "GPUs", "GPUs needed for the stated requests at peak"),
    ("compute.cost_per_1k_requests_usd", "USD", "Serving cost per 1,000 requests"),
    ("compute.cost_per_request_usd", "USD", "Serving cost per request (self-hosted, or a hosted API at list price)"),
    ("compute.self_host_to_api_cost", "×",
     "Monthly cost of self-hosting a similar open model ÷ the hosted API's, at the venture's volume"),
    ("compute.self_host_breakeven_requests_month", "requests/month",
     "Monthly requests from which self-hosting a similar open model costs less than the hosted API"),
])


def compute_facts(result: dict[str, Any], training_type: str | None) -> Facts:
    facts = Facts()
    t = result.get("training")
    if t:
        facts.add("compute.training_flops", t["flops"], origin="compute")
        facts.add("compute.training_gpu_hours", t["gpu_hours"], origin="compute")
        facts.add("compute.training_cost_usd", t["cost_usd"], origin="compute")
        facts.add("compute.training_cost_vs_budget", t["cost_vs_budget"], origin="compute")
        facts.add("compute.training_wall_days", t["wall_days"], origin="compute")
        facts.add("compute.training_memory_fits", t["memory_fits"], origin="compute")
        if t["type"] == "pretrain":
            facts.add("compute.tokens_per_param", t["tokens_per_param"], origin="compute")
        else:
            facts.not_applicable("compute.tokens_per_param",
                                 f"the Chinchilla ratio is for pre-training, not {t['type']}",
                                 origin="compute")
    elif training_type == "none":
        facts.add("compute.training_cost_vs_budget", 0.0, origin="compute", note="no training planned")
        for name in ("compute.training_wall_days", "compute.training_memory_fits", "compute.tokens_per_param"):
            facts.not_applicable(name, "no training planned", origin="compute")
    inf = result.get("inference")
    if inf:
        facts.add("compute.serving_fits_one_gpu", inf.get("fits_one_gpu"), origin="compute")
        facts.add("compute.serving_gpus", inf.get("gpus_needed"), origin="compute")
        facts.add("compute.cost_per_1k_requests_usd", inf.get("cost_per_1k_requests_usd"), origin="compute")
        facts.add("compute.cost_per_request_usd", inf.get("cost_per_request_usd"), origin="compute",
                  note=_price_note(inf))
    mob = result.get("make_or_buy")
    if mob and mob.get("available"):
        pairing = f"{mob['open_model']} ({mob['pairing']})"
        facts.add("compute.self_host_to_api_cost", mob.get("self_host_to_api"), origin="compute", note=pairing)
        facts.add("compute.self_host_breakeven_requests_month", mob.get("breakeven_requests_month"),
                  origin="compute", note=pairing)
    return facts


def _price_note(inf: dict[str, Any]) -> str:
    """Where a hosted API's price comes from, so the fact carries its date."""
    if inf.get("mode") != "hosted-api":
        return ""
    who = inf.get("api_model") or "hosted API"
    if inf.get("price_as_of"):
        return f"{who} list price as of {inf['price_as_of']}"
    return f"{who} at the price in project.yaml"
