"""Which projects a batch assesses: project files, folders, glob patterns and manifest CSVs, each resolved to one
named entry. Every problem found here (a pattern matching nothing, a manifest row pointing nowhere, two projects
with one name) stops the batch before any work, with one located line per problem."""

from __future__ import annotations

import csv
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, UserError

PROJECT_SUFFIXES = (".yaml", ".yml")
MANIFEST_SUFFIXES = (".csv",)
PATH_COLUMNS = ("path", "project", "file")  # the manifest column naming the project; else the first column
NAME_COLUMN = "name"  # optional: the project's name in the batch (its report's file name)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Entry:
    """One project of a batch: its unique name (file names of its reports), its file, and the analyst's tags."""

    name: str
    path: Path
    tags: dict[str, str] = field(default_factory=dict)
    origin: str = ""  # where it was named: the argument, or manifest.csv:LINE


def _is_pattern(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def safe_name(text: str) -> str:
    """A name usable as a file name everywhere: letters, digits, '.', '_' and '-'."""
    name = _UNSAFE.sub("_", text).strip("._") or "project"
    return name[:120]


def default_name(path: Path) -> str:
    """A folder's name for <folder>/project.yaml, else the file's stem."""
    if path.stem == "project" and path.parent.name:
        return safe_name(path.parent.name)
    return safe_name(path.stem)


def _projects_in(folder: Path) -> list[Path]:
    """Every project.yaml under a folder; failing that, the YAML files directly in it."""
    found = sorted(p for p in map(Path, glob.glob(str(Path(glob.escape(str(folder))) / "**" / "project.y*ml"),
                                                  recursive=True)) if p.suffix in PROJECT_SUFFIXES and p.is_file())
    if not found:
        found = sorted(p for p in folder.iterdir() if p.suffix in PROJECT_SUFFIXES and p.is_file())
    return found


def _manifest(path: Path, problems: list[Problem]) -> list[Entry]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(f"cannot read the manifest ({exc})", file=str(path)))
        return []
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if not columns:
        problems.append(Problem("the manifest is empty; expected a header row with a 'path' column", file=str(path)))
        return []
    lowered = {c.lower(): c for c in columns}
    path_column = next((lowered[c] for c in PATH_COLUMNS if c in lowered), columns[0])
    name_column = lowered.get(NAME_COLUMN)
    entries = []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        named = row.get(path_column, "")
        if not named:
            if any(row.values()):
                problems.append(Problem("no project path in this row", file=str(path), line=line, field=path_column))
            continue
        target = Path(named)
        if not target.is_absolute():
            target = path.parent / target
        origin = f"{path}:{line}"
        if target.is_dir():
            inside = _projects_in(target)
            if len(inside) != 1:
                problems.append(Problem(f"'{named}' is a folder with {len(inside)} project files; name one file",
                                        file=str(path), line=line, field=path_column))
                continue
            target = inside[0]
        if not target.is_file():
            problems.append(Problem(f"'{named}' does not exist (paths are relative to the manifest's folder)",
                                    file=str(path), line=line, field=path_column))
            continue
        tags = {k: v for k, v in row.items() if k not in (path_column, name_column) and k}
        name = safe_name(row[name_column]) if name_column and row.get(name_column) else default_name(target)
        entries.append(Entry(name=name, path=target, tags=tags, origin=origin))
    return entries


def discover(inputs: list[str] | tuple[str, ...]) -> list[Entry]:
    """The batch's projects, in a fixed order (by name). Raises UserError listing every problem at once."""
    problems: list[Problem] = []
    entries: list[Entry] = []
    for given in inputs:
        text = str(given)
        if _is_pattern(text) and not Path(text).exists():
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                problems.append(Problem("the pattern matches no file", file=text))
                continue
            paths = [Path(m) for m in matches]
        else:
            paths = [Path(text)]
        for path in paths:
            if path.is_dir():
                inside = _projects_in(path)
                if not inside:
                    problems.append(Problem("the folder holds no project.yaml or other YAML file", file=str(path)))
                entries += [Entry(default_name(p), p, origin=text) for p in inside]
            elif path.suffix.lower() in MANIFEST_SUFFIXES and path.is_file():
                entries += _manifest(path, problems)
            elif path.is_file():
                if path.suffix.lower() in PROJECT_SUFFIXES or not _is_pattern(text):
                    entries.append(Entry(default_name(path), path, origin=text))
            elif not path.exists():
                problems.append(Problem("no such file or folder", file=str(path)))
    seen: dict[Path, Entry] = {}
    by_name: dict[str, Entry] = {}
    unique = []
    for entry in entries:
        real = entry.path.resolve()
        if real in seen:  # the same file named twice (a pattern and a manifest, say): assessed once
            continue
        seen[real] = entry
        other = by_name.get(entry.name)
        if other is not None:
            problems.append(Problem(
                f"two projects are named '{entry.name}': {other.path} and {entry.path}; give them distinct names "
                "in a manifest's 'name' column, or distinct folder names", file=entry.origin or str(entry.path)))
            continue
        by_name[entry.name] = entry
        unique.append(entry)
    if problems:
        raise UserError(problems)
    if not unique:
        raise UserError(Problem("no projects to assess"))
    return sorted(unique, key=lambda e: e.name)
