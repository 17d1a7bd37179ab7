"""Each module imports on its own, first, with warnings as errors (in the style of pip-tools' circular-import test).

An import cycle shows only when a particular module is the first of its package to be imported, so each module
is imported from a clean slate: every `assess` module is dropped from `sys.modules` before the next one. Third-
party modules stay cached, which keeps this to one interpreter and a few seconds.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import assess

ROOT = Path(__file__).resolve().parent.parent

_IMPORT_EACH = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "assess" or m.startswith("assess.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(assess.__path__, "assess.") if not m.name.endswith("__main__"))


@pytest.mark.slow
def test_every_module_imports_alone_without_warnings():
    names = modules()
    assert len(names) > 25 and "assess.cli" in names and "assess.bench.engine" in names
    # WeasyPrint warns when the system lacks HarfBuzz-Subset: a fact about the machine, not about assess.
    flags = ["-W", "error", "-W", "ignore:HarfBuzz-Subset:DeprecationWarning"]
    done = subprocess.run([sys.executable, *flags, "-c", _IMPORT_EACH, *names], capture_output=True, text=True,
                          timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compute_engine_never_imports_business_code():
    """Compute knows GPUs and tokens, not prices or customers: economics reads compute, never the reverse. (The fact
    registry does load every engine's FACTS declarations; that is a table, not a call.)"""
    import ast

    forbidden = {"economics", "scoring", "pipeline", "rubrics"}
    found = []
    for path in sorted((ROOT / "assess" / "compute").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = set(node.module.split("."))
                if node.level >= 2 and parts & forbidden or node.module.startswith("assess.") and parts & forbidden:
                    found.append(f"{path.name}: from {'.' * node.level}{node.module}")
    assert found == []
