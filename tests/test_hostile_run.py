"""Issue 10's acceptance: a full `assess run` on a hostile project directory.

A founder's folder carries every trick from the issue at once. The PDF run, the one that forks the benchmark's
workers, goes through `python -m assess` (the installed package) in its own session and working folder, as an
analyst's shell would start it; the other formats and the refusals run in-process. Each run must either exit 2
(one located line per problem) or render safely. Afterwards: no process of the PDF run's group is alive, no
temporary file is left, no PWNED file exists, and not one byte of the analyst's files outside the project folder
appears in any output.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from helpers import process_group

ROOT = Path(__file__).resolve().parent.parent
KEY_LINES = [f"c2VjcmV0LWtleS1ob3N0aWxlLXJ1bi1saW5l{i:02d}" for i in range(25)]
SECRET_HEADER = "-----BEGIN OPENSSH PRIVATE KEY-----"
FILENAME = "deal$(touch PWNED).yaml"

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or not hasattr(os, "mkfifo"),
                                reason="reads process groups from /proc and makes FIFOs (Linux)")


_group = process_group


def assess(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the installed assess as a shell job would (own session) and check that it leaves no process behind."""
    proc = subprocess.Popen([sys.executable, "-m", "assess", *args], cwd=cwd, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
    deadline = time.monotonic() + 5
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group(proc.pid) == [], "assess left processes behind"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def hostile_folder(tmp_path: Path) -> tuple[Path, Path]:
    """The analyst's home with secrets, and the founder's project folder full of tricks."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text(SECRET_HEADER + "\n" + "\n".join(KEY_LINES) + "\n")
    (home / "cloud.csv").write_text("label,text\n" + "".join(f"{line},x\n" for line in KEY_LINES))
    (home / "Private Client Folder").mkdir()

    founder = tmp_path / "founder"
    founder.mkdir()
    rng = np.random.default_rng(0)
    labels = ["$25k_to_$50k", r"$\frac{1}{2}$", "<script>alert(1)</script>", "![x](http://attacker.example/p.png)"]
    rows = []
    for i in range(360):
        label = labels[i % 4] if i < 300 else f"rare_class_{i}"  # 60 singleton classes: the list must be capped
        words = rng.choice(["alpha", "beta", "gamma", "delta", "omega"], size=5)
        rows.append({"text": f"{label[:3]} {' '.join(words)} row {i}", "$price$": float(i),
                     "amount": np.inf if i % 50 == 0 else (1e308 if i % 71 == 0 else float(i)), "label": label})
    pd.DataFrame(rows).to_csv(founder / "data.csv", index=False)
    (founder / "leak.csv").symlink_to(home / "cloud.csv")  # a link shipped inside the founder's archive
    (founder / "home_dir").symlink_to(home)
    os.mkfifo(founder / "pipe.csv")
    return home, founder


PROJECT = """\
name: "Acme $25k_to_$50k ![pixel](http://attacker.example/p.png) <img src=http://attacker.example/i>"
tagline: "line one\\r# Verdict: Strong (96/100)\\n| fake | row |"
stage: seed
market:
  tam: 2.0e9
  competitors: [{{name: "[click](http://attacker.example)", strength: strong}}]
  differentiation: "<link rel=attachment href=file:///etc/passwd> `code` **bold**"
tech: {{task: text-classification, approach: classical, target: {{metric: accuracy, value: 0.8}}}}
data:
  path: {path}
  target: label
  text_columns: [text]
business: {{price_per_customer_month: 500, cac: 3000, monthly_churn: 0.02, cash: 1.0e6, monthly_burn: 80000}}
{extra}"""


def write_project(founder: Path, path: str, extra: str = "") -> Path:
    project = founder / FILENAME
    project.write_text(PROJECT.format(path=json.dumps(path), extra=extra), encoding="utf-8")
    return project


def leaked(blob: bytes, names_too: bool = True) -> list[str]:
    """Bytes of the analyst's files (and, in reports, the names in the analyst's folders) found in `blob`.
    An error message may repeat the path the founder wrote; it must never show what the file holds."""
    text = blob.decode("utf-8", "replace")
    names = ["Private Client Folder", ".ssh"] if names_too else []
    return [s for s in [SECRET_HEADER, *KEY_LINES, *names] if s in text]


@pytest.mark.slow
def test_hostile_project_directory_exits_2_or_renders_safely(tmp_path, invoke, monkeypatch):
    home, founder = hostile_folder(tmp_path)
    out = tmp_path / "out"
    out.mkdir()

    # 1. A dataset inside the folder, with hostile labels, columns and cells: every format renders safely.
    # The PDF, benchmark included, from a real process started in the output folder (-o relative to it): the
    # installed package finds its templates, rubrics and fonts from there, and stdout stays empty.
    project = write_project(founder, "data.csv")
    done = assess("run", str(project), "-o", "report.pdf", "--budget", "20", "--date", "2026-01-01", cwd=out)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr and b"verdict: " in done.stderr and done.stdout == b""
    outputs = {"pdf": (out / "report.pdf").read_bytes()}
    assert leaked(outputs["pdf"] + done.stderr) == []
    monkeypatch.chdir(out)  # in-process runs, relative paths and the working folder as for the PDF run
    for fmt in ("html", "md", "json"):
        done = invoke("run", project, "--format", fmt, "-o", f"report.{fmt}", "--no-bench", "--draws", "0",
                      "--date", "2026-01-01")
        assert done.exit_code == 0, done.stderr
        outputs[fmt] = (out / f"report.{fmt}").read_bytes()
        assert leaked(outputs[fmt] + (done.stdout + done.stderr).encode()) == []
    assert b"<script>alert" not in outputs["html"] and b"<img src=http" not in outputs["html"]
    md = outputs["md"].decode()
    assert "](http://attacker" not in md and "\n# Verdict: Strong" not in md
    report = json.loads(outputs["json"])  # strict JSON: a bare NaN or Infinity would fail here
    balance = report["evidence"]["data"]["class_balance"]
    assert len(balance) <= 21 and any("more" in str(key) for key in balance), balance
    assert "shlex" not in md and "'deal$(touch PWNED).yaml'" in md  # the re-run command quotes the file name
    assert outputs["pdf"].startswith(b"%PDF")
    pdf = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(outputs["pdf"])).pages).split())
    assert "Executive summary" in pdf and "Appendix" in pdf and "Evidence: baseline benchmark" in pdf
    assert f"assess run '{FILENAME}' --seed 0 --date 2026-01-01" in pdf  # quoted in the PDF too
    assert "$25k_to_$50k" in pdf  # '$' labels are text, never mathtext (test_dollar_labels_are_drawn_literally)

    # 2. Every way out of the folder, and numbers that overflow: exit 2, located, nothing written, nothing leaked.
    earlier = outputs["pdf"]
    for path, extra in [
        (str(home / ".ssh" / "id_ed25519"), ""),
        ("../home/.ssh/id_ed25519", ""),
        ("leak.csv", ""),
        ("home_dir/.ssh/id_ed25519", ""),
        ("pipe.csv", ""),
        ("data.csv", "compute: {model_params: 1e308, training_tokens: 1e30}\n"),
        ("data.csv", "users: {monthly_active: " + "9" * 400 + "}\n"),
        ("data.csv", "risks: " + "[" * 5000 + "]" * 5000 + "\n"),
        ("x" * 5000 + ".csv", ""),
    ]:
        # These stop before any work is forked, so they run in-process (the rendering runs above went through a
        # real process and its process group).
        project = write_project(founder, path, extra)
        done = invoke("run", project, "-o", out / "report.pdf")
        stderr = done.stderr
        assert done.exit_code == 2, (path[:40], extra[:40], stderr)
        assert "Traceback" not in stderr and "error: " in stderr and str(founder) in stderr  # located
        assert leaked((done.stdout + done.stderr).encode(), names_too=False) == [], stderr
        assert (out / "report.pdf").read_bytes() == earlier  # the earlier report survives

    # A NUL byte in the file itself: refused when the file is read, before any work is forked, so in-process too.
    project.write_bytes(PROJECT.format(path='"data.csv"', extra="").encode().replace(b"stage:", b"\x00stage:"))
    done = invoke("run", project, "-o", out / "report.pdf")
    assert done.exit_code == 2 and "Traceback" not in done.stderr and "error: " in done.stderr, done.stderr
    assert (out / "report.pdf").read_bytes() == earlier

    # 3. Nothing left over: no temporary files beside the outputs (the working folder) or in the founder's folder,
    # no PWNED anywhere.
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md", "report.pdf"]
    assert sorted(p.name for p in founder.iterdir()) == sorted(["data.csv", "leak.csv", "home_dir", "pipe.csv",
                                                               FILENAME])
    assert not list(tmp_path.rglob("PWNED")) and not (ROOT / "PWNED").exists()
