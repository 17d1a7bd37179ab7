"""`assess compute`'s flags as a project.yaml compute section: which flag sets which field, so that errors name
the flag the user typed. The CLI only parses; this builds and validates the spec."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import Problem, UserError
from ..project import Compute, describe_error

COMPUTE_FLAGS = {  # CLI flag → project.yaml field, so errors name the flag the user typed
    "params": "model_params", "active_params": "active_params", "tokens": "training_tokens",
    "training_type": "training_type", "gpu": "gpu", "gpu_count": "gpu_count", "mfu": "mfu",
    "gpu_hour_usd": "gpu_hour_usd", "layers": "layers", "kv_heads": "kv_heads", "head_dim": "head_dim",
    "base_model": "base_model", "budget_usd": "training_budget_usd", "goodput": "goodput",
    "training_precision": "training_precision", "price_tier": "price_tier", "adapter_share": "adapter_share",
}
INFERENCE_FLAGS = {"precision": "precision", "requests_per_month": "requests_per_month",
                    "input_tokens": "input_tokens", "output_tokens": "output_tokens", "batch_size": "batch_size",
                    "tensor_parallel": "tensor_parallel", "ttft_ms": "ttft_ms", "tpot_ms": "tpot_ms",
                    "peak_to_average": "peak_to_average"}


def spec_from_flags(stated: dict[str, Any], given: dict[str, Any], *, flags_named: bool = True) -> Compute:
    """A Compute spec from a project's compute section (`stated`, may be empty) overridden by flags (`given`, by
    option name). Errors name the flag when `flags_named`, else the project.yaml field."""
    overrides = dict(stated)
    inference = dict(overrides.pop("inference", {}) or {})
    for flag, field in COMPUTE_FLAGS.items():
        if flag in given:
            overrides[field] = given[flag]
    for flag, field in INFERENCE_FLAGS.items():
        if flag in given:
            inference[field] = given[flag]
    if inference:
        overrides["inference"] = inference
    try:
        return Compute.model_validate(overrides)
    except ValidationError as exc:
        back = {v: k for k, v in {**COMPUTE_FLAGS, **INFERENCE_FLAGS}.items()}
        problems = []
        for err in exc.errors():
            name = str(err["loc"][-1]) if err["loc"] else ""
            where = f"--{back[name].replace('_', '-')}" if name in back and flags_named else \
                ".".join(map(str, ("compute", *err["loc"])))
            problems.append(Problem(describe_error(err), field=where))
        raise UserError(problems) from None
