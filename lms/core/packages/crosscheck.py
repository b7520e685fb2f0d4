"""Package-wide rules that no single field can check: unique ids, answer keys, references between files and between
parts of course.yaml, and dates that must make sense together. Each rule skips values that already failed their own
checks (they are missing from the records), so one mistake is reported once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from lms.core.i18n import counted
from lms.core.packages.files import case_hint
from lms.core.packages.model import Problem
from lms.core.packages.parsed import ParsedPackage
from lms.core.packages.spec import COHORT_ENROLMENTS_FOR_COURSE
from lms.core.packages.validate import Record

COURSE_FILE = "course.yaml"


def check_package(parsed: ParsedPackage, files: Collection[str], problems: list[Problem]) -> None:
    _check_unique_ids(parsed, problems)
    for module in parsed.modules:
        if module.quiz is not None:
            _check_quiz(module.quiz, module.quiz_path, problems)
    course = parsed.course
    _check_completion(course, parsed, problems)
    _check_certificate(course, problems)
    _check_resources(course, files, problems)
    _check_cover(course, files, problems)
    templates = [t.get("id") for t in course.get("live_sessions", []) if t.has("id")]
    _check_unique(((t.get("id"), COURSE_FILE, t.line_of("id")) for t in course.get("live_sessions", [])),
                  "live session", problems)
    cohorts = course.get("cohorts", [])
    _check_unique(((c.get("id"), COURSE_FILE, c.line_of("id")) for c in cohorts), "cohort", problems)
    for cohort in cohorts:
        _check_cohort(cohort, templates, course.get("completion"), problems)
        _check_cohort_enrolment(cohort, course.get("enrolment"), problems)


def _check_cohort_enrolment(cohort: Record, course_enrolment: str | None, problems: list[Problem]) -> None:
    """A cohort of an open course says how learners join it: ``enrolment: open`` captures everyone who enrols in the
    course while it takes people, which must be a choice, never a default (issue 20: one far-off cohort locked an
    open course for years). Other courses' cohorts default to the course's enrolment."""
    if course_enrolment is None:
        return
    name = f"cohort '{cohort.get('id', '?')}'"
    allowed = COHORT_ENROLMENTS_FOR_COURSE[course_enrolment]
    chosen = cohort.get("enrolment")
    if chosen is None:
        if course_enrolment == "open" and cohort.has("id"):
            problems.append(Problem(COURSE_FILE, cohort.line_of("id"), (
                f"{name} of an open course must say how learners join it: 'enrolment: open' puts every learner "
                "who enrols in the course while the cohort takes people into it, and they cannot study before "
                "its starts_on; 'enrolment: invite' leaves the course open to all and staff add learners to "
                "the cohort")))
        return
    if chosen not in allowed:
        problems.append(Problem(COURSE_FILE, cohort.line_of("enrolment"), (
            f"{name}: enrolment '{chosen}' does not fit a course whose enrolment is '{course_enrolment}'; "
            f"use {' or '.join(allowed)}")))


def _suggestion(value: str, known: Iterable[str]) -> str:
    known = sorted(set(known))
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; the ids are: {', '.join(known)}" if known else ""


def _check_unique(items: Iterable[tuple[str | None, str, int]], what: str, problems: list[Problem]) -> None:
    """Report every repeat of an id at the repeat, naming the first use."""
    first: dict[str, tuple[str, int]] = {}
    for key, file, line in items:
        if key is None:
            continue
        if key not in first:
            first[key] = (file, line)
            continue
        other_file, other_line = first[key]
        where = f"line {other_line}" if other_file == file else f"{other_file}:{other_line}"
        problems.append(Problem(file, line, f"duplicate {what} id '{key}' (first used at {where}); ids must be unique"))


def _check_unique_ids(parsed: ParsedPackage, problems: list[Problem]) -> None:
    modules = parsed.modules
    _check_unique(((m.record.get("id"), m.manifest, m.record.line_of("id")) for m in modules), "module", problems)
    _check_unique(((lesson.front.get("id"), lesson.path, lesson.front.line_of("id"))
                   for m in modules for lesson in m.lessons if lesson.front is not None), "lesson", problems)
    _check_unique(((m.quiz.get("id"), m.quiz_path, m.quiz.line_of("id")) for m in modules if m.quiz is not None),
                  "quiz", problems)


def _check_quiz(quiz: Record, path: str, problems: list[Problem]) -> None:
    questions: list[Record] = quiz.get("questions", [])
    _check_unique(((q.get("id"), path, q.line_of("id")) for q in questions), "question", problems)
    for question in questions:
        if question.get("type") in ("single_choice", "multiple_choice") and question.has("choices"):
            _check_choices(question, path, problems)


def _check_choices(question: Record, path: str, problems: list[Problem]) -> None:
    kind = question.get("type")
    choices: list[Record] = question.get("choices")
    _check_unique(((c.get("id"), path, c.line_of("id")) for c in choices), "choice", problems)
    ids = [c.get("id") for c in choices if c.has("id")]
    name = f"{kind} question '{question.get('id', '?')}'"
    if "answer" in question.lines:  # the answer key written as choice ids rather than correct flags
        if any(c.get("correct") for c in choices):
            problems.append(Problem(path, question.line_of("answer"), f"{name} gives its answer both with 'answer' "
                                    "and with 'correct: true' on choices; keep one of the two"))
        answers = question.located_items("answer") if kind == "multiple_choice" else (
            [(question.get("answer"), question.line_of("answer"))] if question.has("answer") else [])
        for answer, line in answers:
            if answer not in ids:
                problems.append(Problem(path, line, f"answer '{answer}' is not among the choices of {name}"
                                                    f"{_suggestion(answer, ids)}"))
        return
    correct = sum(1 for c in choices if c.get("correct"))
    line = question.line_of("choices")
    if kind == "single_choice" and correct == 0:
        problems.append(Problem(path, line, f"{name} has no correct choice; mark exactly one with 'correct: true'"))
    elif kind == "single_choice" and correct > 1:
        problems.append(Problem(path, line, f"{name} has {correct} correct choices; mark exactly one with "
                                            "'correct: true', or make it a multiple_choice question"))
    elif kind == "multiple_choice" and correct == 0:
        problems.append(Problem(path, line, f"{name} has no correct choice; mark at least one with 'correct: true'"))


def _check_completion(course: Record, parsed: ParsedPackage, problems: list[Problem]) -> None:
    completion: Record | None = course.get("completion")
    if completion is None or not parsed.all_modules_read or any(not m.record.has("id") for m in parsed.modules):
        return  # a module that could not be read is reported already; its id would look unknown here
    wanted = completion.get("min_reflections", 0)
    asked = sum(1 for m in parsed.modules for lesson in m.lessons
                if lesson.front is not None and lesson.front.get("reflection", ""))
    if wanted > asked and all(lesson.front is not None for m in parsed.modules for lesson in m.lessons):
        problems.append(Problem(COURSE_FILE, completion.line_of("min_reflections"),
                                f"completion.min_reflections is {wanted} but only "
                                f"{counted(asked, 'lesson asks', 'lessons ask')} a reflection "
                                "question (`reflection:` in a lesson's front matter); lower it or add questions"))
    module_ids = [m.record.get("id") for m in parsed.modules]
    for module_id, line in completion.located_items("required_modules"):
        if module_id not in module_ids:
            problems.append(Problem(COURSE_FILE, line, f"completion.required_modules names unknown module "
                                                       f"'{module_id}'{_suggestion(module_id, module_ids)}"))


def _check_certificate(course: Record, problems: list[Problem]) -> None:
    certificate: Record | None = course.get("certificate")
    if certificate is not None and certificate.get("enabled") and certificate.has("issuers") \
            and not certificate.get("issuers"):
        problems.append(Problem(COURSE_FILE, certificate.line_of("issuers"),
                                "the certificate is enabled but has no issuers; add at least one {name, url} under "
                                "certificate.issuers, or set enabled: false"))


def _check_cover(course: Record, files: Collection[str], problems: list[Problem]) -> None:
    cover = course.get("cover")
    image = cover.get("image", "") if cover else ""
    if image and image not in files:
        problems.append(Problem(COURSE_FILE, cover.line_of("image"),
                                f"the cover image {image} is not in the package"
                                f"{case_hint(image, files) or '; add the file or fix the path'}"))


def _check_resources(course: Record, files: Collection[str], problems: list[Problem]) -> None:
    for resource in course.get("resources", []):
        url = resource.get("url", "")
        if url.startswith("assets/") and url not in files:
            problems.append(Problem(COURSE_FILE, resource.line_of("url"),
                                    f"resource '{resource.get('title', url)}' links to {url}, which is not in the "
                                    f"package{case_hint(url, files) or '; add the file or fix the path'}"))


def _check_cohort(cohort: Record, templates: list[str], completion: Record | None, problems: list[Problem]) -> None:
    name = f"cohort '{cohort.get('id', '?')}'"

    def report(key: str, message: str, record: Record = cohort) -> None:
        problems.append(Problem(COURSE_FILE, record.line_of(key), f"{name}: {message}"))

    starts_on: date | None = cohort.get("starts_on")
    ends_on: date | None = cohort.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        report("ends_on", f"ends_on {ends_on} is before starts_on {starts_on}")
        starts_on = ends_on = None  # the sessions cannot be checked against dates that are wrong
    opens: datetime | None = cohort.get("applications_open")
    deadline: datetime | None = cohort.get("application_deadline")
    if opens and deadline and deadline <= opens:
        report("application_deadline", f"application_deadline {_show(deadline)} is not after applications_open "
                                       f"{_show(opens)}")
    for key, moment in (("applications_open", opens), ("application_deadline", deadline)):
        if moment and starts_on and moment.date() > starts_on:
            report(key, f"{key} {_show(moment)} is after the cohort starts on {starts_on}; applications must close "
                        "by the first day")
    zone = ZoneInfo(cohort.get("timezone")) if cohort.has("timezone") else None
    for key, moment in (("applications_open", opens), ("application_deadline", deadline)):
        if moment and zone and not _exists(moment, zone):
            report(key, f"{_show(moment)} does not exist in {zone.key} (the clocks go forward then); "
                        "choose another time")
    sessions: list[Record] = cohort.get("sessions", [])
    for session in sessions:
        _check_session(session, templates, starts_on, ends_on, zone, lambda k, m, s=session: report(k, m, s))
    required = completion.get("min_sessions_attended", 0) if completion else 0
    if "sessions" in cohort.lines and len(sessions) < required:
        report("sessions", f"schedules {counted(len(sessions), 'live session')} but "
                           f"completion.min_sessions_attended is {required}; add sessions or lower the minimum")


def _check_session(session: Record, templates: list[str], starts_on: date | None, ends_on: date | None,
                   zone: ZoneInfo | None, report: Callable[[str, str], None]) -> None:
    template = session.get("template")
    if template is not None and template not in templates:
        hint = _suggestion(template, templates) if templates else "; declare it under live_sessions"
        report("template", f"session template '{template}' is not a live_sessions id{hint}")
    start: datetime | None = session.get("starts_at")
    end: datetime | None = session.get("ends_at")
    if start and end and end <= start:
        report("ends_at", f"session ends_at {_show(end)} is not after its starts_at {_show(start)}")
    for key, moment in (("starts_at", start), ("ends_at", end)):
        if moment is None:
            continue
        if starts_on and ends_on and not starts_on <= moment.date() <= ends_on:
            report(key, f"session {key} {_show(moment)} is outside the cohort's dates ({starts_on} to {ends_on})")
        if zone and not _exists(moment, zone):
            report(key, f"{_show(moment)} does not exist in {zone.key} (the clocks go forward then); "
                        "choose another time")


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    """False for a wall-clock time skipped by a daylight-saving change, which a learner's calendar cannot show."""
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def _show(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")
