"""Training cost: FLOPs, GPU-hours, memory and money, from first principles and published runs.

FLOPs = k·N_active·D, with k = 6 for full training (forward 2ND + backward 4ND, Kaplan et al. 2020) and k = 4
for LoRA/QLoRA (activation gradients still flow back, 2ND, but the frozen weights get none).

GPU-hours = FLOPs ÷ (dense peak × MFU × 3600) × MoE all-to-all overhead ÷ goodput:
- the peak is BF16, or FP8 where the recipe and the GPU allow it;
- MFU defaults to the median of published runs of a similar size (mfu.yaml);
- a mixture-of-experts model pays for routing tokens between experts (all-to-all);
- published GPU-hours include restarts and downtime, so an estimate that reproduces them divides by goodput.

Memory: weights at their storage precision, trainable parameters with gradients and Adam states, and
activations with checkpointing (one layer input kept per layer).
"""

from __future__ import annotations

import functools
import math
import statistics
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, UserError
from ..i18n import N_, Message
from ..project import Compute

_HERE = Path(__file__).resolve().parent

FLOPS_FACTOR = {"full": 6.0, "pretrain": 6.0, "lora": 4.0, "qlora": 4.0}
# Llama 3 (arXiv 2407.21783) §3.3.4: "higher than 90 % effective training time" over a 54-day snapshot with
# 419 unexpected interruptions. Published GPU-hours are wall-clock, so they include the rest.
DEFAULT_GOODPUT = 0.9
# Routing tokens between experts costs time that dense models do not pay. Fitted once, with the default MFU and
# goodput: DeepSeek-V2 (236B total, 21B active) needs 172.8K H800 GPU-hours per trillion tokens (arXiv 2405.04434
# §3.2.3). DeepSeek-V3's 2.664M pre-training GPU-hours for 14.8T tokens in FP8 (arXiv 2412.19437, Table 1) is the
# held-out check (docs/compute.md). Refit it if mfu.yaml changes the default for that size.
MOE_ALL_TO_ALL_OVERHEAD = 1.61
MEMORY_HEADROOM = 0.9  # usable share of GPU memory
FULL_BYTES_PER_PARAM = 16.0  # bf16 weights 2 + bf16 gradients 2 + fp32 master 4 + Adam m, v 8 (ZeRO paper)
FROZEN_BYTES = {"lora": 2.0, "qlora": 0.5 + 0.127 / 8}  # bf16; NF4 with double-quantised constants (QLoRA §3)
ADAPTER_BYTES_PER_PARAM = 16.0  # trainable adapter parameters carry the full mixed-precision Adam state
DEFAULT_ADAPTER_SHARE = 0.005  # LoRA/QLoRA trainable share: r = 8–64 on the attention and MLP projections
DEFAULT_SEQUENCE = 2048
PRICE_STALE_DAYS = 365
SENSITIVITY_MFU = (0.25, 0.40, 0.55)


@functools.cache
def mfu_runs() -> tuple[dict[str, Any], ...]:
    runs = yaml.safe_load((_HERE / "mfu.yaml").read_text(encoding="utf-8"))["runs"]
    return tuple({**run, "params": float(run["params"]), "mfu": float(run["mfu"])} for run in runs)  # 1e9: YAML str


def default_mfu(params: float) -> tuple[float, str]:
    """The median MFU of published runs within a factor of five of `params`, and which runs those are."""
    near = [r for r in mfu_runs() if params / 5 <= r["params"] <= params * 5]
    runs = near if near else list(mfu_runs())
    value = round(statistics.median(r["mfu"] for r in runs), 3)
    names = ", ".join(f"{r['run']} {r['mfu']:.3g}" for r in sorted(runs, key=lambda r: r["params"]))
    scope = "within 5× of this model's size" if near else "of every size (none within 5× of this model's)"
    return value, f"median of {len(runs)} published runs {scope}: {names} (mfu.yaml)"


@functools.cache
def export_rules() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load((_HERE / "export_controls.yaml").read_text(encoding="utf-8"))["rules"])


def export_control_warning(gpu_name: str, country: str | None) -> str | None:
    if not country:
        return None
    for rule in export_rules():
        if gpu_name in rule["gpus"] and country.upper() in rule["countries"]:
            return Message(N_("{gpu} is subject to US export controls for {country} since {since} ({source}): buying "
                              "or renting more needs a licence; plan for the GPUs the venture can actually obtain"),
                           gpu=gpu_name, country=country.upper(), since=rule["since"], source=rule["source"])
    return None


def price_age_warning(quote: dict[str, Any] | None, gpu: str, as_of: str | None) -> str | None:
    """A warning when the price quote is more than a year older than the assessment date."""
    stamp = (quote or {}).get("date")
    if stamp == "undated":
        return Message(N_("the {gpu} price quote is undated; check it"), gpu=gpu)
    if not quote or not stamp:  # no catalogue quote (a price given in project.yaml): nothing to date
        return None
    try:
        quoted = date.fromisoformat(f"{stamp}-01" if len(stamp) == 7 else stamp)  # "2024-12" is a month
        today = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        return None
    if (today - quoted).days > PRICE_STALE_DAYS:
        return Message(N_("the {gpu} price (USD {usd}/GPU-hour, {what}) dates from {date}, more than a year before "
                          "the assessment ({today}); GPU prices move fast, so check it"),
                       gpu=gpu, usd=f"{quote['usd']:g}", what=quote["what"], date=quote["date"],
                       today=today.isoformat())
    return None


def training_memory_gb(kind: str, params: float, layers: int | None, hidden: int | None, sequence: int,
                       adapter_share: float) -> dict[str, float]:
    """Memory to train, in GB, by part: frozen or trained weights with their optimiser, adapters, activations."""
    if kind in ("lora", "qlora"):
        weights = params * FROZEN_BYTES[kind]
        trainable = params * adapter_share * ADAPTER_BYTES_PER_PARAM
    else:
        weights = params * FULL_BYTES_PER_PARAM
        trainable = 0.0
    if layers and hidden:  # activation checkpointing keeps each layer's input, bf16, micro-batch of one
        activations = layers * sequence * hidden * 2.0
    else:  # no dimensions: a stated 10 % of the weights
        activations = 0.1 * params * 2.0
    parts = {"weights": weights / 1e9, "adapters_and_optimiser": trainable / 1e9, "activations": activations / 1e9}
    parts["total"] = sum(parts.values())
    return parts


def chinchilla_loss(params: float, tokens: float) -> float:
    # Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt".
    return 1.8172 + 482.01 / params ** 0.3478 + 2085.43 / tokens ** 0.3658


def estimate_training(compute: Compute, r: Any, *, as_of: str | None = None) -> dict[str, Any] | None:
    """The training estimate for a resolved compute section (`r` from estimate.resolve), or None."""
    kind = compute.training_type or ("full" if compute.training_tokens else None)
    if kind in (None, "none") or r.model is None or not compute.training_tokens:
        return None
    tokens = compute.training_tokens
    model, gpu = r.model, r.gpu
    precision = compute.training_precision or "bf16"
    if precision == "fp8" and not gpu.fp8_tflops:
        raise UserError(Problem(f"{gpu.name} has no FP8 tensor cores; expected training_precision bf16 or a GPU "
                                "with FP8 (H100, H200, H800, B200, L40S …)", field="compute.training_precision"))
    peak = (gpu.fp8_tflops if precision == "fp8" else gpu.bf16_tflops) * 1e12
    factor = FLOPS_FACTOR[kind]
    flops = factor * model.active_params * tokens
    moe = model.active_params < model.params
    overhead = MOE_ALL_TO_ALL_OVERHEAD if moe else 1.0
    goodput = compute.goodput if compute.goodput is not None else DEFAULT_GOODPUT

    def hours(mfu: float) -> float:
        return flops / (peak * mfu * 3600) * overhead / goodput

    gpu_hours = hours(r.mfu)
    sequence = min(model.context_length or DEFAULT_SEQUENCE, DEFAULT_SEQUENCE)
    adapter_share = compute.adapter_share if compute.adapter_share is not None else DEFAULT_ADAPTER_SHARE
    memory = training_memory_gb(kind, model.params, model.layers, model.hidden_size, sequence, adapter_share)
    min_gpus = max(1, math.ceil(memory["total"] / (gpu.memory_gb * MEMORY_HEADROOM)))
    gpu_count = compute.gpu_count or max(min_gpus, 8 if kind in ("full", "pretrain") else 1)
    price = r.gpu_hour_usd
    cost = gpu_hours * price if price is not None else None
    tiers = {tier: quote["usd"] for tier, quote in gpu.prices.items()}  # the tiers the catalogue quotes
    if compute.gpu_hour_usd is not None:
        tiers = {"given": compute.gpu_hour_usd}
    sensitivity = {f"{m:.2f}": {tier: hours(m) * usd if usd is not None else None for tier, usd in tiers.items()}
                   for m in sorted({*SENSITIVITY_MFU, round(r.mfu, 3)})}
    warnings = []
    if gpu_count < min_gpus:
        warnings.append(Message(N_("{count} × {gpu} cannot hold the {kind} training state ({total} GB needs at least "
                                   "{needed} GPUs at {headroom} of {memory} GB)"),
                                count=gpu_count, gpu=gpu.name, kind=kind, total=f"{memory['total']:,.0f}",
                                needed=min_gpus, headroom=f"{MEMORY_HEADROOM:.0%}", memory=f"{gpu.memory_gb:g}"))
    return {
        "type": kind,
        "precision": precision,
        "flops_factor": factor,
        "flops": flops,
        "gpu": gpu.name,
        "peak_tflops": peak / 1e12,
        "mfu": r.mfu,
        "moe_overhead": overhead,
        "goodput": goodput,
        "gpu_hours": gpu_hours,
        "gpu_count": gpu_count,
        "wall_days": gpu_hours / gpu_count / 24,
        "gpu_hour_usd": price,
        "cost_usd": cost,
        "memory_gb": memory["total"],
        "memory_parts_gb": memory,
        "min_gpus": min_gpus,
        "memory_fits": gpu_count >= min_gpus,
        "tokens_per_param": tokens / model.params,
        "chinchilla_tokens_per_param": 20.0,
        "chinchilla_loss": chinchilla_loss(model.params, tokens) if kind == "pretrain" else None,
        "budget_usd": compute.training_budget_usd,
        "cost_vs_budget": (cost / compute.training_budget_usd) if cost is not None and compute.training_budget_usd
        else None,
        "cost_at_mfu": {m: row.get("given", row.get("typical")) for m, row in sensitivity.items()},
        "sensitivity": sensitivity,
        "warnings": warnings,
    }
