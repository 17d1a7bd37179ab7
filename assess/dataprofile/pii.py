"""Personal-data scan: a regex picks candidate strings, a well-kept library validates them.

Values found are never reported; only counts, column names and masked examples.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pandas as pd
import phonenumbers
from stdnum import iban, luhn
from stdnum.cn import ric
from stdnum.us import ssn

from ..caps import MAX_LISTED, cap_list, more_marker

DEFAULT_REGIONS = ("US", "GB", "CN", "DE", "FR", "IN")
MAX_CELL_CHARS = 5000  # scan only the start of huge cells, so a 1 MB cell costs no more than a normal one

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
_CN_RIC = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{6,18}\d(?!\w)")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def mask(kind: str, value: str) -> str:
    """Keep the shape, hide the content: 'jane@x.org' → 'j***@x***.org'."""
    if kind == "email":
        local, _, domain = value.partition("@")
        host, _, tld = domain.rpartition(".")
        return f"{local[:1]}***@{host[:1]}***.{tld}"
    digits = _digits(value)
    if kind in ("card", "iban", "cn_resident_id"):
        if kind == "iban":
            return f"{'*' * max(len(value) - 4, 0)}{value[-4:]}"
        return "*" * (len(digits) - 4) + digits[-4:]
    if kind == "ip":
        return value.split(".")[0] + ".*.*.*"
    return "*" * max(len(digits) - 3, 0) + digits[-3:]


def _find_cards(text: str) -> list[str]:
    out = []
    for m in _CARD.finditer(text):
        digits = _digits(m.group())
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits):
            out.append(m.group())
    return out


def _find_phones(text: str, regions: tuple[str, ...], taken: set[str]) -> list[str]:
    out = []
    for m in _PHONE.finditer(text):
        candidate = m.group().strip()
        digits = _digits(candidate)
        if digits in taken or len(digits) < 7 or len(digits) > 15:
            continue
        for region in (None,) if candidate.startswith("+") else regions:
            try:
                number = phonenumbers.parse(candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                out.append(candidate)
                break
    return out


def _valid_ipv4(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified)


FINDERS: dict[str, Callable[[str], list[str]]] = {
    "email": lambda t: _EMAIL.findall(t),
    "card": _find_cards,
    "iban": lambda t: [m for m in _IBAN.findall(t) if iban.is_valid(m)],
    "ip": lambda t: [m for m in _IPV4.findall(t) if _valid_ipv4(m)],
    "us_ssn": lambda t: [m for m in _SSN.findall(t) if ssn.is_valid(m)],
    "cn_resident_id": lambda t: [m for m in _CN_RIC.findall(t) if ric.is_valid(m)],
}


def scan_text(text: str, regions: tuple[str, ...] = DEFAULT_REGIONS) -> dict[str, list[str]]:
    """All personal-data hits in one string, by kind. Card/ID digits are not double-counted as phones."""
    text = text[:MAX_CELL_CHARS]
    hits: dict[str, list[str]] = {}
    taken: set[str] = set()
    for kind, finder in FINDERS.items():
        found = finder(text)
        if found:
            hits[kind] = found
            taken.update(_digits(f) for f in found)
    phones = _find_phones(text, regions, taken)
    if phones:
        hits["phone"] = phones
    return hits


def _capped_by_column(by_column: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    items = sorted(by_column.items())
    capped = {k: dict(sorted(v.items())) for k, v in items[:MAX_LISTED]}
    if len(items) > MAX_LISTED:
        capped[more_marker(len(items) - MAX_LISTED)] = {}
    return capped


def scan_frame(frame: pd.DataFrame, columns: list[str], *, max_rows: int = 10_000, seed: int = 0,
               regions: tuple[str, ...] = DEFAULT_REGIONS, max_examples: int = 5,
               deadline: float | None = None) -> dict[str, Any]:
    """Scan a bounded sample of the string columns; report counts, columns and masked examples only.
    At `deadline` (time.monotonic()) the scan stops and says so ("complete": false)."""
    import time

    sampled = len(frame) > max_rows
    sample = frame.sample(n=max_rows, random_state=seed) if sampled else frame
    rows_with = pd.Series(False, index=sample.index)
    by_kind: Counter[str] = Counter()
    by_column: dict[str, dict[str, int]] = {}
    examples: list[str] = []
    complete = True
    for column in columns:
        if deadline is not None and time.monotonic() > deadline:
            complete = False
            break
        values = sample[column]
        values = values[values.map(lambda v: isinstance(v, str))]
        for i, (index, text) in enumerate(values.items()):
            if i % 256 == 255 and deadline is not None and time.monotonic() > deadline:
                complete = False
                break
            hits = scan_text(text, regions)
            if not hits:
                continue
            rows_with[index] = True
            col_counts = by_column.setdefault(column, {})
            for kind, found in hits.items():
                by_kind[kind] += len(found)
                col_counts[kind] = col_counts.get(kind, 0) + len(found)
                if len(examples) < max_examples:
                    examples.append(f"{kind}: {mask(kind, found[0])}")
    scanned = len(sample)
    return {
        "rows_scanned": scanned,
        "sampled": sampled,
        "rows_with_pii": int(rows_with.sum()),
        "rate": float(rows_with.sum() / scanned) if scanned else 0.0,
        "by_kind": dict(sorted(by_kind.items())),
        "columns": cap_list(sorted(by_column)),
        "column_count": len(by_column),
        "by_column": _capped_by_column(by_column),
        "complete": complete,
        "examples": examples,
        "regions": list(regions),
    }
