"""Serving model against NVIDIA's published TensorRT-LLM throughput (H100 SXM, FP8).

Source: NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md at commit
00f37686aa854010d68bcbd0f4ab000221541ca6 (the v1.0 table). Its metric is "Total Output Throughput
(tokens/sec)" for the whole tensor-parallel group, measured by `trtllm-bench … throughput` at an infinite request
rate with synthetic fixed-length requests (--input-stdev 0 --output-stdev 0), FP8 weights and FP8 KV cache,
--kv_cache_free_gpu_mem_fraction 0.95. So the comparison is the model's full-load throughput mode (batch as large
as the KV memory allows, no latency cap): `tokens_per_second_per_gpu_max` × TP against the table's total.

Run from the repository root: python bench/calibrate_serving.py [--markdown | --validate]
The model is analytic: the machine that runs this script does not change the numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's assess, not an installed one

from assess.compute.estimate import estimate
from assess.compute.serving import published_throughput
from assess.project import Compute

SOURCE, PUBLISHED = published_throughput()

# Held out (not used to fit anything): the same v1.0 table on H200, and the v0.20 table's 70B at TP4/TP8 on H100
# (NVIDIA/TensorRT-LLM perf-overview.md, v0.20; a different release, so ~10 % version drift is expected).
_SHAPES = [(128, 128), (128, 2048), (128, 4096), (500, 2000), (1000, 1000), (1000, 2000), (2048, 128),
           (2048, 2048), (5000, 500), (20000, 2000)]
VALIDATION: list[tuple[str, str, int, int, int, float, str]] = [
    *[("Llama-3.1-8B", "H200", 1, i, o, v, "v1.0") for (i, o), v in zip(_SHAPES, [
        27_911, 26_221, 18_027, 20_770, 17_744, 16_828, 3_538, 12_194, 3_902, 1_804])],
    *[("Llama-3.3-70B", "H200", 1, i, o, v, "v1.0") for (i, o), v in zip(_SHAPES, [
        3_803, 4_336, 2_872, 3_666, 2_909, 2_994, 442, 2_003, 566, 283])],
    *[("Llama-3.1-405B", "H200", 8, i, o, v, "v1.0") for (i, o), v in zip(_SHAPES, [
        3_814, 5_348, 4_741, 4_724, 3_330, 3_722, 456, 2_948, 650, 505])],
    *[("Llama-3.3-70B", "H100-SXM", 4, i, o, v, "v0.20") for (i, o), v in zip(_SHAPES[1:], [
        11_464.94, 8_206.39, 9_903.53, 7_435.65, 7_611.12, 1_213.33, None, 1_552.68, 903.66]) if v],
    *[("Llama-3.3-70B", "H100-SXM", 8, i, o, v, "v0.20") for (i, o), v in zip(_SHAPES[1:], [
        17_424.32, 12_624.61, 14_553.93, 11_018.81, 11_139.22, 1_839.22, None, 2_369.84, 1_554.10]) if v],
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


def validation_rows() -> list[dict]:
    out = []
    for model, gpu, tp, isl, osl, total, version in VALIDATION:
        ours = predicted(model, tp, isl, osl, gpu)["tokens_per_second_per_gpu_max"]
        out.append({"model": model, "gpu": gpu, "tp": tp, "isl": isl, "osl": osl, "version": version,
                    "published_per_gpu": total / tp, "predicted_per_gpu": ours, "residual": ours / (total / tp) - 1})
    return out


def main(argv: list[str]) -> int:
    if "--validate" in argv:
        held = validation_rows()
        groups: dict[tuple, list[float]] = {}
        for r in held:
            groups.setdefault((r["model"], r["gpu"], r["tp"], r["version"]), []).append(r["residual"])
        print("| Model | GPU | TP | Table | Residuals by shape | Worst |")
        print("|---|---|---|---|---|---|")
        for (model, gpu, tp, version), res in groups.items():
            print(f"| {model} | {gpu} | {tp} | {version} | {' '.join(f'{x:+.0%}' for x in res)} | "
                  f"{max(map(abs, res)):.0%} |")
        return 0
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
