"""Colour contrast by WCAG 2.1 (success criteria 1.4.3, 1.4.6 and 1.4.11), and the nearest colour that passes.

Pure: no Flask, no I/O. The theme's colours are checked here when an administrator saves them; the stylesheet uses
them as follows (lms/static/css/main.css), which fixes what each must reach:

- the brand colour is the colour of links and of body-size text on the white and light grey page backgrounds, and the
  background of white text (the header, primary buttons): 4.5:1 against each (body text, SC 1.4.3);
- the accent colour draws focus indicators, progress bars and card edges on white: 3:1 (large text and user-interface
  components, SC 1.4.3 and 1.4.11).

Relative luminance and contrast ratio are the formulas of WCAG 2.1's definitions ("relative luminance", "contrast
ratio"); the nearest passing colour keeps the hue and saturation and moves the lightness (HSL) as little as needed.
"""

from __future__ import annotations

import colorsys
import math
import re
from dataclasses import dataclass

BODY_TEXT = 4.5
LARGE_TEXT_AND_FOCUS = 3.0
WHITE = "#ffffff"
PAGE_BACKGROUND = "#f4f6f9"  # --soft in main.css: the page behind cards

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


class ColourError(ValueError):
    """A colour that is not written as #rrggbb or #rgb."""


def parse_hex(colour: str) -> tuple[int, int, int]:
    """'#1f3a5f' or '#abc' → (r, g, b) in 0..255; anything else raises ColourError with a sentence."""
    match = _HEX.match((colour or "").strip())
    if not match:
        raise ColourError(f"Write a colour as # and six hexadecimal digits, for example #1f3a5f, not '{colour}'.")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def normalise(colour: str) -> str:
    """The colour as lower-case #rrggbb."""
    return "#{:02x}{:02x}{:02x}".format(*parse_hex(colour))


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.03928 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance: 0 for black, 1 for white."""
    red, green, blue = (_channel(v) for v in parse_hex(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05) with L1 the lighter: 1 (no contrast) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _with_lightness(colour: str, lightness: float) -> str:
    red, green, blue = (v / 255 for v in parse_hex(colour))
    hue, _, saturation = colorsys.rgb_to_hls(red, green, blue)
    channels = colorsys.hls_to_rgb(hue, min(max(lightness, 0.0), 1.0), saturation)
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in channels))


def _lightness(colour: str) -> float:
    red, green, blue = (v / 255 for v in parse_hex(colour))
    return colorsys.rgb_to_hls(red, green, blue)[1]


def passes(colour: str, against: tuple[tuple[str, float], ...]) -> bool:
    return all(contrast_ratio(colour, background) >= required for background, required in against)


def nearest_passing(colour: str, against: tuple[tuple[str, float], ...]) -> str | None:
    """The colour with the same hue and saturation and the closest lightness that reaches every (background, ratio)
    pair; None when no lightness does (e.g. 4.5:1 against both black and white)."""
    colour = normalise(colour)
    if passes(colour, against):
        return colour
    start = _lightness(colour)
    steps = 200
    for step in range(1, steps + 1):
        for direction in (-1, 1):  # darker first: on white pages that is the usual fix
            candidate = _with_lightness(colour, start + direction * step / steps)
            if passes(candidate, against):
                return candidate
    return None


def shade(colour: str, amount: float) -> str:
    """The colour mixed with black: amount 0 keeps it, 1 gives black (hover states, the staff menu band)."""
    red, green, blue = parse_hex(colour)
    return "#{:02x}{:02x}{:02x}".format(*(round(v * (1 - amount)) for v in (red, green, blue)))


@dataclass(frozen=True)
class ContrastProblem:
    field: str        # "brand_colour" or "accent_colour"
    colour: str
    against: str
    ratio: float
    required: float
    suggestion: str | None

    @property
    def message(self) -> str:
        what = {BODY_TEXT: "body text", LARGE_TEXT_AND_FOCUS: "large text and focus indicators"}[self.required]
        text = (f"{self.colour} against {self.against} has a contrast of {self.ratio:.2f}:1; {what} needs at least "
                f"{self.required:g}:1.")
        if self.suggestion:
            text += f" The nearest colour that passes is {self.suggestion}."
        return text


# What each theme colour must reach, and against what (see the module's docstring).
REQUIREMENTS: dict[str, tuple[tuple[str, float], ...]] = {
    "brand_colour": ((WHITE, BODY_TEXT), (PAGE_BACKGROUND, BODY_TEXT)),
    "accent_colour": ((WHITE, LARGE_TEXT_AND_FOCUS),),
}


def check_colours(colours: dict[str, str]) -> list[ContrastProblem]:
    """Every pair below its threshold, each with the nearest colour that passes all of that colour's pairs."""
    problems = []
    for field, against in REQUIREMENTS.items():
        colour = normalise(colours[field])
        suggestion = None
        for background, required in against:
            ratio = contrast_ratio(colour, background)
            if ratio < required:
                suggestion = suggestion or nearest_passing(colour, against)
                shown = math.floor(ratio * 100) / 100  # never round 4.496 up to a passing-looking 4.50
                problems.append(ContrastProblem(field, colour, background, shown, required, suggestion))
    return problems
