"""Warn when the report holds characters that no installed font can draw.

WeasyPrint draws a missing glyph as an empty box and says nothing. A Chinese, Japanese or Korean company name is
common in our inputs, and minimal Linux images ship no CJK font, so the check asks fontconfig (the library
WeasyPrint itself uses) whether any font covers the language.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess

# Script → (a fontconfig language that needs it, the package most Linux users would install).
_SCRIPTS = {
    "Chinese": (re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), "zh", "fonts-noto-cjk"),
    "Japanese kana": (re.compile(r"[\u3040-\u30ff]"), "ja", "fonts-noto-cjk"),
    "Korean": (re.compile(r"[\uac00-\ud7af]"), "ko", "fonts-noto-cjk"),
}


@functools.cache
def _has_font_for(lang: str) -> bool | None:
    """True/False from fontconfig; None where fontconfig's tools are absent (then we cannot tell)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run([fc_list, f":lang={lang}", "family"], capture_output=True, text=True, timeout=10,
                             stdin=subprocess.DEVNULL, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.strip())


def missing_font_warnings(text: str) -> list[str]:
    """One line per script that appears in `text` and that no installed font covers."""
    lines = []
    for script, (pattern, lang, package) in _SCRIPTS.items():
        if pattern.search(text) and _has_font_for(lang) is False:
            lines.append(f"the report contains {script} text but no installed font covers it, so it will print as "
                         f"empty boxes; install a CJK font (on Debian/Ubuntu: apt install {package})")
    return lines
