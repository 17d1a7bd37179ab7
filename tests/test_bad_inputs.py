"""A corpus of malformed and hostile inputs, driven through the CLI.

Every case asserts: the exit code (2, or 0 where a warning is right), a message naming the file, the line
and/or the field, no traceback, and no output file left behind.

Accepted number spellings (documented in README and project.py): 5000000, 5.0e6, "5e6", "1,000,000",
"1_000", "$5M", "2.5k", "1.2B", "3T"; rates also "5%". Rejected: words, misplaced separators, NaN, infinity.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

CSV = "text,label\n" + "".join(f"message number {i} about things,{'a' if i % 2 else 'b'}\n" for i in range(40))
BOMB = "\n".join(['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]) + "\nname: bomb\n"
RUBRIC_BAD_FACT = """\
id: market
title: M
version: "1"
criteria:
  - id: x
    question: Q?
    fact: market.nonsense
    weight: 1
    bands: [{gte: 0, score: 1}]
    advice: A
    source: S
"""


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes]
    args: list[str]
    expect: list[str]  # substrings of stderr; {tmp} is the test's directory
    code: int = 2
    output: str | None = "out.pdf"  # must not exist afterwards (None: command writes no file)
    extra: dict = field(default_factory=dict)


def project_case(name: str, body: str | bytes, *expect: str, code: int = 2) -> Case:
    return Case(name, {"p.yaml": body}, ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf", "--no-bench"], list(expect),
                code=code)


def dataset_case(name: str, data: str | bytes, command: str, *expect: str, target: str = "label",
                 data_name: str = "d.csv", extra: tuple = ()) -> Case:
    return Case(name, {data_name: data}, [command, "{tmp}/" + data_name, "--target", target, "-o", "{tmp}/out.json",
                                          "--format", "json", *extra], list(expect), output="out.json")


def compute_case(name: str, *args: str, expect: str) -> Case:
    return Case(name, {}, ["compute", *args, "--format", "json", "-o", "{tmp}/out.json"], [expect], output="out.json")


CASES = [
    # --- YAML syntax and structure -------------------------------------------------------------------------
    project_case("yaml-syntax", "name: [unclosed\n", "p.yaml:", "YAML syntax error"),
    project_case("yaml-tabs", "name: X\nmarket:\n\ttam: 5\n", "p.yaml:3", "tabs"),
    project_case("yaml-duplicate-key", "name: X\nname: Y\n", "p.yaml:2: name: duplicate key (first defined on line 1)"),
    project_case("yaml-nested-duplicate", "name: X\nmarket:\n  tam: 1\n  tam: 2\n", "p.yaml:4: market.tam: duplicate key"),
    project_case("yaml-alias-bomb", BOMB, "p.yaml:", "anchors and aliases"),
    project_case("yaml-simple-alias", "name: &n X\ntagline: *n\n", "p.yaml:2", "anchors and aliases"),
    project_case("yaml-python-tag", "name: !!python/object/apply:os.system ['echo hi']\n", "p.yaml:1",
                 "YAML syntax error"),
    project_case("yaml-top-level-list", "- name: X\n", "p.yaml:1: expected a mapping at the top level, got list"),
    project_case("yaml-top-level-scalar", "just text\n", "p.yaml:1: expected a mapping at the top level, got str"),
    project_case("yaml-empty", "", "p.yaml:1: file is empty"),
    project_case("yaml-only-comments", "# nothing here\n", "p.yaml:1: file is empty"),
    project_case("yaml-not-utf8", "name: Caf\xe9\n".encode("latin-1"), "p.yaml:1: not valid UTF-8"),
    project_case("yaml-binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "p.yaml"),
    project_case("yaml-huge", "name: X\n" + "# padding\n" * 300_000, "p.yaml: file is", "limit"),
    # --- wrong types, values and cross-field rules ------------------------------------------------------------
    project_case("missing-name", "tagline: x\n", "p.yaml:1: name: required field is missing"),
    project_case("empty-name", "name: ''\n", "p.yaml:1: name:"),
    project_case("word-for-number", "name: X\nmarket:\n  tam: lots\n", "p.yaml:3: market.tam: expected a number"),
    project_case("bad-separator", "name: X\nmarket:\n  tam: '1,00'\n", "p.yaml:3: market.tam: misplaced thousands"),
    project_case("negative-money", "name: X\nbusiness:\n  cac: -5\n", "p.yaml:3: business.cac: expected a number ≥ 0"),
    project_case("nan-value", "name: X\nmarket:\n  tam: .nan\n", "p.yaml:3: market.tam: expected a finite number"),
    project_case("inf-value", "name: X\nbusiness:\n  cash: .inf\n", "p.yaml:3: business.cash: expected a finite number"),
    project_case("churn-above-one", "name: X\nbusiness:\n  monthly_churn: 1.5\n", "p.yaml:3: business.monthly_churn"),
    project_case("churn-percent-above", "name: X\nbusiness:\n  monthly_churn: 150%\n", "p.yaml:3: business.monthly_churn"),
    project_case("som-over-sam", "name: X\nmarket:\n  sam: 1e6\n  som: 1e7\n", "p.yaml:4: market.som: expected som ≤ sam"),
    project_case("sam-over-tam", "name: X\nmarket:\n  tam: 1e6\n  sam: 1e7\n", "p.yaml:4: market.sam: expected sam ≤ tam"),
    project_case("bad-enum", "name: X\ntech:\n  approach: magic\n", "p.yaml:3: tech.approach: expected one of"),
    project_case("competitors-not-list", "name: X\nmarket:\n  competitors: BigCo\n", "p.yaml:3: market.competitors: expected a list"),
    project_case("competitor-no-name", "name: X\nmarket:\n  competitors: [{strength: weak}]\n",
                 "p.yaml:3: market.competitors.0.name: required field is missing"),
    project_case("bool-for-number", "name: X\nbusiness:\n  cash: true\n", "p.yaml:3: business.cash"),
    project_case("number-for-bool", "name: X\ntech:\n  monitoring: 5\n", "p.yaml:3: tech.monitoring: expected true or false"),
    project_case("section-not-mapping", "name: X\nmarket: 5\n", "p.yaml:2: market: expected a mapping of fields"),
    project_case("mfu-out-of-range", "name: X\ncompute:\n  mfu: 2\n", "p.yaml:3: compute.mfu: expected a number ≤ 1"),
    project_case("kv-heads-over-heads", "name: X\ncompute:\n  heads: 8\n  kv_heads: 16\n", "p.yaml:4: compute.kv_heads"),
    project_case("unknown-gpu", "name: X\ncompute:\n  model_params: 1e9\n  gpu: Z80\n", "p.yaml:4: compute.gpu: unknown GPU 'Z80'"),
    project_case("unknown-model", "name: X\ncompute:\n  base_model: Llama-99\n", "p.yaml:3: compute.base_model: unknown model"),
    project_case("context-too-long", "name: X\ncompute:\n  base_model: Llama-2-7B\n  inference:\n    input_tokens: 9000\n",
                 "p.yaml:5: compute.inference.input_tokens", "context of 4,096"),
    project_case("bad-currency", "name: X\ncurrency: dollars\n", "p.yaml:2: currency:"),
    # --- warnings that still succeed -----------------------------------------------------------------------------
    Case("unknown-field-warns", {"p.yaml": "name: X\nmarkt:\n  tam: 5\n"}, ["validate", "{tmp}/p.yaml"],
         ["warning: {tmp}/p.yaml:2: markt: unknown field 'markt' ignored; did you mean 'market'?"], code=0, output=None),
    Case("unknown-nested-field-warns", {"p.yaml": "name: X\nbusiness:\n  chrun: 0.1\n"}, ["validate", "{tmp}/p.yaml"],
         ["p.yaml:3: business.chrun: unknown field", "did you mean 'monthly_churn'"], code=0, output=None),
    Case("human-numbers-accepted", {"p.yaml": "name: X\nmarket:\n  tam: '$5B'\n  sam: '1,000,000'\n  som: 5e5\n"
                                              "business:\n  monthly_churn: 2%\n"},
         ["validate", "{tmp}/p.yaml"], ["valid"], code=0, output=None),
    # --- files ------------------------------------------------------------------------------------------------------
    Case("project-missing", {}, ["run", "{tmp}/nope.yaml", "-o", "{tmp}/out.pdf"], ["{tmp}/nope.yaml: file not found"]),
    Case("project-is-directory", {"d/x": "1"}, ["run", "{tmp}/d", "-o", "{tmp}/out.pdf"], ["{tmp}/d: is a directory"]),
    project_case("dataset-missing", "name: X\ndata:\n  path: none.csv\n", "p.yaml:3: data.path: dataset file not found"),
    Case("dataset-empty", {"p.yaml": "name: X\ndata:\n  path: d.csv\n  target: label\n", "d.csv": ""},
         ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf"], ["{tmp}/d.csv: dataset file is empty"]),
    Case("dataset-target-missing", {"p.yaml": "name: X\ndata:\n  path: d.csv\n  target: nope\n", "d.csv": CSV},
         ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf"], ["d.csv: data.target: target column 'nope' not found"]),
    Case("dataset-no-target-given", {"p.yaml": "name: X\ndata:\n  path: d.csv\n", "d.csv": CSV},
         ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf"], ["d.csv: data.target: no target column given"]),
    Case("image-folder-without-classes", {"p.yaml": "name: X\ndata:\n  path: imgs\n", "imgs/readme.txt": "x"},
         ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf"], ["imgs: an image folder needs one subfolder per class"]),
    Case("rubric-unknown-fact", {"p.yaml": "name: X\n", "r/market.yaml": RUBRIC_BAD_FACT},
         ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf", "--rubrics", "{tmp}/r"],
         ["r/market.yaml:7: criteria.0.fact: unknown fact 'market.nonsense'"]),
    Case("rubric-dir-missing", {"p.yaml": "name: X\n"}, ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf", "--rubrics",
                                                         "{tmp}/none"], ["none: rubrics directory not found"]),
    Case("template-dir-missing", {"p.yaml": "name: X\n"}, ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf",
                                                           "--template-dir", "{tmp}/none"],
         ["none: template directory not found"]),
    Case("bad-date", {"p.yaml": "name: X\n"}, ["run", "{tmp}/p.yaml", "-o", "{tmp}/out.pdf", "--date", "tomorrow"],
         ["--date: expected a date like 2026-01-31"]),
    Case("output-dir-missing", {"p.yaml": "name: X\n"}, ["run", "{tmp}/p.yaml", "-o", "{tmp}/no/out.pdf"],
         ["output directory does not exist"], output="no/out.pdf"),
    # --- datasets through bench and data ----------------------------------------------------------------------------
    dataset_case("bench-empty-file", "", "bench", "d.csv: dataset file is empty"),
    dataset_case("data-header-only", "text,label\n", "data", "d.csv:2: dataset has a header but no rows"),
    dataset_case("bench-binary", b"\x00\x01\x02\x03garbage\x00" * 50, "bench", "d.csv: looks like a binary file"),
    dataset_case("bench-target-missing", CSV, "bench", "d.csv: --target: target column 'nope' not found", target="nope"),
    dataset_case("bench-single-class", "x,label\n" + "1,a\n2,a\n3,a\n4,a\n", "bench", "--target: target 'label' has a single class"),
    dataset_case("bench-target-all-nan", "x,label\n1,\n2,\n3,\n", "bench", "--target: target column 'label' is empty"),
    dataset_case("bench-all-nan-features", "x,label\n,a\n,b\n,a\n,b\n", "bench", "no usable feature columns"),
    dataset_case("data-duplicate-columns", "a,a,label\n1,2,x\n", "data", "d.csv:1: duplicated column name 'a'"),
    dataset_case("data-empty-column-name", "a,,label\n1,2,x\n", "data", "d.csv:1: column 2 has an empty name"),
    dataset_case("bench-max-rows", CSV, "bench", "more than 10 rows, the --max-rows limit", extra=("--max-rows", "10")),
    dataset_case("bench-max-bytes", CSV, "bench", "over the --max-bytes limit of 100", extra=("--max-bytes", "100")),
    dataset_case("bench-unknown-text-column", CSV, "bench", "column(s) not in the dataset: nope", extra=("--text", "nope")),
    dataset_case("bench-regression-on-text", CSV, "bench", "a regression target must be numeric",
                 extra=("--task", "regression")),
    dataset_case("bench-unknown-model", CSV, "bench", "--models: unknown baseline(s) Magic", extra=("--models", "Magic")),
    dataset_case("data-bad-parquet", b"PAR1 this is not parquet", "data", "d.parquet: cannot", data_name="d.parquet"),
    # --- compute flags ---------------------------------------------------------------------------------------------------
    compute_case("compute-zero-params", "--params", "0", "--tokens", "1e9", expect="--params: expected a number > 0"),
    compute_case("compute-negative-tokens", "--params", "7e9", "--tokens", "-1", expect="--tokens: expected a number > 0"),
    compute_case("compute-mfu", "--params", "7e9", "--mfu", "1.2", expect="--mfu: expected a number ≤ 1"),
    compute_case("compute-unknown-gpu", "--params", "7e9", "--gpu", "Z80", expect="known GPUs: A100-40GB"),
    compute_case("compute-unknown-model", "--base-model", "Nope-1B", expect="known models:"),
    compute_case("compute-nothing", expect="nothing to estimate"),
    compute_case("compute-word-params", "--params", "seven billion", expect="--params: expected a number"),
]


def materialise(tmp_path, case: Case) -> list[str]:
    for name, content in case.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return [arg.replace("{tmp}", str(tmp_path)) for arg in case.args]


def test_corpus_has_at_least_forty_distinct_cases():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(invoke, tmp_path, case):
    args = materialise(tmp_path, case)
    started = time.monotonic()
    result = invoke(*args)
    assert time.monotonic() - started < 30
    assert result.exit_code == case.code, result.stderr
    for expected in case.expect:
        assert expected.replace("{tmp}", str(tmp_path)) in result.stderr, result.stderr
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything
    if case.code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert errors and all(line.startswith("error: ") for line in result.stderr.strip().splitlines()
                              if not line.startswith(("assess:", "warning:")))
    if case.output:
        assert not (tmp_path / case.output).exists()
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_alias_bomb_is_rejected_quickly(invoke, tmp_path):
    (tmp_path / "p.yaml").write_text(BOMB)
    started = time.monotonic()
    result = invoke("validate", tmp_path / "p.yaml")
    assert result.exit_code == 2 and time.monotonic() - started < 2


def test_earlier_report_survives_a_failed_run(invoke, tmp_path):
    (tmp_path / "p.yaml").write_text("name: [broken\n")
    report = tmp_path / "out.pdf"
    report.write_bytes(b"%PDF-1.7 earlier report")
    result = invoke("run", tmp_path / "p.yaml", "-o", report)
    assert result.exit_code == 2
    assert report.read_bytes() == b"%PDF-1.7 earlier report"


def test_megabyte_cells_profile_without_error(invoke, tmp_path):
    rows = ["text,label"] + [f"{'x' * (1 << 20) if i == 0 else 'short text here'},{i % 2}" for i in range(30)]
    (tmp_path / "big.csv").write_text("\n".join(rows) + "\n")
    result = invoke("data", tmp_path / "big.csv", "--target", "label", "--format", "json")
    assert result.exit_code == 0, result.stderr


def test_mixed_encodings_load_with_a_note(invoke, tmp_path):
    rows = [f"message {i} caf\u00e9 ok,{'a' if i % 2 else 'b'}".encode() for i in range(30)]
    rows += [f"message {i} caf\u00e9 old,{'a' if i % 2 else 'b'}".encode("latin-1") for i in range(30)]
    (tmp_path / "mixed.csv").write_bytes(b"text,label\n" + b"\n".join(rows) + b"\n")
    result = invoke("data", tmp_path / "mixed.csv", "--target", "label", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "read with encoding" in result.stderr and "Traceback" not in result.stderr
