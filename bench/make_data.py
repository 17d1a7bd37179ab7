"""Generate large synthetic datasets for the scaling benchmarks (labelled synthetic; never shipped)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

WORDS = ("order refund delivery account login password invoice payment card late broken great thanks help "
         "support cancel upgrade plan price discount error crash slow fast app web phone email team").split()


def text_rows(n: int, seed: int = 0) -> pd.DataFrame:
    """n short messages; the label depends on a few signal words, with 10 % label noise."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(WORDS), size=(n, 12))
    vocab = np.array(WORDS)
    texts = [" ".join(row) for row in vocab[idx]]
    signal = np.isin(idx, [WORDS.index("refund"), WORDS.index("broken"), WORDS.index("crash")]).sum(axis=1)
    label = np.where(signal > 0, "complaint", "other")
    flip = rng.random(n) < 0.1
    label[flip] = np.where(label[flip] == "complaint", "other", "complaint")
    return pd.DataFrame({"text": texts, "label": label})


def tabular_rows(n: int, columns: int = 20, seed: int = 0) -> pd.DataFrame:
    """n rows × columns mixed numeric/categorical with some missing values and a label."""
    rng = np.random.default_rng(seed)
    data = {}
    for j in range(columns - 1):
        if j % 4 == 3:
            data[f"cat{j}"] = rng.choice(["red", "green", "blue", "amber", "violet"], size=n)
        else:
            values = rng.normal(size=n)
            values[rng.random(n) < 0.02] = np.nan
            data[f"num{j}"] = values
    score = np.nan_to_num(data["num0"]) + 0.5 * np.nan_to_num(data["num1"]) + rng.normal(scale=0.5, size=n)
    data["label"] = np.where(score > 0, "yes", "no")
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["text", "tabular"])
    parser.add_argument("rows", type=int)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    frame = text_rows(args.rows) if args.kind == "text" else tabular_rows(args.rows)
    frame.to_csv(args.output, index=False)
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
