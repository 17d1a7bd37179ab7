"""Rebuild the bundled CJK font subset (assess/fonts/), reproducibly. See docs/i18n.md, "The bundled font".

Source: Noto Sans CJK SC 2.004 (Regular and Bold, face 2 of the collections) from Debian's fonts-noto-cjk
1:20220127+repack1-1 (/usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc), SIL Open Font License 1.1.

    apt-get install fonts-noto-cjk
    python tools/build_cjk_font.py [SOURCE_DIR]

The subset holds GB 2312 level 1 (the 3,755 most common hanzi), CJK punctuation and full-width forms, ASCII, and
every character of the zh message catalogue, the bundled rubrics and the Chinese starter project.yaml, so that a
string added to any of them is covered after a rebuild (tests/test_i18n.py checks that it was rebuilt).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assess" / "fonts"
FACE = 2  # Noto Sans CJK SC inside the .ttc
WEIGHTS = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}


def gb2312_level1() -> str:
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


def project_text() -> str:
    """The characters assess itself prints in Chinese."""
    files = [*(ROOT / "assess" / "locale").glob("*/LC_MESSAGES/*.po"), *(ROOT / "rubrics").glob("*.yaml"),
             *(ROOT / "templates").glob("*zh*"), *(ROOT / "examples").glob("*/project.yaml")]
    return "".join(sorted({ch for f in files for ch in f.read_text(encoding="utf-8")}))


def charset() -> str:
    extra = "".join(chr(c) for c in range(0x20, 0x7F))
    extra += "".join(chr(c) for c in range(0x3000, 0x3040)) + "".join(chr(c) for c in range(0xFF01, 0xFF5F))
    extra += "·—–…‘’“”•×÷≤≥±→←≈％￥"
    return "".join(sorted(set(gb2312_level1() + extra + project_text())))


def main(source: Path) -> None:
    OUT.mkdir(exist_ok=True)
    text_file = OUT / "charset.txt"
    chars = charset()
    text_file.write_text(chars, encoding="utf-8")
    for weight, name in WEIGHTS.items():
        subprocess.run([sys.executable, "-m", "fontTools.subset", str(source / name), f"--font-number={FACE}",
                        f"--text-file={text_file}", "--layout-features=*", "--no-hinting",
                        "--name-IDs=*", "--name-languages=*", f"--output-file={OUT / f'NotoSansSC-{weight}.otf'}"],
                       check=True)
    text_file.unlink()
    print(f"{len(chars)} characters → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/opentype/noto"))
