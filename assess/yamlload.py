"""YAML loading that stays safe (SafeLoader, no aliases) and remembers where every value came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, UserError

Path_ = tuple[str | int, ...]

MAX_YAML_BYTES = 2_000_000


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, so an alias bomb is rejected before anything expands."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                "while composing", None,
                "anchors and aliases (*name) are not supported in this file", event.start_mark)
        return super().compose_node(parent, index)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], problems: list[Problem], file: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                dotted = ".".join(str(p) for p in (*path, key))
                problems.append(Problem(f"duplicate key (first defined on line {seen[key]})",
                                        file=file, line=line, field=dotted))
            seen[key] = line
            _walk(value_node, (*path, key), lines, problems, file)
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, problems, file)


def load_yaml(path: str | Path, *, max_bytes: int = MAX_YAML_BYTES) -> tuple[Any, dict[Path_, int]]:
    """Load a YAML file; return the data and a map from key path to line number.

    Raises UserError for unreadable files, syntax errors, duplicate keys and aliases.
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise UserError(Problem("file not found", file=file))
    if path.is_dir():
        raise UserError(Problem("is a directory, expected a YAML file", file=file))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(Problem(f"cannot read file ({exc.strerror})", file=file)) from None
    if len(raw) > max_bytes:
        raise UserError(Problem(f"file is {len(raw):,} bytes, larger than the {max_bytes:,}-byte limit", file=file))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(Problem("not valid UTF-8 text; save the file as UTF-8", file=file, line=line)) from None
    return load_yaml_text(text, file=file)


def load_yaml_text(text: str, *, file: str = "<string>") -> tuple[Any, dict[Path_, int]]:
    """Load YAML from a string; see load_yaml."""
    try:
        loader = _NoAliasLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise UserError(Problem(f"control character U+{exc.character:04X} is not allowed in YAML", file=file, line=line)) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {}
        problems: list[Problem] = []
        _walk(node, (), lines, problems, file)
        if problems:
            raise UserError(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        if "\\t" in what or "tab" in what:
            what += " (YAML does not allow tabs for indentation; use spaces)"
        raise UserError(Problem(f"YAML syntax error: {what}", file=file, line=line)) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise UserError(Problem(f"control character U+{exc.character:04X} is not allowed in YAML", file=file, line=line)) from None
    except yaml.YAMLError as exc:
        raise UserError(Problem(f"YAML error: {exc}", file=file)) from None
    finally:
        loader.dispose()
    return data, lines


def line_for(lines: dict[Path_, int], loc: Path_) -> int | None:
    """The line of the deepest known prefix of loc (a missing field points at its parent)."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())
