"""Export the example datasets from data that ships with scikit-learn, so the examples are real and offline.

    python examples/export_datasets.py

strong/cytology.csv  Wisconsin Diagnostic Breast Cancer (sklearn.datasets.load_breast_cancer), 569 rows.
weak/diabetes.csv    Diabetes progression (sklearn.datasets.load_diabetes), 442 rows, as a regression.
"""

from pathlib import Path

from sklearn.datasets import load_breast_cancer, load_diabetes

HERE = Path(__file__).resolve().parent


def main() -> None:
    cancer = load_breast_cancer(as_frame=True)
    frame = cancer.frame.rename(columns={"target": "diagnosis"})
    frame["diagnosis"] = frame["diagnosis"].map({0: "malignant", 1: "benign"})
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    frame.to_csv(HERE / "strong" / "cytology.csv", index=False, float_format="%.6g")

    diabetes = load_diabetes(as_frame=True, scaled=False)
    frame = diabetes.frame.rename(columns={"target": "progression"})
    frame.to_csv(HERE / "weak" / "diabetes.csv", index=False, float_format="%.6g")


if __name__ == "__main__":
    main()
