"""Load a dataset once (CSV, TSV, Parquet, JSONL, Excel, or an image folder) for the profile and the benchmark.

The dataset is untrusted: every limit (--max-bytes, --max-rows, --max-columns, the time budget) is checked from
file metadata or the first bytes before anything is parsed, and anything that is not a regular file is refused.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import logging
import math
import os
import re
import stat
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .caps import join_capped
from .errors import Problem, UserError
from .i18n import N_, Message

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2 * 1024**3
DEFAULT_MAX_ROWS = 5_000_000
DEFAULT_MAX_COLUMNS = 2_000
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
MAX_IMAGE_PIXELS = 4096 * 4096  # read from the image header; larger images are skipped without decoding
FLOAT32_MAX = float(np.finfo(np.float32).max)  # models work in float32: larger magnitudes overflow to inf
ZIP_MAX_RATIO = 100  # an .xlsx member that unpacks to over 100× its packed size (and over 10 MB) is a zip bomb
ZIP_RATIO_FLOOR = 10 * 1024**2
MAX_PROBLEMS = 20
# A European number: 1.234.567,89 or 12,5 or 1234 (thousands dots, decimal comma).
EU_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")
EU_SHARE = 0.95  # share of a text column's values that must look like European numbers to be read as numbers


@dataclass
class Dataset:
    frame: pd.DataFrame
    path: Path
    encoding: str | None = None
    kind: str = "table"  # or "images"
    image_shape: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # shown to the analyst as warnings, and in the profile
    non_finite: dict[str, int] = field(default_factory=dict)  # column → cells that were ±inf (now missing)


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def _out_of_time(what: str, file: str) -> UserError:
    return UserError(Problem(f"{what} did not finish within the time budget; raise --budget, or convert or sample "
                             "the dataset", file=file))


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
    if len(problems) > MAX_PROBLEMS:
        problems = problems[:MAX_PROBLEMS] + [Problem(f"… and {len(problems) - MAX_PROBLEMS:,} more column-name "
                                                      "problems", file=file, line=1)]
    if problems:
        raise UserError(problems)


def _too_many_columns(count: int, max_columns: int, file: str, at_least: bool = False) -> UserError:
    return UserError(Problem(f"dataset has {'at least ' if at_least else ''}{count:,} columns, over the "
                             f"--max-columns limit of {max_columns:,}", file=file, line=1))


def _too_many_rows(max_rows: int, file: str) -> UserError:
    return UserError(Problem(f"dataset has more than {max_rows:,} rows, the --max-rows limit; "
                             "raise the limit or sample the file", file=file))


def path_problem(exc: BaseException, file: str) -> UserError:
    """A path the file system refuses (missing, a symlink loop, a name too long) as a one-line error."""
    from .bounds import path_refusal

    what = path_refusal(exc)
    return UserError(Problem(what, file=file))


def is_inside(path: str | Path, root: str | Path) -> bool:
    """Whether `path` lies in `root` or below it. Both must already be resolved (os.path.realpath)."""
    path, root = os.fspath(path), os.fspath(root)
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives, or one relative and one absolute
        return False


# --- image folders ---------------------------------------------------------------------------------------------


def _list_images(root: str, max_rows: int, deadline: float | None, file: str
                 ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Image files per class folder, checked before any is opened: only regular files whose real path lies in
    the folder. Returns (class → real paths, reason → skipped names); refuses more than max_rows images."""
    skipped: dict[str, list[str]] = {}
    classes: dict[str, list[str]] = {}
    total = 0

    def skip(reason: str, name: str) -> None:
        skipped.setdefault(reason, []).append(name)

    def resolve(entry: os.DirEntry, name: str) -> tuple[str, os.stat_result] | None:
        try:
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                if not is_inside(real, root):
                    skip("symbolic links that point outside the image folder", name)
                    return None
                return real, os.stat(real)
            return entry.path, entry.stat(follow_symlinks=False)
        except (OSError, ValueError):
            skip("entries that cannot be read (broken links, link loops, no permission)", name)
            return None

    try:
        top = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        raise path_problem(exc, file) from None
    for entry in top:
        found = resolve(entry, entry.name)
        if found is None or not stat.S_ISDIR(found[1].st_mode):
            continue
        files: list[str] = []
        try:
            listing = sorted(os.scandir(found[0]), key=lambda e: e.name)
        except OSError:
            skip("entries that cannot be read (broken links, link loops, no permission)", entry.name + "/")
            continue
        for i, item in enumerate(listing):
            if i % 1000 == 999 and _past(deadline):
                raise _out_of_time("listing the image folder", file)
            if os.path.splitext(item.name)[1].lower() not in IMAGE_SUFFIXES:
                continue
            name = f"{entry.name}/{item.name}"
            found_item = resolve(item, name)
            if found_item is None:
                continue
            if not stat.S_ISREG(found_item[1].st_mode):
                skip("entries that are not regular files (pipes, devices, sockets, folders)", name)
                continue
            files.append(found_item[0])
            total += 1
            if total > max_rows:
                raise UserError(Problem(f"image folder has more than {max_rows:,} images, the --max-rows limit; "
                                        "raise the limit or sample the folder", file=file))
        classes[entry.name] = files
    return classes, skipped


def _stratified_order(classes: dict[str, list[str]], seed: int) -> list[tuple[str, int]]:
    """(class, index) pairs in an order whose every prefix holds each class in proportion to its size, so that
    stopping early (at the time budget) leaves a stratified random sample."""
    rng = np.random.default_rng(seed)
    keyed = []
    for c, (cls, files) in enumerate(classes.items()):
        n = len(files)
        for rank, index in enumerate(rng.permutation(n)):
            keyed.append(((rank + 0.5) / n, c, cls, int(index)))
    keyed.sort()
    return [(cls, index) for _, _, cls, index in keyed]


def _open_regular(path: str):
    """Open a file for reading only if it is a regular file; a FIFO is never waited on (O_NONBLOCK)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _load_images(folder: Path, max_rows: int, deadline: float | None = None, seed: int = 0) -> Dataset:
    from PIL import Image

    file = str(folder)
    root = os.path.realpath(folder)
    classes, skipped = _list_images(root, max_rows, deadline, file)
    if len(classes) < 2:
        raise UserError(Problem("an image folder needs one subfolder per class (at least two)", file=file))
    side = 32
    total = sum(len(files) for files in classes.values())
    decoded: dict[tuple[str, int], np.ndarray] = {}
    stopped = False
    for cls, index in _stratified_order(classes, seed):
        if _past(deadline):
            stopped = True
            break
        path = classes[cls][index]
        name = f"{cls}/{os.path.basename(path)}"
        try:
            with warnings.catch_warnings(), _open_regular(path) as handle:
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # too large: skipped below
                with Image.open(handle) as img:
                    if img.size[0] * img.size[1] > MAX_IMAGE_PIXELS:
                        skipped.setdefault(f"images over {MAX_IMAGE_PIXELS:,} pixels", []).append(name)
                        continue
                    img.draft("L", (side, side))  # JPEG: decode at a reduced size
                    pixels = np.asarray(img.convert("L").resize((side, side)), dtype=np.float32) / 255.0
        except Exception as exc:  # unreadable image: skip it and say so
            log.info("%s: skipped unreadable image (%s)", path, exc)
            skipped.setdefault("unreadable images", []).append(name)
            continue
        decoded[(cls, index)] = pixels.ravel()
    if not decoded:
        if stopped:
            raise _out_of_time("decoding the images", file)
        raise UserError(Problem("no readable images found", file=file))
    keys = sorted(decoded, key=lambda k: (k[0], classes[k[0]][k[1]]))  # folder order, as listed
    frame = pd.DataFrame(np.vstack([decoded[k] for k in keys]), columns=[f"px{i}" for i in range(side * side)])
    frame["label"] = [k[0] for k in keys]
    alerts = [f"skipped {len(names):,} {reason}: {join_capped(names, 5)}" for reason, names in skipped.items()]
    if stopped:
        alerts.append(Message(N_("decoded {decoded} of {total} images before the time budget ran out: a random sample "
                                 "stratified by class; raise --budget to use them all"),
                              decoded=f"{len(decoded):,}", total=f"{total:,}"))
    return Dataset(frame, folder, kind="images", image_shape=(side, side),
                   notes=[f"images downscaled to {side}×{side} greyscale"], warnings=alerts)


# --- tables ----------------------------------------------------------------------------------------------------


def _declares_dtd(head: bytes) -> bool:
    """Whether an XML document starts with anything but declarations, comments and the root element, such as a
    <!DOCTYPE> (entity expansion, external entities). A prolog longer than `head` counts as suspicious."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        head = head.replace(b"\x00", b"")  # UTF-16: the markup we look for is ASCII
    head = head.lstrip(b"\xef\xbb\xbf\xff\xfe")
    pos = 0
    skip = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
    while pos < len(head):
        match = skip.match(head, pos)
        if not match:
            break
        pos = match.end()
    if pos >= len(head):
        return len(head) >= 65536  # all prolog and no root element within the first 64 kB
    return not re.match(rb"<[A-Za-z_:]", head[pos:pos + 2])


def _check_workbook_archive(path: Path, file: str, max_bytes: int) -> None:
    """Refuse, before openpyxl parses anything, what is not a workbook, a zip bomb, or XML with a DTD."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
                raise UserError(Problem("not an Excel workbook: the .xlsx archive holds no xl/workbook.xml",
                                        file=file))
            unpacked = sum(info.file_size for info in infos)
            if unpacked > max_bytes:
                raise UserError(Problem(f"workbook unpacks to {unpacked:,} bytes, over the --max-bytes limit of "
                                        f"{max_bytes:,}", file=file))
            for info in infos:
                if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
                    raise UserError(Problem(f"workbook member {info.filename} unpacks {info.file_size:,} bytes from "
                                            f"{info.compress_size:,} (a zip bomb?)", file=file))
                if info.filename.lower().endswith((".xml", ".rels", ".vml")) and info.file_size:
                    with archive.open(info) as member:
                        head = member.read(65536)
                    if _declares_dtd(head):
                        raise UserError(Problem(f"workbook member {info.filename} declares a DTD (<!DOCTYPE …>); "
                                                "refused: entity declarations can expand without bound or read "
                                                "other files", file=file))
    except zipfile.BadZipFile as exc:
        raise UserError(Problem(f"not a readable .xlsx workbook: the archive is damaged or truncated ({exc})",
                                file=file)) from None


def _read_xlsx(path: Path, file: str, max_rows: int, max_bytes: int, max_columns: int,
               deadline: float | None) -> pd.DataFrame:
    """The first worksheet, streamed row by row with the limits checked as rows arrive.

    openpyxl's own loaders parse every sheet in full when it declares no size (even read-only), so the
    workbook parts are read with its ExcelReader steps and only the first sheet is parsed, lazily, with its
    WorkSheetParser. Cells are converted as pandas.read_excel converts them, and TextParser gives the same
    column types."""
    import zipfile
    import zlib

    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser
    from pandas.io.parsers import TextParser

    _check_workbook_archive(path, file, max_bytes)
    malformed = (KeyError, IndexError, EOFError, SyntaxError, ValueError, TypeError, AttributeError,
                 zipfile.BadZipFile, zlib.error)  # openpyxl's errors on damaged XML or archives
    data: list[list] = []
    last_with_data = -1
    reader = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about odd cells (dates out of range) as it reads
            reader = ExcelReader(path, read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = [rel.target for _, rel in reader.parser.find_sheets()
                      if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
            if not sheets:
                raise UserError(Problem("the workbook has no worksheets", file=file))
            book = reader.wb
            with reader.archive.open(sheets[0]) as source:
                parser = WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=book.epoch,
                                         date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
                for count, (number, cells) in enumerate(parser.parse(), start=1):
                    if count % 200 == 0 and _past(deadline):
                        raise _out_of_time(f"reading the workbook (at row {number:,})", file)
                    width = max((cell["column"] for cell in cells), default=0)
                    if width > max_columns:
                        raise _too_many_columns(width, max_columns, file)
                    row: list = [""] * width
                    for cell in cells:
                        value, kind = cell["value"], cell["data_type"]
                        if value is None:
                            continue
                        if kind == "e":
                            value = np.nan
                        elif kind == "n" and isinstance(value, (int, float)) and math.isfinite(value):
                            value = int(value) if int(value) == value else float(value)
                        row[cell["column"] - 1] = value
                    while row and row[-1] == "":
                        row.pop()
                    if not row:
                        continue
                    if number > max_rows + 1:  # rows the file skips count as blank rows, as in pandas
                        raise _too_many_rows(max_rows, file)
                    while len(data) < number - 1:
                        data.append([])
                    last_with_data = len(data)
                    data.append(row)
    except UserError:
        raise
    except malformed as exc:
        raise UserError(Problem(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})", file=file)) from None
    finally:
        if reader is not None:
            reader.archive.close()
    data = data[: last_with_data + 1]
    if not data:
        raise pd.errors.EmptyDataError("no data")
    width = max(len(row) for row in data)
    data = [row + [""] * (width - len(row)) for row in data]
    return TextParser(data, header=0, skip_blank_lines=False).read()


def _read_parquet(path: Path, file: str, max_rows: int, max_bytes: int, max_columns: int) -> pd.DataFrame:
    """Row count, columns, nesting and unpacked size come from the file's metadata, before any row is read.
    Text columns are read dictionary-encoded, so a value repeated in every row is held once in memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    meta = parquet.metadata
    if meta.num_rows > max_rows:
        raise UserError(Problem(f"dataset has {meta.num_rows:,} rows (from the Parquet metadata), over the "
                                f"--max-rows limit of {max_rows:,}; raise the limit or sample the file", file=file))
    schema = parquet.schema_arrow
    if len(schema) > max_columns:
        raise _too_many_columns(len(schema), max_columns, file)
    nested = [f for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise UserError(Problem(f"column '{nested[0].name}' holds nested values ({nested[0].type}); flatten them "
                                "into plain columns first", file=file))
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > max_bytes:
        raise UserError(Problem(f"dataset unpacks to {unpacked:,} bytes (from the Parquet metadata), over the "
                                f"--max-bytes limit of {max_bytes:,}", file=file))
    texts = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
             or pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)]
    frame = pq.read_table(path, read_dictionary=texts or None, use_pandas_metadata=True).to_pandas()
    for column in frame.columns:
        if str(column) in texts and isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object)  # plain values again; a repeated one stays one object
    return frame


def _check_jsonl_header(path: Path, file: str, encoding: str, max_columns: int) -> None:
    """The first record's keys against --max-columns, before pandas parses the whole file."""
    import json

    with open(path, "rb") as handle:
        first = handle.readline(64 * 1024 * 1024)
    try:
        record = json.loads(first.decode(encoding, errors="replace") or "{}")
    except ValueError:
        return  # pandas reports the syntax error with its own message
    if isinstance(record, dict) and len(record) > max_columns:
        raise _too_many_columns(len(record), max_columns, file)


def _check_nested(frame: pd.DataFrame, file: str) -> None:
    """Lists and mappings inside cells (JSONL) cannot be profiled or modelled: refuse them, naming the record."""
    for column in frame.columns[frame.dtypes == object]:  # noqa: E721  (a pandas dtype comparison, elementwise)
        for row, value in enumerate(frame[column].to_numpy()):
            if isinstance(value, (list, dict, tuple, np.ndarray)):
                kind = "an object" if isinstance(value, dict) else "a list"
                raise UserError(Problem(f"column '{column}' holds nested values ({kind} in record {row + 1}); "
                                        "flatten them into plain columns first", file=file, line=row + 1))


_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16")]


def _sniff_wide_encoding(head: bytes) -> str | None:
    """UTF-16/32 text (Excel's "Unicode text"): by its byte-order mark, or, without one, by the NUL byte in every
    other position that ASCII text has in UTF-16."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    sample = head[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UserError(Problem(f"unknown text encoding {name!r}", field="--encoding")) from None


def _european_numbers(frame: pd.DataFrame) -> dict[str, int]:
    """Convert text columns whose values are almost all numbers written with decimal commas (and optional
    thousands dots): 1.234,5 → 1234.5. Returns column → values that did not parse and became missing."""
    converted: dict[str, int] = {}
    for column in frame.columns:
        series = frame[column]
        if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
            continue
        sample = series.dropna().head(5000)
        if sample.empty or not sample.map(lambda v: isinstance(v, str)).all():
            continue
        sample = sample.str.strip()
        if not sample.str.contains(",", regex=False).any() or sample.str.match(EU_NUMBER).mean() < EU_SHARE:
            continue
        text = series.where(series.map(lambda v: isinstance(v, str))).str.strip()
        plain = text.where(text.str.match(EU_NUMBER, na=False))
        numbers = pd.to_numeric(plain.str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
                                errors="coerce")
        converted[str(column)] = int(numbers.isna().sum() - series.isna().sum())
        frame[column] = numbers
    return converted


def _read_text(path: Path, file: str, suffix: str, encoding: str | None, decimal: str | None, max_rows: int,
               max_columns: int, notes: list[str], alerts: list[str]) -> tuple[pd.DataFrame, str]:
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    wide = _sniff_wide_encoding(head) if encoding is None else None
    used = _codec(encoding or wide or "utf-8")
    is_wide = used.startswith(("utf-16", "utf-32"))
    if not is_wide and b"\x00" in head[:8192]:
        raise UserError(Problem("looks like a binary file, not CSV/TSV text (UTF-16 text needs --encoding utf-16)",
                                file=file))
    if encoding is None and not is_wide:
        used = _detect_encoding(head)
    if used.lower().replace("-", "").replace("_", "") not in {"utf8", "ascii"}:
        notes.append(f"read with encoding {used}")
    text = head.decode(used, errors="replace")
    sep = "\t" if suffix in {".tsv", ".tab"} else None
    if sep is None:
        try:
            sep = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
    csv.field_size_limit(1 << 28)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    except csv.Error:
        header = []
    truncated = len(head) == 1 << 20 and "\n" not in text and "\r" not in text
    if len(header) > max_columns:
        raise _too_many_columns(len(header), max_columns, file, at_least=truncated)
    if decimal == "," and sep == ",":
        raise UserError(Problem("--decimal , needs a separator other than ','; this file is comma-separated",
                                file=file, field="--decimal"))
    options = {"decimal": ",", "thousands": "."} if decimal == "," else {}
    frame = pd.read_csv(path, sep=sep, encoding=used, encoding_errors="replace", nrows=max_rows + 1,
                        low_memory=False, engine="c", **options)
    if decimal is None and sep != ",":
        converted = _european_numbers(frame)
        if converted:
            lost = sum(converted.values())
            became = f"; {lost:,} values that were not numbers became missing" if lost else ""
            alerts.append(Message(N_("read decimal commas as numbers (1.234,5 → 1234.5) in {count} column(s): "
                                     "{columns}{became}; pass --decimal . to keep them as text"),
                                  count=f"{len(converted):,}", columns=join_capped(converted), became=became))
    return frame, used


def beyond_float32(values) -> np.ndarray:
    """Finite numbers too large for float32 (|x| > 3.4e38, such as 1e308): models convert to float32, where they
    overflow. Callers treat them as missing where they feed a model (features), and the profile counts them."""
    if isinstance(values, pd.Series):
        array = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        array = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(array) & (np.abs(array) > FLOAT32_MAX)


def _drop_infinite(frame: pd.DataFrame) -> dict[str, int]:
    """±inf (written as inf, or too large for float64, such as 1e309) becomes missing; returns the counts."""
    found: dict[str, int] = {}
    for column in frame.columns:
        series = frame[column]
        if not pd.api.types.is_float_dtype(series):
            continue
        bad = np.isinf(series.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            frame[column] = series.mask(bad)
            found[str(column)] = int(bad.sum())
    return found


def load_dataset(path: str | Path, *, encoding: str | None = None, max_rows: int = DEFAULT_MAX_ROWS,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_columns: int = DEFAULT_MAX_COLUMNS,
                 decimal: str | None = None, deadline: float | None = None, seed: int = 0) -> Dataset:
    """Read a dataset with pandas. Raises UserError for anything a user can fix.

    `deadline` (time.monotonic()) bounds loading: image folders are sampled, stratified, when it passes; other
    formats are refused. `decimal` is '.' or ',' (None: decimal commas are detected in non-comma files)."""
    path = Path(path)
    file = str(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        raise path_problem(exc, file) from None
    if stat.S_ISDIR(info.st_mode):
        return _load_images(path, max_rows, deadline, seed)
    if not stat.S_ISREG(info.st_mode):
        raise UserError(Problem("not a regular file (a pipe, device or socket); give a dataset file", file=file))
    size = info.st_size
    if size == 0:
        raise UserError(Problem("dataset file is empty", file=file))
    if size > max_bytes:
        raise UserError(Problem(f"dataset is {size:,} bytes, over the --max-bytes limit of {max_bytes:,}", file=file))
    suffix = "".join(path.suffixes[-1:]).lower()
    notes: list[str] = []
    alerts: list[str] = []  # Dataset.warnings
    try:
        if suffix in {".parquet", ".pq"}:
            frame = _read_parquet(path, file, max_rows, max_bytes, max_columns)
            used = None
        elif suffix == ".xlsx":
            frame = _read_xlsx(path, file, max_rows, max_bytes, max_columns, deadline)
            used = None
        elif suffix == ".xls":
            frame = pd.read_excel(path, nrows=max_rows + 1)
            used = None
        elif suffix in {".jsonl", ".ndjson"}:
            used = _codec(encoding or "utf-8")
            _check_jsonl_header(path, file, used, max_columns)
            frame = pd.read_json(path, lines=True, nrows=max_rows + 1, encoding=used)
            _check_nested(frame, file)
        else:
            frame, used = _read_text(path, file, suffix, encoding, decimal, max_rows, max_columns, notes, alerts)
    except UserError:
        raise
    except UnicodeError as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        raise UserError(Problem(f"cannot decode text ({reason}); pass --encoding", file=file)) from None
    except pd.errors.EmptyDataError:
        raise UserError(Problem("dataset file has no columns (empty file)", file=file)) from None
    except (pd.errors.ParserError, ValueError, OverflowError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(Problem(f"cannot parse dataset: {first}", file=file)) from None
    except ImportError as exc:
        raise UserError(Problem(f"reading {suffix} files needs the package {exc.name}", file=file)) from None
    except OSError as exc:
        raise UserError(Problem(f"cannot read dataset ({exc.strerror or exc})", file=file)) from None
    if len(frame) > max_rows:
        raise _too_many_rows(max_rows, file)
    if frame.shape[1] > max_columns:
        raise _too_many_columns(frame.shape[1], max_columns, file)
    _check_columns(frame, file)
    if len(frame) == 0:
        raise UserError(Problem("dataset has a header but no rows", file=file, line=2))
    frame.columns = [str(c) for c in frame.columns]
    non_finite = _drop_infinite(frame)
    if non_finite:
        count = sum(non_finite.values())
        text = (N_("{count} numbers are infinite (inf, or too large for a 64-bit float, such as 1e309) in column(s) "
                   "{columns}: treated as missing") if count != 1 else
                N_("{count} number is infinite (inf, or too large for a 64-bit float, such as 1e309) in column(s) "
                   "{columns}: treated as missing"))
        alerts.append(Message(text, count=f"{count:,}", columns=join_capped(non_finite)))
    return Dataset(frame, path, encoding=used, notes=notes, warnings=alerts, non_finite=non_finite)


def require_target(ds: Dataset, target: str | None, field: str = "data.target") -> str:
    """Check the target column exists; default to 'label' for image folders."""
    if target is None:
        if ds.kind == "images":
            return "label"
        raise UserError(Problem("no target column given", file=str(ds.path), field=field))
    if target not in ds.frame.columns:
        cols = join_capped(ds.frame.columns, quote="")
        raise UserError(Problem(f"target column '{target}' not found; columns are: {cols}", file=str(ds.path),
                                field=field))
    return target



def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """A 64-bit hash per row, for duplicate detection. Only object columns (mixed or nested JSON values) are
    stringified first; converting every column to str would cost minutes on a million rows."""
    safe = frame.copy(deep=False)
    for column in safe.columns[safe.dtypes == object]:  # noqa: E721  (a pandas dtype comparison, elementwise)
        safe[column] = safe[column].map(lambda v: v if v is None or isinstance(v, str) else repr(v))
    return pd.util.hash_pandas_object(safe, index=False)
