"""Every route of the app, requested as six people, against the outcome declared for each in the tables below.

The people: anonymous; the learner (enrolled in the course, in its cohort, owner of the application, the attempt and
the certificate); another learner; an instructor of another course; an instructor of the course (its staff); an
administrator. URL parameters come from one fixture world, built once for the module and restored before each
endpoint, so every endpoint starts from the same rows.

Outcomes: ``200`` (or any other status code, as a number), ``login`` (a redirect to the log-in page) and
``redirect`` (a redirect anywhere else). A GET that is refused writes no row. For POSTs the whole database is
compared: an outcome marked with ``*`` (``redirect*``, ``200*``) must change something, any other must change
nothing (so every refusal, and every allowed request that has nothing to do, is checked to write nothing).

A route without a declared expectation fails, named; so does a declared endpoint that no longer exists.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lms import authz
from lms.core import credentials
from lms.core.packages import package_zip_bytes
from lms.demo.synthetic import write_synthetic_package
from lms.extensions import db as _db
from lms.extensions import limiter
from lms.services import (
    accounts,
    applications,
    calendars,
    catalog,
    certificates,
    discussion_mail,
    discussion_moderation,
    discussion_posts,
    enrolments,
    live_sessions,
    mail,
    package_validation,
    publishing,
    quizzes,
)
from tests.cohort_factories import PDF, answers, make_cohort
from tests.factories import DEFAULT_PASSWORD, EXAMPLE, EXAMPLE_SLUG, copy_package, make_user, set_version, table_counts
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT

PERSONAS = ("anonymous", "learner", "other_learner", "other_instructor", "instructor", "admin")
SLUG = EXAMPLE_SLUG
QUIZ = "basics-quiz"
NEW_PASSWORD = "a brand new password 42"

# One column per persona, in the order of PERSONAS:
#        anonymous  learner  other learner  instructor of another course  instructor of the course  admin
GET = {
    "public.index":                     "200    200      200      200      200      200",
    "public.healthz":                   "200    200      200      200      200      200",
    "auth.login":                       "200    redirect redirect redirect redirect redirect",
    "auth.register":                    "200    redirect redirect redirect redirect redirect",
    "auth.request_reset":               "200    200      200      200      200      200",
    "auth.reset_password":              "200    200      200      200      200      200",
    # With another kind of token than a confirmation link: refused, back to the log-in page.
    "auth.verify_email":                "redirect redirect redirect redirect redirect redirect",
    "auth.profile":                     "login  200      200      200      200      200",
    "auth.change_password":             "login  200      200      200      200      200",
    "learner.catalogue":                "200    200      200      200      200      200",
    "learner.course":                   "200    200      200      200      200      200",
    "learner.cover":                    "200    200      200      200      200      200",
    "learner.lesson":                   "login  200      403      200      200      200",
    "learner.asset":                    "login  200      403      200      200      200",
    "learner.quiz":                     "login  200      403      200      200      200",
    "learner.attempt":                  "login  200      404      404      404      404",
    "learner.dashboard":                "login  200      200      200      200      200",
    "learner.leave":                    "login  200      redirect redirect redirect redirect",
    "programmes.course_cohorts":        "200    200      200      200      200      200",
    "programmes.cohort":                "200    200      200      200      200      200",
    "programmes.apply":                 "login  redirect 200      200      200      200",
    "programmes.my_applications":       "login  200      200      200      200      200",
    "programmes.withdraw":              "login  200      404      404      404      404",
    "programmes.letter":                "login  200      404      404      404      200",
    "programmes.my_sessions":           "login  200      200      200      200      200",
    "programmes.session_ics":           "200    200      200      200      200      200",
    "programmes.cohort_ics":            "200    200      200      200      200      200",
    "programmes.calendar":              "login  200      200      200      200      200",
    "programmes.feed":                  "200    200      200      200      200      200",
    "certificates.search":              "200    200      200      200      200      200",
    "certificates.verify":              "200    200      200      200      200      200",
    "certificates.issuer_document":     "200    200      200      200      200      200",
    "certificates.status_list":         "200    200      200      200      200      200",
    "certificates.mine":                "login  200      200      200      200      200",
    "certificates.pdf":                 "login  200      404      404      404      200",
    "certificates.credential":          "login  200      404      404      404      200",
    "certificates.admin_index":         "login  403      403      403      403      200",
    "certificates.admin_detail":        "login  403      403      403      403      200",
    "author.index":                     "login  403      403      200      200      200",
    "author.version":                   "login  403      403      403      200      200",
    "author.export":                    "login  403      403      403      200      200",
    "author.preview_lesson":            "login  403      403      403      200      200",
    "author.preview_asset":             "login  403      403      403      200      200",
    "author.preview_quiz":              "login  403      403      403      200      200",
    "author.publish":                   "login  403      403      403      200      200",
    "author.delete":                    "login  403      403      403      200      200",
    "author.course_packages_guide":     "login  403      403      200      200      200",
    "staff.index":                      "login  403      403      200      200      200",
    "staff.cohort":                     "login  403      403      200      200      200",
    "staff.new_cohort":                 "login  403      403      403      403      200",
    "staff.edit_cohort":                "login  403      403      403      403      200",
    "staff.new_session":                "login  403      403      403      403      200",
    "staff.edit_session":               "login  403      403      403      403      200",
    "staff.application_queue":          "login  403      403      403      403      200",
    "staff.export_applications":        "login  403      403      403      403      200",
    "staff.application":                "login  403      403      404      404      200",
    "staff.letter":                     "login  403      403      404      404      200",
    "staff.attendance_sheet":           "login  403      403      403      200      200",
    "reports.index":                    "login  403      403      200      200      200",
    "reports.overview":                 "login  403      403      403      200      200",
    "reports.learners":                 "login  403      403      403      200      200",
    "reports.learner":                  "login  403      403      403      200      200",
    "reports.quiz":                     "login  403      403      403      200      200",
    "reports.places":                   "login  403      403      403      200      200",
    "reports.export_csv":               "login  403      403      403      200      200",
    "reports.api_table":                "login  403      403      403      403      200",
    "admin.index":                      "login  403      403      403      403      200",
    "admin.users":                      "login  403      403      403      403      200",
    "admin.user_detail":                "login  403      403      403      403      200",
    "admin.audit_log":                  "login  403      403      403      403      200",
    "admin.audit_csv":                  "login  403      403      403      403      200",
    "admin.theme_settings":             "login  403      403      403      403      200",
    "admin.theme_preview_css":          "login  403      403      403      403      200",
    "public.theme_css":                 "200    200      200      200      200      200",
    "public.theme_image":               "404    404      404      404      404      404",  # no logo in this world
    "staff.styleguide":                 "login  403      403      200      200      200",
    "admin.mail_queue":                 "login  403      403      403      403      200",
    # Discussions: a thread or post id of a space someone cannot read is "not found", never "forbidden".
    "discussions.board":                "login  200      403      403      200      200",
    "discussions.search":               "login  200      403      403      200      200",
    "discussions.new_thread":           "login  200      403      403      200      200",
    "discussions.thread":               "login  200      404      404      200      200",
    "discussions.edit_post":            "login  200      404      404      403      403",
    "discussions.report_post":          "login  200      404      404      200      200",
    "discussions.moderation":           "login  403      403      403      200      200",
    "discussions.hide_post":            "login  403      404      404      200      200",
    "discussions.settings":             "login  200      200      200      200      200",
    # The signed token is the proof (the learner's here): whoever holds the link sees the one-button page.
    "discussions.unsubscribe":          "200    200      200      200      200      200",
    # The reflection form lives on the lesson page: asking for it on its own leads there (which checks access).
    "discussions.reflection":           "login  redirect redirect redirect redirect redirect",
}

POST = {
    "auth.login":                       "redirect* redirect redirect redirect redirect redirect",
    # Logging out ends the log-in on the server (its row goes), so copies of the cookies stop working too.
    "auth.logout":                      "redirect  redirect* redirect* redirect* redirect* redirect*",
    "auth.register":                    "200*      redirect redirect redirect redirect redirect",
    "auth.logout_everywhere":           "login     redirect* redirect* redirect* redirect* redirect*",
    "auth.profile":                     "login     redirect* redirect* redirect* redirect* redirect*",
    "auth.change_password":             "login     redirect* redirect* redirect* redirect* redirect*",
    "auth.request_reset":               "redirect* redirect* redirect* redirect* redirect* redirect*",
    # Whoever holds a reset link may use it: the token, not the session, says whose password it sets.
    "auth.reset_password":              "redirect* redirect* redirect* redirect* redirect* redirect*",
    "learner.enrol":                    "login     redirect  redirect* redirect* redirect* redirect*",
    "learner.leave":                    "login     redirect* redirect  redirect  redirect  redirect",
    "learner.rejoin":                   "login     redirect  redirect  redirect  redirect  redirect",
    # The course's language switch is remembered on the enrolment: only the enrolled learner has one to change.
    "learner.choose_language":          "login     redirect* 403       403       403       403",
    "learner.start_attempt":            "login     redirect  403       redirect  redirect  redirect",
    "learner.complete_lesson":          "login     redirect* 403       redirect  redirect  redirect",
    # The matrix's lesson has no video: nothing to report on, once access is granted.
    "learner.report_watching":          "login     404       403       404       404       404",
    "learner.quiz":                     "login     redirect* 404       404       404       404",
    "programmes.apply":                 "login     redirect  redirect* redirect* redirect* redirect*",
    "programmes.withdraw":              "login     redirect* 404       404       404       403",
    "programmes.reset_calendar":        "login     redirect* redirect* redirect* redirect* redirect*",
    "certificates.admin_index":         "login     403       403       403       403       redirect*",
    "certificates.admin_detail":        "login     403       403       403       403       redirect*",
    "author.upload":                    "login     403       403       403       redirect* redirect*",
    "author.publish":                   "login     403       403       403       redirect* redirect*",
    "author.delete":                    "login     403       403       403       redirect* redirect*",
    "author.preview_quiz":              "login     403       403       403       200       200",
    "staff.new_cohort":                 "login     403       403       403       403       redirect*",
    "staff.edit_cohort":                "login     403       403       403       403       redirect*",
    "staff.new_session":                "login     403       403       403       403       redirect*",
    "staff.edit_session":               "login     403       403       403       403       redirect*",
    "staff.application":                "login     403       403       404       404       redirect*",
    "staff.decide_many":                "login     403       403       403       403       redirect*",
    "staff.attendance_sheet":           "login     403       403       403       redirect* redirect*",
    "staff.import_attendance":          "login     403       403       403       200*      200*",
    "reports.assign_instructor":        "login     403       403       403       403       redirect*",
    "admin.user_detail":                "login     403       403       403       403       redirect*",
    "admin.theme_settings":             "login     403       403       403       403       redirect*",
    "admin.reset_theme":                "login     403       403       403       403       redirect",  # no theme saved
    "admin.retry_mail":                 "login     403       403       403       403       redirect*",
    "admin.discard_mail":               "login     403       403       403       403       redirect*",
    # The language menu: kept in the session for everyone, and on the profile of a person who is logged in.
    "public.language":                  "redirect  redirect* redirect* redirect* redirect* redirect*",
    "discussions.new_thread":           "login     redirect* 403       403       redirect* redirect*",
    "discussions.reply":                "login     redirect* 404       404       redirect* redirect*",
    "discussions.edit_post":            "login     redirect* 404       404       403       403",
    "discussions.remove_post":          "login     redirect* 404       404       403       403",
    "discussions.mark_answer":          "login     redirect* 404       404       redirect* redirect*",
    "discussions.pin":                  "login     403       404       404       redirect* redirect*",
    "discussions.lock":                 "login     403       404       404       redirect* redirect*",
    # The learner reported the post already: a second report of theirs changes nothing.
    "discussions.report_post":          "login     redirect  404       404       redirect* redirect*",
    "discussions.hide_post":            "login     403       404       404       redirect* redirect*",
    "discussions.restore_post":         "login     403       404       404       422       422",  # it is not hidden
    "discussions.dismiss_reports":      "login     403       404       404       redirect* redirect*",
    "discussions.mute":                 "login     403       403       403       redirect* redirect*",
    # Unfollowing: the learner follows the thread they wrote in; the staff follow nothing, so nothing changes.
    "discussions.follow":               "login     redirect* 404       404       redirect  redirect",
    "discussions.settings":             "login     redirect* redirect* redirect* redirect* redirect*",
    "discussions.unsubscribe":          "200*      200*      200*      200*      200*      200*",
    # Answering a lesson's reflection question: enrolled learners only (staff read the answers in the discussions).
    "discussions.reflection":           "login     redirect* 403       403       403       403",
}


# The fixture world.


@dataclass
class World:
    users: dict[str, SimpleNamespace]  # persona -> id, email
    values: dict[str, object]  # URL parameters and ids the requests need
    rows: dict[str, list[dict]]  # every table's rows, to restore before each endpoint


def _zipped(folder: Path) -> bytes:
    return package_zip_bytes({path.relative_to(folder).as_posix(): path.read_bytes()
                              for path in sorted(folder.rglob("*")) if path.is_file()}, root=folder.name)


def _build_world(tmp: Path, example: Path = EXAMPLE,
                 synthetic: Callable[..., Path] = write_synthetic_package) -> tuple[dict, dict]:
    """The rows every request meets. The pseudo-locale test builds it from its own copies of the packages."""
    admin = make_user("admin")
    instructor, other_instructor = make_user("instructor"), make_user("instructor")
    learner, other_learner = make_user(), make_user()
    publishing.import_package(instructor, example, publish=True)  # importing a new course makes them its staff
    draft = copy_package(tmp, source=example)
    set_version(draft, "1.1.0")
    publishing.import_package(instructor, draft)
    publishing.import_package(other_instructor, synthetic(tmp / "other", lessons=2, slug="other-course"), publish=True)
    newer = copy_package(tmp / "newer", source=example)
    set_version(newer, "1.2.0")

    cohort = make_cohort(SLUG, key="matrix", name="Matrix cohort", sessions=1)
    session = live_sessions.sessions_of(cohort.id)[0]
    application = applications.submit_application(learner, cohort.id, answers(learner),
                                                   applications.LetterUpload("letter.pdf", PDF))
    enrolments.enrol_user(learner, catalog.get_course(SLUG), cohort_id=cohort.id)
    _db.session.commit()
    first = quizzes.quiz_page(learner, SLUG, QUIZ).attempt
    quizzes.submit_attempt(learner, SLUG, QUIZ, first.id, RIGHT)
    second = quizzes.start_attempt(learner, SLUG, QUIZ)
    certificate = certificates.issue_by_admin(admin, learner.id, SLUG, "The authorisation matrix's certificate.")
    lesson = package_validation.load_valid(example).lessons[0]
    thread = discussion_posts.start_thread(learner, SLUG, discussion_posts.Draft(
        title="Matrix question", body="How do you map care needs?", kind="question"))
    reply = discussion_posts.reply(learner, thread.id, "We start with a survey.")
    discussion_moderation.report_post(learner, reply.id, "Matrix report")
    undeliverable = mail.enqueue(other_learner.email, "Undeliverable", "password_reset", user=other_learner, link="x",
                                 minutes=5)
    undeliverable.status, undeliverable.last_error = "failed", "SMTPRecipientsRefused: 550 No such user"
    _db.session.commit()

    people = {"learner": learner, "other_learner": other_learner, "other_instructor": other_instructor,
              "instructor": instructor, "admin": admin}
    values = {
        "slug": SLUG, "version": "1.1.0", "lesson_key": lesson.id, "quiz_key": QUIZ, "asset_path": "care-map.png",
        "attempt_id": first.id, "open_attempt_id": second.id, "cohort_id": cohort.id, "session_id": session.id,
        "application_id": application.id, "public_id": certificate.public_id, "user_id": learner.id,
        "list_number": certificate.status_index // credentials.STATUS_LIST_BITS,
        "reset_token": accounts.make_reset_token(learner), "feed_token": calendars.feed_token(learner),
        "newer_package": _zipped(newer), "learner_email": learner.email,
        "other_instructor_email": other_instructor.email, "other_learner_email": other_learner.email,
        "message_id": undeliverable.id, "thread_id": thread.id, "post_id": reply.id,
        "unsubscribe_token": discussion_mail.unsubscribe_token(learner),
    }
    return {name: SimpleNamespace(id=user.id, email=user.email) for name, user in people.items()}, values


def _all_rows() -> dict[str, list[dict]]:
    return {table.name: [dict(row) for row in _db.session.execute(select(table)).mappings()]
            for table in _db.metadata.sorted_tables}


def _delete_all() -> None:
    # On a connection, as the db fixture does: the ORM session refuses to delete audit entries.
    with _db.engine.begin() as connection:
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())


def build_module_world(app, tmp: Path, **packages) -> World:
    """The world built once, its rows kept and the tables emptied again (each test restores the rows)."""
    with app.app_context():
        limiter.reset()
        try:
            users, values = _build_world(tmp, **packages)
            rows = _all_rows()
        finally:
            _db.session.rollback()
            _delete_all()
            _db.session.remove()
    return World(users, values, rows)


@pytest.fixture(scope="module")
def module_world(app, tmp_path_factory):
    return build_module_world(app, tmp_path_factory.mktemp("matrix"))


@pytest.fixture(scope="module")
def session_cookies(app, module_world) -> dict[str, str]:
    """Each persona's session cookie, from logging in once through the form (valid in every test, which restores
    the same user rows)."""
    cookies = {}
    with app.app_context():
        _restore(module_world)
        try:
            for persona, user in module_world.users.items():
                client = app.test_client()
                response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
                assert response.status_code == 302, persona
                cookies[persona] = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
            # The log-ins live on the server too: every test restores them with the rest of the world.
            module_world.rows["logins"] = _all_rows()["logins"]
        finally:
            _delete_all()
            limiter.reset()
    return cookies


@pytest.fixture
def persona_clients(app, session_cookies):
    """A client per persona, logged in afresh (a test may log one out or change its password)."""
    clients = {"anonymous": app.test_client()}
    for persona, value in session_cookies.items():
        clients[persona] = app.test_client()
        clients[persona].set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return clients


def _restore(world: World) -> None:
    for table in _db.metadata.sorted_tables:
        if world.rows[table.name]:
            _db.session.execute(table.insert(), world.rows[table.name])
    _db.session.commit()


@pytest.fixture
def world(db, module_world):
    _restore(module_world)
    limiter.reset()
    return module_world


# URLs and form data.


def _url(app, endpoint: str, world: World) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    values = dict(world.values)
    values["token"] = world.values[{"programmes.feed": "feed_token",
                                    "discussions.unsubscribe": "unsubscribe_token"}.get(endpoint, "reset_token")]
    values["table"] = "overview" if endpoint == "reports.api_table" else "learners"
    values["kind"] = "logo"
    return app.url_map.bind("localhost").build(endpoint, {name: values[name] for name in rule.arguments})


def _cohort_form(name: str) -> dict:
    return {"course": SLUG, "name": name, "timezone": "Europe/Madrid", "starts_on": "2031-01-10",
            "ends_on": "2031-02-10", "applications_open": "2030-12-01T09:00",
            "application_deadline": "2031-01-05T18:00", "enrolment_mode": "application"}


def _session_form(title: str) -> dict:
    return {"title": title, "timezone": "Europe/Madrid", "starts_at": "2031-01-12T10:00",
            "ends_at": "2031-01-12T11:30", "join_url": "https://example.org/meet/matrix"}


def _profile(name: str) -> dict:
    return {"display_name": name, "organisation": "Matrix City", "job_title": "Tester", "city": "Madrid",
            "country": "ES", "timezone": "Europe/Madrid", "preferred_language": "es"}


FORMS: dict[str, Callable[[World], dict]] = {
    "auth.login": lambda w: {"email": w.values["learner_email"], "password": DEFAULT_PASSWORD},
    "auth.register": lambda w: {**_profile("New Person"), "email": "new.person@example.org",
                                "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "auth.profile": lambda w: _profile("Renamed Person"),
    "auth.change_password": lambda w: {"current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD},
    "auth.request_reset": lambda w: {"email": w.values["learner_email"]},
    "auth.reset_password": lambda w: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "learner.quiz": lambda w: {"attempt": str(w.values["open_attempt_id"]), **RIGHT},
    "learner.choose_language": lambda w: {"language": "es", "next": f"/courses/{SLUG}/"},
    "programmes.apply": lambda w: {"full_name": "Ana Pérez", "email": "ana@city.gov", "organisation": "Matrix City",
                                   "position": "Planner", "city": "Madrid", "country": "ES", "language": "es",
                                   "motivation": "I lead the team that designs our care services.",
                                   "letter": (io.BytesIO(PDF), "letter.pdf")},
    "certificates.admin_index": lambda w: {"email": w.values["other_learner_email"], "course": SLUG,
                                           "reason": "Completed the course on paper."},
    "certificates.admin_detail": lambda w: {"reason": "Misspelt name"},
    "author.upload": lambda w: {"package": (io.BytesIO(w.values["newer_package"]), "course.zip")},
    "author.publish": lambda w: {"replacing": "1.0.0"},  # the published version the confirmation page showed
    "author.preview_quiz": lambda w: {"seed": "7", "situation": "attempts_left", **RIGHT},
    "staff.new_cohort": lambda w: _cohort_form("Matrix winter cohort"),
    "staff.edit_cohort": lambda w: _cohort_form("Matrix cohort, renamed"),
    "staff.new_session": lambda w: _session_form("Extra session"),
    "staff.edit_session": lambda w: _session_form("Session 1, moved"),
    "staff.application": lambda w: {"decision": "accepted", "note": "Welcome"},
    "staff.decide_many": lambda w: {"decision": "waitlisted", "application_ids": [str(w.values["application_id"])]},
    "staff.attendance_sheet": lambda w: {"present": [str(w.values["user_id"])], "confirm_early": "yes"},
    "staff.import_attendance": lambda w: {
        "report": (io.BytesIO(f"User Email,Duration (Minutes)\n{w.values['learner_email']},75\n".encode()),
                   "participants.csv"), "min_minutes": "0", "confirm_early": "y"},
    "reports.assign_instructor": lambda w: {"course": SLUG, "email": w.values["other_instructor_email"]},
    "admin.user_detail": lambda w: {"role": "instructor", "active": "y"},
    "public.language": lambda w: {"language": "fr", "next": "/courses"},
    "discussions.new_thread": lambda w: {"kind": "discussion", "place": "general", "title": "Matrix news",
                                         "body": "Hello, cohort."},
    "discussions.reply": lambda w: {"body": "Matrix reply"},
    "discussions.reflection": lambda w: {"body": "Matrix reflection"},
    "discussions.edit_post": lambda w: {"body": "We start with a survey, then interviews."},
    "discussions.mark_answer": lambda w: {"post_id": str(w.values["post_id"])},
    "discussions.pin": lambda w: {"pinned": "1"},
    "discussions.lock": lambda w: {"locked": "1"},
    "discussions.report_post": lambda w: {"reason": "Off topic"},
    "discussions.hide_post": lambda w: {"reason": "Off topic"},
    "discussions.follow": lambda w: {"follow": "0"},
    "discussions.settings": lambda w: {"mail_mode": "digest"},
    "discussions.mute": lambda w: {"user_id": str(w.values["user_id"]), "days": "3", "reason": "Spam"},
    "admin.theme_settings": lambda w: {"site_name": "Matrix Academy", "brand_colour": "#1f3a5f",
                                       "accent_colour": "#0f7c8c", "submit": "Save theme"},
}
MULTIPART = {"programmes.apply", "author.upload", "staff.import_attendance"}


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        location = urlsplit(response.headers["Location"])
        return "login" if location.path == "/login" and "next=" in location.query else "redirect"
    return str(response.status_code)


def _expected(table: dict[str, str], endpoint: str) -> dict[str, str]:
    cells = table[endpoint].split()
    assert len(cells) == len(PERSONAS), f"{endpoint}: {len(cells)} outcomes declared for {len(PERSONAS)} personas"
    return dict(zip(PERSONAS, cells, strict=True))


def _changes(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            routes.setdefault(rule.endpoint, set()).update(rule.methods & {"GET", "POST"})
    return routes


# The tables cover the app exactly.


def test_every_route_has_a_declared_expectation(app):
    routes = _routes(app)
    missing = sorted(f"{endpoint} {method}" for endpoint, methods in routes.items() for method in methods
                     if endpoint not in (GET if method == "GET" else POST))
    assert not missing, f"Declare the expected outcome per persona for: {', '.join(missing)}"


def test_every_declared_endpoint_still_exists(app):
    routes = _routes(app)
    stale = sorted({f"{endpoint} GET" for endpoint in GET if "GET" not in routes.get(endpoint, set())}
                   | {f"{endpoint} POST" for endpoint in POST if "POST" not in routes.get(endpoint, set())})
    assert not stale, f"Expectations declared for routes that no longer exist: {', '.join(stale)}"


def test_every_form_posted_belongs_to_a_post_route():
    assert set(FORMS) <= set(POST) and set(FORMS) >= MULTIPART


# The requests.


@pytest.mark.parametrize("endpoint", sorted(GET))
def test_get(app, world, persona_clients, endpoint):
    url = _url(app, endpoint, world)
    wrong = []
    for persona, expected in _expected(GET, endpoint).items():
        limiter.reset()
        before = table_counts(_db)
        response = persona_clients[persona].get(url)
        response.close()
        actual = _outcome(response)
        if actual != expected:
            wrong.append(f"{persona}: expected {expected}, got {actual}")
        elif expected not in ("200", "redirect") and table_counts(_db) != before:
            wrong.append(f"{persona}: refused ({actual}) but rows were written")
    assert not wrong, f"GET {url} ({endpoint}):\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("endpoint", sorted(POST))
def test_post(app, world, persona_clients, endpoint):
    url = _url(app, endpoint, world)
    form = FORMS.get(endpoint, lambda w: {})
    wrong = []
    for persona, declared in _expected(POST, endpoint).items():
        writes = declared.endswith("*")
        expected = declared.rstrip("*")
        limiter.reset()  # rate limits have their own tests; here every persona gets its answer
        before = _all_rows()
        response = persona_clients[persona].post(
            url, data=form(world), content_type="multipart/form-data" if endpoint in MULTIPART else None)
        response.close()
        actual = _outcome(response)
        changed = _changes(before, _all_rows())
        if actual != expected:
            wrong.append(f"{persona}: expected {declared}, got {actual}")
        elif changed and not writes:
            wrong.append(f"{persona}: {actual} but it changed {', '.join(changed)}")
        elif writes and not changed:
            wrong.append(f"{persona}: {actual} but it changed nothing (declared {declared})")
        if changed:  # the next persona meets the world as it was, so each one's own rights are what is tested
            _delete_all()
            _restore(world)
    assert not wrong, f"POST {url} ({endpoint}):\n  " + "\n  ".join(wrong)


# The per-course rule the tables rely on, as a pure predicate.


def test_course_staff_predicates():
    def person(role, active=True):
        return SimpleNamespace(role=role, active=active, is_authenticated=True)

    teaching = frozenset({1})
    for predicate in (authz.can_author_course, authz.can_take_attendance, authz.can_view_reports):
        assert predicate(person("admin"), 2, frozenset())
        assert predicate(person("instructor"), 1, teaching)
        assert not predicate(person("instructor"), 2, teaching)
        assert not predicate(person("learner"), 1, teaching)
        assert not predicate(person("instructor", active=False), 1, teaching)
        assert not predicate(None, 1, teaching)
    assert authz.can_create_course(person("instructor")) and not authz.can_create_course(person("learner"))
