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


CHINESE_FULL = (FULL.replace("name: Acme AI", "name: 星衡智能 (Xingheng AI)")
                .replace("tagline: Classifies support tickets", "tagline: 面向金融的私有化大模型")
                .replace("{name: BigCo, strength: strong}", "{name: 国内头部大模型公司, strength: dominant}")
                .replace("Works inside the ticketing tools teams already use, with no integration work.",
                         "私有化部署与国产算力适配。"))


@pytest.fixture(scope="session")
def twin_pdfs(tmp_path_factory) -> tuple[dict, bytes, bytes]:
    """An English report on a project with a Chinese name, run and rendered twice from scratch with
    SOURCE_DATE_EPOCH pinned: (the first result, the first PDF, the second PDF). One pair of real renders serves
    the byte-identity test (test_report.py) and the CJK-text-in-an-English-PDF test (test_i18n.py); both carry
    xdist_group("twin_pdfs") so that they share it."""
    from assess.pipeline import run
    from assess.report import render

    path = write(tmp_path_factory.mktemp("twin"), CHINESE_FULL)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
        first, second = run(path), run(path)
        return first, render(first, "pdf"), render(second, "pdf")


@pytest.fixture
def text_csv(tmp_path) -> Path:
    path = tmp_path / "tickets.csv"
    text_dataset().to_csv(path, index=False)
    return path


@pytest.fixture
def full_project(tmp_path, text_csv) -> Path:
    body = FULL + "data:\n  path: tickets.csv\n  target: label\n  text_columns: [text]\n  source: proprietary\n"
    return write(tmp_path, body)


def pytest_xdist_auto_num_workers(config) -> int:
    """One worker per core, plus one: several tests wait on subprocesses, deadlines or a Dask cluster, and the
    extra worker keeps the cores busy meanwhile. At most 8, since each worker holds its own imports (~300 MB)."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(2, min(cores + 1, 8))
