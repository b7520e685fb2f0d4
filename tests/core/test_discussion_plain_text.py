"""lms.core.discussion_markdown.post_plain_text: a post as an e-mail's text part, without Markdown's marks."""

from lms.core.discussion_markdown import post_plain_text


def test_emphasis_marks_go_and_links_show_their_address_after_the_text():
    text = post_plain_text("A **strong** and *soft* word, [the agenda](https://example.org/a) and <https://x.org>.")
    assert text == "A strong and soft word, the agenda (https://example.org/a) and https://x.org."


def test_lists_quotes_code_and_tables_keep_their_shape():
    source = ("Intro.\n\n- one\n- two\n  - nested\n\n3. third\n4. fourth\n\n> quoted *text*\n\n"
              "```\ncode **as is**\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert post_plain_text(source) == ("Intro.\n\n- one\n- two\n  - nested\n\n3. third\n4. fourth\n\n> quoted text\n\n"
                                       "    code **as is**\n\na | b\n1 | 2")


def test_raw_html_stays_the_characters_the_author_typed():
    assert post_plain_text("<b>bold?</b> 1 < 2") == "<b>bold?</b> 1 < 2"
