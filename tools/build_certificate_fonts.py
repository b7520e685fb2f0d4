"""Build the fonts the certificate PDF embeds (lms/fonts/) from Debian's font packages. Run once; commit the output.

    apt-get install -y fonts-noto-core fonts-noto-cjk fonts-nanum
    .venv/bin/python tools/build_certificate_fonts.py

Why subsets: fpdf2 parses every font it is given for every PDF, and the parsing time grows with the number of glyphs.
Certificates need names in Latin scripts (with every European and Vietnamese diacritic) and in Hangul, so:

- Noto Serif Bold and Noto Sans Regular (SIL OFL 1.1, no Reserved Font Name): Latin, Latin-1, Latin Extended A/B
  and Additional (Vietnamese), spacing and combining marks, punctuation; and Greek + Cyrillic of Noto Serif Bold as
  a separate fallback file (embedded only when a text needs it). Layout tables (GSUB/GPOS) and hinting are dropped:
  fpdf2 does not shape text here and names are rendered in NFC, where every letter with a diacritic is one
  precomposed glyph. The family names are kept (the OFL allows it without a Reserved Font Name).
- NanumMyeongjo Bold (SIL OFL 1.1, *with* Reserved Font Names): split in two, the 2,350 Hangul syllables of KS X 1001
  (nearly every Korean name) and the other 8,822 modern syllables, so that a typical Korean name costs a small font.
  The OFL forbids a Modified Version from using a Reserved Font Name, so the two files are renamed
  "LMS Hangul Serif" and "LMS Hangul Serif Extended" and say in their name table what they are derived from.

Other scripts (all Noto, SIL OFL 1.1, no Reserved Font Name):

- Han and kana: Noto Serif CJK SC Bold, in two files: "Common" holds the characters of GB 2312 level 1, Big5 level 1
  and JIS X 0208 level 1 (the everyday characters of simplified Chinese, traditional Chinese and Japanese; 7,174
  ideographs) with hiragana, katakana and CJK punctuation; "Extended" the rest of GB 2312 and JIS X 0208 (level 2).
  The outlines are converted from CFF to TrueType quadratic curves (cu2qu, within 1 unit of 1000): fontTools reads a
  TrueType font's glyphs one by one, so a PDF takes only the few glyphs its name needs (lms/services/certificate_pdf
  builds that small font per document) instead of subsetting a CFF font of thousands of glyphs, which takes
  seconds.
- Arabic (Noto Naskh Arabic Bold), Hebrew (Noto Serif Hebrew Bold), Devanagari (Noto Serif Devanagari Bold), Thai
  (Noto Serif Thai Bold): small subsets of their script that KEEP the layout tables (GSUB, GPOS, GDEF): HarfBuzz
  needs them to join Arabic letters, place vowel marks and form Devanagari conjuncts.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

NOTO = Path("/usr/share/fonts/truetype/noto")
NANUM = Path("/usr/share/fonts/truetype/nanum")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
CJK_SC = 2  # face number of Noto Serif CJK SC in the collection (JP, KR, SC, TC, HK)
OUT = Path(__file__).resolve().parent.parent / "lms" / "fonts"

LATIN = ("U+0020-007E,U+00A0-024F,U+02B9-02DD,U+0300-036F,U+1E00-1EFF,U+2010-2027,U+2030-203A,U+2044,U+20AC,"
         "U+2122,U+2212,U+FFFD")
GREEK_CYRILLIC = "U+0370-03FF,U+0400-04FF,U+1F00-1FFF"
HANGUL_SUPPORT = "U+0020-007E,U+00B7,U+1100-11FF,U+2010-2027,U+3000-303F,U+3130-318F"


def ks_x_1001_syllables() -> list[int]:
    """The 2,350 Hangul syllables of KS X 1001 (EUC-KR rows 0xB0-0xC8), the ones in everyday use."""
    found = []
    for lead in range(0xB0, 0xC9):
        for trail in range(0xA1, 0xFF):
            try:
                found.append(ord(bytes([lead, trail]).decode("euc_kr")))
            except UnicodeDecodeError:
                continue
    return found


KANA_AND_PUNCTUATION = "U+3000-30FF,U+31F0-31FF,U+FF01-FF60"
COMPLEX_SCRIPTS = {  # file: (source, characters)
    "NotoNaskhArabic-Bold-Subset.ttf": ("NotoNaskhArabic-Bold.ttf",
                                        "U+0020,U+00A0,U+0600-06FF,U+0750-077F,U+08A0-08FF,U+200C-200F,U+FB50-FDFF,"
                                        "U+FE70-FEFF"),
    "NotoSerifHebrew-Bold-Subset.ttf": ("NotoSerifHebrew-Bold.ttf", "U+0020,U+00A0,U+0590-05FF,U+200C-200F,"
                                                                    "U+FB1D-FB4F"),
    "NotoSerifDevanagari-Bold-Subset.ttf": ("NotoSerifDevanagari-Bold.ttf",
                                            "U+0020,U+00A0,U+0900-097F,U+1CD0-1CFF,U+200C-200D,U+25CC,U+A8E0-A8FF"),
    "NotoSerifThai-Bold-Subset.ttf": ("NotoSerifThai-Bold.ttf", "U+0020,U+00A0,U+0E00-0E7F,U+200C-200D,U+25CC"),
}


def _codec_ideographs(codec: str, leads: range, trails: list[int]) -> set[int]:
    """The ideographs of a two-byte national character set, from Python's codec for it."""
    found = set()
    for lead in leads:
        for trail in trails:
            try:
                char = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(char) == 1 and (0x3400 <= ord(char) <= 0x9FFF or 0xF900 <= ord(char) <= 0xFAFF):
                found.add(ord(char))
    return found


def han_common_and_extended() -> tuple[list[int], list[int]]:
    euc = list(range(0xA1, 0xFF))
    big5 = list(range(0x40, 0x7F)) + euc
    common = (_codec_ideographs("gb2312", range(0xB0, 0xD8), euc)  # GB 2312 level 1
              | _codec_ideographs("big5", range(0xA4, 0xC7), big5)  # Big5 frequently used characters
              | _codec_ideographs("euc_jp", range(0xB0, 0xD0), euc))  # JIS X 0208 level 1
    extended = (_codec_ideographs("gb2312", range(0xD8, 0xF8), euc)
                | _codec_ideographs("euc_jp", range(0xD0, 0xF5), euc)) - common
    return sorted(common), sorted(extended)


def _to_truetype(font: TTFont) -> None:
    """CFF outlines to TrueType quadratic ones, in place (the recipe of fontTools' otf2ttf snippet)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"


def build_cjk(target: str, unicodes: list[int]) -> None:
    font = TTFont(NOTO_CJK / "NotoSerifCJK-Bold.ttc", fontNumber=CJK_SC)
    options = _options()
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    _to_truetype(font)
    font.save(OUT / target)
    print(f"{target}: {font['maxp'].numGlyphs} glyphs, {(OUT / target).stat().st_size // 1024} KiB")


def _options(layout: bool = False) -> subset.Options:
    options = subset.Options()
    if layout:  # shaping needs GSUB/GPOS/GDEF; keep every feature
        options.layout_features = ["*"]
        options.drop_tables += ["DSIG"]
        options.hinting = False
        options.glyph_names = True
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        return options
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
    options.hinting = False
    options.glyph_names = True  # post format 2: fontTools need not invent names at load time
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    return options


def build(source: Path, target: str, unicodes: list[int], rename: tuple[str, str] | None = None, *,
          layout: bool = False) -> None:
    font = TTFont(source)
    subsetter = subset.Subsetter(_options(layout))
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    if rename:
        family, postscript = rename
        names = font["name"]
        derived = f"Modified Version of {source.stem} (SIL OFL 1.1): a subset, renamed as the OFL requires."
        for record in list(names.names):
            if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
                names.removeNames(nameID=record.nameID)
        names.setName(family, 1, 3, 1, 0x409)
        names.setName("Regular", 2, 3, 1, 0x409)
        names.setName(f"{family}; {derived}", 3, 3, 1, 0x409)
        names.setName(family, 4, 3, 1, 0x409)
        names.setName(postscript, 6, 3, 1, 0x409)
        names.setName(f"{derived} Copyright (c) 2010, NAVER Corporation.", 10, 3, 1, 0x409)
        names.setName("SIL Open Font License, Version 1.1. See OFL.txt.", 13, 3, 1, 0x409)
        names.setName("https://openfontlicense.org", 14, 3, 1, 0x409)
        if "CFF " in font:  # pragma: no cover - Nanum is TrueType
            raise SystemExit("unexpected CFF font")
    OUT.mkdir(parents=True, exist_ok=True)
    font.save(OUT / target)
    print(f"{target}: {font['maxp'].numGlyphs} glyphs, {(OUT / target).stat().st_size // 1024} KiB")


def main() -> None:
    logging.disable(logging.WARNING)  # fontTools lists every table it drops
    latin = subset.parse_unicodes(LATIN)
    for name in ("NotoSerif-Bold", "NotoSans-Regular"):
        build(NOTO / f"{name}.ttf", f"{name}.ttf", latin)
    build(NOTO / "NotoSerif-Bold.ttf", "NotoSerif-Bold-GreekCyrillic.ttf", subset.parse_unicodes(GREEK_CYRILLIC))
    support = subset.parse_unicodes(HANGUL_SUPPORT)
    common = ks_x_1001_syllables()
    common_set = set(common)
    extended = [code for code in range(0xAC00, 0xD7A4) if code not in common_set]
    source = NANUM / "NanumMyeongjoBold.ttf"
    build(source, "LMSHangulSerif-Common.ttf", support + common, ("LMS Hangul Serif", "LMSHangulSerif"))
    build(source, "LMSHangulSerif-Extended.ttf", support + extended,
          ("LMS Hangul Serif Extended", "LMSHangulSerifExtended"))
    for target, (source_name, characters) in COMPLEX_SCRIPTS.items():
        build(NOTO / source_name, target, subset.parse_unicodes(characters), layout=True)
    han_common, han_extended = han_common_and_extended()
    kana = subset.parse_unicodes(KANA_AND_PUNCTUATION)
    build_cjk("NotoSerifCJKsc-Bold-Common.ttf", [0x20, *kana, *han_common])
    build_cjk("NotoSerifCJKsc-Bold-Extended.ttf", [0x20, *han_extended])


if __name__ == "__main__":
    main()
