"""The docs agree with the code, in the style of sqlite-utils' and datasette's documentation tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assess.cli import EXIT_CODES, main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECURITY = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
TEST_SOURCES = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "tests").glob("test_*.py")}
DEFINED = {name for text in TEST_SOURCES.values() for name in re.findall(r"^def (test_\w+)", text, re.M)}


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme_table(command):
    assert re.search(rf"^\| `assess {command}\b", README, re.M), f"README's command table lacks `assess {command}`"


def _codes(text: str) -> set[int]:
    return {int(code) for code in re.findall(r"^\|\s*(\d+)\s*\|", text, re.M)}


def test_every_exit_code_is_documented_everywhere():
    in_help = {int(code) for code in re.findall(r"^\s+(\d+)\s", EXIT_CODES, re.M)}
    assert in_help >= {0, 1, 2, 3, 130, 141}
    assert _codes(README.split("### Exit codes", 1)[1]) == in_help
    assert _codes(SECURITY.split("## Exit codes", 1)[1]) == in_help


def test_every_command_shows_the_exit_codes_in_its_help(invoke):
    for name in main.commands:
        assert "Exit codes" in invoke(name, "-h").stdout, name


def _cited_tests() -> set[str]:
    return set(re.findall(r"`(?:tests/test_\w+\.py::)?(test_\w+\*?)", SECURITY))


def test_every_test_security_md_cites_exists():
    cited = _cited_tests()
    assert len(cited) > 20  # the page proves its guarantees with tests; a parsing slip would empty this set
    missing = [name for name in sorted(cited)
               if not (any(d.startswith(name[:-1]) for d in DEFINED) if name.endswith("*") else name in DEFINED)]
    assert missing == [], f"docs/security.md cites tests that do not exist: {missing}"


def test_cited_test_files_exist_and_hold_the_named_test():
    for file, name in re.findall(r"`tests/(test_\w+\.py)::(test_\w+)`", SECURITY):
        assert file in TEST_SOURCES and f"def {name}(" in TEST_SOURCES[file], f"{file}::{name}"


def test_cli_reference_is_up_to_date():
    """docs/cli.md embeds every command's --help through cog blocks; a changed option or command makes it stale."""
    import io

    from cogapp import Cog

    cog = Cog()
    out = io.StringIO()
    cog.set_output(stdout=out, stderr=out)
    status = cog.main(["cog", "--check", str(ROOT / "docs" / "cli.md")])
    assert status == 0, f"docs/cli.md is stale: regenerate it with `cog -r docs/cli.md`\n{out.getvalue()}"
