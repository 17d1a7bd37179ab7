"""Shared fixtures. Test data is generated here or comes from scikit-learn's bundled datasets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli import main

from helpers import FULL, text_dataset, write


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the CLI in-process; returns the click Result (stdout and stderr kept apart)."""

    def _invoke(*args: str, **kwargs):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return _invoke


@pytest.fixture
def text_csv(tmp_path) -> Path:
    path = tmp_path / "tickets.csv"
    text_dataset().to_csv(path, index=False)
    return path


@pytest.fixture
def full_project(tmp_path, text_csv) -> Path:
    body = FULL + "data:\n  path: tickets.csv\n  target: label\n  text_columns: [text]\n  source: proprietary\n"
    return write(tmp_path, body)
