"""Phrases kept as data (the version history stores them) and lists of items inside a sentence."""

from __future__ import annotations

import json

from lms.core.i18n import Listing, Phrase, counted


def _bracketed(message: str) -> str:  # a stand-in catalogue that shows where it was used
    return f"«{message}»"


def test_a_phrase_stored_as_json_words_the_same_when_read_back():
    line = Phrase("Quiz %(quiz)s changed (%(details)s): %(outcome)s.", quiz="“Basics”",
                  details=Listing([Phrase("questions added: %(items)s", items=Listing(["q1", "q2"]))], separator="; "),
                  outcome=Phrase("grading unchanged, passes carry over"))
    again = Phrase.from_data(json.loads(json.dumps(line.to_data())))
    assert again == line
    assert str(again) == "Quiz “Basics” changed (questions added: q1, q2): grading unchanged, passes carry over."
    assert again.render(_bracketed) == line.render(_bracketed) == (
        "«Quiz “Basics” changed («questions added: q1, q2»): «grading unchanged, passes carry over».»")


def test_a_plural_phrase_keeps_both_forms_and_its_count():
    line = Phrase("%(num)d session.", plural="%(num)d sessions.", num=2)
    again = Phrase.from_data(line.to_data())
    assert str(again) == "2 sessions." and again.plural == "%(num)d sessions."


def test_a_listing_follows_the_language_except_englishs_house_style():
    items = Listing(["a", "b", "c"])
    assert str(items) == "a, b, c"
    assert Phrase("Lessons: %(items)s.", items=items).render(lambda m: m, "es") == "Lessons: a, b y c."
    assert Listing(["a", "b"], separator="; ").join(["a", "b"], "fr") == "a; b"


def test_english_counts_say_one_thing_or_several_never_thing_s():
    assert [counted(n, "problem") for n in (0, 1, 2)] == ["0 problems", "1 problem", "2 problems"]
    assert counted(1, "lesson asks", "lessons ask") == "1 lesson asks"
    assert counted(3, "lesson asks", "lessons ask") == "3 lessons ask"
