"""Serving model against NVIDIA's published TensorRT-LLM throughput (H100 SXM, FP8).

Source: NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md at commit
00f37686aa854010d68bcbd0f4ab000221541ca6 (the v1.0 table). Its metric is "Total Output Throughput
(tokens/sec)" for the whole tensor-parallel group, measured by `trtllm-bench … throughput` at an infinite request
rate with synthetic fixed-length requests (--input-stdev 0 --output-stdev 0), FP8 weights and FP8 KV cache,
--kv_cache_free_gpu_mem_fraction 0.95. So the comparison is the model's full-load throughput mode (batch as large
as the KV memory allows, no latency cap): `tokens_per_second_per_gpu_max` × TP against the table's total.

Run from the repository root: python bench/calibrate_serving.py [--markdown]
The model is analytic: the machine that runs this script does not change the numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's assess, not an installed one

from assess.compute.estimate import estimate
from assess.project import Compute

SOURCE = ("NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md @ 00f37686aa854010d68bcbd0f4ab000221541ca6 "
          "(v1.0), H100 SXM 80GB, FP8, total output tokens/s of the TP group")

# (model, TP, ISL, OSL, published total output tokens/s)
PUBLISHED: list[tuple[str, int, int, int, float]] = [
    ("Llama-3.1-8B", 1, 128, 128, 28_312), ("Llama-3.1-8B", 1, 128, 2048, 22_714),
    ("Llama-3.1-8B", 1, 128, 4096, 14_325), ("Llama-3.1-8B", 1, 500, 2000, 17_660),
    ("Llama-3.1-8B", 1, 1000, 1000, 15_220), ("Llama-3.1-8B", 1, 1000, 2000, 13_899),
    ("Llama-3.1-8B", 1, 2048, 128, 3_450), ("Llama-3.1-8B", 1, 2048, 2048, 9_305),
    ("Llama-3.1-8B", 1, 5000, 500, 3_459), ("Llama-3.1-8B", 1, 20000, 2000, 1_351),
    ("Llama-3.3-70B", 2, 128, 128, 6_378), ("Llama-3.3-70B", 2, 128, 2048, 6_651),
    ("Llama-3.3-70B", 2, 128, 4096, 4_199), ("Llama-3.3-70B", 2, 500, 2000, 5_222),
    ("Llama-3.3-70B", 2, 1000, 1000, 4_205), ("Llama-3.3-70B", 2, 1000, 2000, 4_146),
    ("Llama-3.3-70B", 2, 2048, 128, 762), ("Llama-3.3-70B", 2, 2048, 2048, 3_082),
    ("Llama-3.3-70B", 2, 5000, 500, 898), ("Llama-3.3-70B", 2, 20000, 2000, 437),
]


def predicted(model: str, tp: int, isl: int, osl: int, gpu: str = "H100-SXM") -> dict:
    """The model's throughput-mode result for one published shape."""
    spec = Compute.model_validate({"base_model": model, "gpu": gpu, "gpu_hour_usd": 2.0, "inference": {
        "precision": "fp8", "input_tokens": isl, "output_tokens": osl, "tensor_parallel": tp}})
    return estimate(spec)["inference"]


def rows() -> list[dict]:
    out = []
    for model, tp, isl, osl, total in PUBLISHED:
        inf = predicted(model, tp, isl, osl)
        ours = inf["tokens_per_second_per_gpu_max"]
        out.append({"model": model, "tp": tp, "isl": isl, "osl": osl, "published_per_gpu": total / tp,
                    "predicted_per_gpu": ours, "residual": ours / (total / tp) - 1,
                    "batch": inf["max_batch_size_memory"]})
    return out


def main(argv: list[str]) -> int:
    table = rows()
    if "--markdown" in argv:
        print("| Model | TP | ISL/OSL | Published tok/s/GPU | Model tok/s/GPU | Batch (KV-bound) | Residual |")
        print("|---|---|---|---|---|---|---|")
        for r in table:
            print(f"| {r['model']} | {r['tp']} | {r['isl']}/{r['osl']} | {r['published_per_gpu']:,.0f} | "
                  f"{r['predicted_per_gpu']:,.0f} | {r['batch']:,} | {r['residual']:+.1%} |")
    else:
        print(f"source: {SOURCE}")
        for r in table:
            print(f"{r['model']:<14} TP{r['tp']} {r['isl']:>6}/{r['osl']:<5} published {r['published_per_gpu']:>8,.0f} "
                  f"model {r['predicted_per_gpu']:>8,.0f} batch {r['batch']:>6,}  {r['residual']:+.1%}")
    worst = max(abs(r["residual"]) for r in table)
    print(f"\nworst |residual| {worst:.1%} over {len(table)} shapes; "
          f"mean |residual| {sum(abs(r['residual']) for r in table) / len(table):.1%}")
    return 0 if worst <= 0.30 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
