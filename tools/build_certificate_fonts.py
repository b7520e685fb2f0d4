"""Build the fonts the certificate PDF embeds (lms/fonts/) from Debian's font packages. Run once; commit the output.

    apt-get install -y fonts-noto-core fonts-nanum
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
"""

from __future__ import annotations

import logging
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

NOTO = Path("/usr/share/fonts/truetype/noto")
NANUM = Path("/usr/share/fonts/truetype/nanum")
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


def _options() -> subset.Options:
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
    options.hinting = False
    options.glyph_names = True  # post format 2: fontTools need not invent names at load time
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    return options


def build(source: Path, target: str, unicodes: list[int], rename: tuple[str, str] | None = None) -> None:
    font = TTFont(source)
    subsetter = subset.Subsetter(_options())
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


if __name__ == "__main__":
    main()
