"""Golden renders, as model-card-toolkit keeps them: the Markdown report and the JSON result of the three
archetype examples (no dataset, so no benchmark timing noise) must match the files in tests/golden/.

A change to a template, a rubric or a formula shows up here as a readable diff. When the change is intended,
regenerate with `ASSESS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and review the diff in git.
Library versions are replaced by a placeholder so that the files do not depend on the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assess.jsonout import dumps
from assess.pipeline import RunOptions, run
from assess.report import render_markdown

from helpers import EXAMPLES

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("ASSESS_UPDATE_GOLDEN") == "1"


def _stable(result: dict) -> dict:
    versions = result["reproducibility"]["versions"]
    result["reproducibility"]["versions"] = {name: "(version)" for name in versions}
    result["assess_version"] = "(version)"
    return result


def _check(path: Path, text: str) -> None:
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path.name} is missing: run with ASSESS_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:  # show the first differing line rather than two walls of text
        for number, (got, want) in enumerate(zip(text.splitlines(), expected.splitlines()), 1):
            assert got == want, f"{path.name}:{number} differs (ASSESS_UPDATE_GOLDEN=1 regenerates)"
        assert len(text.splitlines()) == len(expected.splitlines()), f"{path.name}: length differs"


@pytest.mark.parametrize("example", ["api-app", "model-lab", "consumer-app"])
def test_golden_markdown_and_json(example):
    result = _stable(run(EXAMPLES / example / "project.yaml", RunOptions(date="2026-01-01", run_bench=False)))
    _check(GOLDEN / f"{example}.md", render_markdown(result))
    _check(GOLDEN / f"{example}.json", dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
