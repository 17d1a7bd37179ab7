"""Rubric loading: bundled files, user overrides and extensions, and located errors."""

from __future__ import annotations

import pytest

from assess.errors import UserError
from assess.rubrics import load_rubrics

from helpers import write

EXTRA = """\
id: team
title: Team
version: "0.1"
criteria:
  - id: engineers
    question: Enough ML engineers?
    fact: tech.ml_engineers
    weight: 1
    bands: [{gte: 5, score: 5}, {gte: 0, score: 1}]
    advice: Hire.
    source: Fund thesis
"""


def test_user_rubric_extends_bundled(tmp_path):
    write(tmp_path, EXTRA, "team.yaml")
    rubrics = load_rubrics(tmp_path)
    assert [r.id for r in rubrics][-1] == "team"
    assert len(rubrics) == 7


def test_user_rubric_overrides_bundled_by_id(tmp_path):
    write(tmp_path, EXTRA.replace("id: team", "id: market").replace("title: Team", "title: My market"), "market.yaml")
    rubrics = load_rubrics(tmp_path)
    assert len(rubrics) == 6
    assert rubrics[0].title == "My market" and len(rubrics[0].criteria) == 1


def test_unknown_fact_is_located_with_suggestion(tmp_path):
    path = write(tmp_path, EXTRA.replace("fact: tech.ml_engineers", "fact: tech.ml_engineer"), "team.yaml")
    with pytest.raises(UserError) as info:
        load_rubrics(tmp_path)
    message = str(info.value)
    assert f"{path}:7: criteria.0.fact: unknown fact 'tech.ml_engineer'" in message
    assert "did you mean 'tech.ml_engineers'" in message


def test_bad_band_score_is_located(tmp_path):
    path = write(tmp_path, EXTRA.replace("{gte: 5, score: 5}", "{gte: 5, score: 9}"), "team.yaml")
    with pytest.raises(UserError, match=rf"{path}:9: criteria.0.bands.0.score"):
        load_rubrics(tmp_path)


def test_id_must_match_file_name(tmp_path):
    write(tmp_path, EXTRA, "people.yaml")
    with pytest.raises(UserError, match="must match the file name 'people'"):
        load_rubrics(tmp_path)


def test_empty_or_missing_rubric_dir_is_an_error(tmp_path):
    with pytest.raises(UserError, match="no \\*.yaml rubric files"):
        load_rubrics(tmp_path)
    with pytest.raises(UserError, match="rubrics directory not found"):
        load_rubrics(tmp_path / "nope")
