"""Caps on lists of values drawn from a dataset: the first MAX_LISTED, then "… and N more".

A founder's data decides what these lists hold (class labels, column names), so every output (JSON, HTML, PDF,
Markdown, the terminal) shows at most MAX_LISTED of them. The cap is applied once, where the profile is built;
the true count is kept beside the capped list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MAX_LISTED = 20


def more_marker(hidden: int) -> str:
    return f"… and {hidden:,} more"


def cap_list(values: Iterable[Any], limit: int = MAX_LISTED) -> list[Any]:
    """The first `limit` values, then one "… and N more" string when there were more."""
    values = list(values)
    if len(values) <= limit:
        return values
    return values[:limit] + [more_marker(len(values) - limit)]


def cap_shares(shares: dict[str, float], limit: int = MAX_LISTED, digits: int = 4) -> dict[str, float]:
    """The `limit` largest shares, then one "… and N more" key holding the share of all the others."""
    if len(shares) <= limit:
        return dict(shares)
    ordered = sorted(shares.items(), key=lambda kv: -kv[1])
    kept = dict(ordered[:limit])
    kept[more_marker(len(ordered) - limit)] = round(sum(v for _, v in ordered[limit:]), digits)
    return kept


def join_capped(values: Iterable[Any], limit: int = MAX_LISTED, quote: str = "'") -> str:
    """Names for a message: 'a', 'b', … and N more."""
    values = [str(v) for v in values]
    shown = ", ".join(f"{quote}{v}{quote}" for v in values[:limit])
    return shown + (f", {more_marker(len(values) - limit)}" if len(values) > limit else "")
