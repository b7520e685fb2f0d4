"""A realistic, reproducible population of learners on a course, for demonstrations and the reports benchmark.

``seed_demo_population("caring-cities", learners=10_000, seed=0)`` adds that many learners (e-mail
``demo-<seed>-<n>@example.org``; they cannot log in: every password hash is of a random secret), enrols them in the
course's cohorts, and simulates their study: each learner has an engagement (how far they get) and an ability (how
well they answer). They complete lessons in course order, attempt each module's quiz once its lessons are done
(answering each question correctly with a probability that grows with ability and falls with the question's
difficulty, retrying up to the quiz's attempt limit until they pass), attend live sessions, and, when the completion
rule says so, complete the course and receive a certificate. One question per course is simulated as "miskeyed"
(the weak learners get it right more often), so the quiz analytics have a broken question to flag.

Rows go in with bulk INSERTs (executemany), in one transaction. Grading and progress use the same rules as the app
(lms.core.grading, lms.core.progress), so every stored score, pass and percentage is what the app would compute.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text

from lms.core import credentials, grading
from lms.core.packages import Quiz
from lms.core.packages.model import Question, QuestionType
from lms.core.progress import course_progress
from lms.extensions import db
from lms.models import (
    Attendance,
    Certificate,
    Cohort,
    Course,
    Enrolment,
    LessonProgress,
    LiveSession,
    ProgressEvent,
    QuizAttempt,
    Role,
    User,
)
from lms.services import accounts, catalog, publishing, staffing
from lms.services.errors import Invalid

# (city, country, organisation): accented and Hangul names on purpose.
PLACES = (
    ("Seoul", "KR", "Seoul Metropolitan Government"),
    ("서울특별시", "KR", "서울특별시청 여성가족정책실"),
    ("Busan", "KR", "Busan Metropolitan City"),
    ("Bogotá", "CO", "Alcaldía Mayor de Bogotá"),
    ("Medellín", "CO", "Alcaldía de Medellín"),
    ("Barcelona", "ES", "Ajuntament de Barcelona"),
    ("Málaga", "ES", "Ayuntamiento de Málaga"),
    ("São Paulo", "BR", "Prefeitura de São Paulo"),
    ("Montréal", "CA", "Ville de Montréal"),
    ("México", "MX", "Gobierno de la Ciudad de México"),
    ("Kraków", "PL", "Urząd Miasta Krakowa"),
    ("Zürich", "CH", "Stadt Zürich"),
    ("Dakar", "SN", "Ville de Dakar"),
    ("Jakarta", "ID", "Pemprov DKI Jakarta"),
    ("Quezon City", "PH", "Quezon City Government"),
    ("Nairobi", "KE", "Nairobi City County"),
)
GIVEN = ("María José", "José", "Ana", "Zoë", "Chloé", "Łukasz", "Aïcha", "Siti", "Juan", "Amara", "민준", "서연",
         "Jean-François", "Noémie", "Ngozi", "Mateo")
FAMILY = ("Núñez", "García", "Pérez", "Müller", "Nowak", "Diallo", "Santos", "Dubois", "김", "이", "박", "Wanjiru",
          "Ortega", "Lefèvre", "Kowalski", "Reyes")


@dataclass(frozen=True)
class SeedReport:
    learners: int
    lessons_completed: int
    attempts: int
    attendance: int
    completed: int
    certificates: int


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _answer(question: Question, right: bool, rng: random.Random) -> list[str]:
    """Raw form values for one question, right or wrong."""
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        correct = [c.id for c in question.choices if c.correct]
        wrong = [c.id for c in question.choices if not c.correct]
        if right or not wrong:
            return correct
        if question.type == QuestionType.SINGLE_CHOICE:
            return [rng.choice(wrong)]
        return [rng.choice(wrong), *correct[: rng.randrange(len(correct))]]
    if question.type == QuestionType.TRUE_FALSE:
        value = question.correct_bool if right else not question.correct_bool
        return ["true" if value else "false"]
    if question.type == QuestionType.SHORT_ANSWER:
        return [question.accepted_answers[0] if right and question.accepted_answers else "not sure"]
    if question.type == QuestionType.NUMERIC:
        answer = question.numeric_answer or 0.0
        return [f"{answer:g}" if right else f"{answer + 10 + question.tolerance * 3:g}"]
    return []  # pragma: no cover  (every question type is handled above)


def seed_demo_population(slug: str, learners: int, seed: int = 0, *, now: datetime | None = None) -> SeedReport:
    if learners < 1:
        raise Invalid("Give a number of learners of at least 1.", field="learners")
    rng = random.Random(seed)  # noqa: S311  (simulation, not security)
    now = now or datetime.now(UTC)
    course, version = catalog.published_version(slug)
    outline = catalog.version_outline(version)
    package = publishing.version_package(version)
    quizzes: dict[str, Quiz] = {quiz.id: quiz for quiz in package.quizzes}
    cohort_ids = list(db.session.execute(select(Cohort.id).where(Cohort.course_id == course.id)).scalars())
    sessions = {cid: [] for cid in cohort_ids}
    for session_id, cohort_id in db.session.execute(
        select(LiveSession.id, LiveSession.cohort_id).join(Cohort, Cohort.id == LiveSession.cohort_id)
        .where(Cohort.course_id == course.id).order_by(LiveSession.starts_at)
    ):
        sessions[cohort_id].append(session_id)
    difficulty = {(quiz_id, q.id): rng.uniform(-1.5, 1.0) for quiz_id, quiz in quizzes.items()
                  for q in quiz.questions}
    miskeyed = next(((quiz_id, q.id) for quiz_id, quiz in reversed(list(quizzes.items())) for q in quiz.questions),
                    None)
    prefix = f"demo-{seed}-"
    start_number = db.session.execute(
        select(func.count()).select_from(User).where(User.email.like(f"{prefix}%"))).scalar_one()

    password_hash = accounts.hash_password(secrets.token_urlsafe(24))
    users = []
    for n in range(start_number, start_number + learners):
        city, country, organisation = rng.choice(PLACES)
        users.append({
            "email": f"{prefix}{n}@example.org", "display_name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            "organisation": organisation, "job_title": "Urban planner", "city": city, "country": country,
            "timezone": "UTC", "preferred_language": "en", "role": "learner", "active": True,
            "password_hash": password_hash, "email_verified_at": now - timedelta(days=200),
            "created_at": now - timedelta(days=200),
        })
    db.session.execute(insert(User), users)
    user_ids = list(db.session.execute(
        select(User.id).where(User.email.in_([u["email"] for u in users])).order_by(User.id)).scalars())

    enrolments, lesson_rows, attempt_rows, event_rows, attendance_rows, certificate_rows = [], [], [], [], [], []
    for user_id, user in zip(user_ids, users, strict=True):
        engagement = rng.random()
        ability = rng.gauss(0.6, 1.0)
        enrolled_at = now - timedelta(days=rng.uniform(1, 110), hours=rng.uniform(0, 24))
        clock = enrolled_at + timedelta(hours=rng.uniform(0.5, 72))
        cohort_id = rng.choice(cohort_ids) if cohort_ids else None
        completed, passed = set(), set()
        last_activity, last_lesson = None, None
        # How many items the learner gets through: engaged learners go further.
        budget = int(engagement * 1.4 * (len(outline.lessons) + len(quizzes)))
        for module in outline.modules:
            for lesson in outline.lessons_of(module.module_key):
                step = timedelta(hours=rng.expovariate(1 / 20))
                if budget <= 0 or clock + step >= now:
                    break
                budget -= 1
                clock += step
                at = clock
                completed.add(lesson.key)
                last_activity, last_lesson = at, lesson.key
                lesson_rows.append({"user_id": user_id, "course_id": course.id, "lesson_key": lesson.key,
                                    "first_viewed_at": at - timedelta(minutes=lesson.minutes),
                                    "completed_at": at, "completed_version_id": version.id})
                event_rows.append({"user_id": user_id, "course_id": course.id, "version_id": version.id,
                                   "kind": "lesson_completed", "item_key": lesson.key, "detail": None, "at": at})
            lessons_done = all(lesson.key in completed for lesson in outline.lessons_of(module.module_key))
            quiz = quizzes.get(module.quiz_key) if module.quiz_key else None
            if quiz is None or not lessons_done or budget <= 0:
                if not lessons_done:
                    break
                continue
            budget -= 1
            limit = quiz.max_attempts or 3
            for number in range(1, limit + 1):
                clock += timedelta(minutes=rng.uniform(10, 600))
                if clock >= now:
                    break
                attempt_seed = rng.randrange(2**31)
                layout = grading.attempt_layout(quiz, attempt_seed)
                raw = {}
                for question in quiz.questions:
                    p = _sigmoid(1.6 * (ability - difficulty[(quiz.id, question.id)]) + 0.4 * (number - 1))
                    if (quiz.id, question.id) == miskeyed:
                        p = 1 - _sigmoid(1.6 * ability)
                    raw[question.id] = _answer(question, rng.random() < p, rng)
                result = grading.grade_attempt(quiz, layout.question_ids,
                                               grading.parse_submission(quiz, layout.question_ids, raw))
                submitted_at = clock
                attempt_rows.append({
                    "user_id": user_id, "course_id": course.id, "version_id": version.id, "quiz_key": quiz.id,
                    "quiz_hash": quiz.content_hash, "number": number, "seed": attempt_seed,
                    "layout": {"question_ids": list(layout.question_ids),
                               "choice_order": {k: list(v) for k, v in layout.choice_order.items()}},
                    "started_at": submitted_at - timedelta(minutes=rng.uniform(3, 25)),
                    "submitted_at": submitted_at, "responses": raw, "score": result.score,
                    "max_score": result.max_score, "percent": result.percent, "passed": result.passed,
                })
                event_rows.append({"user_id": user_id, "course_id": course.id, "version_id": version.id,
                                   "kind": "quiz_submitted", "item_key": quiz.id, "at": submitted_at,
                                   "detail": {"attempt": number, "percent": result.percent,
                                              "passed": result.passed}})
                last_activity = submitted_at
                if result.passed:
                    passed.add(quiz.id)
                    break
            if quiz.id not in passed:
                break
        attended = 0
        if cohort_id is not None and completed:
            for session_id in sessions.get(cohort_id, []):
                if rng.random() < 0.25 + 0.7 * engagement:
                    attended += 1
                    attendance_rows.append({"session_id": session_id, "user_id": user_id,
                                            "source": rng.choice(("manual", "zoom-import")),
                                            "minutes": rng.randrange(40, 121), "marked_by_id": None,
                                            "marked_at": enrolled_at})
        progress = course_progress(outline.outline, completed, passed, attended)
        completed_at = None
        if progress.complete and last_activity is not None:
            completed_at = last_activity
            event_rows.append({"user_id": user_id, "course_id": course.id, "version_id": version.id,
                               "kind": "course_completed", "item_key": "", "detail": None, "at": completed_at})
            if package.certificate.enabled:
                certificate_rows.append({
                    "public_id": credentials.new_certificate_id(), "user_id": user_id, "course_id": course.id,
                    "version_id": version.id, "learner_name": user["display_name"], "course_title": version.title,
                    "course_version": version.version, "completed_at": completed_at,
                    "hours": float(package.certificate.hours or version.estimated_hours),
                    "issuers": [{"name": i.name, "url": i.url} for i in package.certificate.issuers],
                    "issued_at": completed_at,
                })
        enrolments.append({"user_id": user_id, "course_id": course.id, "status": "active",
                           "enrolled_at": enrolled_at, "cohort_id": cohort_id,
                           "last_lesson_key": last_lesson, "last_activity_at": last_activity,
                           "completed_at": completed_at, "progress_percent": progress.percent})

    for model, rows in ((Enrolment, enrolments), (LessonProgress, lesson_rows), (QuizAttempt, attempt_rows),
                        (ProgressEvent, event_rows), (Attendance, attendance_rows), (Certificate, certificate_rows)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Statistics for the planner right after a bulk load (autovacuum would gather them only a little later, and
        # until then PostgreSQL plans the reports' queries as if the tables were empty).
        for model in (User, Enrolment, LessonProgress, QuizAttempt, ProgressEvent, Attendance, Certificate):
            db.session.execute(text(f"ANALYZE {model.__tablename__}"))
        db.session.commit()
    return SeedReport(len(users), len(lesson_rows), len(attempt_rows), len(attendance_rows),
                      sum(1 for e in enrolments if e["completed_at"] is not None), len(certificate_rows))


def make_demo_instructor_staff(email: str) -> list[str]:
    """Make the demo instructor an instructor of every course in the database (``flask lms demo``, after the bundled
    courses are imported), so a local trial can author, take attendance and read reports. Idempotent; returns the
    slugs."""
    instructor = accounts.find_by_email(email)
    if instructor is None or instructor.role != Role.INSTRUCTOR:
        return []
    courses = db.session.execute(select(Course).order_by(Course.slug)).scalars().all()
    for course in courses:
        staffing.add_instructor(course.id, instructor)
    db.session.commit()
    return [course.slug for course in courses]
