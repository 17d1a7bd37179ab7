"""Issue 10, output side: hostile project.yaml values, chart labels, Markdown, -o targets, strict JSON, number
flags, the appendix's re-run command and unknown-field warnings. Each test reproduces an attack from the issue."""

from __future__ import annotations

import json
import os
import shlex
import stat
import time
from pathlib import Path

import pytest

from helpers import FULL, MINIMAL, write

# --- finding 7: project.yaml values that used to crash with exit 1 --------------------------------------------------

HUGE_INT = "9" * 400
HOSTILE_VALUES = {
    "400-digit-integer": (f"name: X\nmarket:\n  customers: {HUGE_INT}\n",
                          ["p.yaml:3: market.customers: expected a number between -1e18 and 1e18, got a 400-digit"]),
    "400-digit-integer-money": (f"name: X\nmarket:\n  tam: {HUGE_INT}\n", ["p.yaml:3: market.tam: expected a number"]),
    "400-digit-string": (f"name: X\nmarket:\n  tam: '{HUGE_INT}'\n", ["p.yaml:3: market.tam: expected a number below"]),
    "5000-digit-integer": ("name: X\nmarket:\n  tam: " + "9" * 5000 + "\n",
                           ["p.yaml:3: market.tam: an integer of 5,000 characters is out of range"]),
    "model-params-1e308": ("name: X\ncompute:\n  model_params: 1e308\n  training_tokens: 1e12\n",
                           ["p.yaml:3: compute.model_params: expected a number ≤ 1e15, got '1e308'"]),
    "model-params-float-1e308": ("name: X\ncompute:\n  model_params: 1.0e+308\n  training_tokens: 1e12\n",
                                 ["p.yaml:3: compute.model_params: expected a number ≤ 1e15"]),
    "tokens-1e300": ("name: X\ncompute:\n  model_params: 7e9\n  training_tokens: 1.0e+300\n",
                     ["p.yaml:4: compute.training_tokens: expected a number ≤ 1e16"]),
    "tiny-custom-gpu": ("name: X\ncompute:\n  model_params: 7e9\n  gpu: tiny\n  inference: {requests_per_month: 1000}\n"
                        "  gpus: [{name: tiny, memory_gb: 1.0e-300, bandwidth_gbs: 1.0e-300, bf16_tflops: 1.0e-300}]\n",
                        ["p.yaml:6: compute.gpus.0.memory_gb: expected a number ≥ 1",
                         "p.yaml:6: compute.gpus.0.bandwidth_gbs: expected a number ≥ 1",
                         "p.yaml:6: compute.gpus.0.bf16_tflops: expected a number ≥ 0.1"]),
    "peak-to-average-1e300": ("name: X\ncompute:\n  model_params: 7e9\n  inference:\n    requests_per_month: 1e6\n"
                              "    peak_to_average: 1.0e+300\n",
                              ["p.yaml:6: compute.inference.peak_to_average: expected a number ≤ 1,000"]),
    "mfu-1e-300": ("name: X\ncompute:\n  model_params: 7e9\n  training_tokens: 1e12\n  mfu: 1.0e-300\n",
                   ["p.yaml:5: compute.mfu: expected a number ≥ 0.001"]),
    "nested-5000-deep": ("name: X\nfoo: " + "[" * 5000 + "]" * 5000 + "\n",
                         ["p.yaml:2: values are nested more than 50 levels deep"]),
    "nested-300000-deep": ("name: X\nfoo: " + "[" * 300_000 + "]" * 300_000 + "\n",
                           ["p.yaml:2: values are nested more than 50 levels deep"]),
    "nul-escape-in-name": ('name: "Acme\\0AI"\n', ["p.yaml:1: name: NUL characters (\\0) are not allowed"]),
    "nul-escape-in-data-path": ('name: X\ndata:\n  path: "d\\0.csv"\n  target: y\n',
                                ["p.yaml:3: data.path: NUL characters (\\0) are not allowed"]),
    "nul-byte": (b"name: Acme\x00AI\n", ["p.yaml:1: control character U+0000 is not allowed"]),
    "data-path-5000-chars": ("name: X\ndata:\n  path: " + "a" * 5000 + ".csv\n  target: y\n",
                             ["p.yaml:3: data.path: expected a path of at most 1,024 characters, got 5,004"]),
    "data-path-long-name": ("name: X\ndata:\n  path: " + "a" * 300 + ".csv\n  target: y\n",
                            ["p.yaml:3: data.path: expected file and folder names of at most 255 bytes"]),
    "target-value-nan": ("name: X\ntech:\n  target: {metric: accuracy, value: .nan}\n",
                         ["p.yaml:3: tech.target.value: expected a finite number"]),
    "net-new-arr-1e300": ("name: X\nbusiness:\n  net_new_arr_12m: -1.0e+300\n",
                          ["p.yaml:3: business.net_new_arr_12m: expected a number ≥ -1e15"]),
}


def _check_exit_2(result, expected: list[str], tmp_path: Path) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything and "internal error" not in everything
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(expected), result.stderr  # one line per problem
    for want in expected:
        assert any(want in line for line in errors), (want, result.stderr)
    assert all(len(line) < 400 for line in result.stderr.splitlines())  # no 5,000-character echo of the input


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", sorted(HOSTILE_VALUES))
def test_hostile_project_values_are_located_errors(invoke, tmp_path, case, command):
    body, expected = HOSTILE_VALUES[case]
    path = tmp_path / "p.yaml"
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    extra = ["--no-bench", "--format", "json", "-o", tmp_path / "out.json"] if command == "run" else []
    args = [command, path, *extra]
    result = invoke(*args)
    _check_exit_2(result, expected, tmp_path)
    assert not (tmp_path / "out.json").exists()


def test_symlink_loop_as_the_project_file(invoke, tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    (tmp_path / "self.yaml").symlink_to(tmp_path / "self.yaml")
    for name in ("a.yaml", "self.yaml"):
        for args in (["validate"], ["run", "--no-bench", "--format", "json"]):
            result = invoke(args[0], tmp_path / name, *args[1:])
            _check_exit_2(result, [f"{name}: symbolic link loop"], tmp_path)


def test_symlink_loop_as_the_dataset(invoke, tmp_path):
    (tmp_path / "d.csv").symlink_to(tmp_path / "d.csv")
    path = write(tmp_path, "name: X\ndata:\n  path: d.csv\n  target: y\n")
    for args in (["validate"], ["run", "--no-bench", "--format", "json"]):
        result = invoke(args[0], path, *args[1:])
        _check_exit_2(result, ["project.yaml:3: data.path: symbolic link loop"], tmp_path)


def test_over_long_project_path(invoke, tmp_path):
    result = invoke("validate", tmp_path / ("p" * 300 + ".yaml"))
    _check_exit_2(result, ["the path is too long for the file system"], tmp_path)


def test_compute_flags_are_bounded(invoke):
    result = invoke("compute", "--params", "1e308", "--tokens", "1e12", "--format", "json")
    _check_exit_2(result, ["--params: expected a number ≤ 1e15"], Path("."))


def test_an_overflowing_estimate_is_a_located_error():
    """The schema's bounds keep every estimate finite; the engine's own backstop turns any overflow that slips
    through (here: a model built without validation) into a UserError, not inf or an exception."""
    from assess.compute.estimate import estimate
    from assess.errors import UserError
    from assess.project import Compute

    spec = Compute.model_construct(model_params=1e308, training_tokens=1e12, training_type="full")
    with pytest.raises(UserError) as caught:
        estimate(spec)
    assert caught.value.problems[0].field == "compute" and "overflows" in str(caught.value)


def test_largest_allowed_values_give_a_finite_estimate(invoke, tmp_path):
    """Numbers at their bounds at once: the estimate is finite and the report renders. Since issue 12 a serving
    replica must be a real tensor-parallel layout (at most 512 GPUs), so the GPU here is the largest allowed one
    and the attention is small enough for a 1e15-parameter model's replica to hold a request; the test below
    keeps every serving number at its bound and expects the located layout error instead."""
    body = """\
name: X
business: {price_per_customer_month: 1e15, cac: 1e15, monthly_churn: 1, cash: 1e15, monthly_burn: 1e15,
           net_new_arr_12m: 1e15, customers_now: 1000000000000, other_cogs_per_customer_month: 1e15}
compute:
  model_params: 1e15
  training_tokens: 1e16
  training_type: pretrain
  mfu: 0.001
  gpu: big
  gpus: [{name: big, memory_gb: 1e5, bandwidth_gbs: 1, bf16_tflops: 0.1, usd_per_hour: 1e15}]
  layers: 1
  kv_heads: 1
  head_dim: 1
  inference: {requests_per_month: 1e15, input_tokens: 1e15, output_tokens: 1e15, peak_to_average: 1000}
"""
    result = invoke("run", write(tmp_path, body), "--no-bench", "--format", "json", "-o", tmp_path / "r.json")
    assert result.exit_code == 0, result.stderr
    json.loads((tmp_path / "r.json").read_text(), parse_constant=_refuse)


def test_serving_numbers_at_their_bounds_are_an_impossible_layout(invoke, tmp_path):
    body = """\
name: X
compute:
  model_params: 1e15
  gpu: slow
  gpus: [{name: slow, memory_gb: 1, bandwidth_gbs: 1, bf16_tflops: 0.1, usd_per_hour: 1e15}]
  layers: 1000000000000
  kv_heads: 1000000000000
  head_dim: 1000000000000
  inference: {requests_per_month: 1e15, input_tokens: 1e15, output_tokens: 1e15, peak_to_average: 1000,
              batch_size: 1000000000000}
"""
    result = invoke("run", write(tmp_path, body), "--no-bench", "--format", "json", "-o", tmp_path / "r.json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "compute.inference.batch_size" in result.stderr and "does not fit" in result.stderr


# --- finding 19: unknown-field warnings are capped ------------------------------------------------------------------

@pytest.mark.slow
def test_unknown_field_warnings_are_capped(invoke, tmp_path):
    lines = ["name: X"] + [f"k{i}: 1" for i in range(150_000)]
    path = tmp_path / "p.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert 1_400_000 < path.stat().st_size < 2_000_000
    result = invoke("validate", path)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 21, warnings[:3]
    assert warnings[0].endswith("p.yaml:2: k0: unknown field 'k0' ignored")
    assert warnings[-1].endswith("p.yaml: … and 149,980 more unknown fields ignored")


def test_few_unknown_fields_are_all_listed_with_suggestions(invoke, tmp_path):
    body = "name: X\nmarkt: {}\n" + "".join(f"extra{i}: 1\n" for i in range(19))
    result = invoke("validate", write(tmp_path, body))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 20 and "did you mean 'market'" in warnings[0]
    assert not any("more unknown fields" in w for w in warnings)


def _refuse(name: str):
    raise ValueError(f"not JSON: {name}")


# --- finding 4: '$' in labels is drawn literally, never as mathtext ------------------------------------------------

DOLLAR_LABELS = ["$25k_to_$50k", "$\\frac{a}{b}$"]


def _mathtext_project(tmp_path: Path) -> Path:
    rows = ["text,$income$,label"]
    for i in range(120):
        label = DOLLAR_LABELS[i % 2].replace('"', '""')
        rows.append(f'word{i % 7} thing,{"" if i % 5 == 0 else i},"{label}"')
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    return write(tmp_path, "name: M\ndata:\n  path: d.csv\n  target: label\n")


def _svgs(html: str) -> list[str]:
    import base64
    import re

    return [base64.b64decode(m).decode("utf-8") for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]


def _labels(svg: str) -> list[str]:
    """The texts a chart draws, each whole (SVG <text>, unescaped): mathtext would split a formula into pieces."""
    import re
    from html import unescape

    return [unescape(text) for text in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def test_dollar_labels_are_drawn_literally(invoke, tmp_path):
    """The charts are SVG made here and embedded unchanged in the PDF, so they are read here; the PDF's text with
    '$' labels is read back in test_hostile_run.py (its dataset's labels are the same)."""
    project = _mathtext_project(tmp_path)
    html_out = tmp_path / "r.html"
    result = invoke("run", project, "--no-bench", "--format", "html", "-o", html_out)
    assert result.exit_code == 0, result.stderr
    charts = _svgs(html_out.read_text())
    for label in [*DOLLAR_LABELS, "$income$"]:
        assert any(label in _labels(svg) for svg in charts), label  # one text, '$' and '\\' as characters …
    assert not any("italic" in svg or "Oblique" in svg for svg in charts)  # … nothing in mathtext's italic


def test_every_chart_draws_dollar_text_literally():
    from assess.report import charts

    made = [
        charts.bar_chart(DOLLAR_LABELS, [1, 2], "$x$"),
        charts.radar_chart(DOLLAR_LABELS + ["$c$"], [10, None, 50]),
        charts.learning_curve_chart([10, 100, 1000], [0.5, 0.6, 0.7], None, 0.8, "$m$", True),
        charts.stacked_cost_chart({DOLLAR_LABELS[0]: 1.0, DOLLAR_LABELS[1]: 2.0}, 5.0, "USD"),
    ]
    for uri, label in zip(made, [DOLLAR_LABELS[0], DOLLAR_LABELS[1], "$m$", DOLLAR_LABELS[1]], strict=True):
        svg = "".join(_svgs(f'src="{uri}"'))
        assert label in _labels(svg) and "italic" not in svg and "Oblique" not in svg
        assert not any("mathdefault" in text for text in _labels(svg))  # no axis labels its ticks in mathtext
    assert {"10", "100", "1,000"} <= set(_labels("".join(_svgs(f'src="{made[2]}"'))))  # the curve's log axis


# --- finding 8: Markdown output keeps untrusted text as text --------------------------------------------------------

LINE_BREAKS = ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\v", "\f", "\x1c"]


def _unescaped(md: str) -> str:
    """The Markdown with every backslash-escaped character removed: what is left is live syntax."""
    import re

    return re.sub(r"\\.", "", md)


def test_markdown_keeps_hostile_text_inert(invoke, tmp_path):
    name = "Acme\r# Verdict: Strong (96/100)"  # the attack from the issue
    tagline = ("![x](http://attacker/x.png) [click](https://evil.example/) <img src=http://attacker/y.png> "
               "www.attacker.example `code` **bold** | cell | $x$ \\![z](http://attacker/z.png)"
               + "".join(f"{brk}## Injected" for brk in LINE_BREAKS))
    body = f"name: {json.dumps(name)}\ntagline: {json.dumps(tagline)}\n"
    result = invoke("run", write(tmp_path, body), "--format", "md", "-o", tmp_path / "r.md")
    assert result.exit_code == 0, result.stderr
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    lines = md.splitlines()  # splits on every separator a Markdown renderer might honour, and more
    assert lines[0] == "# Acme \\# Verdict: Strong \\(96/100\\): feasibility assessment"
    assert [line for line in lines if "Verdict: Strong" in line] == [lines[0]]
    assert [line for line in lines if "Injected" in line] == [lines[2]] and lines[2].startswith("_\\!\\[x\\]")
    live = _unescaped(md)
    for syntax in ("![", "](", "<img", "<http", "http://", "https://", "www.", "**bold", "$x"):
        assert syntax not in live, syntax
    assert "\\!\\[x\\]\\(http\\://attacker/x.png\\)" in md


def test_markdown_table_cells_and_headings_stay_one_line(invoke, tmp_path):
    """Rubric text lands in headings and table cells: line breaks and '|' in it cannot add rows or headings."""
    rubric = {"id": "market", "title": "Market\r# Injected heading", "version": "1", "criteria": [{
        "id": "x", "question": "Q | extra cell\n| injected | row |", "fact": "market.tam", "weight": 1,
        "target": "big\u2028## Injected target", "bands": [{"gte": 0, "score": 3}], "advice": "A",
        "source": "![i](http://attacker/i.png)\x85# Injected source"}]}
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "market.yaml").write_text(json.dumps(rubric))
    project = write(tmp_path, "name: X\nmarket: {tam: 5e9}\n")
    result = invoke("run", project, "--format", "md", "-o", tmp_path / "r.md", "--rubrics", tmp_path / "r")
    assert result.exit_code == 0, result.stderr
    lines = (tmp_path / "r.md").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if "Injected" in line and line.startswith("#") and "\\# Injected" not in line]
    row = [line for line in lines if "extra cell" in line]
    assert len(row) == 1 and _unescaped(row[0]).count("|") == 6  # five cells, as the header says
    assert not [line for line in lines if line.startswith("| injected")]
    assert "![i](" not in _unescaped(row[0]) and "http://" not in _unescaped(row[0])


def test_markdown_escape_and_code_span_units():
    from assess.report.markdown import md_code, md_escape

    assert md_escape("a\r# b\u2028c\x85d") == "a \\# b c d"
    assert md_escape("![x](http://e/x.png)") == "\\!\\[x\\]\\(http\\://e/x.png\\)"
    assert md_escape("\\![x](y)") == "\\\\\\!\\[x\\]\\(y\\)"  # the attacker's backslash is escaped first
    assert md_escape("<b>&") == "&lt;b&gt;&amp;"
    assert md_code("a`b``c") == "```a`b``c```"
    assert md_code("x\ny") == "`x y`"


# --- finding 16: the appendix's "Re-run with" command quotes the file name ---------------------------------------

HOSTILE_NAME = "deal$(touch PWNED).yaml"


def _rerun_command(text: str) -> str:
    import html
    import re

    found = re.search(r"Re-run with <code>(.*?)</code>", text) or re.search(r"Re-run with (`+)\s?(.*?)\s?\1", text)
    assert found, "no re-run command"
    return html.unescape(found.group(found.lastindex))


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_rerun_command_quotes_the_file_name(invoke, tmp_path, fmt):
    import subprocess

    project = write(tmp_path, MINIMAL, name=HOSTILE_NAME)
    out = tmp_path / f"r.{fmt}"
    result = invoke("run", project, "--format", fmt, "-o", out, "--date", "2026-01-31")
    assert result.exit_code == 0, result.stderr
    command = _rerun_command(out.read_text(encoding="utf-8"))
    assert shlex.split(command) == ["assess", "run", HOSTILE_NAME, "--seed", "0", "--date", "2026-01-31"]
    # And a real shell reads it the same way, running nothing: the command with `assess` swapped for printf.
    shown = subprocess.run(["sh", "-c", "printf '%s\\n' " + command.split(" ", 1)[1]], cwd=tmp_path,
                           capture_output=True, text=True, timeout=30)
    assert shown.stdout.splitlines()[1] == HOSTILE_NAME
    assert not (tmp_path / "PWNED").exists()


# --- finding 10: -o only ever creates or replaces a regular file, checked before the work starts --------------------

def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _special_targets(tmp_path: Path) -> dict[str, Path]:
    targets = {"fifo": tmp_path / "pipe.pdf", "directory": tmp_path / "folder.pdf",
               "symlink-to-fifo": tmp_path / "link.pdf", "symlink-loop": tmp_path / "loop.pdf",
               "symlink-to-file": tmp_path / "link-to-file.pdf", "dangling-symlink": tmp_path / "dangling.pdf"}
    os.mkfifo(targets["fifo"])
    targets["directory"].mkdir()
    targets["symlink-to-fifo"].symlink_to(targets["fifo"])
    targets["symlink-loop"].symlink_to(targets["symlink-loop"])
    (tmp_path / "file.pdf").write_bytes(b"%PDF earlier")
    targets["symlink-to-file"].symlink_to(tmp_path / "file.pdf")  # as /dev/stdout is when stdout is a file
    targets["dangling-symlink"].symlink_to(tmp_path / "nowhere.pdf")
    if _is_root():  # a character device of our own (the same kind as /dev/null), so a regression harms nothing
        targets["char-device"] = tmp_path / "null.pdf"
        os.mknod(targets["char-device"], stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return targets


def _bench_project(tmp_path: Path) -> Path:
    from helpers import text_dataset

    text_dataset().to_csv(tmp_path / "tickets.csv", index=False)
    return write(tmp_path, FULL + "data:\n  path: tickets.csv\n  target: label\n  text_columns: [text]\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_output_onto_special_files_is_refused_before_any_work(invoke, tmp_path):
    project = _bench_project(tmp_path)
    for kind, target in _special_targets(tmp_path).items():
        before = os.lstat(target)
        started = time.monotonic()
        result = invoke("run", project, "-o", target, "--budget", "30")
        assert result.exit_code == 2, (kind, result.stderr)
        assert time.monotonic() - started < 5, kind
        assert "validating" not in result.stderr and "loading" not in result.stderr, kind  # no work was done
        assert [line for line in result.stderr.splitlines() if line.startswith("error: ")], kind
        after = os.lstat(target)
        assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode), before.st_ino), kind
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob(".*.probe"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("command", [
    ["bench", "{data}", "--target", "label", "--format", "json"],
    ["data", "{data}", "--target", "label", "--format", "json"],
    ["compute", "--params", "7e9", "--tokens", "1e12"],
    ["schema"],
])
def test_every_command_refuses_special_outputs_up_front(invoke, tmp_path, command):
    _bench_project(tmp_path)
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    args = [a.replace("{data}", str(tmp_path / "tickets.csv")) for a in command]
    started = time.monotonic()
    result = invoke(*args, "-o", fifo)
    assert result.exit_code == 2 and "a pipe (FIFO), not a regular file" in result.stderr, result.stderr
    assert time.monotonic() - started < 5 and "profiling" not in result.stderr and "baseline" not in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_to_dev_null_leaves_the_device_alone(invoke, tmp_path):
    from assess.atomic import check_output
    from assess.errors import UserError

    # The check alone first: should it ever pass, stop here rather than let the run replace /dev/null.
    with pytest.raises(UserError, match="character device"):
        check_output("/dev/null")
    with pytest.raises(UserError, match="symbolic link"):
        check_output("/dev/stdout")  # a link to /proc/self/fd/1, whatever fd 1 is (under pytest: a regular file)
    stdout_link = os.readlink("/dev/stdout")
    for target in ("/dev/null", "/dev/stdout"):
        result = invoke("run", write(tmp_path, MINIMAL), "--no-bench", "-o", target)
        assert result.exit_code == 2 and "only creates or replaces regular files" in result.stderr, result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == stdout_link


def test_write_atomic_never_replaces_a_non_regular_file(tmp_path):
    from assess.atomic import write_atomic
    from assess.errors import UserError

    for kind, target in _special_targets(tmp_path).items():
        before = os.lstat(target)
        with pytest.raises(UserError):
            write_atomic(target, b"report")
        assert os.lstat(target).st_ino == before.st_ino, kind
    assert (tmp_path / "file.pdf").read_bytes() == b"%PDF earlier"
    regular = tmp_path / "ok.pdf"
    write_atomic(regular, b"one")
    write_atomic(regular, b"two")
    assert regular.read_bytes() == b"two"


def test_output_folder_that_refuses_new_files(invoke, tmp_path):
    if _is_root():
        folder = Path("/proc")  # root may write to a chmod 555 folder; nobody may create files in /proc
    else:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
    project = _bench_project(tmp_path)
    started = time.monotonic()
    result = invoke("run", project, "-o", folder / "report.pdf")
    assert result.exit_code == 2, result.stderr
    assert "output directory" in result.stderr and "validating" not in result.stderr
    assert time.monotonic() - started < 5
    assert not (folder / "report.pdf").exists()


@pytest.mark.parametrize("name_bytes", [256, 1000])
def test_over_long_output_names_are_refused_up_front(invoke, tmp_path, name_bytes):
    project = _bench_project(tmp_path)
    target = tmp_path / ("r" * (name_bytes - 4) + ".pdf")
    result = invoke("run", project, "-o", target)
    assert result.exit_code == 2 and "output name is" in result.stderr and "too long" in result.stderr \
        or "over this file system's limit" in result.stderr, result.stderr
    assert "validating" not in result.stderr


def test_long_but_valid_output_name_is_written(invoke, tmp_path):
    """A 255-byte name must work: the temporary file beside it must not need a longer one."""
    target = tmp_path / ("r" * 251 + ".md")
    result = invoke("run", write(tmp_path, MINIMAL), "--format", "md", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert target.read_text().startswith("# Tiny Co")


# --- finding 13: --format json is strict JSON ----------------------------------------------------------------------

def _huge_regression_csv(path: Path) -> Path:
    """Finite targets near 1e200: squared errors overflow, so every score is inf or NaN."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = ["x1,x2,y"] + [f"{a:.6f},{b:.6f},{c:.6e}" for a, b, c in zip(rng.random(200), rng.random(200),
                                                                       rng.random(200) * 1e200)]
    path.write_text("\n".join(rows) + "\n")
    return path


def _strict_loads(text: str):
    return json.loads(text, parse_constant=_refuse)


def test_bench_json_is_strict_with_a_note(invoke, tmp_path):
    data = _huge_regression_csv(tmp_path / "huge.csv")
    out = tmp_path / "bench.json"
    result = invoke("bench", data, "--target", "y", "--format", "json", "--models", "Dummy,Linear", "--no-curve",
                    "-o", out)
    assert result.exit_code == 0, result.stderr
    parsed = _strict_loads(out.read_text())
    notes = parsed["non_finite"]
    assert {"path": "models[0].cv_mean", "value": "nan"} in notes
    assert parsed["models"][0]["cv_mean"] is None


def test_run_json_is_strict_with_a_note(invoke, tmp_path):
    _huge_regression_csv(tmp_path / "huge.csv")
    project = write(tmp_path, "name: X\ndata:\n  path: huge.csv\n  target: y\n")
    result = invoke("run", project, "--format", "json", "--budget", "20")
    assert result.exit_code == 0, result.stderr
    parsed = _strict_loads(result.stdout)
    assert parsed["non_finite"] and all(n["path"].startswith("evidence.") for n in parsed["non_finite"])


def test_strict_json_units():
    import math

    import numpy as np

    from assess import jsonout

    data = {"a": float("inf"), "b": [1.0, float("nan"), np.float64("-inf"), np.float32(2.5), np.int64(3)],
            "c": {float("inf"): 1, 2.5: 2, np.int64(7): 3, ("t", 1): 4}, "d": "Infinity"}
    text = jsonout.dumps(data)
    parsed = _strict_loads(text)
    assert parsed["a"] is None and parsed["b"] == [1.0, None, None, 2.5, 3] and parsed["d"] == "Infinity"
    assert parsed["c"] == {"inf": 1, "2.5": 2, "7": 3, "('t', 1)": 4}
    assert [n["path"] for n in parsed["non_finite"]] == ["a", "b[1]", "b[2]"]
    assert jsonout.dumps([math.nan]) == "[\n  null\n]"  # a top-level list has nowhere for the note


# --- finding 14: number flags ----------------------------------------------------------------------------------------

BAD_FLAGS = [
    ("--seed", "-1", "not in the range 0<=x<=4294967295"),
    ("--seed", str(2**32), "not in the range 0<=x<=4294967295"),
    ("--seed", str(10**30), "not in the range"),
    ("--budget", "inf", "not in the range"),
    ("--budget", "nan", "'nan' is not a finite number"),
    ("--budget", "1e308", "not in the range"),
    ("--budget", "86401", "not in the range"),
    ("--budget", "0", "not in the range"),
    ("--fail-under", "nan", "'nan' is not a finite number"),
    ("--fail-under", "inf", "not in the range"),
    ("--fail-under", "-1", "not in the range"),
    ("--fail-under", "101", "not in the range"),
    ("--max-bytes", "-5", "--max-bytes: expected a size of at least 1 byte"),
    ("--max-bytes", "0", "--max-bytes: expected a size of at least 1 byte"),
    ("--max-bytes", "nan", "--max-bytes: expected a number"),
    ("--max-bytes", "1e400", "--max-bytes: expected a number below 1e308"),
    ("--max-rows", "0", "not in the range x>=1"),
]


@pytest.mark.parametrize(("flag", "value", "message"), BAD_FLAGS, ids=[f"{f}={v}" for f, v, _ in BAD_FLAGS])
def test_bad_number_flags_are_usage_errors(invoke, tmp_path, flag, value, message):
    project = _bench_project(tmp_path)
    started = time.monotonic()
    result = invoke("run", project, "--format", "json", flag, value)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert "validating" not in result.stderr and time.monotonic() - started < 5


@pytest.mark.parametrize("command", ["bench", "data"])
@pytest.mark.parametrize(("flag", "value"), [("--seed", "-1"), ("--seed", str(2**32)), ("--budget", "nan"),
                                             ("--max-bytes", "-5"), ("--target-score", "nan")])
def test_bad_number_flags_on_bench_and_data(invoke, tmp_path, command, flag, value):
    if command == "data" and flag in ("--budget", "--target-score"):
        pytest.skip("bench-only flag")
    _bench_project(tmp_path)
    result = invoke(command, tmp_path / "tickets.csv", "--target", "label", flag, value)
    assert result.exit_code == 2 and "Traceback" not in result.stderr, result.stderr


def test_largest_seed_is_accepted(invoke, tmp_path):
    result = invoke("run", write(tmp_path, MINIMAL), "--format", "json", "--no-bench", "--seed", str(2**32 - 1))
    assert result.exit_code == 0, result.stderr
    assert _strict_loads(result.stdout)["reproducibility"]["seed"] == 2**32 - 1


def test_warnings_and_errors_show_control_characters_escaped(invoke, tmp_path):
    """Unknown keys are echoed to the analyst's terminal: escape sequences and CR must not reach it raw."""
    result = invoke("validate", write(tmp_path, 'name: x\n"k\\e[2J\\rFAKE": 1\n'))
    assert result.exit_code == 0
    assert "\x1b" not in result.stderr and "\r" not in result.stderr and "k\\x1b[2J\\rFAKE" in result.stderr
    result = invoke("validate", write(tmp_path, 'name: x\nmarket: {tam: "\\e[2J"}\n'))
    assert result.exit_code == 2 and "\x1b" not in result.stderr
