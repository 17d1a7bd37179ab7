"""Ranges for founder-written values: every number in project.yaml is bounded to a physically sensible range,
so no estimate built from them can overflow, and paths are checked as text before the file system sees them.

Kept apart from the pydantic models so that the limits are stated (and documented) in one place.
"""

from __future__ import annotations

import errno

from .errors import Problem, UserError

MAX_AMOUNT = 1e15  # money and monthly volumes: a quadrillion (world GDP is ~1e14 USD)
MAX_COUNT = 10**12  # customers, users, layers, heads, GPUs, context length …
MAX_PARAMS = 1e15  # model parameters (today's largest are ~1e12)
MAX_TOKENS = 1e16  # training tokens (today's largest runs use ~1e13–1e14)
MAX_PEAK_TO_AVERAGE = 1e3
MIN_MFU = 1e-3  # model FLOPs utilisation: 0.1 % to 100 %
GPU_MEMORY_GB = (1.0, 1e5)  # custom catalogue rows: (minimum, maximum)
GPU_BANDWIDTH_GBS = (1.0, 1e6)
GPU_TFLOPS = (0.1, 1e6)
MAX_UNKNOWN_WARNINGS = 20  # unknown-field warnings shown before "… and N more"

MAX_PATH_CHARS = 1024
MAX_NAME_BYTES = 255  # one path component, as most file systems allow


def check_path_text(value: str) -> str:
    """A path as text: no NUL, at most MAX_PATH_CHARS characters, no component over MAX_NAME_BYTES bytes."""
    if "\x00" in value:
        raise ValueError("the path contains a NUL character")
    if len(value) > MAX_PATH_CHARS:
        raise ValueError(f"expected a path of at most {MAX_PATH_CHARS:,} characters, got {len(value):,}")
    for part in value.replace("\\", "/").split("/"):
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise ValueError(f"expected file and folder names of at most {MAX_NAME_BYTES} bytes, got one of "
                             f"{len(part.encode('utf-8', 'surrogatepass')):,}")
    return value


def path_refusal(exc: BaseException) -> str:
    """Why the file system refused a dataset path (missing, a symlink loop, a name too long …), in words."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, FileNotFoundError) or code == errno.ENOENT:
        return "dataset file not found"
    if isinstance(exc, RuntimeError) or code == errno.ELOOP:  # Path.resolve() raises RuntimeError on a loop
        return "symbolic link loop: the dataset path links back to itself"
    if code == errno.ENAMETOOLONG:
        return "the dataset path is too long for the file system"
    if isinstance(exc, ValueError):
        return "the dataset path contains a NUL character"
    return f"cannot open the dataset path ({getattr(exc, 'strerror', None) or type(exc).__name__})"


def dataset_path_problem(exc: BaseException, file: str, line: int | None) -> UserError:
    """A dataset path the file system refuses, as a located error on data.path."""
    what = path_refusal(exc)
    return UserError(Problem(what, file=file, line=line, field="data.path"))

