"""Shared fixtures. Test data is generated here or comes from scikit-learn's bundled datasets."""

from __future__ import annotations

import os
from collections import Counter
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


def _file(item) -> str:
    return item.nodeid.split("::")[0]


def pytest_collection_modifyitems(config, items) -> None:
    """Files with the most slow tests first. Tests run in parallel one file per worker (--dist loadfile, so that a
    file's module fixtures, its shared runs and renders, are made once), and a heavy file started last would leave
    the other workers idle at the end (--no-loadscope-reorder keeps this order; xdist's own puts files with the
    most tests first)."""
    slow = Counter(_file(item) for item in items if item.get_closest_marker("slow"))
    items.sort(key=lambda item: -slow[_file(item)])  # a stable sort: the order inside a file is kept


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config) -> int:
    """One worker per core, plus one: several tests wait on subprocesses, deadlines or a Dask cluster, and the
    extra worker keeps the cores busy meanwhile. At most 8, since each worker holds its own imports (~300 MB)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(2, min(cores + 1, 8))
