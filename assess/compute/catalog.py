"""GPU and model catalogues (data files beside this module), with user overrides."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ..errors import Problem, UserError

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_gb: float
    bandwidth_gbs: float
    bf16_tflops: float
    fp8_tflops: float | None
    source: str
    # Dated, sourced quotes per tier: {"low"|"typical"|"high": {"usd", "what", "date", "source"}}.
    prices: dict = field(default_factory=dict, compare=False, hash=False)

    def price(self, tier: str = "typical") -> dict | None:
        """The quote for a tier; a missing tier falls back to the nearest one quoted (typical first)."""
        order = {"low": ("low", "typical", "high"), "typical": ("typical", "low", "high"),
                 "high": ("high", "typical", "low")}[tier]
        return next((self.prices[t] for t in order if t in self.prices), None)

    @property
    def usd_per_hour(self) -> float | None:
        quote = self.price("typical")
        return quote["usd"] if quote else None


@dataclass(frozen=True)
class ModelArch:
    name: str
    params: float
    active_params: float
    layers: int | None
    hidden_size: int | None
    heads: int | None
    kv_heads: int | None
    head_dim: int | None
    context_length: int | None
    source: str
    # Attention variants (None = not used). MLA (DeepSeek-V2/V3) caches one latent of kv_lora_rank plus a shared
    # RoPE key of qk_rope_head_dim per layer instead of per-head keys and values. Sliding-window layers keep at
    # most sliding_window tokens; swa_layers says how many layers do (Gemma 2 alternates local and global).
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    sliding_window: int | None = None
    swa_layers: int | None = None


def closest_name(key: str, names: dict[str, str]) -> str | None:
    """The display name whose normalised key is nearest `key` (itself normalised), or None: h100sxm5 → H100-SXM."""
    import difflib

    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


def _did_you_mean(name: str, names: list[str]) -> str:
    """'; did you mean 'H100-SXM'?' for a near miss, or nothing."""
    close = closest_name(_key(name), {_key(n): n for n in names})
    return f"; did you mean '{close}'?" if close else ""


@cache
def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", name.lower())


@cache
def _gpu_file() -> tuple[str, tuple[Gpu, ...]]:
    data = yaml.safe_load((_HERE / "gpus.yaml").read_text(encoding="utf-8"))
    rows = [Gpu(row["name"], row["memory_gb"], row["bandwidth_gbs"], row["bf16_tflops"], row.get("fp8_tflops"),
                row["source"], dict(row.get("prices") or {})) for row in data["gpus"]]
    return str(data["as_of"]), tuple(rows)


def gpu_catalogue(extra: Iterable = ()) -> dict[str, Gpu]:
    """Bundled GPUs keyed by normalised name; rows from project.yaml (compute.gpus) override or add."""
    table = {_key(g.name): g for g in _gpu_file()[1]}
    for spec in extra or ():
        quote = {"usd": spec.usd_per_hour, "what": "given in project.yaml", "date": None, "source": "project.yaml"}
        table[_key(spec.name)] = Gpu(spec.name, spec.memory_gb, spec.bandwidth_gbs, spec.bf16_tflops,
                                     spec.fp8_tflops, "project.yaml (user-supplied)",
                                     {"typical": quote} if spec.usd_per_hour is not None else {})
    return table


def find_gpu(name: str, table: dict[str, Gpu], field: str = "compute.gpu") -> Gpu:
    gpu = table.get(_key(name))
    if gpu is None:
        names = sorted(g.name for g in table.values())
        raise UserError(Problem(f"unknown GPU '{name}'{_did_you_mean(name, names)}; known GPUs: {', '.join(names)} "
                                "(or add one under compute.gpus)", field=field))
    return gpu


@cache
def model_catalogue() -> dict[str, ModelArch]:
    data = yaml.safe_load((_HERE / "models.yaml").read_text(encoding="utf-8"))
    table = {}
    for row in data["models"]:
        table[_key(row["name"])] = ModelArch(
            row["name"], float(row["params"]), float(row.get("active_params") or row["params"]), row.get("layers"),
            row.get("hidden_size"), row.get("heads"), row.get("kv_heads"), row.get("head_dim"),
            row.get("context_length"), row["source"], row.get("kv_lora_rank"), row.get("qk_rope_head_dim"),
            row.get("sliding_window"), row.get("swa_layers", row.get("layers") if row.get("sliding_window") else None))
    return table


def find_model(name: str, field: str = "compute.base_model") -> ModelArch:
    table = model_catalogue()
    model = table.get(_key(name))
    if model is None:
        names = sorted(m.name for m in table.values())
        raise UserError(Problem(f"unknown model '{name}'{_did_you_mean(name, names)}; known models: "
                                f"{', '.join(names)} (or give model_params, layers, kv_heads and head_dim directly)",
                                field=field))
    return model


def is_catalogue_model(name: str) -> bool:
    """An open model whose architecture the catalogue knows; anything else in tech.base_model is a vendor's API."""
    return _key(name) in model_catalogue()
