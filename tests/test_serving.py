"""Serving model: published throughput, attention variants, replica layouts, latency targets and fleet cost."""

from __future__ import annotations

import json
import math

import pytest

from assess.compute.catalog import model_catalogue
from assess.compute.estimate import estimate
from assess.compute.serving import (
    ALLREDUCE_HOP_LATENCY_S,
    HOURS_PER_MONTH,
    SECONDS_PER_MONTH,
    allowed_tp,
    kv_bytes_per_token,
    published_throughput,
)
from assess.errors import UserError
from assess.project import Compute

# NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md @ 00f37686aa854010d68bcbd0f4ab000221541ca6 (v1.0):
# H100 SXM 80GB, FP8 weights and KV cache, total output tokens/s of the TP group (ISL/OSL fixed). The table ships
# with the package (assess/compute/tensorrt_llm_h100_fp8.yaml) so that bench/calibrate_serving.py reads the same.
TRTLLM_V1_H100_FP8 = published_throughput()[1]


def serve(**inference) -> dict:
    base = {k: inference.pop(k) for k in ("base_model", "gpu", "gpu_hour_usd", "model_params", "layers", "kv_heads",
                                          "head_dim", "heads", "active_params") if k in inference}
    return estimate(Compute.model_validate({**base, "inference": inference}))["inference"]


@pytest.mark.parametrize("model, tp, isl, osl, total", TRTLLM_V1_H100_FP8,
                         ids=[f"{m}-TP{t}-{i}/{o}" for m, t, i, o, _ in TRTLLM_V1_H100_FP8])
def test_throughput_matches_tensorrt_llm(model, tp, isl, osl, total):
    """Output tokens/s per GPU at full load (batch set by KV memory, no latency cap) within ±30 % of NVIDIA's
    TensorRT-LLM table: NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md @ 00f37686 (v1.0), H100 SXM,
    FP8, `trtllm-bench throughput` at infinite request rate; its totals are per TP group, so divided by TP."""
    inf = serve(base_model=model, gpu="H100-SXM", precision="fp8", input_tokens=isl, output_tokens=osl,
                tensor_parallel=tp)
    assert inf["gpus_per_replica"] == tp
    assert inf["tokens_per_second_per_gpu_max"] == pytest.approx(total / tp, rel=0.30)


def test_auto_layout_for_70b_fp8_on_h100_is_tp2_as_nvidia_runs_it():
    """NVIDIA benchmarks Llama 3.3 70B FP8 on H100 at TP2 (v1.0 table): one GPU holds the weights but leaves ~1 GB
    for KV, so TP1 is far worse per GPU (v0.20 table: 756 vs 2,891 tok/s/GPU at 128/2048)."""
    inf = serve(base_model="Llama-3.3-70B", gpu="H100-SXM", precision="fp8", input_tokens=128, output_tokens=2048)
    assert inf["gpus_per_replica"] == 2


# --- attention variants ---------------------------------------------------------------------------------------

def test_mla_kv_bytes_deepseek_v2_exact():
    """DeepSeek-V2 (arXiv 2405.04434) §2.1.3: MLA caches (d_c + d_h^R)·l elements per token, d_c = 512,
    d_h^R = 64, l = 60 (§3.1.2): 576 × 60 × 2 bytes = 69,120 in bf16. Dropping the RoPE key gives 61,440."""
    assert serve(base_model="DeepSeek-V2", precision="bf16")["kv_bytes_per_token"] == 69_120
    assert serve(base_model="DeepSeek-V2", precision="fp8")["kv_bytes_per_token"] == 34_560


def test_kv_bytes_match_isca25_table():
    """"Insights into DeepSeek-V3" (ISCA '25, arXiv 2505.09343) Table 1, KV cache per token in BF16: DeepSeek-V3
    (MLA) 70.272 KB, Qwen-2.5 72B (GQA) 327.680 KB, LLaMA-3.1 405B (GQA) 516.096 KB."""
    cat = model_catalogue()
    assert kv_bytes_per_token(cat["deepseekv3"], "bf16") == 70_272
    assert kv_bytes_per_token(cat["qwen2.572b"], "bf16") == 327_680
    assert kv_bytes_per_token(cat["llama3.1405b"], "bf16") == 516_096


def test_sliding_window_caps_the_cache_eightfold_at_32k():
    """Mistral 7B (arXiv 2310.06825) §2: with W = 4096 the rolling buffer "reduces the cache memory usage by 8x"
    on a 32k-token sequence. v0.2 dropped the window, so it holds all 32k."""
    swa = serve(base_model="Mistral-7B-v0.1", input_tokens=28_672, output_tokens=4_096, tensor_parallel=1)
    full = serve(base_model="Mistral-7B", input_tokens=28_672, output_tokens=4_096, tensor_parallel=1)
    assert swa["kv_bytes_per_token"] == full["kv_bytes_per_token"] == 131_072
    assert full["kv_gb_per_request"] / swa["kv_gb_per_request"] == pytest.approx(8.0)
    assert swa["max_batch_size_memory"] > 7 * full["max_batch_size_memory"]


def test_gemma2_caps_only_its_local_layers():
    """Gemma 2 (arXiv 2408.00118) §2.1: a 4096-token window on every other layer, global attention on the rest."""
    inf = serve(base_model="Gemma-2-9B", input_tokens=6_000, output_tokens=2_000)
    per_layer = inf["kv_bytes_per_token"] / 42
    assert inf["kv_gb_per_request"] * 1e9 == pytest.approx(per_layer * (21 * 8_000 + 21 * 4_096))


def test_unsized_attention_is_an_error_when_serving_is_asked_for():
    with pytest.raises(UserError, match="cannot be sized: give layers") as err:
        serve(model_params=7e9, requests_per_month=1000)
    assert err.value.problems[0].field == "compute.layers"


def test_unsized_attention_without_serving_is_a_stated_assumption():
    result = estimate(Compute.model_validate({"model_params": 7e9, "training_tokens": 1e9}))
    assert result["inference"] is None
    note = [a for a in result["assumptions"] if a["name"] == "serving"]
    assert note and "cannot be sized without layers" in note[0]["source"]


# --- replica layout and latency -------------------------------------------------------------------------------

@pytest.mark.parametrize("tp, ok", [(1, True), (2, True), (3, False), (4, True), (6, False), (7, False), (8, True),
                                    (10, False), (16, True), (24, True), (12, False)])
def test_allowed_tensor_parallel_sizes(tp, ok):
    assert allowed_tp(tp) is ok


@pytest.mark.parametrize("name", sorted(m.name for m in model_catalogue().values()))
def test_every_catalogue_model_gets_a_real_layout(name):
    inf = serve(base_model=name, input_tokens=200, output_tokens=200, requests_per_month=1e6)
    assert allowed_tp(inf["gpus_per_replica"]) and inf["gpus_needed"] % inf["gpus_per_replica"] == 0
    assert inf["batch_size"] >= 1 and inf["kv_bytes_per_token"] > 0


def test_impossible_tensor_parallel_is_an_error():
    with pytest.raises(UserError, match="not a tensor-parallel size") as err:
        serve(base_model="Llama-3.1-8B", tensor_parallel=3)
    assert err.value.problems[0].field == "compute.inference.tensor_parallel"
    with pytest.raises(UserError, match="does not fit on 1 × H100-SXM"):
        serve(base_model="Llama-3.1-405B", precision="bf16", tensor_parallel=1)


def test_batch_that_fits_nowhere_is_an_error():
    with pytest.raises(UserError, match="does not fit") as err:
        serve(base_model="Llama-3.1-8B", input_tokens=100_000, output_tokens=1000, batch_size=10**9)
    assert err.value.problems[0].field == "compute.inference.batch_size"


def test_latency_target_caps_the_batch_and_raises_cost():
    loose = serve(base_model="Llama-3.1-8B", input_tokens=1000, output_tokens=500, gpu_hour_usd=2.0)
    tight = serve(base_model="Llama-3.1-8B", input_tokens=1000, output_tokens=500, gpu_hour_usd=2.0, tpot_ms=20)
    assert tight["batch_size"] < loose["batch_size"]
    assert tight["tpot_ms"] <= 20 < loose["tpot_ms"]
    assert tight["cost_per_1m_tokens_full_load_usd"] > loose["cost_per_1m_tokens_full_load_usd"]


def test_unmeetable_latency_target_is_a_located_error():
    with pytest.raises(UserError, match=r"no batch meets the latency target tpot_ms = 1 ms") as err:
        serve(base_model="Llama-3.1-8B", tpot_ms=1)
    assert err.value.problems[0].field == "compute.inference.tpot_ms"
    with pytest.raises(UserError, match="ttft_ms = 5 ms") as err:
        serve(base_model="Llama-3.1-70B", input_tokens=8000, output_tokens=100, ttft_ms=5)
    assert err.value.problems[0].field == "compute.inference.ttft_ms"


def test_unmeetable_default_target_is_dropped_with_a_warning():
    """A 20k-token prompt on one GPU misses the default 2 s TTFT; the user did not set it, so it is not applied."""
    inf = serve(base_model="Llama-3.3-70B", gpu="H200", precision="fp8", input_tokens=20000, output_tokens=2000,
                tensor_parallel=1)
    assert inf["ttft_target_ms"] is None and inf["ttft_ms"] > 2000
    assert inf["warnings"] and "ttft_ms" in inf["warnings"][0]


def test_tensor_parallel_pays_for_all_reduces():
    one, eight = (serve(base_model="Llama-3.1-8B", precision="fp8", input_tokens=1000, output_tokens=1000,
                        tensor_parallel=tp) for tp in (1, 8))
    assert eight["tokens_per_second_per_gpu_max"] < one["tokens_per_second_per_gpu_max"]
    assert ALLREDUCE_HOP_LATENCY_S > 0


# --- MoE -------------------------------------------------------------------------------------------------------

def test_moe_holds_total_and_computes_active_parameters():
    moe = serve(base_model="Mixtral-8x7B", precision="fp8", input_tokens=2000, output_tokens=200, tensor_parallel=1)
    dense = serve(model_params=46.7e9, layers=32, heads=32, kv_heads=8, head_dim=128, precision="fp8",
                  input_tokens=2000, output_tokens=200, tensor_parallel=1)
    assert moe["weights_gb"] == pytest.approx(46.7) == pytest.approx(dense["weights_gb"])
    assert moe["max_batch_size_memory"] == dense["max_batch_size_memory"]
    # Prefill-heavy, compute-bound: throughput follows active parameters (12.9B against 46.7B).
    ratio = moe["tokens_per_second_per_gpu_max"] / dense["tokens_per_second_per_gpu_max"]
    assert 2.5 < ratio < 46.7 / 12.9 * 1.05


# --- fleet and cost -----------------------------------------------------------------------------------------------

def test_fleet_is_sized_for_peak_and_reports_full_load_and_idle_floor():
    inf = serve(base_model="Llama-3.1-8B", gpu_hour_usd=2.0, input_tokens=1000, output_tokens=300,
                requests_per_month=3e8, peak_to_average=2)
    rps = inf["requests_per_second_per_replica"]
    replicas = math.ceil(3e8 / SECONDS_PER_MONTH * 2 / rps)
    assert replicas > 1 and inf["replicas"] == replicas
    assert inf["gpus_needed"] == replicas * inf["gpus_per_replica"]
    assert inf["monthly_cost_usd"] == pytest.approx(inf["gpus_needed"] * HOURS_PER_MONTH * 2.0)
    assert inf["idle_floor_monthly_usd"] == pytest.approx(inf["gpus_per_replica"] * HOURS_PER_MONTH * 2.0)
    assert inf["cost_per_request_full_load_usd"] == pytest.approx(2.0 * inf["gpus_per_replica"] / 3600 / rps)
    assert inf["utilisation"] == pytest.approx(3e8 / SECONDS_PER_MONTH / (replicas * rps))
    # Sized for twice the average, so the real-load cost is at least twice the full-load cost.
    assert inf["cost_per_request_usd"] >= 2 * inf["cost_per_request_full_load_usd"]


def test_low_volume_pays_the_idle_floor():
    inf = serve(base_model="Llama-3.1-8B", gpu_hour_usd=2.0, input_tokens=500, output_tokens=200,
                requests_per_month=1000)
    assert inf["monthly_cost_usd"] == inf["idle_floor_monthly_usd"] == pytest.approx(HOURS_PER_MONTH * 2.0)
    assert inf["cost_per_request_usd"] > 100 * inf["cost_per_request_full_load_usd"]


def test_defaults_are_stated_assumptions():
    result = estimate(Compute.model_validate({"base_model": "Llama-3.1-8B", "inference": {"input_tokens": 100}}))
    names = {a["name"]: a for a in result["assumptions"]}
    for name in ("TTFT target (ms)", "TPOT target (ms)", "peak-to-average load", "GPUs per replica (tensor parallel)"):
        assert name in names
    assert "mlperf.conf" in names["TPOT target (ms)"]["source"]


# --- CLI ------------------------------------------------------------------------------------------------------------

def test_cli_help_documents_serving_flags(invoke):
    text = " ".join(invoke("compute", "--help").stdout.split())
    for flag in ("--tensor-parallel", "--ttft-ms", "--tpot-ms", "--peak-to-average", "--batch-size", "--precision"):
        start = text.index(flag)
        assert "default" in text[start:start + 260], flag
    assert "MLPerf" in text


def test_cli_serving_flags_reach_the_estimate(invoke):
    result = invoke("compute", "--base-model", "Llama-3.3-70B", "--precision", "fp8", "--tensor-parallel", "4",
                    "--ttft-ms", "1500", "--tpot-ms", "50", "--peak-to-average", "2", "--requests-per-month", "1e6",
                    "--input-tokens", "1000", "--output-tokens", "300", "--format", "json")
    assert result.exit_code == 0, result.output
    inf = json.loads(result.stdout)["inference"]
    assert inf["gpus_per_replica"] == 4 and inf["tpot_target_ms"] == 50 and inf["peak_to_average"] == 2
    assert inf["tpot_ms"] <= 50


@pytest.mark.parametrize("args, field", [
    (["--tensor-parallel", "6"], "compute.inference.tensor_parallel"),
    (["--tpot-ms", "0.5"], "compute.inference.tpot_ms"),
    (["--ttft-ms", "-3"], "--ttft-ms"),
])
def test_cli_bad_serving_input_exits_2(invoke, args, field):
    result = invoke("compute", "--base-model", "Llama-3.1-8B", *args, "--format", "json")
    assert result.exit_code == 2, result.output
    assert field in result.stderr and "Traceback" not in result.stderr


def test_cli_table_shows_latency_floor_and_full_load(invoke):
    result = invoke("compute", "--base-model", "Llama-3.1-8B", "--requests-per-month", "1e6", "--input-tokens",
                    "500", "--output-tokens", "200")
    assert result.exit_code == 0, result.output
    for text in ("TTFT", "TPOT", "idle floor", "at full load", "with no latency cap"):
        assert text in result.stdout
