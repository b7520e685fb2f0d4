"""`flask lms seed-demo`, `flask lms assign-instructor` and the demo instructor's courses."""

from sqlalchemy import func, select, update

from lms.models import Certificate, CourseStaff, Enrolment, QuizAttempt, User
from lms.services import publishing
from tests.factories import EXAMPLE, EXAMPLE_SLUG, make_user


def test_seed_demo_adds_a_varied_population(runner, db):
    publishing.import_package(None, EXAMPLE, publish=True)
    result = runner.invoke(args=["lms", "seed-demo", "--learners", "60", "--course", EXAMPLE_SLUG])
    assert result.exit_code == 0, result.output
    assert "Added 60 learners" in result.output
    count = db.session.execute(select(func.count()).select_from(Enrolment)).scalar_one()
    percents = set(db.session.execute(select(Enrolment.progress_percent)).scalars())
    assert count == 60 and len(percents) > 2
    assert db.session.execute(select(func.count()).select_from(QuizAttempt)).scalar_one() > 0
    assert db.session.execute(select(func.count()).select_from(Certificate)).scalar_one() > 0
    assert any(ord(c) > 0xAC00 for c in "".join(db.session.execute(select(User.city)).scalars()))
    again = runner.invoke(args=["lms", "seed-demo", "--learners", "5", "--course", EXAMPLE_SLUG])
    assert again.exit_code == 0, again.output  # new e-mail addresses: running it twice adds more


def test_seed_demo_refuses_an_unknown_course(runner, db):
    result = runner.invoke(args=["lms", "seed-demo", "--learners", "5", "--course", "nope"])
    assert result.exit_code == 1 and "There is no such course" in result.output


def test_assign_instructor(runner, db):
    publishing.import_package(None, EXAMPLE, publish=True)
    instructor = make_user("instructor")
    result = runner.invoke(args=["lms", "assign-instructor", EXAMPLE_SLUG, instructor.email])
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(CourseStaff.user_id)).scalar_one() == instructor.id
    learner = make_user()
    refused = runner.invoke(args=["lms", "assign-instructor", EXAMPLE_SLUG, learner.email])
    assert refused.exit_code == 1 and "is not an instructor" in refused.output


def test_demo_makes_the_demo_instructor_staff_of_the_imported_courses(runner, db):
    publishing.import_package(None, EXAMPLE, publish=True)
    first = runner.invoke(args=["lms", "demo"])
    assert first.exit_code == 0, first.output
    assert "The demo instructor teaches example-all-features" in first.output
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0  # again: nothing is added twice
    staff = db.session.execute(select(User.email).join(CourseStaff, CourseStaff.user_id == User.id)).scalars().all()
    assert staff == ["instructor@example.org"]


def test_refresh_progress_recomputes_stored_percentages(runner, db):
    publishing.import_package(None, EXAMPLE, publish=True)
    runner.invoke(args=["lms", "seed-demo", "--learners", "20", "--course", EXAMPLE_SLUG])
    seeded = dict(db.session.execute(select(Enrolment.user_id, Enrolment.progress_percent)).all())
    db.session.execute(update(Enrolment).values(progress_percent=0))
    db.session.commit()
    result = runner.invoke(args=["lms", "refresh-progress", EXAMPLE_SLUG])
    assert result.exit_code == 0, result.output
    assert f"Updated the stored progress of {sum(1 for v in seeded.values() if v)} learners" in result.output
    db.session.expire_all()
    assert dict(db.session.execute(select(Enrolment.user_id, Enrolment.progress_percent)).all()) == seeded
