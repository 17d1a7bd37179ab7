"""CJK glyphs in the PDF: the bundled font, and a check that every CJK character can be drawn before rendering.

WeasyPrint draws a missing glyph as an empty box and says nothing. A Chinese, Japanese or Korean company name is
common in our inputs, and minimal Linux images ship no CJK font, so assess bundles a subset of Noto Sans CJK SC
(OFL; regular and bold, about 3 MB: GB 2312 level 1 plus every character of assess's own Chinese text; see
docs/i18n.md) and, before rendering, checks that each CJK character of the report is in that subset or in a font
that fontconfig (the library WeasyPrint itself uses) knows. If neither covers it, the render stops with a message
that names the package to install; --allow-missing-glyphs turns the stop into a warning.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

from ..errors import Problem, UserError

BUNDLED_FAMILY = "Assess Noto Sans SC"
PACKAGE = "fonts-noto-cjk"  # Debian/Ubuntu; fonts-wqy-microhei also covers Chinese
_FONTS = Path(__file__).resolve().parent.parent / "fonts"
FILES = {"normal": "NotoSansSC-Regular.ttf", "bold": "NotoSansSC-Bold.ttf"}

# Script → (characters of it, a fontconfig language that needs it).
_SCRIPTS = {
    "Chinese": (re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), "zh"),
    "Japanese kana": (re.compile(r"[\u3040-\u30ff]"), "ja"),
    "Korean": (re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"), "ko"),
    "CJK punctuation": (re.compile(r"[\u3000-\u303f\uff00-\uffef]"), "zh"),
}
_CJK = re.compile("|".join(p.pattern for p, _ in _SCRIPTS.values()))
MAX_NAMED = 12  # missing characters named in the message
MAX_ASKED = 64  # characters asked about one by one


def fonts_dir() -> Path:
    return _FONTS


def bundled_font_css() -> str:
    """@font-face rules for the bundled subset (regular and a real bold, never a synthesised one)."""
    rules = []
    for weight, name in (("normal", FILES["normal"]), ("bold", FILES["bold"])):
        rules.append(f'@font-face {{ font-family: "{BUNDLED_FAMILY}"; font-weight: {weight}; font-style: normal; '
                     f'src: url("{(_FONTS / name).as_uri()}") format("truetype"); }}')
    return "\n".join(rules) + "\n"


@functools.cache
def bundled_codepoints() -> frozenset[int]:
    """The characters the bundled subset draws (both weights hold the same set)."""
    from fontTools.ttLib import TTFont

    path = _FONTS / FILES["normal"]
    if not path.is_file():
        return frozenset()
    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def needs_cjk_font(text: str) -> bool:
    return _CJK.search(text) is not None


_SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
_SVG_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")


def drawn_text(html: str) -> str:
    """The text a PDF of this HTML draws: the page's own, and the labels of its embedded SVG charts, which
    WeasyPrint lays out with the same fonts (so a CJK class name in a chart alone still needs the CJK font)."""
    import base64
    import binascii
    from html import unescape

    labels = []
    for payload in _SVG_URI.findall(html):
        try:
            svg = base64.b64decode(payload).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        labels += [unescape(text) for text in _SVG_TEXT.findall(svg)]
    return "\n".join([html, *labels])


def _fc_list(query: str) -> str | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        return subprocess.run([fc_list, query, "family"], capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None


@functools.cache
def _installed_covers(codepoints: tuple[int, ...]) -> bool | None:
    """True when one installed font covers all these characters; None where fontconfig cannot be asked."""
    out = _fc_list(":charset=" + " ".join(f"{c:x}" for c in codepoints))
    return None if out is None else bool(out.strip())


def _has_font_for(lang: str) -> bool | None:
    """Kept for callers of the old check: does any installed font cover this fontconfig language?"""
    out = _fc_list(f":lang={lang}")
    return None if out is None else bool(out.strip())


def uncovered(text: str) -> list[str]:
    """The CJK characters of `text` that neither the bundled font nor an installed font draws, in order of first
    appearance. Empty where fontconfig's tools are absent and the bundled font lacks some (then we cannot tell)."""
    bundled = bundled_codepoints()
    wanted = [c for c in dict.fromkeys(ord(ch) for ch in _CJK.findall(text)) if c not in bundled]
    if not wanted:
        return []
    together = _installed_covers(tuple(sorted(wanted)))
    if together is None or together:
        return []
    # One fontconfig query per character finds which ones; past MAX_ASKED the rest count as missing unasked (a page of
    # Korean would otherwise cost hundreds of fc-list runs to say what one run already said).
    return [chr(c) for i, c in enumerate(wanted) if i >= MAX_ASKED or _installed_covers((c,)) is False]


def check_glyphs(text: str, *, allow_missing: bool = False) -> list[str]:
    """Stop (UserError, exit 2) when the report holds CJK characters no font can draw; with `allow_missing`,
    return the same finding as a warning line instead."""
    missing = uncovered(text)
    if not missing:
        return []
    scripts = [name for name, (pattern, _) in _SCRIPTS.items() if any(pattern.match(ch) for ch in missing)]
    shown = "".join(missing[:MAX_NAMED]) + ("…" if len(missing) > MAX_NAMED else "")
    found = (f"the report contains {' and '.join(scripts)} text that no installed font can draw ({len(missing)} "
             f"character{'s' if len(missing) != 1 else ''}: {shown})")
    install = f"install a CJK font (on Debian/Ubuntu: apt install {PACKAGE})"
    if allow_missing:
        return [f"{found}: printed as empty boxes (--allow-missing-glyphs); {install}"]
    raise UserError(Problem(f"{found}, so it would print as empty boxes; {install}, or pass --allow-missing-glyphs "
                            "to render anyway"))


def missing_font_warnings(text: str) -> list[str]:
    """The glyph check as warnings only (never stops)."""
    return check_glyphs(text, allow_missing=True)
