"""`write_atomic` itself, with faults injected while the temporary file exists.

The render-kill tests in test_cli.py stop assess before any file is opened (rendering happens in memory), so they
cannot tell an atomic write from a plain one. These tests interrupt the write itself: an `os.fsync` that fails,
and a SIGTERM that arrives while the temporary file is on disk. Replacing `write_atomic` with a plain
`open(path, "wb").write()`, or removing the CLI's SIGTERM handler, makes them fail.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assess.atomic import write_atomic

from helpers import MINIMAL, write

ROOT = Path(__file__).resolve().parent.parent


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_failed_fsync_keeps_the_old_bytes_and_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"yesterday's good report")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error (injected)")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="injected"):
        write_atomic(target, b"%PDF- half of today's report")
    assert target.read_bytes() == b"yesterday's good report"
    assert leftovers(tmp_path, {"report.pdf"}) == []


def test_successful_write_replaces_whole_and_keeps_permissions(tmp_path):
    target = tmp_path / "report.md"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new report")
    assert target.read_bytes() == b"new report" and target.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path, {"report.md"}) == []


# The child runs the real CLI with an os.fsync that blocks, so the temporary file sits on disk fully written
# but not yet renamed; the test then sends SIGTERM, as a scheduler or `timeout` would.
_SLOW_WRITE = """
import os, sys, time
os.fsync = lambda fd: time.sleep(60)
from assess.cli import main
main(sys.argv[1:])
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")
def test_sigterm_while_the_temp_file_exists_keeps_the_old_report(tmp_path):
    project = write(tmp_path, MINIMAL)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "report.md"
    target.write_bytes(b"yesterday's good report")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITE, "run", str(project), "--format", "md", "-o",
                             str(target), "-q"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not leftovers(out, {"report.md"}) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        temp = leftovers(out, {"report.md"})
        assert temp and temp[0].endswith(".tmp"), "the write never went through a temporary file"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signal.SIGTERM, proc.stderr.read()
    assert target.read_bytes() == b"yesterday's good report"
    assert leftovers(out, {"report.md"}) == []
