"""Serving cost: a roofline model of continuous (in-flight) batching, sized the way a practitioner sizes it.

- A replica is a tensor-parallel group of 1, 2, 4, 8 or a multiple of 8 GPUs.
- Its batch is what the KV cache can hold once the weights are loaded (vLLM's paged KV cache: a fixed share of
  GPU memory, the rest after the weights goes to KV blocks), capped by latency targets for the time to first token
  (TTFT) and the time per output token (TPOT).
- One engine step runs every in-flight request's next token plus its share of new prompts (in-flight batching
  mixes prefill and decode). Decode takes the larger of reading the weights and computing, plus the larger of
  reading the KV cache and computing attention; prefill compute is added; then tensor-parallel all-reduces and a
  fixed per-step overhead.
- The fleet is sized for peak load (average × peak factor) and runs around the clock; the result also gives the
  cost at full load and the floor of one always-on replica.

MoE: compute uses active parameters; memory holds all of them, and a step reads the experts its tokens touch.
Calibrated against NVIDIA's TensorRT-LLM throughput tables (docs/benchmarks.md, bench/calibrate_serving.py).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, UserError
from ..project import Compute
from .catalog import Gpu, ModelArch, _key, model_catalogue

if TYPE_CHECKING:  # estimate imports this module; the type only
    from .estimate import Resolved

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
WEIGHT_BYTES = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
# Weight-only int8/int4 keeps a 16-bit KV cache; FP8 serving (TensorRT-LLM, vLLM) stores the KV cache in FP8.
KV_BYTES = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 2.0, "int4": 2.0}
ACTIVATION_BYTES = 2.0  # all-reduce payload: 16-bit activations

# --- calibrated constants (bench/calibrate_serving.py; residuals in docs/benchmarks.md) -----------------------
# Share of GPU memory the engine may use for weights plus KV cache: vLLM's gpu_memory_utilization default (0.9).
# The rest is activations, CUDA graphs and the framework. TensorRT-LLM's benchmark gives 0.95 of what is free.
MEMORY_UTILISATION = 0.9
# Share of the dense tensor-core peak reached by the linear layers and attention in a large mixed batch.
# Fitted on the prefill-heavy TensorRT-LLM shapes (2048/128, 5000/500), which are compute-bound.
COMPUTE_EFFICIENCY = 0.5
# Share of HBM bandwidth reached reading weights and KV cache in decode. Fitted on the decode-heavy shapes
# (128/4096, 2048/2048); llm-analysis uses at most 0.7, TensorRT-LLM on H100 evidently does better.
BANDWIDTH_EFFICIENCY = 0.8
# Fixed cost of one engine step (scheduling, sampling, kernel launches), seconds.
STEP_OVERHEAD_S = 0.002
# Tensor parallelism: two all-reduces per layer per step. A ring all-reduce over t GPUs takes 2(t−1) hops, each
# with a fixed latency, plus its payload over the link. The hop latency is fitted on Llama 3.1 405B at TP8 in the
# same TensorRT-LLM table; without it 8-GPU replicas overshoot by up to 51 %.
ALLREDUCE_HOP_LATENCY_S = 5e-6
INTERCONNECT_GBS = 450.0  # NVLink 4 (H100/H200 SXM), one direction; an assumption for other GPUs
INTER_NODE_GBS = 50.0  # beyond 8 GPUs the all-reduce crosses nodes: 400 Gb/s InfiniBand per GPU
# ---------------------------------------------------------------------------------------------------------------

DEFAULT_TTFT_MS = 2000.0
DEFAULT_TPOT_MS = 100.0
LATENCY_SOURCE = ("MLPerf Inference server scenario for llama3_1-8b (loadgen/mlperf.conf in mlcommons/inference "
                  "@ 001712e9: ttft_latency 2000, tpot_latency 100; there p99, here the mean)")
DEFAULT_PEAK_TO_AVERAGE = 3.0
DEFAULT_TOKENS = 2048  # tokens per request when neither input/output tokens nor a context is given
MAX_TP = 512


def allowed_tp(tp: int) -> bool:
    """Tensor-parallel sizes that exist: 1, 2, 4, 8 within a node, then whole 8-GPU nodes."""
    return tp in (1, 2, 4, 8) or (tp % 8 == 0 and 8 <= tp <= MAX_TP)


def _tp_candidates() -> list[int]:
    return [1, 2, 4] + list(range(8, MAX_TP + 1, 8))


def _with_catalogue_attention(model: ModelArch) -> ModelArch:
    """resolve() rebuilds the model from its core fields; take the attention variant back from the catalogue."""
    base = model_catalogue().get(_key(model.name))
    if base is None or model.name == "custom":
        return model
    extra = {f: getattr(base, f) for f in ("kv_lora_rank", "qk_rope_head_dim", "sliding_window", "swa_layers")
             if getattr(model, f, None) is None and getattr(base, f) is not None}
    return dataclasses.replace(model, **extra) if extra else model


def kv_bytes_per_token(model: ModelArch, precision: str) -> float | None:
    """KV-cache bytes one token adds, over all layers (before any sliding-window cap).

    MLA (DeepSeek-V2 §2.1.3): one compressed latent of kv_lora_rank plus the decoupled RoPE key of
    qk_rope_head_dim per layer, shared by all heads: (d_c + d_h^R) · layers elements.
    GQA / MQA / MHA: a key and a value per KV head: 2 · kv_heads · head_dim · layers elements."""
    if not model.layers:
        return None
    if model.kv_lora_rank:
        if not model.qk_rope_head_dim:
            return None
        return (model.kv_lora_rank + model.qk_rope_head_dim) * model.layers * KV_BYTES[precision]
    if not (model.kv_heads and model.head_dim):
        return None
    return 2 * model.layers * model.kv_heads * model.head_dim * KV_BYTES[precision]


def kv_bytes_for_context(model: ModelArch, precision: str, tokens: float) -> float:
    """KV bytes one request holds at `tokens` of context; sliding-window layers keep at most the window."""
    per_token = kv_bytes_per_token(model, precision) or 0.0
    if not model.sliding_window or not model.layers:
        return per_token * tokens
    swa = min(model.swa_layers or model.layers, model.layers)
    per_layer = per_token / model.layers
    return per_layer * ((model.layers - swa) * tokens + swa * min(tokens, model.sliding_window))


@dataclasses.dataclass(frozen=True)
class Shape:
    """One serving configuration: a model on a TP group of one GPU type, at one request shape."""

    model: ModelArch
    gpu: Gpu
    precision: str
    tp: int
    inp: int
    out: int
    kv_tokens: int  # context a request holds in the KV cache at its end (input + output, or --context)

    @property
    def weight_bytes(self) -> float:
        return self.model.params * WEIGHT_BYTES[self.precision]

    @property
    def peak_flops(self) -> float:
        # FP8 runs on FP8 tensor cores where the GPU has them; elsewhere it is weight-only, at the BF16 peak.
        peak = self.gpu.fp8_tflops if self.precision == "fp8" and self.gpu.fp8_tflops else self.gpu.bf16_tflops
        return peak * 1e12 * self.tp

    @property
    def bandwidth(self) -> float:
        return self.gpu.bandwidth_gbs * 1e9 * self.tp

    @property
    def kv_room_bytes(self) -> float:
        return self.tp * self.gpu.memory_gb * 1e9 * MEMORY_UTILISATION - self.weight_bytes

    @property
    def kv_per_request(self) -> float:
        # Reserved for the whole request up front, as TensorRT-LLM's default GUARANTEED_NO_EVICT scheduler does.
        return kv_bytes_for_context(self.model, self.precision, self.kv_tokens)

    def max_batch(self) -> int:
        if self.kv_room_bytes <= 0:
            return 0
        if self.kv_per_request <= 0:
            return 0
        return int(self.kv_room_bytes // self.kv_per_request)

    def _weights_read(self, tokens: float) -> float:
        # MoE: a step reads the experts its tokens touch, at most all of them; dense: all weights.
        m = self.model
        per_param = WEIGHT_BYTES[self.precision]
        return min(m.params, m.active_params * max(tokens, 1.0)) * per_param

    def _attn_flops_per_token(self, context: float) -> float:
        m = self.model
        if not (m.layers and m.heads and m.head_dim):
            return 0.0
        window = min(context, m.sliding_window) if m.sliding_window else context
        return 4.0 * m.layers * m.heads * m.head_dim * window  # QKᵀ and AV, 2 FLOPs per multiply-add

    def _step(self, decodes: float, prompt_tokens: float, prompts: float) -> float:
        """Seconds for one engine step: `decodes` requests emit a token each, `prompt_tokens` of new prompts
        (from `prompts` requests) are prefilled alongside."""
        m = self.model
        tokens = decodes + prompt_tokens
        eff_flops = self.peak_flops * COMPUTE_EFFICIENCY
        eff_bw = self.bandwidth * BANDWIDTH_EFFICIENCY
        # Decode: the larger of reading the weights and computing one token per request (roofline). Prefill is
        # added on top rather than hidden under the weight read: a prompt chunk makes its step compute-bound,
        # and the decode steps between prompts still pay the full read. (Overlapping the two overshot the
        # long-prompt TensorRT-LLM shapes by up to 37 %; see docs/benchmarks.md.)
        linear = (max(self._weights_read(tokens) / eff_bw, 2.0 * m.active_params * decodes / eff_flops)
                  + 2.0 * m.active_params * prompt_tokens / eff_flops)
        mean_context = self.inp + self.out / 2.0
        kv_read = decodes * kv_bytes_for_context(m, self.precision, mean_context)
        attn_flops = decodes * self._attn_flops_per_token(mean_context)
        # A prompt of n tokens attends, on average, to n/2 earlier tokens per token (causal mask).
        prefill_attn = prompts * self.inp * self._attn_flops_per_token(self.inp / 2.0)
        attention = max(kv_read / eff_bw, attn_flops / eff_flops) + prefill_attn / eff_flops
        comm = 0.0
        if self.tp > 1 and m.layers and m.hidden_size:
            payload = tokens * m.hidden_size * ACTIVATION_BYTES * 2 * (self.tp - 1) / self.tp
            link = (INTERCONNECT_GBS if self.tp <= 8 else INTER_NODE_GBS) * 1e9
            comm = 2 * m.layers * (2 * (self.tp - 1) * ALLREDUCE_HOP_LATENCY_S + payload / link)
        return linear + attention + comm + STEP_OVERHEAD_S

    def tpot(self, batch: int) -> float:
        """Steady state: each step also prefills batch/out new requests, so the batch stays full."""
        prompts = batch / self.out
        return self._step(batch, prompts * self.inp, prompts)

    def ttft(self, batch: int) -> float:
        """A new request's prompt is prefilled in one step beside the batch's decodes."""
        return self._step(max(batch - 1, 0), self.inp, 1)

    def tokens_per_second(self, batch: int) -> float:
        """Output tokens per second for the whole replica."""
        return batch / self.tpot(batch)


def _largest_batch(ok, hi: int) -> int:
    """Largest b in [1, hi] with ok(b) true, for ok monotone (true then false); 0 when ok(1) is false."""
    if hi < 1 or not ok(1):
        return 0
    lo = 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def plan_replica(shape: Shape, ttft_s: float | None, tpot_s: float | None) -> dict[str, Any]:
    """Batch at memory, batch under the latency targets, and throughput at both."""
    return dict(_plan_replica(shape, ttft_s, tpot_s))  # a copy: callers may override the batch


@functools.lru_cache(maxsize=4096)
def _plan_replica(shape: Shape, ttft_s: float | None, tpot_s: float | None) -> dict[str, Any]:
    # Memoised: the plan depends on the shape and the targets only, never on prices or volumes, which the
    # make-or-buy search and the robustness draws vary while the shape stays put.
    mem_batch = shape.max_batch()
    meets = (lambda b: (ttft_s is None or shape.ttft(b) <= ttft_s) and (tpot_s is None or shape.tpot(b) <= tpot_s))
    batch = _largest_batch(meets, mem_batch) if mem_batch else 0
    return {"mem_batch": mem_batch, "batch": batch,
            "tps": shape.tokens_per_second(batch) if batch else 0.0,
            "tps_max": shape.tokens_per_second(mem_batch) if mem_batch else 0.0}


def _assume(assumptions: list, name: str, value: Any, source: str) -> Any:
    assumptions.append({"name": name, "value": value, "source": source})
    return value


def _hosted(inf: Any, result: dict[str, Any]) -> dict[str, Any]:
    inf_in, inf_out, rpm = inf.input_tokens, inf.output_tokens, inf.requests_per_month
    per_request = ((inf_in or 0) * (inf.api_input_usd_per_1m or 0)
                   + (inf_out or 0) * (inf.api_output_usd_per_1m or 0)) / 1e6
    result.update(mode="hosted-api", cost_per_request_usd=per_request,
                  cost_per_1k_requests_usd=per_request * 1000,
                  cost_per_1m_tokens_usd=(per_request / ((inf_in or 0) + (inf_out or 0)) * 1e6
                                          if (inf_in or inf_out) else None),
                  monthly_cost_usd=per_request * rpm if rpm is not None else None)
    return result


def estimate_serving(compute: Compute, r: Resolved, context: int | None = None) -> dict[str, Any] | None:
    """Self-hosted (or hosted-API) serving cost; appends what it assumed to r.assumptions."""
    inf = compute.inference
    if inf is None and r.model is None:
        return None
    inf_in = inf.input_tokens if inf else None
    inf_out = inf.output_tokens if inf else None
    rpm = inf.requests_per_month if inf else None
    result: dict[str, Any] = {"requests_per_month": rpm, "input_tokens": inf_in, "output_tokens": inf_out}
    if inf and (inf.api_input_usd_per_1m is not None or inf.api_output_usd_per_1m is not None):
        return _hosted(inf, result)
    if r.model is None:
        return None
    assumptions = r.assumptions
    model, gpu = _with_catalogue_attention(r.model), r.serving_gpu
    precision = inf.precision if inf and inf.precision else "bf16"
    kv_token = kv_bytes_per_token(model, precision)
    if kv_token is None:
        missing = [f for f, v in (("layers", model.layers), ("kv_heads", model.kv_heads or model.kv_lora_rank),
                                  ("head_dim", model.head_dim or model.kv_lora_rank)) if not v]
        if model.kv_lora_rank and not model.qk_rope_head_dim:
            missing = ["qk_rope_head_dim"]
        if inf is None:  # nobody asked for serving: say why it is missing rather than sizing KV at 0
            _assume(assumptions, "serving", "not estimated",
                    f"the KV cache of {model.name} cannot be sized without {', '.join(missing)}")
            return None
        raise UserError(Problem(f"the KV cache of {model.name} cannot be sized: give {', '.join(missing)} "
                                "(or a catalogue base_model)", field=f"compute.{missing[0]}"))

    # Request shape.
    if inf_in is None and inf_out is None and context is None:
        total = _assume(assumptions, "tokens per request", min(model.context_length or DEFAULT_TOKENS, DEFAULT_TOKENS),
                        "not given: half input, half output")
    else:
        total = context or ((inf_in or 0) + (inf_out or 0))
    inp = int(inf_in if inf_in is not None else (total - (inf_out or 0)) if inf_out is not None else total // 2)
    out = int(inf_out if inf_out is not None else max(total - inp, 1))
    if inf_out is None and inf_in is not None:
        _assume(assumptions, "output tokens per request", out, "not given: the rest of --context, at least 1")
    out = max(out, 1)
    kv_tokens = int(context or (inp + out))
    if model.context_length and kv_tokens > model.context_length:
        raise UserError(Problem(f"{kv_tokens:,} tokens per request exceed {model.name}'s context of "
                                f"{model.context_length:,}", field="compute.inference.input_tokens"))

    # Latency targets.
    ttft_ms = inf.ttft_ms if inf and inf.ttft_ms else _assume(assumptions, "TTFT target (ms)", DEFAULT_TTFT_MS,
                                                               LATENCY_SOURCE)
    tpot_ms = inf.tpot_ms if inf and inf.tpot_ms else _assume(assumptions, "TPOT target (ms)", DEFAULT_TPOT_MS,
                                                               LATENCY_SOURCE)
    peak_factor = inf.peak_to_average if inf and inf.peak_to_average else _assume(
        assumptions, "peak-to-average load", DEFAULT_PEAK_TO_AVERAGE,
        "default; the fleet is sized for this multiple of the average request rate, around the clock")

    def shape_at(tp: int) -> Shape:
        return Shape(model, gpu, precision, tp, inp, out, kv_tokens)

    wanted_batch = inf.batch_size if inf and inf.batch_size else None
    need = wanted_batch or 1
    tp = inf.tensor_parallel if inf else None
    if tp is not None:
        if not allowed_tp(tp):
            raise UserError(Problem(f"tensor_parallel {tp} is not a tensor-parallel size: use 1, 2, 4, 8 or a "
                                    f"multiple of 8 up to {MAX_TP}", field="compute.inference.tensor_parallel"))
        if shape_at(tp).max_batch() < need:
            raise UserError(Problem(
                f"{model.name} ({shape_at(tp).weight_bytes / 1e9:,.1f} GB of {precision} weights) plus the KV cache "
                f"of {need} request(s) of {kv_tokens:,} tokens does not fit on {tp} × {gpu.name} "
                f"({MEMORY_UTILISATION:.0%} of {gpu.memory_gb:g} GB each)", field="compute.inference.tensor_parallel"))
        candidates = [tp]
    else:
        # Room for KV grows with the group while a request's KV stays put, so every size above the smallest
        # that fits also fits: scan up to it only.
        sizes = _tp_candidates()
        first = next((i for i, t in enumerate(sizes) if shape_at(t).max_batch() >= need), len(sizes))
        fitting = sizes[first:]
        if not fitting:
            raise UserError(Problem(
                f"{model.name} ({shape_at(1).weight_bytes / 1e9:,.1f} GB of {precision} weights) does not fit with "
                f"the KV cache of {need} request(s) even on {MAX_TP} × {gpu.name}",
                field="compute.inference.batch_size" if wanted_batch else "compute.inference"))
        # A practitioner tries the layouts from the smallest that fits up to one node and keeps the cheapest
        # per token: more GPUs leave more room for KV (a bigger batch) but pay for all-reduces.
        smallest = fitting[0]
        candidates = [t for t in fitting if t <= max(smallest, 8)]

    def choose(ttft_s: float | None, tpot_s: float | None) -> tuple[Shape, dict[str, Any]]:
        best: tuple[Shape, dict[str, Any], float] | None = None
        for t in candidates:
            s = shape_at(t)
            plan = plan_replica(s, ttft_s, tpot_s)
            if wanted_batch:  # the user's batch overrides the latency cap; its latency is still reported
                plan["batch"] = wanted_batch
                plan["tps"] = s.tokens_per_second(wanted_batch)
            per_gpu = plan["tps"] / t
            if best is None or per_gpu > best[2] * 1.0001:  # ties go to the smaller replica
                best = (s, plan, per_gpu)
        assert best is not None  # candidates is never empty
        return best[0], best[1]

    warnings: list[str] = []
    targets = {"ttft_ms": ttft_ms, "tpot_ms": tpot_ms}
    user_set = {"ttft_ms": bool(inf and inf.ttft_ms), "tpot_ms": bool(inf and inf.tpot_ms)}
    while True:
        shape, plan = choose(*(targets[k] / 1000.0 if targets[k] is not None else None for k in ("ttft_ms", "tpot_ms")))
        if plan["batch"]:
            break
        fastest = shape_at(candidates[-1])  # the largest layout tried has the lowest latency at batch 1
        at_one = {"ttft_ms": fastest.ttft(1) * 1000, "tpot_ms": fastest.tpot(1) * 1000}
        field = next(k for k in ("ttft_ms", "tpot_ms") if targets[k] is not None and at_one[k] > targets[k])
        message = (f"no batch meets the latency target {field} = {targets[field]:g} ms: even one request at a time "
                   f"takes {at_one[field]:,.0f} ms on {fastest.tp} × {gpu.name} ({model.name}, {inp:,} in / "
                   f"{out:,} out)")
        if user_set[field]:
            raise UserError(Problem(message, field=f"compute.inference.{field}"))
        # A default target the request shape cannot meet is dropped, said out loud, rather than failing the run.
        warnings.append(f"{message}; the default target is not applied (set compute.inference.{field} to choose one)")
        _assume(assumptions, f"{field} target", "not applied", warnings[-1])
        targets[field] = None
    if tp is None:
        _assume(assumptions, "GPUs per replica (tensor parallel)", shape.tp,
                "the layout from the smallest that fits up to 8 GPUs with the most output tokens/s per GPU")

    batch, replica = plan["batch"], shape.tp
    rps_replica = plan["tps"] / out
    tps_gpu = plan["tps"] / replica
    tps_gpu_max = plan["tps_max"] / replica
    price = r.serving_gpu_hour_usd
    replica_hour = price * replica if price is not None else None
    full_load_per_request = replica_hour / 3600 / rps_replica if replica_hour is not None else None
    max_load_per_request = (replica_hour / 3600 / (plan["tps_max"] / out)
                            if replica_hour is not None and plan["tps_max"] else None)
    idle_floor = replica_hour * HOURS_PER_MONTH if replica_hour is not None else None
    replicas = gpus_needed = monthly_cost = per_request = utilisation = None
    if rpm is not None and rpm > 0:
        average_rps = rpm / SECONDS_PER_MONTH
        replicas = max(1, math.ceil(average_rps * peak_factor / rps_replica))
        gpus_needed = replicas * replica
        utilisation = average_rps / (replicas * rps_replica)
        if replica_hour is not None:
            monthly_cost = replicas * replica_hour * HOURS_PER_MONTH
            per_request = monthly_cost / rpm
    elif full_load_per_request is not None:
        per_request = full_load_per_request
    weights_gb = shape.weight_bytes / 1e9
    kv_request_gb = shape.kv_per_request / 1e9
    usable_one = gpu.memory_gb * MEMORY_UTILISATION
    tokens = inp + out

    def per_1m(cost: float | None, n: float) -> float | None:
        return cost / n * 1e6 if cost is not None and n else None

    result.update(
        mode="self-hosted", model=model.name, gpu=gpu.name, precision=precision,
        weights_gb=weights_gb, kv_bytes_per_token=kv_token, kv_gb_per_request=kv_request_gb,
        kv_tokens_per_request=kv_tokens,
        kv_attention=("MLA" if model.kv_lora_rank else
                      f"sliding window {model.sliding_window:,}" if model.sliding_window else
                      "MQA" if model.kv_heads == 1 else
                      "GQA" if model.kv_heads and model.heads and model.kv_heads < model.heads else "MHA"),
        tokens_per_request=tokens, effective_input_tokens=inp, effective_output_tokens=out,
        fits_one_gpu=weights_gb + kv_request_gb <= usable_one,
        gpus_per_replica=replica, tensor_parallel=replica, batch_size=batch,
        max_batch_size_memory=plan["mem_batch"], kv_gb_at_batch=kv_request_gb * batch,
        ttft_ms=shape.ttft(batch) * 1000, tpot_ms=shape.tpot(batch) * 1000,
        ttft_target_ms=targets["ttft_ms"], tpot_target_ms=targets["tpot_ms"], warnings=warnings,
        prefill_seconds=shape.ttft(batch), decode_step_seconds=shape.tpot(batch),
        requests_per_second_per_replica=rps_replica,
        tokens_per_second_per_gpu=tps_gpu,
        tokens_per_second_per_gpu_max=tps_gpu_max,
        peak_to_average=peak_factor, replicas=replicas, gpus_needed=gpus_needed, utilisation=utilisation,
        gpu_hour_usd=price, monthly_cost_usd=monthly_cost,
        idle_floor_monthly_usd=idle_floor,
        cost_per_request_usd=per_request,
        cost_per_1k_requests_usd=per_request * 1000 if per_request is not None else None,
        cost_per_1m_tokens_usd=per_1m(per_request, tokens),
        cost_per_request_full_load_usd=full_load_per_request,
        cost_per_1m_tokens_full_load_usd=per_1m(full_load_per_request, tokens),
        cost_per_1m_output_tokens_full_load_usd=per_1m(full_load_per_request, out),
        cost_per_1m_tokens_max_throughput_usd=per_1m(max_load_per_request, tokens),
        efficiency={"compute": COMPUTE_EFFICIENCY, "bandwidth": BANDWIDTH_EFFICIENCY,
                    "memory_utilisation": MEMORY_UTILISATION, "step_overhead_s": STEP_OVERHEAD_S,
                    "allreduce_hop_latency_s": ALLREDUCE_HOP_LATENCY_S, "interconnect_gbs": INTERCONNECT_GBS},
    )
    return result


def published_throughput() -> tuple[str, list[tuple[str, int, int, int, float]]]:
    """NVIDIA's published TensorRT-LLM figures the model is calibrated on: (source, rows of model, tensor
    parallel, input tokens, output tokens, total output tokens/s)."""
    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parent / "tensorrt_llm_h100_fp8.yaml").read_text(encoding="utf-8"))
    return data["source"], [(str(m), int(tp), int(i), int(o), float(t)) for m, tp, i, o, t in data["rows"]]
