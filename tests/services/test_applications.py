"""Applications with a letter of support: on time and once, reviewed with capacity respected, letters kept private."""

import csv
import io
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.core import schedule
from lms.extensions import db as _db
from lms.models import Application, ApplicationDecision, ApplicationLetter, Enrolment
from lms.services import application_review, applications, enrolments
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.cohort_factories import EXE, PDF, apply, local_now, make_cohort, publish_caring_cities
from tests.conftest import is_postgres
from tests.factories import table_counts

MB = 1024 * 1024


@pytest.fixture
def cohort(db):
    publish_caring_cities()
    return make_cohort()


def count(db, model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_an_application_stores_the_answers_the_letter_and_the_history(db, make_user, cohort, outbox):
    learner = make_user()
    application = apply(learner, cohort, filename="Carta firmada.PDF")
    assert application.status == "submitted" and application.organisation == "Ayuntamiento de Barcelona"
    letter = db.session.execute(db.select(ApplicationLetter)).scalar_one()
    assert (letter.filename, letter.media_type, letter.size, letter.data) == (
        "Carta firmada.pdf", "application/pdf", len(PDF), PDF)
    history = db.session.execute(db.select(ApplicationDecision)).scalars().all()
    assert [(h.actor_id, h.from_status, h.to_status) for h in history] == [(learner.id, None, "submitted")]
    assert outbox.messages[-1]["To"] == learner.email and "We received your application" in \
        outbox.messages[-1]["Subject"]


def test_deadline_one_minute_late_is_refused(db, make_user):
    publish_caring_cities()
    deadline = local_now() + timedelta(days=1)
    cohort = make_cohort(deadline=deadline)
    deadline_utc = schedule.local_to_utc(deadline, "Europe/Madrid")
    learner = make_user()
    with pytest.raises(applications.ApplicationsClosed, match=r"closed on .* Late applications cannot be accepted"):
        apply(learner, cohort, now=deadline_utc + timedelta(minutes=1))
    assert count(db, Application) == 0
    assert apply(learner, cohort, now=deadline_utc + timedelta(seconds=59)).status == "submitted"


def test_applications_before_the_opening_are_refused(db, make_user):
    publish_caring_cities()
    cohort = make_cohort(opens=local_now() + timedelta(days=2))
    with pytest.raises(applications.ApplicationsClosed, match="open on"):
        apply(make_user(), cohort)


def test_the_packaged_2023_cohort_is_closed(db, make_user):
    publish_caring_cities()
    cohort_id = db.session.execute(db.select(applications.Cohort.id).filter_by(key="2023")).scalar_one()
    with pytest.raises(applications.ApplicationsClosed, match="9 June 2023 at 23:59 CEST"):
        applications.submit_application(make_user(), cohort_id, applications.Answers(
            "A", "o", "p", "c", "ES", "es", "x" * 30), applications.LetterUpload("l.pdf", PDF))


@pytest.mark.parametrize(("letter", "filename", "message"), [
    (EXE, "letter.pdf", "must be a PDF, PNG or JPEG"),
    (b"", "letter.pdf", "empty"),
    (PDF + b"\x00" * (5 * MB), "letter.pdf", "largest accepted is 5 MB"),
])
def test_bad_letters_are_refused_and_nothing_is_stored(db, make_user, cohort, letter, filename, message):
    learner = make_user()
    before = table_counts(db)
    with pytest.raises(Invalid, match=message) as error:
        apply(learner, cohort, letter=letter, filename=filename)
    assert error.value.field == "letter"
    assert table_counts(db) == before


@pytest.mark.parametrize(("changes", "field"), [
    ({"country": "XX"}, "country"), ({"language": "zz"}, "language"), ({"motivation": "short"}, "motivation"),
    ({"organisation": "  "}, "organisation"),
])
def test_answers_are_checked(db, make_user, cohort, changes, field):
    with pytest.raises(Invalid) as error:
        apply(make_user(), cohort, **changes)
    assert error.value.field == field


def test_one_application_per_person_and_cohort(db, make_user, cohort):
    learner = make_user()
    apply(learner, cohort)
    with pytest.raises(Conflict, match="already applied"):
        apply(learner, cohort)
    assert count(db, Application) == 1 and count(db, ApplicationLetter) == 1


def test_a_withdrawn_application_can_be_sent_again_as_the_same_row(db, make_user, cohort):
    learner = make_user()
    first = apply(learner, cohort)
    applications.withdraw(learner, first.id)
    second = apply(learner, cohort, position="Deputy mayor")
    assert second.id == first.id and second.status == "submitted" and second.position == "Deputy mayor"
    steps = [(h.from_status, h.to_status) for h in db.session.execute(
        db.select(ApplicationDecision).order_by(ApplicationDecision.id)).scalars()]
    assert steps == [(None, "submitted"), ("submitted", "withdrawn"), ("withdrawn", "submitted")]


def test_open_cohorts_take_no_applications(db, make_user):
    publish_caring_cities()
    cohort = make_cohort(mode="open")
    with pytest.raises(applications.ApplicationsClosed, match="does not take applications"):
        apply(make_user(), cohort)


# Decisions.


def test_accepting_enrols_the_applicant_records_who_and_mails_them(db, make_user, cohort, outbox):
    admin, learner = make_user("admin"), make_user()
    application = apply(learner, cohort)
    application_review.decide(admin, application.id, "accepted", "Welcome aboard!")
    enrolment = db.session.execute(db.select(Enrolment)).scalar_one()
    assert (enrolment.user_id, enrolment.cohort_id, enrolment.status) == (learner.id, cohort.id, "active")
    last = db.session.execute(db.select(ApplicationDecision).order_by(ApplicationDecision.id.desc())).scalars().first()
    assert (last.actor_id, last.from_status, last.to_status, last.note) == (admin.id, "submitted", "accepted",
                                                                             "Welcome aboard!")
    assert last.at is not None
    message = outbox.messages[-1]
    assert message["To"] == learner.email and message["Subject"] == "Your application to Test cohort: Accepted"
    assert "Welcome aboard!" in outbox.last_body() and "/courses/caring-cities/" in outbox.last_body()


def test_waitlist_and_reject_do_not_enrol(db, make_user, cohort, outbox):
    admin = make_user("admin")
    one, two = apply(make_user(), cohort), apply(make_user(), cohort)
    application_review.decide(admin, one.id, "waitlisted")
    application_review.decide(admin, two.id, "rejected", "Only for public officials.")
    assert count(db, Enrolment) == 0
    assert "waiting list" in outbox.messages[-2].get_body(preferencelist=("plain",)).get_content()
    assert "cannot offer you a place" in outbox.last_body()


def test_capacity_is_respected(db, make_user):
    publish_caring_cities()
    cohort = make_cohort(capacity=1)
    admin = make_user("admin")
    first, second = apply(make_user(), cohort), apply(make_user(), cohort)
    application_review.decide(admin, first.id, "accepted")
    with pytest.raises(Conflict, match="is full"):
        application_review.decide(admin, second.id, "accepted")
    assert db.session.get(Application, second.id).status == "submitted"
    application_review.decide(admin, second.id, "waitlisted")


def test_bulk_decisions_stop_at_capacity_and_report_the_rest(db, make_user):
    publish_caring_cities()
    cohort = make_cohort(capacity=2)
    admin = make_user("admin")
    ids = [apply(make_user(), cohort).id for _ in range(3)]
    outcome = application_review.decide_many(admin, cohort.id, [*ids, 999999], "accepted", "")
    assert outcome.done == tuple(ids[:2])
    assert [(app_id, "full" in message or "not an application" in message) for app_id, message in outcome.refused] \
        == [(999999, True), (ids[2], True)]


def test_withdrawn_and_accepted_applications_cannot_be_decided_again(db, make_user, cohort):
    admin, learner = make_user("admin"), make_user()
    application = apply(learner, cohort)
    application_review.decide(admin, application.id, "accepted")
    with pytest.raises(Conflict):
        application_review.decide(admin, application.id, "rejected")
    applications.withdraw(learner, application.id)
    assert enrolments.active_enrolment(learner, cohort.course_id) is None, "withdrawing an acceptance unenrols"
    with pytest.raises(Conflict, match="withdrew"):
        application_review.decide(admin, application.id, "accepted")


def test_only_administrators_decide_and_only_applicants_withdraw(db, make_user, cohort):
    learner = make_user()
    application = apply(learner, cohort)
    for role in ("learner", "instructor"):
        with pytest.raises(NotAllowed):
            application_review.decide(make_user(role), application.id, "accepted")
    with pytest.raises(NotFound):
        applications.withdraw(make_user(), application.id)
    with pytest.raises(NotAllowed):
        applications.withdraw(make_user("admin"), application.id)


# Letters are private (IDOR).


def test_a_letter_is_reachable_by_its_applicant_and_administrators_only(db, make_user, cohort):
    owner = make_user()
    application = apply(owner, cohort)
    assert applications.letter_for(owner, application.id).data == PDF
    assert applications.letter_for(make_user("admin"), application.id).data == PDF
    for other in (make_user(), make_user("instructor")):
        with pytest.raises(NotFound):
            applications.letter_for(other, application.id)
        with pytest.raises(NotFound):
            application_review.application_detail(other, application.id)
    with pytest.raises(NotFound):
        applications.letter_for(owner, application.id + 1000)


# Review queue and export.


def test_the_review_queue_filters_by_status_city_country_and_organisation(db, make_user, cohort):
    admin = make_user("admin")
    apply(make_user(), cohort, city="Barcelona", country="ES", organisation="Ajuntament de Barcelona")
    seoul = apply(make_user(), cohort, city="Seoul", country="KR", organisation="Seoul Metropolitan Government")
    apply(make_user(), cohort, city="Bogotá", country="CO", organisation="Alcaldía de Bogotá")
    application_review.decide(admin, seoul.id, "waitlisted")

    def names(**filters):
        queue = application_review.review_queue(admin, cohort.id, application_review.QueueFilters(**filters))
        return [row.application.city for row in queue.rows]

    assert names() == ["Barcelona", "Seoul", "Bogotá"]
    assert names(status="waitlisted") == ["Seoul"]
    assert names(country="co") == ["Bogotá"]
    assert names(city="bogot") == ["Bogotá"]
    assert names(organisation="METROPOLITAN") == ["Seoul"]
    assert names(organisation="100%") == []
    queue = application_review.review_queue(admin, cohort.id)
    assert queue.counts == {"submitted": 2, "waitlisted": 1} and queue.countries == ("CO", "ES", "KR")
    with pytest.raises(NotAllowed):
        application_review.review_queue(make_user("instructor"), cohort.id)


def test_export_is_a_spreadsheet_safe_csv(db, make_user, cohort):
    admin = make_user("admin")
    application = apply(make_user(), cohort, organisation="=HYPERLINK(\"http://evil\")", city="Bogotá")
    application_review.decide(admin, application.id, "accepted", "+1 great")
    text = application_review.export_csv(admin, cohort.id)
    assert text.startswith("\ufeff")  # spreadsheet programs then read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == 1
    row = rows[0]
    assert row["organisation"] == "'=HYPERLINK(\"http://evil\")" and row["decision_note"] == "'+1 great"
    assert (row["status"], row["city"], row["letter_file"], row["decided_by"]) == (
        "accepted", "Bogotá", "carta.pdf", admin.display_name)
    assert list(row) == list(application_review.CSV_COLUMNS)


# Concurrency, on PostgreSQL: real threads, each with its own app context and database session.


def _in_threads(app, count_, work):
    barrier = threading.Barrier(count_)
    results: list = [None] * count_

    def run(index):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[index] = work(index)
            except Exception as error:  # collected and checked by the test
                results[index] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


postgres_only = pytest.mark.postgres


@postgres_only
def test_five_simultaneous_acceptances_fill_a_cohort_of_three_exactly(app, db, make_user):
    if not is_postgres(app):
        pytest.skip("row locks (SELECT … FOR UPDATE) are tested on PostgreSQL; set LMS_TEST_DATABASE_URL")
    publish_caring_cities()
    cohort = make_cohort(capacity=3)
    cohort_id = cohort.id
    admin_id = make_user("admin").id
    ids = [apply(make_user(), cohort).id for _ in range(5)]
    _db.session.remove()

    def accept(index):
        admin = _db.session.get(applications.User, admin_id)
        return application_review.decide(admin, ids[index], "accepted").status

    results = _in_threads(app, 5, accept)
    assert sum(r == "accepted" for r in results) == 3, results
    assert sum(isinstance(r, Conflict) for r in results) == 2, results
    accepted = db.session.execute(db.select(db.func.count()).select_from(Application)
                                  .where(Application.status == "accepted")).scalar_one()
    enrolled = db.session.execute(db.select(db.func.count()).select_from(Enrolment)
                                  .where(Enrolment.cohort_id == cohort_id)).scalar_one()
    assert (accepted, enrolled) == (3, 3)


@postgres_only
def test_two_simultaneous_applications_leave_one_row(app, db, make_user):
    if not is_postgres(app):
        pytest.skip("concurrent inserts are tested on PostgreSQL; set LMS_TEST_DATABASE_URL")
    publish_caring_cities()
    cohort = SimpleNamespace(id=make_cohort().id)
    learner_id = make_user().id
    _db.session.remove()

    def submit(_index):
        learner = _db.session.get(applications.User, learner_id)
        return apply(learner, cohort).id

    results = _in_threads(app, 2, submit)
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert count(db, Application) == 1 and count(db, ApplicationLetter) == 1
