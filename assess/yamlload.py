"""YAML loading that stays safe (SafeLoader, no aliases) and remembers where every value came from.

Events come from libyaml's C parser when PyYAML has it (8× faster on large files), composed into nodes by
PyYAML's Python composer, so nesting depth and aliases are checked here, in Python, before anything expands.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from .errors import Problem, UserError

Path_ = tuple[str | int, ...]

MAX_YAML_BYTES = 2_000_000
MAX_DEPTH = 50  # nesting levels; project files need about 5
MAX_INT_DIGITS = 1000  # longer integers are refused at load (Python itself refuses beyond 4,300 digits)


class _NoAliasComposer(Composer):
    """Refuses aliases (so an alias bomb is rejected before anything expands) and deep nesting."""

    _depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                "while composing", None,
                "anchors and aliases (*name) are not supported in this file", event.start_mark)
        if self._depth >= MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                "while composing", None, f"values are nested more than {MAX_DEPTH} levels deep", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _NoAliasLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _NoAliasComposer,
                     SafeConstructor, Resolver):
    """The pure-Python loader: SafeLoader with the composer above."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _NoAliasComposer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    _FastLoader = None
else:
    class _FastLoader(CParser, _NoAliasComposer, SafeConstructor, Resolver):  # type: ignore[no-redef]
        """libyaml's parser for events; the Python composer above for nodes (CParser's own composer is
        recursive C code that crashes the interpreter on deep nesting, and expands aliases)."""

        get_node = _NoAliasComposer.get_node
        check_node = _NoAliasComposer.check_node
        get_single_node = _NoAliasComposer.get_single_node

        def __init__(self, stream):
            yaml.reader.Reader(stream)  # PyYAML's check for unprintable characters, with positions in characters
            CParser.__init__(self, stream)
            _NoAliasComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], problems: list[Problem], file: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if "\x00" in node.value:
            problems.append(Problem("NUL characters (\\0) are not allowed", file=file, line=lines[path],
                                    field=".".join(str(p) for p in path) or None))
        elif node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_INT_DIGITS:
            problems.append(Problem(f"an integer of {len(node.value):,} characters is out of range", file=file,
                                    line=lines[path], field=".".join(str(p) for p in path) or None))
    elif isinstance(node, yaml.MappingNode):
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
    try:
        if path.is_dir():
            raise UserError(Problem("is a directory, expected a YAML file", file=file))
        with path.open("rb") as handle:  # bounded: /dev/zero or a huge file never reaches memory whole
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UserError(Problem(describe_os_error(exc), file=shown_path(file))) from None
    except ValueError:  # a NUL byte in the path
        raise UserError(Problem("the file name contains a NUL character", file=shown_path(file))) from None
    if len(raw) > max_bytes:
        raise UserError(Problem(f"file is larger than the {max_bytes:,}-byte limit", file=file))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(Problem("not valid UTF-8 text; save the file as UTF-8", file=file, line=line)) from None
    return load_yaml_text(text, file=file)


def shown_path(path: str, limit: int = 160) -> str:
    """A path short enough for one line of an error message."""
    return path if len(path) <= limit else f"{path[: limit // 2]}…{path[-limit // 2:]}"


def describe_os_error(exc: OSError) -> str:
    """An OSError from opening a path, in words (symlink loops and over-long names included)."""
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: the path links back to itself"
    if exc.errno == errno.ENAMETOOLONG:
        return "the path is too long for the file system"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a folder"
    return f"cannot read file ({exc.strerror or os.strerror(exc.errno or 0)})"


def load_yaml_text(text: str, *, file: str = "<string>") -> tuple[Any, dict[Path_, int]]:
    """Load YAML from a string; see load_yaml."""
    try:
        loader = (_FastLoader or _NoAliasLoader)(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise UserError(Problem(f"control character U+{exc.character:04X} is not allowed in YAML", file=file,
                                line=line)) from None
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
        where: int | None = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context == "while composing":  # our own refusals (aliases, nesting), not syntax
            raise UserError(Problem(what, file=file, line=where)) from None
        if "maximum nesting depth" in what:  # libyaml ≥ 0.2.5 stops far deeper nesting in its own scanner
            raise UserError(Problem(f"values are nested more than {MAX_DEPTH} levels deep", file=file,
                                    line=where)) from None
        text_lines = text.split("\n")
        text_line = text_lines[mark.line] if mark and mark.line < len(text_lines) else ""
        if "\\t" in what or "tab" in what or ("cannot start any token" in what and "\t" in text_line):
            what += " (YAML does not allow tabs for indentation; use spaces)"
        raise UserError(Problem(f"YAML syntax error: {what}", file=file, line=where)) from None
    except yaml.reader.ReaderError as exc:
        # PyYAML counts positions in characters; libyaml (which sees UTF-8) in bytes.
        if isinstance(loader, _NoAliasLoader):
            line = text[: exc.position].count("\n") + 1
        else:
            line = text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n") + 1
        raise UserError(Problem(f"control character U+{exc.character:04X} is not allowed in YAML", file=file,
                                line=line)) from None
    except RecursionError:  # belt and braces: MAX_DEPTH should stop nesting long before this
        raise UserError(Problem(f"values are nested too deeply (more than {MAX_DEPTH} levels)", file=file,
                                line=getattr(loader, "line", 0) + 1)) from None
    except ValueError as exc:  # a constructor refusing a value (e.g. an out-of-range date or number)
        raise UserError(Problem(f"invalid value: {str(exc)[:200]}", file=file)) from None
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
