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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from lms.core import clock, grading
from lms.core.discussion_markdown import render_post
from lms.core.packages import Quiz
from lms.core.packages.model import Question, QuestionType
from lms.core.progress import course_progress
from lms.extensions import db
from lms.models import (
    Attendance,
    Certificate,
    Cohort,
    Course,
    CourseVersion,
    DiscussionPost,
    DiscussionThread,
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
    LiveSession,
    ProgressEvent,
    QuizAttempt,
    User,
)
from lms.services import accounts, catalog, certificates, course_versions, reflections
from lms.services.catalog import VersionOutline
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
# What simulated learners answer to a reflection question.
REFLECTIONS = (
    "In our city the hardest part is the **morning**: schools, clinics and buses all start at the same hour.",
    "We have the data, but each department keeps its own. A shared map of care services would be a first step.",
    "The neighbourhood I know best has services, but no benches, toilets or shade on the way between them.",
    "Caregivers in our district told us opening hours matter more than distance.",
    "I would start with one street near the health centre and measure who uses it before and after.",
)
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


@dataclass
class _Course:
    """What the simulation reads about the course, and the difficulty it gives each question."""

    course: Course
    version: CourseVersion
    outline: VersionOutline
    quizzes: dict[str, Quiz]
    cohort_ids: list[int]
    sessions: dict[int, list[int]]
    difficulty: dict[tuple[str, str], float]
    miskeyed: tuple[str, str] | None


@dataclass
class _Rows:
    """The rows to insert, one list per table."""

    enrolments: list[dict[str, Any]] = field(default_factory=list)
    lessons: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    attendance: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    reflections: list[tuple[int | None, str, int, datetime]] = field(default_factory=list)  # cohort, lesson, who, when


@dataclass
class _Learner:
    """One simulated learner's state while they go through the course."""

    user_id: int
    ability: float
    clock: datetime
    budget: int  # how many lessons and quizzes they get through: engaged learners go further
    completed: set[str] = field(default_factory=set)
    passed: set[str] = field(default_factory=set)
    last_activity: datetime | None = None
    last_lesson: str | None = None


def seed_demo_population(slug: str, learners: int, seed: int = 0, *, now: datetime | None = None) -> SeedReport:
    if learners < 1:
        raise Invalid("Give a number of learners of at least 1.", field="learners")
    rng = random.Random(seed)  # noqa: S311  (simulation, not security)
    now = now or clock.now()
    course = _read_course(slug, rng)
    users = _insert_users(learners, seed, rng, now)
    user_ids = list(db.session.execute(
        select(User.id).where(User.email.in_([u["email"] for u in users])).order_by(User.id)).scalars())
    rows = _Rows()
    for user_id, user in zip(user_ids, users, strict=True):
        _simulate_learner(course, rows, user_id, user, rng, now)
    _insert_reflections(course, rows)
    _insert_rows(rows)
    return SeedReport(len(users), len(rows.lessons), len(rows.attempts), len(rows.attendance),
                      sum(1 for e in rows.enrolments if e["completed_at"] is not None), len(rows.certificates))


def _read_course(slug: str, rng: random.Random) -> _Course:
    course, version = catalog.published_version(slug)
    package = course_versions.version_package(version)
    quizzes: dict[str, Quiz] = {quiz.id: quiz for quiz in package.quizzes}
    cohort_ids = list(db.session.execute(select(Cohort.id).where(Cohort.course_id == course.id)).scalars())
    sessions: dict[int, list[int]] = {cid: [] for cid in cohort_ids}
    for session_id, cohort_id in db.session.execute(
        select(LiveSession.id, LiveSession.cohort_id).join(Cohort, Cohort.id == LiveSession.cohort_id)
        .where(Cohort.course_id == course.id).order_by(LiveSession.starts_at)
    ):
        sessions[cohort_id].append(session_id)
    difficulty = {(quiz_id, q.id): rng.uniform(-1.5, 1.0) for quiz_id, quiz in quizzes.items()
                  for q in quiz.questions}
    miskeyed = next(((quiz_id, q.id) for quiz_id, quiz in reversed(list(quizzes.items())) for q in quiz.questions),
                    None)
    return _Course(course, version, catalog.version_outline(version), quizzes, cohort_ids, sessions,
                   difficulty, miskeyed)


def _insert_users(learners: int, seed: int, rng: random.Random, now: datetime) -> list[dict[str, Any]]:
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
    return users


def _simulate_learner(course: _Course, rows: _Rows, user_id: int, user: dict[str, Any], rng: random.Random,
                      now: datetime) -> None:
    """One learner's study: lessons in order, each module's quiz once its lessons are done, live sessions, and the
    completion and certificate the rule gives."""
    engagement = rng.random()
    ability = rng.gauss(0.6, 1.0)
    enrolled_at = now - timedelta(days=rng.uniform(1, 110), hours=rng.uniform(0, 24))
    clock = enrolled_at + timedelta(hours=rng.uniform(0.5, 72))
    cohort_id = rng.choice(course.cohort_ids) if course.cohort_ids else None
    learner = _Learner(user_id, ability, clock,
                       budget=int(engagement * 1.4 * (len(course.outline.lessons) + len(course.quizzes))))
    outline = course.outline
    for module in outline.modules:
        _study_lessons(course, rows, learner, outline.lessons_of(module.module_key), rng, now)
        lessons_done = all(lesson.key in learner.completed for lesson in outline.lessons_of(module.module_key))
        quiz = course.quizzes.get(module.quiz_key) if module.quiz_key else None
        if quiz is None or not lessons_done or learner.budget <= 0:
            if not lessons_done:
                break
            continue
        learner.budget -= 1
        _attempt_quiz(course, rows, learner, quiz, rng, now)
        if quiz.id not in learner.passed:
            break
    attended = _attend_sessions(course, rows, learner, cohort_id, engagement, enrolled_at, rng)
    reflected = {key for key in outline.outline.reflection_lessons
                 if key in learner.completed and rng.random() < 0.3 + 0.65 * engagement}
    rows.reflections += [(cohort_id, key, user_id, learner.last_activity or now) for key in sorted(reflected)]
    progress = course_progress(outline.outline, learner.completed, learner.passed, attended, reflected)
    completed_at = None
    if progress.complete and learner.last_activity is not None:
        completed_at = learner.last_activity
        _complete(course, rows, user_id, user, completed_at)
    rows.enrolments.append({"user_id": user_id, "course_id": course.course.id, "status": EnrolmentStatus.ACTIVE,
                            "enrolled_at": enrolled_at, "cohort_id": cohort_id,
                            "last_lesson_key": learner.last_lesson, "last_activity_at": learner.last_activity,
                            "completed_at": completed_at, "progress_percent": progress.percent})


def _study_lessons(course: _Course, rows: _Rows, learner: _Learner, lessons, rng: random.Random,
                   now: datetime) -> None:
    for lesson in lessons:
        step = timedelta(hours=rng.expovariate(1 / 20))
        if learner.budget <= 0 or learner.clock + step >= now:
            break
        learner.budget -= 1
        learner.clock += step
        at = learner.clock
        learner.completed.add(lesson.key)
        learner.last_activity, learner.last_lesson = at, lesson.key
        rows.lessons.append({"user_id": learner.user_id, "course_id": course.course.id, "lesson_key": lesson.key,
                             "first_viewed_at": at - timedelta(minutes=lesson.minutes),
                             "completed_at": at, "completed_version_id": course.version.id})
        rows.events.append({"user_id": learner.user_id, "course_id": course.course.id,
                            "version_id": course.version.id, "kind": "lesson_completed", "item_key": lesson.key,
                            "detail": None, "at": at})


def _attempt_quiz(course: _Course, rows: _Rows, learner: _Learner, quiz: Quiz, rng: random.Random,
                  now: datetime) -> None:
    """Attempts until a pass or the quiz's attempt limit; each answer is right with a probability that grows with
    ability and with each retry, and falls with the question's difficulty."""
    limit = quiz.max_attempts or 3
    for number in range(1, limit + 1):
        learner.clock += timedelta(minutes=rng.uniform(10, 600))
        if learner.clock >= now:
            break
        attempt_seed = rng.randrange(2**31)
        layout = grading.attempt_layout(quiz, attempt_seed)
        raw = {}
        for question in quiz.questions:
            p = _sigmoid(1.6 * (learner.ability - course.difficulty[(quiz.id, question.id)]) + 0.4 * (number - 1))
            if (quiz.id, question.id) == course.miskeyed:
                p = 1 - _sigmoid(1.6 * learner.ability)
            raw[question.id] = _answer(question, rng.random() < p, rng)
        result = grading.grade_attempt(quiz, layout.question_ids,
                                       grading.parse_submission(quiz, layout.question_ids, raw))
        submitted_at = learner.clock
        rows.attempts.append({
            "user_id": learner.user_id, "course_id": course.course.id, "version_id": course.version.id,
            "quiz_key": quiz.id, "quiz_hash": quiz.content_hash, "number": number, "seed": attempt_seed,
            "layout": {"question_ids": list(layout.question_ids),
                       "choice_order": {k: list(v) for k, v in layout.choice_order.items()}},
            "started_at": submitted_at - timedelta(minutes=rng.uniform(3, 25)),
            "submitted_at": submitted_at, "responses": raw, "score": result.score,
            "max_score": result.max_score, "percent": result.percent, "passed": result.passed,
        })
        rows.events.append({"user_id": learner.user_id, "course_id": course.course.id,
                            "version_id": course.version.id, "kind": "quiz_submitted", "item_key": quiz.id,
                            "at": submitted_at,
                            "detail": {"attempt": number, "percent": result.percent, "passed": result.passed}})
        learner.last_activity = submitted_at
        if result.passed:
            learner.passed.add(quiz.id)
            break


def _attend_sessions(course: _Course, rows: _Rows, learner: _Learner, cohort_id: int | None, engagement: float,
                     enrolled_at: datetime, rng: random.Random) -> int:
    attended = 0
    if cohort_id is not None and learner.completed:
        for session_id in course.sessions.get(cohort_id, []):
            if rng.random() < 0.25 + 0.7 * engagement:
                attended += 1
                rows.attendance.append({"session_id": session_id, "user_id": learner.user_id,
                                        "source": rng.choice(("manual", "zoom-import")),
                                        "minutes": rng.randrange(40, 121), "marked_by_id": None,
                                        "marked_at": enrolled_at})
    return attended


def _complete(course: _Course, rows: _Rows, user_id: int, user: dict[str, Any], completed_at: datetime) -> None:
    version = course.version
    rows.events.append({"user_id": user_id, "course_id": course.course.id, "version_id": version.id,
                        "kind": "course_completed", "item_key": "", "detail": None, "at": completed_at})
    rule = certificates.certificate_rule(version)
    if rule is not None:
        rows.certificates.append(certificates.certificate_values(user_id, user["display_name"], version, rule,
                                                                 completed_at, issued_at=completed_at))


def _insert_reflections(simulated: _Course, rows: _Rows) -> None:
    """Each simulated answer as a reply in its space's reflection thread (lms.services.reflections)."""
    if not rows.reflections:
        return
    course, version = simulated.course, simulated.version
    titles = {lesson.key: lesson.title for lesson in catalog.version_outline(version).lessons}
    threads: dict[tuple[int | None, str], DiscussionThread] = {}
    posts = []
    for cohort_id, lesson_key, user_id, at in rows.reflections:
        thread = threads.get((cohort_id, lesson_key))
        if thread is None:
            thread = threads[(cohort_id, lesson_key)] = reflections.space_thread(
                course.id, cohort_id, lesson_key, titles[lesson_key],
                catalog.reflection_question(version, lesson_key), version.language)
        body = random.Random(user_id).choice(REFLECTIONS)  # noqa: S311  (simulation, not security)
        posts.append({"thread_id": thread.id, "author_id": user_id, "is_opening": False, "body": body,
                      "html": render_post(body), "language": "en", "created_at": at})
    db.session.execute(insert(DiscussionPost), posts)
    for thread in threads.values():
        count, newest = db.session.execute(select(func.count(), func.max(DiscussionPost.id)).where(
            DiscussionPost.thread_id == thread.id, DiscussionPost.is_opening.is_(False))).one()
        thread.reply_count, thread.last_post_id = count, newest


def _insert_rows(rows: _Rows) -> None:
    for row, status_index in zip(rows.certificates, certificates.draw_status_indexes(len(rows.certificates)),
                                 strict=True):
        row["status_index"] = status_index  # each certificate's own random bit in the revocation status lists
    for model, table_rows in ((Enrolment, rows.enrolments), (LessonProgress, rows.lessons),
                              (QuizAttempt, rows.attempts), (ProgressEvent, rows.events),
                              (Attendance, rows.attendance), (Certificate, rows.certificates)):
        for start in range(0, len(table_rows), 5000):
            db.session.execute(insert(model), table_rows[start:start + 5000])
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Statistics for the planner right after a bulk load (autovacuum would gather them only a little later, and
        # until then PostgreSQL plans the reports' queries as if the tables were empty).
        for model in (User, Enrolment, LessonProgress, QuizAttempt, ProgressEvent, Attendance, Certificate):
            db.session.execute(text(f"ANALYZE {model.__tablename__}"))
        db.session.commit()
