"""Turn a parsed package that has no problems into the immutable model (model.py).

Every value here has passed its checks, so required values are present and optional ones have their defaults; the
only decisions left are how the file format maps to the model (an ``answer`` naming choice ids becomes correct flags,
local date-times get their cohort's time zone).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from lms.core.packages import hashing
from lms.core.packages.files import ASSETS, PackageFile, media_type
from lms.core.packages.media import file_sha256, file_size
from lms.core.packages.model import (
    Asset,
    CertificateRule,
    Choice,
    CohortSession,
    CohortSpec,
    CompletionRule,
    Cover,
    EnrolmentMode,
    Issuer,
    Lesson,
    Module,
    Package,
    Person,
    Question,
    QuestionType,
    Quiz,
    Resource,
    ReviewOptions,
    ReviewTime,
    ScorePolicy,
    SessionTemplate,
)
from lms.core.packages.parsed import ParsedLesson, ParsedModule, ParsedPackage
from lms.core.packages.validate import Record
from lms.core.packages.video import estimated_minutes


def build_package(parsed: ParsedPackage, files: dict[str, PackageFile]) -> Package:
    course = parsed.course
    completion: Record | None = course.get("completion")
    certificate: Record | None = course.get("certificate")
    return Package(
        slug=course.get("slug"),
        title=course.get("title"),
        version=course.get("version"),
        summary=course.get("summary"),
        language=parsed.languages[0],
        authors=tuple(Person(a.get("name"), a.get("organisation")) for a in course.get("authors")),
        licence=course.get("licence"),
        estimated_hours=course.get("estimated_hours"),
        enrolment=EnrolmentMode(course.get("enrolment")),
        eligibility=course.get("eligibility"),
        eligibility_html=course.html.get("eligibility", ""),
        modules=tuple(_module(m, files) for m in parsed.modules),
        resources=tuple(Resource(r.get("title"), r.get("url"), r.get("description"))
                        for r in course.get("resources")),
        live_sessions=tuple(SessionTemplate(s.get("id"), s.get("title"), s.get("description"),
                                            s.get("duration_minutes")) for s in course.get("live_sessions")),
        cohorts=tuple(_cohort(c, course.get("enrolment")) for c in course.get("cohorts")),
        completion=CompletionRule(
            required_modules=tuple(completion.get("required_modules", ())) if completion else (),
            min_sessions_attended=completion.get("min_sessions_attended") if completion else 0,
            min_reflections=completion.get("min_reflections") if completion else 0,
        ),
        certificate=_certificate(certificate, course.get("estimated_hours")),
        assets=tuple(Asset(path, media_type(path), file_size(data), file_sha256(data))
                     for path, data in sorted(files.items()) if path.startswith(ASSETS)),
        content_hash=hashing.package_hash(files),
        files=dict(files),
        cover=Cover(cover.get("image"), cover.get("alt")) if (cover := course.get("cover")) else None,
        languages=parsed.languages,
    )


def _certificate(record: Record | None, estimated_hours: float) -> CertificateRule:
    if record is None:  # no certificate section: the course gives no certificate
        return CertificateRule(enabled=False, issuers=(), hours=estimated_hours)
    return CertificateRule(
        enabled=record.get("enabled"),
        issuers=tuple(Issuer(i.get("name"), i.get("url")) for i in record.get("issuers")),
        hours=record.get("hours", estimated_hours),
    )


def _module(module: ParsedModule, files: dict[str, PackageFile]) -> Module:
    record = module.record
    return Module(
        id=record.get("id"),
        title=record.get("title"),
        summary=record.get("summary"),
        required=record.get("required"),
        lessons=tuple(_lesson(lesson, files) for lesson in module.lessons),
        quiz=_quiz(module.quiz, module.quiz_path) if module.quiz is not None else None,
        path=module.folder,
    )


def _lesson(lesson: ParsedLesson, files: dict[str, PackageFile]) -> Lesson:
    front = lesson.front
    assert front is not None  # a lesson without front matter is a problem, and then nothing is built
    return Lesson(
        id=front.get("id"),
        title=front.get("title"),
        minutes=front.get("minutes") or estimated_minutes(lesson.video),
        required=front.get("required"),
        reset_progress=front.get("reset_progress"),
        source=lesson.body,
        html=lesson.html,
        content_hash=file_sha256(files[lesson.path]),
        path=lesson.path,
        video=lesson.video,
        reflection=front.get("reflection", ""),
    )


def _quiz(record: Record, path: str) -> Quiz:
    questions = tuple(_question(q) for q in record.get("questions"))
    return Quiz(
        id=record.get("id"),
        title=record.get("title"),
        pass_mark=record.get("pass_mark"),
        max_attempts=record.get("max_attempts"),
        shuffle_questions=record.get("shuffle_questions"),
        shuffle_choices=record.get("shuffle_choices"),
        score_policy=ScorePolicy(record.get("score_policy")),
        questions=questions,
        content_hash=hashing.quiz_hash(record.get("pass_mark"), questions),
        path=path,
        review=_review(record.get("review")),
    )


def _review(record: Record | None) -> ReviewOptions:
    if record is None:  # no review section: the safe defaults
        return ReviewOptions()
    return ReviewOptions(**{name: ReviewTime(record.get(name)) for name in (
        "score", "correctness", "feedback", "correct_answers", "explanations")})


def _question(record: Record) -> Question:
    kind = QuestionType(record.get("type"))
    common = {
        "id": record.get("id"),
        "type": kind,
        "prompt": record.get("prompt"),
        "prompt_html": record.html.get("prompt", ""),
        "points": record.get("points"),
        "explanation": record.get("explanation"),
        "feedback_correct": record.get("feedback_correct", ""),
        "feedback_incorrect": record.get("feedback_incorrect", ""),
    }
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        answer = record.get("answer")
        keyed = {answer} if isinstance(answer, str) else set(answer or ())
        choices = tuple(
            Choice(c.get("id"), c.get("text"), c.html.get("text", ""), c.get("correct") or c.get("id") in keyed,
                   c.get("feedback"))
            for c in record.get("choices")
        )
        return Question(**common, choices=choices)
    if kind is QuestionType.TRUE_FALSE:
        return Question(**common, correct_bool=record.get("answer"))
    if kind is QuestionType.SHORT_ANSWER:
        return Question(**common, accepted_answers=tuple(record.get("accepted_answers")),
                        case_sensitive=record.get("case_sensitive"))
    return Question(**common, numeric_answer=record.get("answer"), tolerance=record.get("tolerance"))


def _cohort(record: Record, course_enrolment: str) -> CohortSpec:
    zone = ZoneInfo(record.get("timezone"))

    def aware(moment: datetime | None) -> datetime | None:
        return moment.replace(tzinfo=zone) if moment is not None else None

    return CohortSpec(
        id=record.get("id"),
        name=record.get("name"),
        timezone=record.get("timezone"),
        applications_open=aware(record.get("applications_open")),
        application_deadline=aware(record.get("application_deadline")),
        starts_on=record.get("starts_on"),
        ends_on=record.get("ends_on"),
        capacity=record.get("capacity"),
        sessions=tuple(CohortSession(s.get("template"), aware(s.get("starts_at")), aware(s.get("ends_at")),
                                     s.get("join_url")) for s in record.get("sessions")),
        line=record.line_of("id"),
        enrolment=EnrolmentMode(record.get("enrolment") or course_enrolment),
    )
