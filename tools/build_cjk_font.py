"""Rebuild the bundled CJK font subset (assess/fonts/), reproducibly. See docs/i18n.md, "The bundled font".

Source: Noto Sans CJK SC 2.004 (Regular and Bold, face 2 of the collections) from Debian's fonts-noto-cjk
1:20220127+repack1-1 (/usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc), SIL Open Font License 1.1.

    apt-get install fonts-noto-cjk
    python tools/build_cjk_font.py [SOURCE_DIR]

The subset is stored with TrueType (glyf) outlines, converted from the source's CFF ones with fontTools' cu2qu
(at most 1 font unit off the cubic curves): WeasyPrint subsets the bundled font again for every PDF, and for CFF
that means running every charstring (desubroutinising, then recomputing bounds), about 1 s more per Chinese
report on a laptop, for about 0.6 MB more per weight in the wheel.

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


def cff_to_glyf(path: Path, out: Path, max_err: float = 1.0) -> None:
    """Rewrite a CFF-flavoured OpenType font with quadratic TrueType outlines (fontTools' otf2ttf recipe). Glyph
    order, cmap, metrics, names and layout tables stay as they are."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(path)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    outlines = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        outlines[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, outlines
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)  # left side bearing = the outline's xMin, as TrueType expects
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    font["maxp"] = maxp  # version 1.0: the point and contour counts are recomputed when the font is saved
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(out)


def main(source: Path) -> None:
    OUT.mkdir(exist_ok=True)
    text_file = OUT / "charset.txt"
    chars = charset()
    text_file.write_text(chars, encoding="utf-8")
    for weight, name in WEIGHTS.items():
        subset = OUT / f"NotoSansSC-{weight}.otf"
        subprocess.run([sys.executable, "-m", "fontTools.subset", str(source / name), f"--font-number={FACE}",
                        f"--text-file={text_file}", "--layout-features=*", "--no-hinting",
                        "--name-IDs=*", "--name-languages=*", f"--output-file={subset}"], check=True)
        cff_to_glyf(subset, OUT / f"NotoSansSC-{weight}.ttf")
        subset.unlink()
    text_file.unlink()
    print(f"{len(chars)} characters → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/opentype/noto"))
