"""lms.core.discussion_search: the text search reads, the configuration per language, the FTS5 expression built from
any input, and the highlight made safe."""

import pytest

from lms.core.discussion_search import (
    LESS_THAN_STAND_IN,
    START_MARK,
    STOP_MARK,
    fts5_expression,
    highlighted,
    marked_fragment,
    plain_text,
    search_config,
    searched_text,
    wanted_words,
)


def test_each_language_is_read_by_its_configuration_and_the_others_word_by_word():
    assert [search_config(code) for code in ("en", "es", "es-MX", "fr", "ko", "ar", "")] == [
        "english", "spanish", "spanish", "french", "simple", "simple", "simple"]


def test_the_searched_text_is_the_title_then_the_words_a_reader_sees():
    html = '<p>In <strong>Madrid</strong> &amp; <a href="https://x.example/?a=1&amp;b=>2">Bilbao</a></p><ul><li>one</li></ul>'
    assert searched_text(html, "Care maps") == "Care maps\nIn Madrid & Bilbao\none"
    assert plain_text(f"<p>a{START_MARK}b{STOP_MARK}c{LESS_THAN_STAND_IN}</p>") == "a b c"


@pytest.mark.parametrize(("query", "expression"), [
    ("care map", '("care" * AND "map" *)'),
    ('"care map" -survey', '("care map" NOT "survey" *)'),
    ("budget or money", '("budget" *) OR ("money" *)'),
    ("care-giving", '("care giving")'),
    ('NEAR(care "', '("NEAR care")'),
    ("<script>alert(1)</script>", '("script alert 1 script")'),
    ("도시 계획", '("도시" * AND "계획" *)'),
    ("-care", None), ("OR", None), ('"', None), ("", None), ("* ^ : ()", None),
])
def test_any_query_becomes_a_valid_fts5_expression_of_its_words(query, expression):
    assert fts5_expression(query) == expression


def test_the_highlight_escapes_everything_but_the_marks_and_closes_an_open_one():
    fragment = f'<b onclick="x">{START_MARK}care{STOP_MARK} &amp; {LESS_THAN_STAND_IN}script> {START_MARK}more'
    assert str(highlighted(fragment)) == (
        '&lt;b onclick=&#34;x&#34;&gt;<mark>care</mark> &amp;amp; &lt;script&gt; <mark>more</mark>')
    assert str(highlighted(f"{STOP_MARK}x{START_MARK}{START_MARK}y")) == "x<mark>y</mark>"


def test_without_an_index_the_fragment_marks_every_wanted_word_in_any_case():
    words = wanted_words("Care -survey budget")
    assert words == ["budget", "care"]
    assert marked_fragment("CARE and a Budget", words) == (
        f"{START_MARK}CARE{STOP_MARK} and a {START_MARK}Budget{STOP_MARK}")
    long = "x " * 200 + "care " + "y " * 200
    assert marked_fragment(long, ["care"]).startswith("… ") and marked_fragment(long, ["care"]).endswith(" …")
