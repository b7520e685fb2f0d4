"""lms.services.wording: the pure core's Phrases put into the reader's language (sentence, plural form, parts)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import force_locale

from lms.core import schedule
from lms.core.i18n import N_, Nn_, Phrase
from lms.services import wording
from tests.catalogues import translations


def test_a_phrase_takes_the_plural_form_of_the_readers_language(app, db):
    singular, plural = Nn_("%(num)s answer was ignored.", "%(num)s answers were ignored.")
    with translations(app, "ar", {(singular, plural): ["لا إجابات", "إجابة واحدة", "إجابتان", "%(num)s إجابات",
                                                       "%(num)s إجابة", "%(num)s إجابة"]}), force_locale("ar"):
        assert wording.word(Phrase(singular, plural=plural, num=2)) == "إجابتان"  # Arabic's dual
        assert wording.word(Phrase(singular, plural=plural, num=5)) == "5 إجابات"
    assert wording.word(Phrase(singular, plural=plural, num=1)) == "1 answer was ignored."


def test_the_parts_of_a_phrase_are_worded_too(app, db):
    phrase = Phrase(N_("%(cohort)s opens on %(day)s."), cohort="Caring Cities", day=schedule.Day(date(2031, 1, 6)))
    with translations(app, "fr", {"%(cohort)s opens on %(day)s.": "%(cohort)s ouvre le %(day)s."}), \
            force_locale("fr"):
        assert wording.word(phrase) == "Caring Cities ouvre le lundi 6 janvier 2031."
    deadline = schedule.Deadline(datetime(2031, 1, 6, 13, 0, tzinfo=UTC), "Asia/Seoul")
    with force_locale("ko"):
        assert wording.word(Phrase(N_("Until %(when)s."), when=deadline)) == \
            "Until 2031년 1월 6일 월요일 22:00 KST (Asia/Seoul)."
