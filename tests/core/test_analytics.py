"""The statistics behind the reports, checked against numbers worked out by hand."""

import csv
import io
import math
from datetime import date

import pytest

from lms.core import analytics
from lms.core.csvsafe import BOM, csv_line, safe_cell, stream_csv


def test_median_of_odd_and_even_counts():
    assert analytics.median([5, 1, 3]) == 3
    assert analytics.median([4, 1, 3, 2]) == 2.5
    assert analytics.median([]) is None


def test_discrimination_hand_worked_example():
    # Four first attempts. Question scores x and attempt totals T; the rest of the test is y = T - x.
    #   x = 1, 1, 0, 0      T = 5, 3, 4, 1      y = 4, 2, 4, 1
    #   mean x = 0.5, mean y = 2.75
    #   sum dx*dy = 0.5*1.25 + 0.5*(-0.75) + (-0.5)*1.25 + (-0.5)*(-1.75) = 0.5
    #   sum dx^2 = 1, sum dy^2 = 1.5625 + 0.5625 + 1.5625 + 3.0625 = 6.75
    #   r = 0.5 / sqrt(1 * 6.75) = 0.19245...
    r = analytics.discrimination_index([1, 1, 0, 0], [5, 3, 4, 1])
    assert r == pytest.approx(0.5 / math.sqrt(6.75))
    assert r == pytest.approx(0.19245, abs=1e-5)


def test_negative_discrimination_when_the_strong_learners_get_it_wrong():
    # x = 0, 0, 1, 1; T = 4, 3, 1, 1 -> y = 4, 3, 0, 0; sxy = -3.5, sxx = 1, syy = 12.75
    r = analytics.discrimination_index([0, 0, 1, 1], [4, 3, 1, 1])
    assert r == pytest.approx(-3.5 / math.sqrt(12.75))


def test_discrimination_undefined_without_variation():
    assert analytics.discrimination_index([1, 1, 1], [3, 2, 1]) is None
    assert analytics.discrimination_index([1], [3]) is None


def test_facility_is_mean_score_over_points():
    assert analytics.facility_index([2, 1, 0, 2], 2) == pytest.approx(5 / 8)
    assert analytics.facility_index([], 1) is None


def test_question_statistics_and_flags():
    ids = ["easy", "hard", "inverse", "good1", "good2", "good3"]
    attempts = []
    for i in range(20):
        strong = i >= 10
        attempts.append({"easy": 1.0, "hard": 0.0, "inverse": 0.0 if strong else 1.0,
                         "good1": 1.0 if strong else 0.0, "good2": 1.0 if strong or i % 3 == 0 else 0.0,
                         "good3": 1.0 if strong and i % 4 else 0.0})
    stats = {s.question_id: s for s in analytics.question_statistics(ids, dict.fromkeys(ids, 1.0), attempts)}
    assert stats["easy"].facility == 1.0 and "almost everybody answers it correctly" in stats["easy"].flags
    assert stats["hard"].facility == 0.0 and "almost nobody answers it correctly" in stats["hard"].flags
    assert stats["inverse"].discrimination < 0 and "negative discrimination" in stats["inverse"].flags
    assert stats["good1"].discrimination > 0.3 and stats["good1"].flags == ()
    assert stats["easy"].discrimination is None  # no variation: undefined, not zero


def test_no_flags_with_too_few_attempts():
    assert analytics.question_flags(9, 0.0, -0.5) == ()
    assert analytics.question_flags(10, 0.5, 0.2) == ()


def test_choice_counts_count_each_pick_once_and_ignore_unknown_choices():
    counts = analytics.choice_counts(["a", "b", "c"], [["a"], ["a", "b"], ["b", "b"], ["gone"], []])
    assert counts == {"a": 2, "b": 2, "c": 0}


def test_funnel_shares_of_the_enrolled():
    steps = analytics.funnel(200, [("m1", "Module 1", 150), ("m2", "Module 2", 33)])
    assert [(s.key, s.count, s.percent) for s in steps] == [("enrolled", 200, 100.0), ("m1", 150, 75.0),
                                                           ("m2", 33, 16.5)]
    assert analytics.funnel(0, [("m1", "M", 0)])[1].percent == 0.0


@pytest.mark.parametrize("text", ["=1+1", "+33", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")",
                                  "\uff1d1+1", "\uff0b33", "\uff0d2+3", "\uff20SUM(A1)"])
def test_formula_cells_are_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_a_leading_nul_does_not_hide_a_formula():
    assert safe_cell("\0=1+1") == "'=1+1" and safe_cell("\0\uff1d1+1") == "'\uff1d1+1" and safe_cell("a\0b") == "ab"


def test_every_text_cell_is_quoted_so_a_semicolon_locale_cannot_split_it():
    line = csv_line(["Lyon; France", "Seoul", 3, -2.5, None])
    assert line == '"Lyon; France","Seoul",3,-2.5,""\r\n'
    # A spreadsheet whose list separator is ";" reads the same cells.
    assert next(csv.reader(io.StringIO(line.replace(",", ";").replace('"Lyon; France"', '"Lyon, France"'),
                                       newline=""), delimiter=";")) == ["Lyon, France", "Seoul", "3", "-2.5", ""]


def test_numbers_and_plain_text_are_kept():
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5 and safe_cell(None) == "" and safe_cell("Seoul") == "Seoul"
    assert safe_cell(True) == "yes" and safe_cell(date(2024, 5, 1)) == "2024-05-01"


def test_csv_round_trips_commas_quotes_newlines_and_hangul():
    rows = [["a, b", 'say "hi"', "line1\nline2", "서울특별시", "Bogotá", "=cmd"]]
    text = "".join(stream_csv(["one", "two", "three", "four", "five", "six"], rows))
    assert text.startswith(BOM)
    parsed = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert parsed[1] == ["a, b", 'say "hi"', "line1\nline2", "서울특별시", "Bogotá", "'=cmd"]
    assert csv_line(["x"]).endswith("\r\n")


def test_stream_csv_is_lazy():
    def rows():
        yield ["1"]
        raise AssertionError("read too far")

    stream = stream_csv(["h"], rows())
    assert next(stream) == BOM + "\"h\"\r\n"
    assert next(stream) == "\"1\"\r\n"


def test_bar_lengths_are_proportional_to_the_values():
    from lms.core import charts

    chart = charts.horizontal_bars("T", "D", [("a", 50, "50"), ("b", 100, "100"), ("c", -1, "-1")])
    widths = [bar.width for bar in chart.bars]
    assert widths[1] == 2 * widths[0] and widths[2] == 0
    assert charts.horizontal_bars("T", "D", [("a", 50, "50")], maximum=100).bars[0].width == widths[0]
    cols = charts.columns("T", "D", [("w1", 0, "0"), ("w2", 4, "4")])
    assert cols.bars[0].height == 0 and cols.bars[1].height == charts.COLUMN_HEIGHT
    assert not cols.horizontal and cols.height > charts.COLUMN_HEIGHT


def test_a_language_much_harder_than_the_others_is_flagged():
    from lms.core.analytics import facility_by_language

    scores = [("en", 1.0)] * 5 + [("fr", 1.0)] * 3 + [("fr", 0.0)] * 2 + [("es", 0.0)] * 4 + [("es", 1.0)]
    rows = facility_by_language(scores, 1.0, ["en", "es", "fr"])
    assert [(r.language, r.attempts, round(r.facility, 2), r.much_harder) for r in rows] == [
        ("en", 5, 1.0, False), ("es", 5, 0.2, True), ("fr", 5, 0.6, False)]


def test_too_few_attempts_in_a_language_are_never_flagged():
    from lms.core.analytics import facility_by_language

    rows = facility_by_language([("en", 1.0)] * 10 + [("es", 0.0)] * 4, 1.0, ["en", "es"])
    assert not any(r.much_harder for r in rows)
    gap_exactly = facility_by_language([("en", 1.0)] * 5 + [("es", 0.75)] * 5, 1.0, ["en", "es"])
    assert [r.much_harder for r in gap_exactly] == [False, True]  # 25 points below: flagged
