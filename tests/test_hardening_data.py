"""Issue 10, the dataset findings: a founder's data.path and data files are untrusted.

Each test reproduces one attack from the issue with data generated here, and fails on the code before the fix:
1 data.path outside the project folder, and uncapped lists of data values · 5 inf / 1e308 cells ·
6 nested JSONL/Parquet, damaged or DTD-carrying .xlsx · 9 limits and the time budget from the first byte ·
11 FIFOs in image folders · 15 UTF-16 text · 17 --max-rows on image folders · 18 decimal commas.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assess.caps import MAX_LISTED
from assess.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent
SECRET = "-----BEGIN OPENSSH PRIVATE KEY-----"
CSV = "text,label\n" + "".join(f"message number {i} about things,{'a' if i % 2 else 'b'}\n" for i in range(40))


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def errors_only(result) -> list[str]:
    """Exit 2 prints one 'error: …' line per problem and nothing else but progress and warnings."""
    lines = [line for line in result.stderr.splitlines() if not line.startswith(("assess:", "warning:"))]
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    return lines


def project(folder: Path, data_path: str, target: str = "label", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "p.yaml"
    path.write_text(f"name: Founder Co\ndata:\n  path: {json.dumps(data_path)}\n  target: {target}\n{extra}")
    return path


def secret_file(tmp_path: Path) -> Path:
    """The analyst's private key, outside the founder's folder."""
    secret = tmp_path / "home" / ".ssh" / "id_ed25519"
    secret.parent.mkdir(parents=True)
    secret.write_text(SECRET + "\n" + "".join(f"c2VjcmV0a2V5bGluZ{i:02d}\n" for i in range(7)))
    return secret


def png(path: Path, value: int = 0, size: int = 8) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size, size), value, dtype="uint8")).save(path)


def image_folder(root: Path, per_class: dict[str, int]) -> Path:
    for cls, count in per_class.items():
        for i in range(count):
            png(root / cls / f"{i:03d}.png", value=(i * 37) % 255)
    return root


# --- 1: the data-path rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink", "folder", "folder-symlink"])
def test_f1_data_path_outside_the_project_folder_is_refused(invoke, tmp_path, how):
    secret = secret_file(tmp_path)
    founder = tmp_path / "founder"
    founder.mkdir()
    if how == "absolute":
        path = project(founder, str(secret), target=SECRET)
    elif how == "dotdot":
        path = project(founder, "../home/.ssh/id_ed25519", target=SECRET)
    elif how == "symlink":  # shipped inside the founder's archive: a lexical check is not enough
        (founder / "data.csv").symlink_to(secret)
        path = project(founder, "data.csv", target=SECRET)
    elif how == "folder":
        image_folder(tmp_path / "home" / "photos", {"analyst_private_album": 3, "tax_2025": 3})
        path = project(founder, "../home/photos")
    else:
        image_folder(tmp_path / "home" / "photos", {"analyst_private_album": 3, "tax_2025": 3})
        (founder / "imgs").symlink_to(tmp_path / "home" / "photos")
        path = project(founder, "imgs")
    for command in (["run", path, "--format", "json", "-o", tmp_path / "out.json", "--no-bench"],
                    ["validate", path]):
        result = invoke(*command)
        assert result.exit_code == 2, result.stderr
        no_traceback(result)
        (line,) = errors_only(result)
        assert line.startswith(f"error: {path}:3: data.path: expected a dataset inside the project folder")
        assert "--data PATH or --allow-data-outside" in line
        everything = result.stdout + result.stderr
        assert "c2VjcmV0a2V5bGluZ" not in everything and "analyst_private_album" not in everything
    assert not (tmp_path / "out.json").exists()


def test_f1_the_analyst_can_allow_outside_data_or_name_it(invoke, tmp_path):
    shared = tmp_path / "shared" / "d.csv"
    shared.parent.mkdir()
    shared.write_text(CSV)
    founder = tmp_path / "founder"
    path = project(founder, "../shared/d.csv")
    args = ["--format", "json", "--no-bench", "-q"]
    assert invoke("run", path, *args).exit_code == 2
    allowed = invoke("run", path, *args, "--allow-data-outside")
    assert allowed.exit_code == 0, allowed.stderr
    assert json.loads(allowed.stdout)["evidence"]["data"]["rows"] == 40
    assert invoke("validate", path, "--allow-data-outside").exit_code == 0
    # --data replaces data.path, even one that is missing or outside, and is trusted as the analyst's own choice
    for data_path in ("../shared/d.csv", "missing.csv"):
        path = project(founder, data_path)
        named = invoke("run", path, *args, "--data", shared)
        assert named.exit_code == 0, named.stderr
        result = json.loads(named.stdout)
        assert result["evidence"]["data"]["rows"] == 40
        assert result["reproducibility"]["dataset"]["file"] == "d.csv"


def test_f1_inside_paths_and_inside_symlinks_still_work(invoke, tmp_path):
    founder = tmp_path / "founder"
    (founder / "data").mkdir(parents=True)
    (founder / "data" / "real.csv").write_text(CSV)
    (founder / "link.csv").symlink_to(founder / "data" / "real.csv")
    for data_path in ("data/real.csv", "link.csv", "./data/../link.csv", str(founder / "data" / "real.csv")):
        result = invoke("run", project(founder, data_path), "--format", "json", "--no-bench", "-q")
        assert result.exit_code == 0, (data_path, result.stderr)


@pytest.mark.parametrize("how", ["loop", "long", "nul-free-long-name"])
def test_f1_symlink_loops_and_overlong_paths_are_located_errors(invoke, tmp_path, how):
    founder = tmp_path / "founder"
    founder.mkdir()
    if how == "loop":
        (founder / "a.csv").symlink_to(founder / "b.csv")
        (founder / "b.csv").symlink_to(founder / "a.csv")
        path = project(founder, "a.csv")
    elif how == "long":
        path = project(founder, "/".join(["d" * 200] * 30) + "/x.csv")
    else:
        path = project(founder, "x" * 300 + ".csv")
    for command in (["validate", path], ["run", path, "--format", "json", "--no-bench"]):
        result = invoke(*command)
        assert result.exit_code == 2, result.stderr
        no_traceback(result)
        (line,) = errors_only(result)
        assert line.startswith(f"error: {path}:3: data.path: ")


@pytest.mark.slow
def test_f1_image_folder_links_pointing_outside_are_skipped(invoke, tmp_path):
    outside = image_folder(tmp_path / "home" / "photos", {"analyst_private_album": 4})
    png(tmp_path / "home" / "secret_scan.png", value=200)
    founder = tmp_path / "founder"
    folder = image_folder(founder / "imgs", {"cat": 6, "dog": 6})
    (folder / "analyst_private_album").symlink_to(outside / "analyst_private_album")  # a class from outside
    (folder / "cat" / "zz_linked.png").symlink_to(tmp_path / "home" / "secret_scan.png")  # a file from outside
    (folder / "dog" / "inside_link.png").symlink_to(folder / "dog" / "000.png")  # inside: allowed
    result = invoke("data", folder, "--target", "label", "--format", "json")
    assert result.exit_code == 0, result.stderr
    profile = json.loads(result.stdout)["profile"]
    assert profile["class_balance"] == {"dog": round(7 / 13, 4), "cat": round(6 / 13, 4)}
    assert profile["rows"] == 13
    assert "skipped 2 symbolic links that point outside the image folder" in result.stderr
    run = invoke("run", project(founder, "imgs"), "--format", "json", "--no-bench", "-q")
    assert run.exit_code == 0, run.stderr
    assert "analyst_private_album" not in json.dumps(json.loads(run.stdout)["evidence"]["data"]["class_balance"])


def test_f1_lists_of_data_values_are_capped_in_every_output(invoke, tmp_path):
    rows = 600
    frame = pd.DataFrame({"x": np.arange(rows) % 7, "label": [f"secretline{i:03d}" for i in range(rows)]})
    for i in range(30):
        frame[f"const{i:02d}"] = 1  # 30 constant columns: a list of column names
    frame.to_csv(tmp_path / "d.csv", index=False)
    result = invoke("data", tmp_path / "d.csv", "--target", "label", "--format", "json")
    assert result.exit_code == 0, result.stderr
    profile = json.loads(result.stdout)["profile"]
    assert profile["classes"] == rows and len(profile["class_balance"]) == MAX_LISTED + 1
    assert list(profile["class_balance"])[-1] == f"… and {rows - MAX_LISTED} more"
    assert profile["small_class_count"] == rows and profile["small_classes"][-1] == f"… and {rows - MAX_LISTED} more"
    assert len(profile["constant_columns"]) == MAX_LISTED + 1 and profile["constant_columns"][-1] == "… and 10 more"
    assert profile["column_count"] == 32 and len(profile["columns"]) == MAX_LISTED
    table = invoke("data", tmp_path / "d.csv", "--target", "label")
    assert table.exit_code == 0 and len(set(re.findall(r"secretline\d+", table.stdout))) <= MAX_LISTED
    assert "… and 12 more columns" in table.stdout
    founder = project(tmp_path, "d.csv")
    for fmt in ("json", "html", "md"):
        out = tmp_path / f"r.{fmt}"
        run = invoke("run", founder, "--format", fmt, "-o", out, "--no-bench", "-q")
        assert run.exit_code == 0, run.stderr
        shown = set(re.findall(r"secretline\d+", out.read_text()))
        assert len(shown) <= MAX_LISTED, (fmt, len(shown))
    html = (tmp_path / "r.html").read_text()
    assert f"… and {rows - MAX_LISTED} more" in html and "32: " in html


def test_f1_bench_feature_lists_and_dropped_column_notes_are_capped(tmp_path):
    from assess.bench.engine import BenchOptions, run_benchmark
    from assess.dataset import Dataset

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"f{i:02d}": rng.normal(size=120) for i in range(30)})
    for i in range(25):
        frame[f"empty{i:02d}"] = np.nan
    frame["label"] = ["a", "b"] * 60
    result = run_benchmark(Dataset(frame, tmp_path / "d.csv"), "label",
                           BenchOptions(budget=10, learning_curve=False, models=["Dummy"]))
    assert result["features"]["numeric"][-1] == "… and 10 more" and len(result["features"]["numeric"]) == 21
    notes = [w for w in result["warnings"] if "all-empty" in w]
    assert len(notes) == 1 and notes[0].endswith("… and 5 more")


# --- 5: non-finite numbers ------------------------------------------------------------------------------------


def test_f5_inf_and_1e308_cells_are_a_data_problem_not_a_crash(invoke, tmp_path):
    body = "x,y,label\n" + "".join(f"{i},{i * 2},{'a' if i % 2 else 'b'}\n" for i in range(60))
    path = tmp_path / "d.csv"
    path.write_text(body + "inf,1,a\n1e308,2,b\n-1e309,3,a\n")
    result = invoke("data", path, "--target", "label", "--format", "json")
    assert result.exit_code == 0, result.stderr
    no_traceback(result)
    assert "warning: 2 numbers are infinite (inf, or too large for a 64-bit float, such as 1e309) in " \
           "column(s) 'x': treated as missing" in result.stderr
    profile = json.loads(result.stdout)["profile"]
    assert profile["non_finite_values"] == {"cells": 3, "infinite": 2, "beyond_float32": 1, "columns": ["x"]}
    assert any("3 infinite or out-of-range numbers" in r for r in profile["readiness_reasons"])
    assert "1 numbers beyond ±3.4e38 (the float32 range models use) in column(s) 'x'" in profile["notes"]
    bench = invoke("bench", path, "--target", "label", "--budget", "10", "--models", "Dummy,Linear,ExtraTrees",
                   "--no-curve", "--format", "json")
    assert bench.exit_code == 0, bench.stderr
    result = json.loads(bench.stdout)
    assert [m["status"] for m in result["models"]] == ["ok"] * 3, result["models"]
    assert any("1 feature values beyond ±3.4e38" in w for w in result["warnings"])


def test_f5_regression_target_with_inf_drops_those_rows_with_a_warning(invoke, tmp_path):
    path = tmp_path / "r.csv"
    rows = "".join(f"{i * 7 % 23 + 0.5},{i * 1.37 + (i % 5)}\n" for i in range(80))
    path.write_text("x,y\n" + rows + "3,inf\n4,-inf\n")
    result = invoke("bench", path, "--target", "y", "--task", "regression", "--budget", "10", "--models",
                    "Dummy,Linear", "--no-curve", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "warning: 2 numbers are infinite" in result.stderr and "'y'" in result.stderr
    bench = json.loads(result.stdout)
    assert bench["rows_total"] == 80 and "raise --budget" not in result.stderr
    assert any("dropped 2 rows with no target value" in w for w in bench["warnings"])


# --- 6: nested values and damaged workbooks ---------------------------------------------------------------------


def workbook_with_sheet(path: Path, sheet_xml: bytes) -> Path:
    """A real workbook (written by pandas) whose first sheet's XML is replaced."""
    buffer = io.BytesIO()
    pd.DataFrame({"x": [1], "label": ["a"]}).to_excel(buffer, index=False)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml"
                         else source.read(info))
    return path


def sheet_rows(n: int, prolog: str = "") -> bytes:
    cells = ['<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
             '<c r="B1" t="inlineStr"><is><t>label</t></is></c></row>']
    cells += [f'<row r="{i}"><c r="A{i}"><v>{i * 7919 % 100003}</v></c><c r="B{i}" t="inlineStr"><is><t>'
              f'{"ab"[i % 2]}</t></is></c></row>' for i in range(2, n + 2)]
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + "".join(cells) + "</sheetData></worksheet>").encode()


def good_workbook(path: Path) -> Path:
    pd.DataFrame({"x": range(40), "label": ["a", "b"] * 20}).to_excel(path, index=False)
    return path


@pytest.mark.parametrize("case", ["jsonl-list", "jsonl-dict", "parquet-list", "parquet-struct", "xlsx-truncated",
                                  "xlsx-no-workbook", "xlsx-dtd", "xlsx-not-zip"])
def test_f6_nested_values_and_broken_workbooks_exit_2_with_a_located_message(invoke, tmp_path, case):
    if case.startswith("jsonl"):
        path = tmp_path / "d.jsonl"
        value = (lambda i: [i, 1]) if case == "jsonl-list" else (lambda i: {"k": i})
        rows = [{"x": i, "label": "ab"[i % 2]} for i in range(5)] + [{"x": value(5), "label": "a"}]
        rows += [{"x": i, "label": "ab"[i % 2]} for i in range(30)]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        expect = [f"{path}:6: column 'x' holds nested values"]
    elif case.startswith("parquet"):
        path = tmp_path / "d.parquet"
        nested = [[i, 1] for i in range(40)] if case == "parquet-list" else [{"k": i} for i in range(40)]
        pd.DataFrame({"x": nested, "label": ["a", "b"] * 20}).to_parquet(path)
        expect = [f"{path}: column 'x' holds nested values"]
    elif case == "xlsx-truncated":
        path = tmp_path / "d.xlsx"
        data = good_workbook(tmp_path / "g.xlsx").read_bytes()
        path.write_bytes(data[: len(data) // 2])
        expect = [f"{path}: not a readable .xlsx workbook"]
    elif case == "xlsx-no-workbook":
        path = tmp_path / "d.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        expect = [f"{path}: not an Excel workbook"]
    elif case == "xlsx-not-zip":
        path = tmp_path / "d.xlsx"
        path.write_text(CSV)
        expect = [f"{path}: not a readable .xlsx workbook"]
    else:
        path = workbook_with_sheet(tmp_path / "d.xlsx", sheet_rows(
            40, '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'))
        expect = [f"{path}: workbook member xl/worksheets/sheet1.xml declares a DTD"]
    for command in (["data"], ["bench", "--budget", "5"]):
        result = invoke(*command, path, "--target", "label", "--format", "json")
        assert result.exit_code == 2, (command, result.stderr)
        no_traceback(result)
        lines = errors_only(result)
        assert len(lines) == 1 and all(e in lines[0] for e in expect), lines


def test_f6_workbook_reader_matches_pandas(tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "c", "a", "e", None, "g"])
    sheet.append([1, 2.5, "x", True, dt.datetime(2020, 1, 2), None, "#N/A"])
    sheet.append([])
    sheet.append([3, None, "NA", False, dt.datetime(2021, 1, 2), None, "y", None, None])
    sheet.append([4.0, 1e20, "", None, None])
    sheet["B7"] = 5
    book.save(tmp_path / "rich.xlsx")
    from assess.dataset import _read_xlsx

    ours = _read_xlsx(tmp_path / "rich.xlsx", "rich.xlsx", 100, 1 << 30, 100, None)
    pd.testing.assert_frame_equal(ours, pd.read_excel(tmp_path / "rich.xlsx"))


# --- 9: limits from the first byte ------------------------------------------------------------------------------


def test_f9_xlsx_stops_at_max_rows_instead_of_parsing_the_whole_sheet(invoke, tmp_path):
    # A sheet without a <dimension> element: openpyxl (and so pandas) parses all of it before the first row.
    path = workbook_with_sheet(tmp_path / "d.xlsx", sheet_rows(150_000))
    assert path.stat().st_size < 2_000_000
    started = time.monotonic()
    result = invoke("data", path, "--target", "label", "--max-rows", "1000", "--format", "json")
    assert result.exit_code == 2 and "more than 1,000 rows, the --max-rows limit" in result.stderr
    assert time.monotonic() - started < 3


@pytest.mark.slow
def test_f9_xlsx_reading_respects_the_budget(invoke, tmp_path):
    workbook_with_sheet(tmp_path / "d.xlsx", sheet_rows(150_000))
    founder = project(tmp_path, "d.xlsx")
    started = time.monotonic()
    result = invoke("run", founder, "--budget", "1", "--no-bench", "--format", "json", "-o", tmp_path / "o.json")
    elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.stderr
    assert "reading the workbook" in result.stderr and "did not finish within the time budget" in result.stderr
    assert elapsed < 4 and not (tmp_path / "o.json").exists()


def test_f9_xlsx_zip_bomb_is_refused_before_parsing(invoke, tmp_path):
    bomb = sheet_rows(2).replace(b"</sheetData>", b"</sheetData>" + b"<!-- " + b"x" * 30_000_000 + b" -->")
    path = workbook_with_sheet(tmp_path / "d.xlsx", bomb)
    assert path.stat().st_size < 200_000
    result = invoke("data", path, "--target", "label", "--format", "json")
    assert result.exit_code == 2 and "(a zip bomb?)" in result.stderr, result.stderr


def test_f9_parquet_row_count_comes_from_metadata_before_reading(invoke, tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"x": np.zeros(2_000_000, dtype="int8"), "label": np.zeros(2_000_000, dtype="int8")}),
                   path)
    assert path.stat().st_size < 200_000

    def must_not_read(*args, **kwargs):
        raise AssertionError("rows were read before the row count was checked")

    monkeypatch.setattr(pd, "read_parquet", must_not_read)
    monkeypatch.setattr(pq, "read_table", must_not_read)
    monkeypatch.setattr(pq.ParquetFile, "read", must_not_read)
    result = invoke("data", path, "--target", "label", "--max-rows", "1000", "--format", "json")
    assert result.exit_code == 2, result.stderr
    assert "has 2,000,000 rows (from the Parquet metadata), over the --max-rows limit of 1,000" in result.stderr


def test_f9_parquet_repeated_text_is_held_once(tmp_path):
    # Dictionary encoding packs one 1 MB value repeated in every row into a few kB; reading it plainly makes
    # a copy per row (the 873 kB file reached 3.4 GB).
    path = tmp_path / "d.parquet"
    big = "x" * (1 << 20)
    pd.DataFrame({"text": [big] * 200, "label": ["a", "b"] * 100}).to_parquet(path)
    assert path.stat().st_size < 500_000
    frame = load_dataset(path).frame
    assert len(frame) == 200 and frame["text"].iloc[0] == big
    assert len({id(v) for v in frame["text"]}) == 1


@pytest.mark.slow
def test_f9_wide_csv_is_refused_from_its_header(invoke, tmp_path):
    columns = 20_000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 9, (22, columns)), columns=[f"c{i}" for i in range(columns)])
    frame["label"] = ["a", "b"] * 11
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    assert path.stat().st_size < 1_100_000
    started = time.monotonic()
    result = invoke("data", path, "--target", "label", "--format", "json")
    assert result.exit_code == 2, result.stderr
    assert f"{path}:1: dataset has 20,001 columns, over the --max-columns limit of 2,000" in result.stderr
    assert time.monotonic() - started < 3
    def parquet(path: Path) -> None:  # pyarrow directly: pandas' schema metadata for 20,001 columns takes seconds
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({name: frame[name].to_numpy() for name in frame.columns}), path)

    for name, writer in (("wide.jsonl", lambda p: frame.to_json(p, orient="records", lines=True)),
                         ("wide.parquet", parquet)):
        writer(tmp_path / name)
        result = invoke("data", tmp_path / name, "--target", "label", "--format", "json")
        assert result.exit_code == 2 and "over the --max-columns limit of 2,000" in result.stderr, result.stderr
    allowed = invoke("data", path, "--target", "label", "--format", "json", "--max-columns", "50", "-q")
    assert allowed.exit_code == 2 and "over the --max-columns limit of 50" in allowed.stderr


@pytest.mark.slow
def test_f9_image_folder_decoding_respects_the_budget(invoke, tmp_path):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.tile(np.arange(1500, dtype="uint8"), (1500, 1))).save(buffer, format="PNG")
    data = buffer.getvalue()  # a 2.25 Mpixel image in a few kB: slow to decode, cheap to store
    folder = tmp_path / "imgs"
    for cls in ("a", "b"):
        (folder / cls).mkdir(parents=True)
        for i in range(150):
            (folder / cls / f"{i:03d}.png").write_bytes(data)
    founder = project(tmp_path, "imgs")
    started = time.monotonic()
    result = invoke("run", founder, "--budget", "1", "--no-bench", "--format", "json", "-o", tmp_path / "o.json")
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    assert "images before the time budget ran out: a random sample stratified by class" in result.stderr
    assert elapsed < 6
    balance = json.loads((tmp_path / "o.json").read_text())["evidence"]["data"]["class_balance"]
    assert set(balance) == {"a", "b"} and abs(balance["a"] - 0.5) < 0.1


def test_f9_profile_stops_its_slow_checks_at_the_deadline(tmp_path):
    from assess.dataprofile.profile import profile_dataset
    from assess.dataset import Dataset

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"c{i}": rng.integers(0, 5, 300) for i in range(40)})
    frame["label"] = ["a", "b"] * 150
    profile = profile_dataset(Dataset(frame, tmp_path / "d.csv"), "label", deadline=time.monotonic() - 1)
    assert any("leakage check stopped at the time budget after 0 of 40 columns" in n for n in profile["notes"])
    assert profile["rows"] == 300 and profile["column_count"] == 41


# --- 11: FIFOs and other non-regular files -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_f11_fifo_in_an_image_folder_is_skipped_not_opened(tmp_path):
    folder = image_folder(tmp_path / "imgs", {"cat": 5, "dog": 5})
    os.mkfifo(folder / "cat" / "x.png")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, "-m", "assess", "data", str(folder), "--target", "label", "--format",
                               "json"], capture_output=True, text=True, timeout=60, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("a FIFO in the image folder hung the run")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["profile"]["rows"] == 10
    assert "skipped 1 entries that are not regular files (pipes, devices, sockets, folders): 'cat/x.png'" \
        in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_f11_fifo_as_the_dataset_is_refused(invoke, tmp_path):
    os.mkfifo(tmp_path / "d.csv")
    result = invoke("data", tmp_path / "d.csv", "--target", "label")
    assert result.exit_code == 2 and "not a regular file" in result.stderr, result.stderr


# --- 15: UTF-16 text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix,encoding,flag", [(".csv", "utf-16", "utf-16"), (".tsv", "utf-16", "utf-16"),
                                                  (".csv", "utf-16", None), (".txt", "utf-16-le", "utf-16-le"),
                                                  (".csv", "utf-16-le", None)])
def test_f15_utf16_text_loads(invoke, tmp_path, suffix, encoding, flag):
    sep = "\t" if suffix == ".tsv" else ","
    text = f"text{sep}label\n" + "".join(f"café número {i}{sep}{'ab'[i % 2]}\n" for i in range(40))
    path = tmp_path / f"excel{suffix}"
    path.write_bytes(text.encode(encoding))
    result = invoke("data", path, "--target", "label", "--format", "json", *(["--encoding", flag] if flag else []))
    assert result.exit_code == 0, result.stderr
    profile = json.loads(result.stdout)["profile"]
    assert profile["rows"] == 40 and [c["name"] for c in profile["columns"]] == ["text", "label"]


# --- 17: --max-rows on an image folder ------------------------------------------------------------------------------


def test_f17_max_rows_on_an_image_folder_refuses_instead_of_skewing(invoke, tmp_path):
    folder = image_folder(tmp_path / "imgs", {"cat": 20, "dog": 20})
    for command in ("data", "bench"):
        result = invoke(command, folder, "--target", "label", "--max-rows", "6", "--format", "json")
        assert result.exit_code == 2, result.stderr
        no_traceback(result)
        assert f"error: {folder}: image folder has more than 6 images, the --max-rows limit" in result.stderr
    assert invoke("data", folder, "--target", "label", "--max-rows", "40", "--format", "json").exit_code == 0


# --- 18: European CSV --------------------------------------------------------------------------------------------


def european_csv(path: Path) -> Path:
    rows = "".join(f"{1 + i % 9}.{i:03d},5;{i},{i % 10}7;{'ab'[i % 2]}\n" for i in range(1, 60))
    path.write_text("amount;score;label\n" + rows)
    return path


def test_f18_decimal_commas_are_read_as_numbers_with_a_warning(invoke, tmp_path):
    path = european_csv(tmp_path / "eu.csv")
    result = invoke("data", path, "--target", "label", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "warning: read decimal commas as numbers (1.234,5 → 1234.5) in 2 column(s): 'amount', 'score'" \
        in result.stderr
    columns = {c["name"]: c["type"] for c in json.loads(result.stdout)["profile"]["columns"]}
    assert columns["amount"] == "numeric" and columns["score"] == "numeric"
    frame = load_dataset(path).frame
    assert frame["amount"].iloc[0] == 2001.5 and frame["score"].iloc[0] == 1.17
    explicit = load_dataset(path, decimal=",")
    assert explicit.frame["amount"].iloc[0] == 2001.5 and not explicit.warnings
    as_text = load_dataset(path, decimal=".")
    assert not pd.api.types.is_numeric_dtype(as_text.frame["amount"]) and not as_text.warnings
    founder = project(tmp_path, "eu.csv")
    run = invoke("run", founder, "--no-bench", "--format", "json", "-q")
    assert run.exit_code == 0 and any("decimal commas" in w for w in json.loads(run.stdout)["warnings"])
    (tmp_path / "c.csv").write_text(CSV)
    comma = invoke("data", tmp_path / "c.csv", "--target", "label", "--decimal", ",")
    assert comma.exit_code == 2 and "--decimal: --decimal , needs a separator other than ','" in comma.stderr
