"""Compute engine: training and serving cost from first principles, and the unit-economics facts they feed."""

from __future__ import annotations

from typing import Any

from ..facts import TARGET_GROSS_MARGIN, Facts, define, unit_economics
from ..project import Project
from .catalog import find_gpu, find_model, gpu_catalogue, model_catalogue  # noqa: F401
from .estimate import estimate

for _name, _unit, _desc in [
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
    ("compute.inference_cost_per_customer_month", "currency/month", "Inference cost per customer per month"),
    ("compute.breakeven_cost_per_request_60", "USD",
     "Highest serving cost per request at which gross margin still reaches 60 %"),
]:
    define(_name, _unit, _desc)


def requests_per_customer_month(project: Project) -> float | None:
    inf = project.compute.inference
    if inf is None or inf.requests_per_month is None:
        return None
    if project.business.customers_now:
        return inf.requests_per_month / project.business.customers_now
    return None


def compute_facts(project: Project, result: dict[str, Any]) -> Facts:
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
            facts.not_applicable("compute.tokens_per_param", f"the Chinchilla ratio is for pre-training, not {t['type']}",
                                 origin="compute")
    elif project.compute.training_type == "none":
        facts.add("compute.training_cost_vs_budget", 0.0, origin="compute", note="no training planned")
        for name in ("compute.training_wall_days", "compute.training_memory_fits", "compute.tokens_per_param"):
            facts.not_applicable(name, "no training planned", origin="compute")
    inf = result.get("inference")
    per_customer = None
    if inf:
        facts.add("compute.serving_fits_one_gpu", inf.get("fits_one_gpu"), origin="compute")
        facts.add("compute.serving_gpus", inf.get("gpus_needed"), origin="compute")
        facts.add("compute.cost_per_1k_requests_usd", inf.get("cost_per_1k_requests_usd"), origin="compute")
        rpc = requests_per_customer_month(project)
        price = project.business.price_per_customer_month
        if rpc and price is not None:
            room = (1 - TARGET_GROSS_MARGIN) * price - (project.business.other_cogs_per_customer_month or 0.0)
            facts.add("compute.breakeven_cost_per_request_60", max(room, 0.0) / rpc, origin="compute",
                      note=f"{rpc:,.0f} requests per customer-month")
        if rpc is not None and inf.get("cost_per_request_usd") is not None:
            per_customer = inf["cost_per_request_usd"] * rpc
            facts.add("compute.inference_cost_per_customer_month", per_customer, origin="compute",
                      note=f"{rpc:,.0f} requests per customer-month")
    if per_customer is None and project.compute.inference is None and project.tech.approach == "classical":
        per_customer = 0.0  # a classical model served on CPU: inference cost is part of other COGS
    facts.update(unit_economics(project, per_customer))
    return facts


def run_compute(project: Project) -> tuple[dict[str, Any], Facts]:
    spec = project.compute
    if spec.base_model is None and project.tech.base_model and spec.model_params is None:
        spec = spec.model_copy(update={"base_model": project.tech.base_model})  # tech.base_model is enough
    result = estimate(spec)
    return result, compute_facts(project, result)
