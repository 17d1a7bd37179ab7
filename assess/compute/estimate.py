"""Training and serving estimates from first principles.

Training: FLOPs = k·N_active·D with k = 6 for full training (forward 2ND + backward 4ND, Kaplan et al. 2020)
and k = 4 for LoRA/QLoRA (the backward pass still propagates activation gradients, 2ND, but skips the
weight gradients of the frozen base, 2ND). GPU-hours = FLOPs / (dense peak × MFU × 3600).

Serving: see serving.py (continuous batching sized by KV memory and latency targets, calibrated against
TensorRT-LLM's published throughput).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, UserError
from ..project import Compute
from .catalog import Gpu, ModelArch, find_gpu, find_model, gpu_catalogue, gpu_prices_as_of
from .serving import (HOURS_PER_MONTH, KV_BYTES, SECONDS_PER_MONTH, WEIGHT_BYTES,  # noqa: F401 (re-exported)
                      estimate_serving, kv_bytes_per_token)

DEFAULT_GPU = "H100-SXM"
DEFAULT_MFU = 0.4
MEMORY_HEADROOM = 0.9  # usable share of GPU memory
ACTIVATION_OVERHEAD = 1.2  # training memory: +20 % for activations and buffers, with checkpointing
FLOPS_FACTOR = {"full": 6.0, "pretrain": 6.0, "lora": 4.0, "qlora": 4.0}
TRAIN_BYTES_PER_PARAM = {"full": 16.0, "pretrain": 16.0, "lora": 2.0 + 0.01 * 16, "qlora": 0.55 + 0.01 * 16}
# Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt".
CHINCHILLA = {"E": 1.8172, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}


@dataclass
class Resolved:
    """Inputs after the model catalogue and defaults are applied, with what was assumed."""

    model: ModelArch | None
    gpu: Gpu
    serving_gpu: Gpu
    mfu: float
    gpu_hour_usd: float | None
    serving_gpu_hour_usd: float | None
    assumptions: list[dict[str, Any]]


def _assume(assumptions: list, name: str, value: Any, source: str) -> Any:
    assumptions.append({"name": name, "value": value, "source": source})
    return value


def resolve(compute: Compute) -> Resolved:
    assumptions: list[dict[str, Any]] = []
    table = gpu_catalogue(compute.gpus or ())
    model = None
    if compute.base_model:
        model = find_model(compute.base_model)
        _assume(assumptions, "base model", model.name, model.source)
    overrides = {k: getattr(compute, k) for k in ("layers", "hidden_size", "heads", "kv_heads", "head_dim",
                                                   "context_length")}
    if compute.model_params or model:
        params = compute.model_params or model.params
        active = compute.active_params or (model.active_params if model and not compute.model_params else params)
        base = model.__dict__ if model else {k: None for k in overrides}
        merged = {k: (overrides[k] if overrides[k] is not None else base.get(k)) for k in overrides}
        if merged["head_dim"] is None and merged["hidden_size"] and merged["heads"]:
            merged["head_dim"] = merged["hidden_size"] // merged["heads"]
        if merged["kv_heads"] is None and merged["heads"] and not model:
            merged["kv_heads"] = _assume(assumptions, "kv_heads", merged["heads"],
                                         "not given: assumed equal to heads (no grouped-query attention)")
        model = ModelArch(model.name if model else "custom", float(params), float(active), merged["layers"],
                          merged["hidden_size"], merged["heads"], merged["kv_heads"], merged["head_dim"],
                          merged["context_length"], model.source if model else "project.yaml")
    gpu_name = compute.gpu or _assume(assumptions, "GPU", DEFAULT_GPU, "default")
    gpu = find_gpu(gpu_name, table)
    inference = compute.inference
    serving_gpu = find_gpu(inference.gpu, table, "compute.inference.gpu") if inference and inference.gpu else gpu
    mfu = compute.mfu if compute.mfu is not None else _assume(
        assumptions, "MFU", DEFAULT_MFU, "default; published large runs imply 0.3–0.5 (PaLM 0.462)")
    price = compute.gpu_hour_usd
    if price is None and gpu.usd_per_hour is not None:
        price = _assume(assumptions, f"{gpu.name} $/GPU-hour", round(gpu.usd_per_hour, 2),
                        f"midpoint of the catalogue's on-demand range, as of {gpu_prices_as_of()}")
    serving_price = price if serving_gpu is gpu else serving_gpu.usd_per_hour
    return Resolved(model, gpu, serving_gpu, mfu, price, serving_price, assumptions)


def chinchilla_loss(params: float, tokens: float) -> float:
    c = CHINCHILLA
    return c["E"] + c["A"] / params ** c["alpha"] + c["B"] / tokens ** c["beta"]


def estimate_training(compute: Compute, r: Resolved) -> dict[str, Any] | None:
    kind = compute.training_type or ("full" if compute.training_tokens else None)
    if kind in (None, "none") or r.model is None or not compute.training_tokens:
        return None
    tokens = compute.training_tokens
    factor = FLOPS_FACTOR[kind]
    flops = factor * r.model.active_params * tokens
    peak = r.gpu.bf16_tflops * 1e12
    gpu_hours = flops / (peak * r.mfu * 3600)
    memory_gb = r.model.params * TRAIN_BYTES_PER_PARAM[kind] * ACTIVATION_OVERHEAD / 1e9
    min_gpus = max(1, math.ceil(memory_gb / (r.gpu.memory_gb * MEMORY_HEADROOM)))
    gpu_count = compute.gpu_count or max(min_gpus, 8 if kind in ("full", "pretrain") else 1)
    cost = gpu_hours * r.gpu_hour_usd if r.gpu_hour_usd is not None else None
    sensitivity = {f"{m:.2f}": (flops / (peak * m * 3600)) * r.gpu_hour_usd if r.gpu_hour_usd is not None else None
                   for m in (0.25, 0.40, 0.55)}
    result = {
        "type": kind,
        "flops_factor": factor,
        "flops": flops,
        "gpu": r.gpu.name,
        "mfu": r.mfu,
        "gpu_hours": gpu_hours,
        "gpu_count": gpu_count,
        "wall_days": gpu_hours / gpu_count / 24,
        "gpu_hour_usd": r.gpu_hour_usd,
        "cost_usd": cost,
        "memory_gb": memory_gb,
        "min_gpus": min_gpus,
        "memory_fits": gpu_count >= min_gpus,
        "tokens_per_param": tokens / r.model.params,
        "chinchilla_tokens_per_param": 20.0,
        "chinchilla_loss": chinchilla_loss(r.model.params, tokens) if kind == "pretrain" else None,
        "budget_usd": compute.training_budget_usd,
        "cost_vs_budget": (cost / compute.training_budget_usd) if cost is not None and compute.training_budget_usd else None,
        "cost_at_mfu": sensitivity,
    }
    return result


def _kv_bytes_per_token(model: ModelArch, precision: str) -> float | None:
    """Kept for callers of the old name; serving.kv_bytes_per_token knows MLA as well as GQA/MQA."""
    return kv_bytes_per_token(model, precision)


def _first_non_finite(value: Any, path: str = "") -> str | None:
    """The key path of the first NaN or infinity in a result, if any."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "(result)"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _first_non_finite(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def estimate(compute: Compute, context: int | None = None) -> dict[str, Any]:
    """Training and serving estimates plus the assumptions used. Raises UserError on inconsistent input, and
    on inputs whose estimate overflows (the schema's bounds should make that impossible; this is the backstop)."""
    r = resolve(compute)
    try:
        training = estimate_training(compute, r)
        inference = estimate_serving(compute, r, context)
    except (OverflowError, ZeroDivisionError) as exc:
        raise UserError(Problem(f"the compute estimate overflows ({exc}); check the sizes, GPU figures and volumes "
                                "in this section", field="compute")) from None
    model = None
    if r.model is not None:
        model = {k: v for k, v in r.model.__dict__.items()}
    result = {"model": model, "training": training, "inference": inference, "assumptions": r.assumptions}
    bad = _first_non_finite(result)
    if bad:
        raise UserError(Problem(f"the compute estimate overflows: {bad} is not a finite number; check the sizes, "
                                "GPU figures and volumes in this section", field="compute"))
    return result
