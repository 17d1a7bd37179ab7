"""Data readiness: planted problems are found, and nothing is invented."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from assess.dataprofile.license import classify_license, commercial_use_verdict
from assess.dataprofile.pii import mask, scan_text
from assess.dataprofile.profile import profile_dataset, profile_facts
from assess.dataset import Dataset
from assess.project import Data, Datasheet, Project

CARD_OK = "4111 1111 1111 1111"  # Luhn-valid test card number
CARD_BAD = "4111 1111 1111 1112"  # fails the Luhn check
CN_ID = "11010519491231002X"  # valid GB 11643-1999 checksum


def planted_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    notes = [f"customer note {i} about the order" for i in range(n)]
    notes[3] = "contact me at jane.doe@example.com please"
    notes[4] = "my other mail is bob@example.org"
    notes[5] = f"card {CARD_OK} was charged twice"
    notes[6] = f"reference {CARD_BAD} is not a card"
    notes[7] = f"resident id {CN_ID} on file"
    frame = pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "income": rng.normal(50_000, 10_000, n).round(),
        "notes": notes,
        "leak": np.where(y == 1, "approved", "rejected"),  # a copy of the label under another name
        "label": np.where(y == 1, "yes", "no"),
    })
    frame.loc[10:19, "income"] = np.nan
    dupes = frame.iloc[20:25].copy()
    dupes["label"] = np.where(dupes["label"] == "yes", "no", "yes")  # same inputs, conflicting labels
    return pd.concat([frame, dupes, frame.iloc[30:33]], ignore_index=True)


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    ds = Dataset(planted_frame(), tmp_path_factory.mktemp("d") / "planted.csv")
    return profile_dataset(ds, "label", Project(name="x"), text_columns=["notes"])


def test_emails_cards_and_ids_are_found(profile):
    pii = profile["pii"]
    assert pii["by_kind"]["email"] == 2
    assert pii["by_kind"]["card"] == 1  # the Luhn-invalid number is not a card
    assert pii["by_kind"]["cn_resident_id"] == 1
    assert pii["columns"] == ["notes"]


def test_report_shows_masked_values_only(profile):
    text = json.dumps(profile)
    for secret in ("jane.doe@example.com", "bob@example.org", CARD_OK, CN_ID, CARD_BAD):
        assert secret not in text
    assert any(e.startswith("email: j***@e***.com") for e in profile["pii"]["examples"])


def test_leaking_column_is_found(profile):
    assert [s["column"] for s in profile["leakage_suspects"]] == ["leak"]
    assert profile["leakage_suspects"][0]["score"] > 0.98


def test_duplicates_and_label_conflicts(profile):
    assert profile["duplicate_rows"] == 3
    assert profile["label_conflicts"] == 5


def test_missing_and_balance(profile):
    income = next(c for c in profile["columns"] if c["name"] == "income")
    assert income["missing_share"] == pytest.approx(10 / 408, abs=1e-3)
    assert set(profile["class_balance"]) == {"yes", "no"}
    assert 0.3 < profile["minority_share"] <= 0.5


def test_column_types(profile):
    types = {c["name"]: c["type"] for c in profile["columns"]}
    assert types == {"age": "numeric", "income": "numeric", "notes": "text", "leak": "categorical",
                     "label": "categorical"}


def test_leakage_caps_readiness_at_c(profile):
    assert profile["readiness_level"] == "C"
    assert "leakage" in " ".join(profile["readiness_reasons"])


def test_facts_for_the_data_rubric(profile):
    facts = profile_facts(profile)
    for name in ("data.rows", "data.missing_rate", "data.duplicate_rate", "data.label_conflicts",
                 "data.minority_share", "data.leakage_suspects", "data.pii_rate", "data.commercial_use",
                 "data.datasheet_completeness", "data.readiness_level"):
        assert name in facts
    assert facts.get("data.leakage_suspects") == 1


def test_phone_numbers_found_and_luhn_invalid_not_a_card():
    hits = scan_text(f"call +44 20 7946 0958 or 0845 281 0075; ref {CARD_BAD}")
    assert len(hits["phone"]) == 2
    assert "card" not in hits
    assert "us_ssn" in scan_text("ssn 536-90-4399") and "us_ssn" not in scan_text("ssn 000-12-3456")
    assert "iban" in scan_text("IBAN GB82 WEST 1234 5698 7654 32")
    assert "cn_resident_id" not in scan_text("id 110105194912310021")  # wrong checksum


def test_masking_keeps_shape_only():
    assert mask("card", CARD_OK) == "************1111"
    assert mask("email", "alice@corp.io") == "a***@c***.io"


@pytest.mark.parametrize("license, category", [
    ("MIT", "permissive"), ("CC-BY-4.0", "permissive"), ("CC-BY-SA-4.0", "share-alike"),
    ("CC-BY-NC-4.0", "non-commercial"), ("CC-BY-NC-SA-4.0", "non-commercial"), ("CC-BY-ND-4.0", "no-derivatives"),
    ("LicenseRef-acme-internal", "proprietary"), ("MIT OR CC-BY-NC-4.0", "non-commercial"), (None, "unknown"),
    ("some words", "unknown"),
])
def test_license_categories(license, category):
    assert classify_license(license)["category"] == category


@pytest.mark.parametrize("license, source, allowed, verdict", [
    ("CC-BY-NC-4.0", "public", None, "forbidden"),
    ("MIT", "public", None, "allowed"),
    (None, "proprietary", None, "allowed"),
    (None, "scraped", None, "restricted"),
    ("CC-BY-SA-4.0", "public", None, "restricted"),
    ("MIT", "licensed", False, "forbidden"),
    (None, None, None, "unknown"),
])
def test_commercial_use_verdict(license, source, allowed, verdict):
    assert commercial_use_verdict(classify_license(license), source, allowed)[0] == verdict


def test_datasheet_completeness_and_level_a(tmp_path):
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    sheet = Datasheet(motivation="m", composition="c", collection="c", preprocessing="p", uses="u")
    project = Project(name="x", data=Data(license="CC-BY-4.0", datasheet=sheet))
    profile = profile_dataset(Dataset(frame, tmp_path / "bc.csv"), "target", project)
    assert profile["datasheet"]["completeness"] == pytest.approx(5 / 7)
    assert profile["leakage_suspects"] == []
    assert profile["readiness_level"] == "A"


def test_data_cli_json(invoke, tmp_path):
    path = tmp_path / "planted.csv"
    planted_frame().to_csv(path, index=False)
    result = invoke("data", path, "--target", "label", "--text", "notes", "--format", "json", "--license", "MIT")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["facts"]["data.commercial_use"] == "allowed"
    assert data["facts"]["data.leakage_suspects"] == 1
    assert {c["name"] for c in data["profile"]["columns"]} >= {"notes", "leak"}
