"""Load a dataset once (CSV, TSV, Parquet, JSONL, Excel, or an image folder) for the profile and the benchmark."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem, UserError

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2 * 1024**3
DEFAULT_MAX_ROWS = 5_000_000
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


@dataclass
class Dataset:
    frame: pd.DataFrame
    path: Path
    encoding: str | None = None
    kind: str = "table"  # or "images"
    image_shape: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)


_LATIN_CODE_PAGES = {"cp1250", "cp1252", "cp1254", "cp1257", "cp775", "cp850", "cp437", "latin_1", "iso8859_1",
                     "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14",
                     "iso8859_15", "iso8859_16", "mac_latin2", "mac_roman", "mac_iceland", "mac_turkish"}


def _detect_encoding(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 1 << 20]).best()
    if best is None:
        return "latin-1"  # decodes any byte string: the safe fallback for mixed or unknown encodings
    if best.encoding in _LATIN_CODE_PAGES:
        # Short Western text cannot tell the Latin code pages apart; cp1252 is by far the most common of them.
        try:
            raw.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return best.encoding


def _check_columns(frame: pd.DataFrame, file: str) -> None:
    problems = []
    names = [str(c) for c in frame.columns]
    for i, name in enumerate(names):
        if name.strip() == "" or name.startswith("Unnamed: "):
            problems.append(Problem(f"column {i + 1} has an empty name", file=file, line=1))
    seen: set[str] = set()
    for name in names:
        base = name.rsplit(".", 1)[0] if "." in name and name.rsplit(".", 1)[1].isdigit() else None
        if name in seen or (base is not None and base in names):
            problems.append(Problem(f"duplicated column name '{base or name}'", file=file, line=1))
        seen.add(name)
    if problems:
        raise UserError(problems)


def _load_images(folder: Path, max_rows: int) -> Dataset:
    from PIL import Image

    rows, labels = [], []
    classes = sorted(p for p in folder.iterdir() if p.is_dir())
    if len(classes) < 2:
        raise UserError(Problem("an image folder needs one subfolder per class (at least two)", file=str(folder)))
    side = 32
    for cls in classes:
        for img_path in sorted(cls.iterdir()):
            if img_path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            try:
                with Image.open(img_path) as img:
                    pixels = np.asarray(img.convert("L").resize((side, side)), dtype=np.float32) / 255.0
            except Exception as exc:  # unreadable image: skip it and say so
                log.warning("%s: skipped unreadable image (%s)", img_path, exc)
                continue
            rows.append(pixels.ravel())
            labels.append(cls.name)
            if len(rows) >= max_rows:
                break
    if not rows:
        raise UserError(Problem("no readable images found", file=str(folder)))
    frame = pd.DataFrame(np.vstack(rows), columns=[f"px{i}" for i in range(side * side)])
    frame["label"] = labels
    return Dataset(frame, folder, kind="images", image_shape=(side, side),
                   notes=[f"images downscaled to {side}×{side} greyscale"])


def load_dataset(path: str | Path, *, encoding: str | None = None, max_rows: int = DEFAULT_MAX_ROWS,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Dataset:
    """Read a dataset with pandas. Raises UserError for anything a user can fix."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise UserError(Problem("dataset file not found", file=file))
    if path.is_dir():
        return _load_images(path, max_rows)
    size = path.stat().st_size
    if size == 0:
        raise UserError(Problem("dataset file is empty", file=file))
    if size > max_bytes:
        raise UserError(Problem(f"dataset is {size:,} bytes, over the --max-bytes limit of {max_bytes:,}", file=file))
    suffix = "".join(path.suffixes[-1:]).lower()
    notes: list[str] = []
    try:
        if suffix in {".parquet", ".pq"}:
            frame = pd.read_parquet(path)
            used = None
        elif suffix in {".xlsx", ".xls"}:
            frame = pd.read_excel(path)
            used = None
        elif suffix in {".jsonl", ".ndjson"}:
            frame = pd.read_json(path, lines=True, nrows=max_rows + 1, encoding=encoding or "utf-8")
            used = encoding or "utf-8"
        else:
            with open(path, "rb") as handle:
                head = handle.read(1 << 20)
            if b"\x00" in head[:8192]:
                raise UserError(Problem("looks like a binary file, not CSV/TSV text", file=file))
            used = encoding or _detect_encoding(head)
            if used.lower().replace("-", "") not in {"utf8", "ascii"}:
                notes.append(f"read with encoding {used}")
            sep = "\t" if suffix in {".tsv", ".tab"} else None
            if sep is None:
                try:
                    sep = csv.Sniffer().sniff(head[:65536].decode(used, errors="replace"), delimiters=",;\t|").delimiter
                except csv.Error:
                    sep = ","
            csv.field_size_limit(1 << 28)
            frame = pd.read_csv(path, sep=sep, encoding=used, encoding_errors="replace", nrows=max_rows + 1,
                                low_memory=False, engine="c")
    except UserError:
        raise
    except UnicodeDecodeError as exc:
        raise UserError(Problem(f"cannot decode text ({exc.reason}); pass --encoding", file=file)) from None
    except pd.errors.EmptyDataError:
        raise UserError(Problem("dataset file has no columns (empty file)", file=file)) from None
    except (pd.errors.ParserError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(Problem(f"cannot parse dataset: {first}", file=file)) from None
    except ImportError as exc:
        raise UserError(Problem(f"reading {suffix} files needs the package {exc.name}", file=file)) from None
    except OSError as exc:
        raise UserError(Problem(f"cannot read dataset ({exc.strerror or exc})", file=file)) from None
    if len(frame) > max_rows:
        raise UserError(Problem(f"dataset has more than {max_rows:,} rows, the --max-rows limit; "
                                "raise the limit or sample the file", file=file))
    _check_columns(frame, file)
    if len(frame) == 0:
        raise UserError(Problem("dataset has a header but no rows", file=file, line=2))
    frame.columns = [str(c) for c in frame.columns]
    return Dataset(frame, path, encoding=used, notes=notes)


def require_target(ds: Dataset, target: str | None, field: str = "--target") -> str:
    """Check the target column exists; default to 'label' for image folders."""
    if target is None:
        if ds.kind == "images":
            return "label"
        raise UserError(Problem("no target column given", file=str(ds.path), field=field))
    if target not in ds.frame.columns:
        cols = ", ".join(list(ds.frame.columns)[:20])
        raise UserError(Problem(f"target column '{target}' not found; columns are: {cols}", file=str(ds.path),
                                field=field))
    return target



def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """A 64-bit hash per row, for duplicate detection. Only object columns (mixed or nested JSON values) are
    stringified first; converting every column to str would cost minutes on a million rows."""
    safe = frame.copy(deep=False)
    for column in safe.columns[safe.dtypes == object]:
        safe[column] = safe[column].map(lambda v: v if v is None or isinstance(v, str) else repr(v))
    return pd.util.hash_pandas_object(safe, index=False)
