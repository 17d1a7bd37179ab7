"""Training and serving estimates from first principles.

Training: FLOPs = k·N_active·D with k = 6 for full training (forward 2ND + backward 4ND, Kaplan et al. 2020)
and k = 4 for LoRA/QLoRA (the backward pass still propagates activation gradients, 2ND, but skips the
weight gradients of the frozen base, 2ND). GPU-hours = FLOPs / (dense peak × MFU × 3600).

Serving: see serving.py (continuous batching sized by KV memory and latency targets, calibrated against
TensorRT-LLM's published throughput).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, UserError
from ..project import Compute
from .catalog import Gpu, ModelArch, find_gpu, find_model, gpu_catalogue
from .serving import estimate_serving
from .training import chinchilla_loss, default_mfu, estimate_training, export_control_warning, price_age_warning  # noqa: F401  (chinchilla_loss: tests)

DEFAULT_GPU = "H100-SXM"
DEFAULT_MFU = 0.4  # only where no model size is known to look published runs up by


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
    price_quote: dict[str, Any] | None = None  # the catalogue quote behind gpu_hour_usd, if one was used


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
    if compute.model_params or model is not None:
        params = compute.model_params or (model.params if model is not None else 0.0)
        active = compute.active_params or (model.active_params if model and not compute.model_params else params)
        base = model.__dict__ if model else {k: None for k in overrides}
        merged = {k: (overrides[k] if overrides[k] is not None else base.get(k)) for k in overrides}
        if merged["head_dim"] is None and merged["hidden_size"] and merged["heads"]:
            merged["head_dim"] = merged["hidden_size"] // merged["heads"]
        if merged["kv_heads"] is None and merged["heads"] and not model:
            merged["kv_heads"] = _assume(assumptions, "kv_heads", merged["heads"],
                                         "not given: assumed equal to heads (no grouped-query attention)")
        extra = {k: getattr(model, k) for k in ("kv_lora_rank", "qk_rope_head_dim", "sliding_window", "swa_layers")
                 } if model else {}  # attention variants the catalogue knows; project.yaml cannot state them yet
        model = ModelArch(model.name if model else "custom", float(params), float(active), merged["layers"],
                          merged["hidden_size"], merged["heads"], merged["kv_heads"], merged["head_dim"],
                          merged["context_length"], model.source if model else "project.yaml", **extra)
    gpu_name = compute.gpu or _assume(assumptions, "GPU", DEFAULT_GPU, "default")
    gpu = find_gpu(gpu_name, table)
    inference = compute.inference
    serving_gpu = find_gpu(inference.gpu, table, "compute.inference.gpu") if inference and inference.gpu else gpu
    if compute.mfu is not None:
        mfu = compute.mfu
    elif model is not None:
        value, why = default_mfu(model.params)
        mfu = _assume(assumptions, "MFU", value, why)
    else:  # no model: nothing is trained, so the MFU is never used and not worth stating
        mfu = DEFAULT_MFU
    tier = compute.price_tier or "typical"
    price, quote = compute.gpu_hour_usd, None
    if price is None:
        quote = gpu.price(tier)
        if quote is not None:
            price = _assume(assumptions, f"{gpu.name} $/GPU-hour", quote["usd"],
                            f"{tier} tier: {quote['what']}, {quote['date']} ({quote['source']})")
    serving_price = price if serving_gpu is gpu else (
        (serving_gpu.price(tier) or {}).get("usd") if compute.gpu_hour_usd is None else compute.gpu_hour_usd)
    return Resolved(model, gpu, serving_gpu, mfu, price, serving_price, assumptions, quote)


def _all_finite(result: dict[str, Any]) -> bool:
    """The C JSON encoder refuses NaN and infinity: a fast check, with the walk below only to name the culprit."""
    try:
        json.dumps(result, allow_nan=False, default=str)
    except ValueError:
        return False
    return True


def _first_non_finite(value: Any, path: str = "") -> str | None:
    """The key path of the first NaN or infinity in a result, if any."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "(result)"
    items: Any
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


def estimate(compute: Compute, context: int | None = None, *, country: str | None = None,
             as_of: str | None = None) -> dict[str, Any]:
    """Training and serving estimates plus the assumptions used, and `warnings` (stale prices, export controls,
    layouts). `country` is where the venture operates; `as_of` the assessment date (default: today). Raises
    UserError on inconsistent input, and on inputs whose estimate overflows (the schema's bounds should make that
    impossible; this is the backstop)."""
    r = resolve(compute)
    try:
        training = estimate_training(compute, r, as_of=as_of)
        inference = estimate_serving(compute, r, context)
    except (OverflowError, ZeroDivisionError) as exc:
        raise UserError(Problem(f"the compute estimate overflows ({exc}); check the sizes, GPU figures and volumes "
                                "in this section", field="compute")) from None
    model = None
    if r.model is not None:
        model = {k: v for k, v in r.model.__dict__.items()}
    warnings = [*((training or {}).get("warnings") or []), *((inference or {}).get("warnings") or [])]
    if training or inference:
        for gpu in dict.fromkeys([r.gpu.name] + ([r.serving_gpu.name] if inference else [])):
            found = export_control_warning(gpu, country)
            if found:
                warnings.append(found)
        stale = price_age_warning(r.price_quote, r.gpu.name, as_of)
        if stale:
            warnings.append(stale)
    result = {"model": model, "training": training, "inference": inference, "assumptions": r.assumptions,
              "warnings": warnings}
    bad = None if _all_finite(result) else _first_non_finite(result)
    if bad:
        raise UserError(Problem(f"the compute estimate overflows: {bad} is not a finite number; check the sizes, "
                                "GPU figures and volumes in this section", field="compute"))
    return result
