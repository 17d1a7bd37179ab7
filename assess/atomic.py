"""Atomic output: a target is replaced whole or left as it was, never half-written.

Only regular files are ever created or replaced. `-o /dev/null`, `-o /dev/stdout`, `-o >(…)`, a FIFO, a socket, a
directory or a symbolic link is refused (exit 2) before any work starts, and again just before the rename, so that
running as root never turns a device node (or /dev/stdout's link) into a regular file. The folder must exist and
accept a new file, and the name must
fit the file system: all checked up front, by creating (and removing) a probe file beside the target.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import Problem, UserError

_KINDS = [(stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a pipe (FIFO)"), (stat.S_ISSOCK, "a socket")]
_TEMP_STEM = 64  # characters of the target's name kept in the temporary file's name


def _shown(path: Path | str, limit: int = 160) -> str:
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2:]}"


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _refuse(path: Path, message: str) -> UserError:
    return UserError(Problem(message, file=_shown(path)))


def _check_target(path: Path) -> None:
    """The target may be absent or a regular file; nothing else. Not a symbolic link either: renaming over
    /dev/stdout (a link to /proc/self/fd/1) would replace the link itself, whatever it points to."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return  # a new file
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise _refuse(path, "output name is too long for the file system") from None
        if exc.errno == errno.ENOTDIR:
            raise _refuse(path, "output path goes through something that is not a folder") from None
        raise _refuse(path, f"cannot use the output path ({exc.strerror})") from None
    except ValueError:
        raise _refuse(path, "output path contains a NUL character") from None
    if stat.S_ISLNK(mode):
        try:
            what = f"a symbolic link to {_kind(os.stat(path).st_mode)}"
        except OSError as exc:
            what = "a symbolic link loop" if exc.errno == errno.ELOOP else "a dangling symbolic link"
        raise _refuse(path, f"output path is {what}; assess only creates or replaces regular files (give the "
                            "file's real path, or '-o -' to write to stdout)")
    if stat.S_ISDIR(mode):
        raise _refuse(path, "output path is a directory")
    if not stat.S_ISREG(mode):
        raise _refuse(path, f"output path is {_kind(mode)}, not a regular file; assess only creates or replaces "
                            "regular files (use '-o -' to write to stdout)")


def _temp_prefix(path: Path) -> str:
    return f".{path.name[:_TEMP_STEM]}."


def check_output(path: str | Path) -> Path:
    """Fail before the work, not after it, when the output cannot be written. Returns the output's folder."""
    path = Path(path)
    if not path.name or path.name in (".", ".."):
        raise _refuse(path, "output path is a directory")
    _check_target(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        is_dir = directory.is_dir()
    except OSError:
        is_dir = False
    if not is_dir:
        raise UserError(Problem("output directory does not exist", file=_shown(directory)))
    try:
        name_max = os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if len(os.fsencode(path.name)) > name_max:
        raise _refuse(path, f"output name is {len(os.fsencode(path.name)):,} bytes, over this file system's "
                            f"limit of {name_max}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UserError(Problem("output directory is not writable", file=_shown(directory)))
    try:  # the real test (root passes os.access even on a read-only mount): create and remove a probe file
        fd, probe = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".probe", dir=directory)
    except OSError as exc:
        raise UserError(Problem(f"cannot create files in the output directory ({exc.strerror})",
                                file=_shown(directory))) from None
    os.close(fd)
    os.unlink(probe)
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
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, _target_mode(path))  # mkstemp makes 0600; a report should get the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _check_target(path)  # again, right before the rename: the target may have changed during the run
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
