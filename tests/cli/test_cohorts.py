"""`flask lms cohort …`, `flask lms send-reminders` and the demo cohort."""

from datetime import UTC, datetime, timedelta

from lms.models import Cohort, LiveSession
from lms.services import enrolments
from tests.cohort_factories import make_cohort, publish_caring_cities, session_rows


def test_create_list_and_update_a_cohort(runner, db):
    publish_caring_cities()
    result = runner.invoke(args=[
        "lms", "cohort", "create", "--course", "caring-cities", "--name", "Caring Cities 2024",
        "--timezone", "Europe/Madrid", "--starts-on", "2024-07-01", "--ends-on", "2024-07-21",
        "--applications-open", "2024-05-01T00:00", "--deadline", "2024-06-09T23:59", "--capacity", "40",
        "--key", "2024"])
    assert result.exit_code == 0, result.output
    cohort = db.session.execute(db.select(Cohort).filter_by(key="2024")).scalar_one()
    assert cohort.application_deadline_at == datetime(2024, 6, 9, 21, 59, tzinfo=UTC) and cohort.capacity == 40

    listing = runner.invoke(args=["lms", "cohort", "list", "--course", "caring-cities"])
    assert "Caring Cities 2024" in listing.output and "Caring Cities 2023" in listing.output

    result = runner.invoke(args=["lms", "cohort", "update", str(cohort.id), "--capacity", "none",
                                 "--deadline", "2024-06-15T12:00", "--allow-late-attempts"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    assert cohort.capacity is None and cohort.allow_late_attempts
    assert cohort.application_deadline_at == datetime(2024, 6, 15, 10, 0, tzinfo=UTC)
    assert cohort.name == "Caring Cities 2024", "values not given stay as they are"

    result = runner.invoke(args=["lms", "cohort", "add-session", str(cohort.id), "--title", "Orientation",
                                 "--starts-at", "2024-07-01T09:00", "--ends-at", "2024-07-01T11:00"])
    assert result.exit_code == 0 and "2024-07-01 07:00 UTC" in result.output


def test_cohort_commands_refuse_bad_input_without_a_traceback(runner, db):
    publish_caring_cities()
    base = ["lms", "cohort", "create", "--course", "caring-cities", "--name", "X", "--timezone", "Europe/Madrid",
            "--starts-on", "2024-04-01", "--ends-on", "2024-04-30"]
    for extra, message in ((["--deadline", "2024-03-31T02:30"], "does not exist"),
                           (["--deadline", "tomorrow"], "is not a date and time"),
                           (["--deadline", "2024-03-01T10:00+02:00"], "without an offset")):
        result = runner.invoke(args=base + extra)
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["lms", "cohort", "create", "--course", "nope", "--name", "X", "--timezone", "UTC",
                                 "--starts-on", "2024-04-01", "--ends-on", "2024-04-30"])
    assert result.exit_code == 1 and "no course 'nope'" in result.output
    assert runner.invoke(args=["lms", "cohort", "update", "999", "--name", "x"]).exit_code == 1
    assert runner.invoke(args=["lms", "cohort", "update", "1", "--capacity", "many"]).exit_code == 1


def test_send_reminders_twice_sends_each_reminder_once(runner, db, make_user, outbox):
    publish_caring_cities()
    cohort = make_cohort(sessions=1)
    learner = make_user()
    from lms.models import Course

    enrolments.enrol_user(learner, db.session.get(Course, cohort.course_id), cohort_id=cohort.id)
    db.session.commit()
    hours = int((session_rows(cohort)[0].starts_at - datetime.now(UTC)) / timedelta(hours=1)) + 2
    first = runner.invoke(args=["lms", "send-reminders", "--hours", str(hours)])
    assert first.exit_code == 0, first.output
    assert first.output == ("1 reminder queued for the upcoming live sessions (1). 0 were already sent before. "
                            "The worker delivers them.\n")
    second = runner.invoke(args=["lms", "send-reminders", "--hours", str(hours)])
    assert second.output.startswith("0 reminders queued for the upcoming live sessions (1). 1 was already sent before.")
    assert len(outbox) == 1 and "Reminder: Session 1" in outbox.messages[0]["Subject"]


def test_demo_creates_an_open_demo_cohort_for_caring_cities(runner, db):
    publish_caring_cities()
    result = runner.invoke(args=["lms", "demo"])
    assert result.exit_code == 0 and "Demo cohort:" in result.output
    cohort = db.session.execute(db.select(Cohort).filter_by(key="demo")).scalar_one()
    assert db.session.execute(db.select(db.func.count()).select_from(LiveSession)
                              .filter_by(cohort_id=cohort.id)).scalar() == 4
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    assert db.session.execute(db.select(db.func.count()).select_from(Cohort).filter_by(key="demo")).scalar() == 1
