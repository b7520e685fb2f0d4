"""The certificate's fonts: which shipped font prints which character, and the small "packed" fonts built for one PDF.

Only the fonts shipped in lms/fonts/ are used (see lms/fonts/README.md). ``unprintable_characters`` says which
characters of a text no shipped font has; ``fallback_fonts_needed`` names the fallback fonts a text needs beyond the
Latin ones; ``packed_font`` builds, from a file of thousands of glyphs (Hangul, Han/kana), a font of just the glyphs
one PDF uses, because fpdf2 parses and subsets every font it is given and for these that takes far longer than the page.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "fonts"
SERIF_BOLD = FONTS / "NotoSerif-Bold.ttf"
SANS = FONTS / "NotoSans-Regular.ttf"


@dataclass(frozen=True)
class Fallback:
    family: str
    path: Path
    kind: str  # "file" (given to fpdf2 as it is), "packed" (only the glyphs used) or "shaped" (HarfBuzz)


FALLBACKS = (
    Fallback("greekcyrillic", FONTS / "NotoSerif-Bold-GreekCyrillic.ttf", "file"),
    Fallback("hangul", FONTS / "LMSHangulSerif-Common.ttf", "packed"),
    Fallback("hangulextended", FONTS / "LMSHangulSerif-Extended.ttf", "packed"),
    Fallback("han", FONTS / "NotoSerifCJKsc-Bold-Common.ttf", "packed"),
    Fallback("hanextended", FONTS / "NotoSerifCJKsc-Bold-Extended.ttf", "packed"),
    Fallback("arabic", FONTS / "NotoNaskhArabic-Bold-Subset.ttf", "shaped"),
    Fallback("hebrew", FONTS / "NotoSerifHebrew-Bold-Subset.ttf", "shaped"),
    Fallback("devanagari", FONTS / "NotoSerifDevanagari-Bold-Subset.ttf", "shaped"),
    Fallback("thai", FONTS / "NotoSerifThai-Bold-Subset.ttf", "shaped"),
)

# fontTools logs each table it cannot subset (none here, but it says so at INFO); fpdf2 names missing glyphs.
logging.getLogger("fontTools").setLevel(logging.WARNING)

@cache
def _coverage(path: Path) -> frozenset[int]:
    """The characters a font file has (read once per process)."""
    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _ignorable(char: str) -> bool:
    """Spaces and invisible format characters (joiners, direction marks) need no glyph of their own."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def needed_characters(texts: list[str]) -> set[int]:
    return {ord(char) for text in texts for char in unicodedata.normalize("NFC", text) if not _ignorable(char)}


def fallback_fonts_needed(texts: list[str]) -> list[Fallback]:
    """The fallback fonts a text needs: those with a character that the Latin fonts lack, in order."""
    missing = needed_characters(texts) - (_coverage(SERIF_BOLD) & _coverage(SANS))
    needed = []
    for fallback in FALLBACKS:
        if not missing:
            break
        covered = missing & _coverage(fallback.path)
        if covered:
            needed.append(fallback)
            missing -= covered
    return needed


@cache
def _printable() -> frozenset[int]:
    """Every character some shipped font has."""
    return frozenset().union(_coverage(SERIF_BOLD), _coverage(SANS), *(_coverage(f.path) for f in FALLBACKS))


def unprintable_characters(texts: list[str]) -> str:
    """The characters of ``texts`` that no shipped font has (empty when everything can be printed), in order."""
    covered = _printable()
    missing: dict[str, None] = {}
    for text in texts:
        for char in unicodedata.normalize("NFC", text):
            if not _ignorable(char) and ord(char) not in covered:
                missing[char] = None
    return "".join(missing)


class UnprintableText(ValueError):
    """A text of the certificate has characters no shipped font has: printing it would leave blanks."""

    def __init__(self, characters: str):
        self.characters = characters
        listed = " ".join(f"{char} (U+{ord(char):04X})" for char in characters)
        super().__init__(f"the certificate fonts have no glyph for {listed}")


# Packed fonts: a small font of the glyphs one PDF uses, built from a large font file.

_PACKING = threading.Lock()  # the cached fonts load glyphs lazily: one reader at a time


@cache
def _packed_source(path: Path) -> tuple[TTFont, dict[int, str]]:
    font = TTFont(path, lazy=True)
    return font, font.getBestCmap()


def _glyph_closure(glyf, names: set[str]) -> set[str]:
    """The glyphs and, for composite glyphs, the glyphs they are made of."""
    todo, done = list(names), set()
    while todo:
        name = todo.pop()
        if name not in done:
            done.add(name)
            glyph = glyf[name]
            if glyph.isComposite():
                todo.extend(component.glyphName for component in glyph.components)
    return done


def packed_font(path: Path, characters: set[int]) -> bytes:
    """A TrueType font with only the glyphs of ``characters`` (and .notdef), taken from the font at ``path``, with
    its names (copyright and licence included) and vertical metrics."""
    with _PACKING:
        source, cmap = _packed_source(path)
        mapping = {code: cmap[code] for code in sorted(characters) if code in cmap}
        glyf, hmtx = source["glyf"], source["hmtx"]
        names = [".notdef", *sorted(_glyph_closure(glyf, set(mapping.values())) - {".notdef"})]
        builder = FontBuilder(source["head"].unitsPerEm, isTTF=True)
        builder.setupGlyphOrder(names)
        builder.setupCharacterMap(mapping)
        builder.setupGlyf({name: glyf[name] for name in names})
        builder.setupHorizontalMetrics({name: hmtx[name] for name in names})
        hhea, os2 = source["hhea"], source["OS/2"]
        builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
        builder.setupNameTable({record.nameID: record.toUnicode() for record in source["name"].names
                                if record.platformID == 3 and record.nameID in (0, 1, 2, 3, 4, 5, 6, 13, 14)})
        builder.setupOS2(sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
                         sTypoLineGap=os2.sTypoLineGap, usWinAscent=os2.usWinAscent, usWinDescent=os2.usWinDescent,
                         sxHeight=getattr(os2, "sxHeight", 0), sCapHeight=getattr(os2, "sCapHeight", 0),
                         usWeightClass=os2.usWeightClass, fsType=os2.fsType)
        builder.setupPost()
        out = BytesIO()
        builder.save(out)
    return out.getvalue()
