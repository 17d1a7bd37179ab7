"""The closed vocabularies of assess, named once: the schema's `Literal`s, the CLI's `click.Choice`s and the
engines all read them from here. A light module (no pydantic, no pandas) so that the CLI can import it at once."""

from __future__ import annotations

REPORT_FORMATS = ("pdf", "html", "json", "md")
TEXT_FORMATS = ("table", "json")  # the terminal commands: bench, data, compute, rubrics
BENCH_TASKS = ("binary", "multiclass", "regression")
CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc")
REGRESSION_METRICS = ("r2", "mae", "rmse")
TABLE_METRICS = CLASSIFICATION_METRICS + REGRESSION_METRICS  # what the benchmark measures
GENERATIVE_METRICS = ("win_rate", "pass_at_k", "exact_match", "f1", "rouge_l", "bleu", "chrf", "human_preference",
                      "p95_latency_ms")
LOWER_IS_BETTER = ("mae", "rmse", "p95_latency_ms")
DATA_SOURCES = ("proprietary", "licensed", "public", "scraped", "synthetic")
PRECISIONS = ("fp32", "bf16", "fp16", "fp8", "int8", "int4")
TRAINING_TYPES = ("none", "lora", "qlora", "full", "pretrain")
