"""Strict JSON for every `--format json`: no NaN or Infinity (which are not JSON, and which strict parsers refuse).

A non-finite number becomes null, and a top-level "non_finite" list names where each one was and what it was, so
nothing is silently lost: [{"path": "facts.business.runway_months.value", "value": "inf"}].
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Any

NOTE_KEY = "non_finite"


def _clean(value: Any, path: str, found: list[dict[str, str]]) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number):
            return number if not isinstance(value, float) else value
        found.append({"path": path or "(top level)", "value": repr(number)})
        return None
    if isinstance(value, dict):
        return {_key(k): _clean(v, f"{path}.{_key(k)}" if path else str(_key(k)), found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v, f"{path}[{i}]", found) for i, v in enumerate(value)]
    return value  # anything else is left to json's default=str


def _key(key: Any) -> Any:
    """JSON object keys: non-finite or unusual keys become their text (json would refuse or fail on them)."""
    if isinstance(key, (str, bool)) or key is None:
        return key
    if isinstance(key, numbers.Integral):
        return int(key)
    if isinstance(key, numbers.Real) and math.isfinite(float(key)):
        return float(key)
    return str(key)


def strict(data: Any) -> Any:
    """A copy of data with every NaN and infinity replaced by None, noted under "non_finite" (dicts only)."""
    found: list[dict[str, str]] = []
    cleaned = _clean(data, "", found)
    if found and isinstance(cleaned, dict):
        cleaned[NOTE_KEY] = found
    return cleaned


def dumps(data: Any, **kwargs: Any) -> str:
    """json.dumps that always produces strict JSON (allow_nan=False after cleaning)."""
    kwargs.setdefault("indent", 2)
    kwargs.setdefault("ensure_ascii", False)
    kwargs.setdefault("default", str)
    return json.dumps(strict(data), allow_nan=False, **kwargs)
