"""Atomic output: a target is replaced whole or left as it was, never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import Problem, UserError


def check_output(path: str | Path) -> Path:
    """Fail before the work, not after it, when the output cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise UserError(Problem("output path is a directory", file=str(path)))
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UserError(Problem("output directory does not exist", file=str(directory)))
    return directory


def _target_mode(path: Path) -> int:
    """Keep an existing file's permissions; otherwise 0666 less the umask, as open() would give."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write to a temporary file beside the target, then rename: the target is never half-written."""
    path = Path(path)
    directory = check_output(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, _target_mode(path))  # mkstemp makes 0600; a report should get the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
