"""WCAG 2.1 contrast: relative luminance, ratios, the theme's required pairs and the nearest passing colour."""

from __future__ import annotations

import pytest

from lms.core import contrast


@pytest.mark.parametrize(("first", "second", "ratio"), [
    ("#000000", "#ffffff", 21.0),
    ("#ffffff", "#ffffff", 1.0),
    ("#767676", "#ffffff", 4.54),   # the lightest grey that passes 4.5:1 on white, a classic reference value
    ("#777777", "#ffffff", 4.48),   # one step lighter fails
    ("#0000ff", "#ffffff", 8.59),
    ("#ff0000", "#ffffff", 3.99),
])
def test_contrast_ratio_matches_known_values(first, second, ratio):
    assert contrast.contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast.contrast_ratio(second, first) == pytest.approx(ratio, abs=0.01)


def test_relative_luminance_of_the_extremes_and_a_short_hex():
    assert contrast.relative_luminance("#000") == 0
    assert contrast.relative_luminance("#FFF") == 1
    assert contrast.normalise("#AbC") == "#aabbcc"


@pytest.mark.parametrize("bad", ["", "blue", "#12345", "#gggggg", "rgb(0,0,0)", "#1234567"])
def test_a_colour_not_written_as_hex_is_refused_with_a_sentence(bad):
    with pytest.raises(contrast.ColourError, match="six hexadecimal digits"):
        contrast.parse_hex(bad)


def test_the_default_theme_passes_aa():
    assert contrast.check_colours({"brand_colour": "#1f3a5f", "accent_colour": "#0f7c8c"}) == []


def test_a_light_brand_colour_is_refused_with_the_ratio_and_a_nearest_passing_colour():
    problems = contrast.check_colours({"brand_colour": "#6fa8dc", "accent_colour": "#0f7c8c"})
    assert [p.against for p in problems] == ["#ffffff", "#f4f6f9"]
    first = problems[0]
    assert first.field == "brand_colour" and first.required == 4.5
    assert first.ratio == pytest.approx(2.5, abs=0.1)
    assert first.message.startswith("#6fa8dc against #ffffff has a contrast of 2.")
    assert "body text needs at least 4.5:1" in first.message
    suggestion = first.suggestion
    assert suggestion is not None and suggestion in first.message
    assert contrast.contrast_ratio(suggestion, "#ffffff") >= 4.5
    assert contrast.contrast_ratio(suggestion, contrast.PAGE_BACKGROUND) >= 4.5
    # The nearest: one lightness step lighter than the suggestion fails again.
    lighter = contrast._with_lightness(suggestion, contrast._lightness(suggestion) + 0.01)
    assert contrast.contrast_ratio(lighter, contrast.PAGE_BACKGROUND) < 4.5


def test_a_faint_accent_needs_three_to_one_for_focus_indicators():
    problems = contrast.check_colours({"brand_colour": "#1f3a5f", "accent_colour": "#ffd966"})
    assert len(problems) == 1
    assert problems[0].field == "accent_colour"
    assert "large text and focus indicators needs at least 3:1" in problems[0].message
    assert contrast.contrast_ratio(problems[0].suggestion, "#ffffff") >= 3


def test_a_ratio_just_below_the_threshold_is_never_shown_rounded_up():
    # #777777 on white is 4.478…: shown as 4.47, not 4.48 or 4.50.
    problems = contrast.check_colours({"brand_colour": "#777777", "accent_colour": "#0f7c8c"})
    assert problems[0].ratio == 4.47


def test_no_colour_reaches_seven_to_one_against_both_black_and_white():
    assert contrast.nearest_passing("#808080", (("#000000", 7), ("#ffffff", 7))) is None


def test_a_passing_colour_is_its_own_nearest_and_shade_darkens():
    assert contrast.nearest_passing("#1F3A5F", (("#ffffff", 4.5),)) == "#1f3a5f"
    assert contrast.shade("#808080", 0.5) == "#404040"
    assert contrast.shade("#808080", 0) == "#808080"
