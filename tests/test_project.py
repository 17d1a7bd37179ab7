"""project.yaml validation: types, human numbers, cross-field rules, and located error messages."""

from __future__ import annotations

import pytest

from assess.errors import UserError
from assess.project import load_project, parse_number, parse_rate

from helpers import FULL, MINIMAL, write


def test_minimal_project_only_needs_a_name(tmp_path):
    loaded = load_project(write(tmp_path, MINIMAL))
    assert loaded.project.name == "Tiny Co"
    assert loaded.project.market.tam is None  # unknown stays unknown
    assert loaded.warnings == []


def test_full_project_validates(tmp_path):
    loaded = load_project(write(tmp_path, FULL))
    assert loaded.project.market.customers == 50000
    assert loaded.project.tech.target.metric == "accuracy"


@pytest.mark.parametrize("text, expected", [
    ("5e6", 5e6), ("1,000,000", 1e6), ("1_000", 1000), ("$5M", 5e6), ("2.5k", 2500), ("1.2B", 1.2e9),
    ("3T", 3e12), ("€40", 40), (7, 7), (2.5, 2.5),
])
def test_human_numbers_are_accepted(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["five", "1,00", "$", "5MM5", "1e", "--3", "nan"])
def test_unparseable_numbers_are_rejected(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_rates_accept_percent():
    assert parse_rate("5%") == pytest.approx(0.05)
    assert parse_rate(0.2) == 0.2


def test_three_planted_errors_give_three_located_lines(tmp_path):
    path = write(tmp_path, """\
        name: Broken
        market:
          tam: -5
        business:
          monthly_churn: 1.5
          cac: lots
        """)
    with pytest.raises(UserError) as info:
        load_project(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert f"{path}:3: market.tam: expected a number ≥ 0" in lines[0]
    assert any(f"{path}:5: business.monthly_churn: expected a number ≤ 1" in line for line in lines)
    assert any(f"{path}:6: business.cac: expected a number" in line for line in lines)


def test_unknown_field_warns_with_suggestion(tmp_path):
    loaded = load_project(write(tmp_path, "name: X\nmarket:\n  tamm: 5\n"))
    assert len(loaded.warnings) == 1
    assert "market.tamm" in loaded.warnings[0] and "did you mean 'tam'" in loaded.warnings[0]


@pytest.mark.parametrize("body, located", [
    ("name: X\nmarket:\n  tam: 1e9\n  sam: 1e8\n  som: 5e8\n", ":5: market.som: expected som ≤ sam"),
    ("name: X\nmarket:\n  tam: 1e8\n  sam: 1e9\n", ":4: market.sam: expected sam ≤ tam"),
    ("tagline: no name\n", ":1: name: required field is missing"),
    ("name: X\nstage: unicorn\n", ":2: stage: expected one of 'idea', 'pre-seed'"),
    ("name: X\ndata:\n  path: nope.csv\n", ":3: data.path: dataset file not found"),
    ("name: X\nbusiness:\n  cac: yes\n", ":3: business.cac: expected a number"),
    ("name: X\ncompute:\n  heads: 8\n  kv_heads: 32\n", ":4: compute.kv_heads: expected kv_heads ≤ heads"),
    ("name: X\ndata:\n  target: y\n  drop_columns: [y]\n", ":4: data.drop_columns: the target column 'y' cannot"),
])
def test_errors_name_file_line_and_field(tmp_path, body, located):
    path = write(tmp_path, body)
    with pytest.raises(UserError) as info:
        load_project(path)
    assert f"{path}{located}" in str(info.value)
