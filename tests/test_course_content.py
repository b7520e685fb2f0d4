"""The bundled courses stay true for every run: their text names no run's dates, years or time zones (those belong
to the cohort, and the engine prints the cohort's), and the course page shows the deadline and dates of the cohorts
taking applications."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from babel.dates import format_date

from lms.core.packages import Package, load_package
from tests.cohort_factories import local_now, make_cohort, publish_caring_cities
from tests.factories import COURSES

BUNDLED = sorted(path for path in COURSES.iterdir() if (path / "course.yaml").exists())
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# The translations' months (Spanish and French write "9 de junio", "9 juin"; Korean "6월 9일").
MONTHS_ES_FR = ("enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
                "janvier|février|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre")
RUN_SPECIFIC = {
    "a year": re.compile(r"\b(?:19|20)[0-9]{2}\b"),
    "a day of a month": re.compile(rf"\b(?:[0-3]?[0-9](?:st|nd|rd|th)? (?:{MONTHS})|(?:{MONTHS}) [0-3]?[0-9]|"
                                   rf"(?:1er|[0-3]?[0-9])(?: de)? (?:{MONTHS_ES_FR}))\b|[0-9]{{1,2}}월 [0-9]{{1,2}}일",
                                   re.IGNORECASE),
    "a time zone": re.compile(r"\b(?:CES?T|CEST|Central European(?: Summer)? Time|(?:UTC|GMT)\s?[+-]\s?[0-9]{1,2}|"
                              r"[A-Z][a-z]+/[A-Z][a-z_]+)\b"),
}


def course_texts(package: Package) -> dict[str, str]:
    """Every text a learner reads that comes from the course rather than from a cohort, by where it is."""
    texts = {"course.yaml: summary": package.summary, "course.yaml: eligibility": package.eligibility}
    texts.update({f"course.yaml: live session {s.id}": f"{s.title}\n{s.description}" for s in package.live_sessions})
    texts.update({f"course.yaml: resource {r.title}": r.description for r in package.resources})
    for module in package.modules:
        texts[f"{module.path}/module.yaml"] = f"{module.title}\n{module.summary}"
        texts.update({lesson.path: f"{lesson.title}\n{lesson.source}" for lesson in module.lessons})
        if module.quiz is None:
            continue
        texts.update(quiz_texts(module.quiz, module.quiz.path))
    for translation in package.translations:  # each language of the course must hold for every run too
        parts = [translation.title, translation.summary, translation.body,
                 *(f"{r.title}\n{r.description}" for r in translation.resources),
                 *(f"{s.title}\n{s.description}" for s in translation.live_sessions)]
        texts[translation.path] = "\n".join(parts)
        if translation.quiz is not None:
            texts.update(quiz_texts(translation.quiz, translation.path))
    return texts


def quiz_texts(quiz, path: str) -> dict[str, str]:
    texts = {}
    for question in quiz.questions:
        parts = [question.prompt, question.explanation, question.feedback_correct, question.feedback_incorrect,
                 *question.accepted_answers]
        for choice in question.choices:
            parts += [choice.text, choice.feedback]
        texts[f"{path}: question {question.id}"] = "\n".join(parts)
    return texts


def run_specific_mentions(texts: dict[str, str]) -> list[str]:
    return [f"{where}: {kind} '{match.group(0)}'" for where, text in texts.items()
            for kind, pattern in RUN_SPECIFIC.items() for match in pattern.finditer(text)]


@pytest.mark.parametrize("folder", BUNDLED, ids=[path.name for path in BUNDLED])
def test_bundled_course_text_names_no_run_specific_date_year_or_time_zone(folder):
    result = load_package(folder)
    assert result.ok, result.problems
    assert run_specific_mentions(course_texts(result.package)) == []


def test_the_check_finds_what_the_first_caring_cities_text_said():
    said = {
        "eligibility": "Applications close on **9 June 2023** (23:59, Central European Summer Time).",
        "lesson": "| Thursday 6 July 2023 | Session 1 |\nBring it on 3 July.",
        "quiz": "CEST\nUTC+2\nEurope/Madrid",
    }
    found = run_specific_mentions(said)
    assert "eligibility: a year '2023'" in found and "eligibility: a day of a month '9 June'" in found
    assert "eligibility: a time zone 'Central European Summer Time'" in found
    assert "lesson: a day of a month '3 July'" in found and "lesson: a day of a month '6 July'" in found
    assert {"quiz: a time zone 'CEST'", "quiz: a time zone 'UTC+2'", "quiz: a time zone 'Europe/Madrid'"} <= set(found)
    assert run_specific_mentions({"lesson": "Women spend 4.1 hours a day; 12 hours of training; Session 1."}) == []
    translated = run_specific_mentions({"es": "Las solicitudes cierran el 9 de junio.", "fr": "Clôture le 9 juin.",
                                        "ko": "신청 마감은 6월 9일입니다."})
    assert translated == ["es: a day of a month '9 de junio'", "fr: a day of a month '9 juin'",
                          "ko: a day of a month '6월 9일'"]


def test_the_check_reads_the_translations_of_the_bundled_course():
    package = load_package(COURSES / "caring-cities").package
    texts = course_texts(package)
    assert {"course.es.yaml", "course.fr.yaml", "course.ko.yaml"} <= set(texts)
    assert any(path.endswith(".ko.md") for path in texts) and any(".es.yaml: question" in path for path in texts)


def test_the_course_page_prints_the_deadline_and_dates_of_the_cohorts_taking_applications(client, db):
    publish_caring_cities()
    now = local_now()
    make_cohort(name="Caring Cities autumn run", deadline=now + timedelta(days=10),
                starts_on=now.date() + timedelta(days=14), ends_on=now.date() + timedelta(days=35))
    make_cohort(name="A closed run", opens=now - timedelta(days=20), deadline=now - timedelta(days=1))
    html = client.get("/courses/caring-cities/").get_data(as_text=True)
    deadline = now + timedelta(days=10)
    assert "Caring Cities autumn run" in html and "A closed run" not in html
    assert f"Applications close on <strong>{deadline:%A} {deadline.day} {deadline:%B %Y}" in html
    starts = now.date() + timedelta(days=14)
    assert f"{format_date(starts, 'long', locale='en')} to" in html and "2 live sessions" in html
    assert "2023" not in html, "neither the course text nor the package's 2023 run is presented as open"


def test_the_course_page_says_when_no_cohort_takes_applications(client, db):
    publish_caring_cities()
    html = client.get("/courses/caring-cities/").get_data(as_text=True)
    assert "No cohort is taking applications at the moment." in html
    assert "9 June" not in html


def test_the_course_page_queries_do_not_grow_with_the_cohorts_taking_applications(client, db, count_queries):
    publish_caring_cities()
    counts = []
    made = 0
    for cohorts_open in (1, 4):
        while made < cohorts_open:
            made += 1
            make_cohort(name=f"Open run {made}")
        client.get("/courses/caring-cities/")  # warm caches that are per process, not per request
        with count_queries() as queries:
            html = client.get("/courses/caring-cities/").get_data(as_text=True)
        assert html.count("Applications close on") == cohorts_open
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# The programme's facts, as its two announcements give them (courses/caring-cities/README.md lists where they differ).
CARING_CITIES = COURSES / "caring-cities"
# The figure the calendar entry gives as "unpaid work", and narrower names for it that the source never uses.
TIME_USE_FIGURE = re.compile(r"\b4[.,]1\b")
UNPAID_CARE_WORK = re.compile(r"unpaid care work|trabajo de cuidados no remunerado|travail de soin non rémunéré|"
                              r"무급 돌봄 노동", re.IGNORECASE)


def test_the_2023_run_has_the_dates_both_announcements_give_and_the_later_end():
    (run,) = load_package(CARING_CITIES).package.cohorts
    assert (run.timezone, f"{run.application_deadline:%Y-%m-%d %H:%M}", run.starts_on.isoformat()) == (
        "Europe/Madrid", "2023-06-09 23:59", "2023-07-03")
    assert [f"{s.starts_at:%d %H:%M}-{s.ends_at:%H:%M}" for s in run.sessions] == [
        "03 09:00-11:00", "06 09:00-11:00", "13 09:00-11:00", "20 09:00-11:00"]
    # The programme page ends the run on 23 July, the calendar entry on 21 July; the package keeps the later day and
    # says why, for the organisers.
    assert run.ends_on.isoformat() == "2023-07-23"
    notes = (CARING_CITIES / "README.md").read_text(encoding="utf-8")
    assert "July 23, 2023" in notes and "21 Jul. 2023" in notes


def test_the_time_use_figure_is_unpaid_work_as_the_source_says_in_every_language():
    texts = course_texts(load_package(CARING_CITIES).package)
    narrowed = [f"{where}: {text[max(0, m.start() - 150):m.end() + 150]!r}" for where, text in texts.items()
                for m in TIME_USE_FIGURE.finditer(text) if UNPAID_CARE_WORK.search(text[max(0, m.start() - 150):
                                                                                        m.end() + 150])]
    assert narrowed == []
    assert sum(bool(TIME_USE_FIGURE.search(text)) for text in texts.values()) >= 12  # the check reads them all


def test_shrdc_is_named_one_way_in_every_language_and_on_the_certificate():
    package = load_package(CARING_CITIES).package
    said = [*course_texts(package).values(), *(f"{a.name} {a.organisation}" for a in package.authors),
            *(issuer.name for issuer in package.certificate.issuers)]
    assert [text for text in said if "Seoul Metropolitan Government Human Resources" in text] == []
    assert sum("Seoul Human Resources Development Center (SHRDC)" in text for text in said) >= 6
    (issuer,) = [issuer for issuer in package.certificate.issuers if "SHRDC" in issuer.name]
    assert "Seoul Human Resources Development Center" in issuer.name
