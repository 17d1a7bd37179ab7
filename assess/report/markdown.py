"""Markdown output for untrusted text: what a founder wrote stays text, never structure, images or links.

- Every character with inline meaning is backslash-escaped (links and images need `[`, `]`, `(`, `)`, `!`;
  emphasis `*`, `_`, `~`; code `` ` ``; math `$`; headings `#`; tables `|`), and the backslash itself first, so
  an attacker's own backslash cannot undo ours. `&`, `<` and `>` become entities, so no raw HTML survives.
- Every line break (CR, LF, CR LF, VT, FF, NEL, U+2028, U+2029, the file/group/record separators) and every
  other control character becomes a space: a value cannot start a new line, so it cannot start a heading,
  list, quote, fence or table row.
- Bare URLs are defanged (`http\\://`, `www\\.`), so cmark-gfm (GitHub) does not autolink them.
- Code spans (the appendix's command) use a backtick fence longer than any run of backticks inside.
"""

from __future__ import annotations

import re
from typing import Any

_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")  # C0 controls (LF, CR, VT, FF, tab …), DEL, NEL, LS, PS
_SPECIAL = re.compile(r"([\\`*_\[\]()!#|~$])")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")
_WWW = re.compile(r"(?i)\bwww\.")


def one_line(value: Any) -> str:
    """The value as text on one line: every line break or control character becomes a space."""
    return _BREAKS.sub(" ", "" if value is None else str(value))


def md_escape(value: Any) -> str:
    """Untrusted text as literal Markdown text on one line."""
    text = _SPECIAL.sub(r"\\\1", one_line(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SCHEME.sub(lambda m: m.group(1) + "\\:", text)
    return _WWW.sub(lambda m: m.group(0)[:3] + "\\.", text)


def md_code(value: Any) -> str:
    """Text as a code span: shown verbatim, on one line, whatever backticks it holds."""
    text = one_line(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"
