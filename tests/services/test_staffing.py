"""lms.services.staffing: who is staff of which course, and how an administrator assigns an instructor."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.models import CourseStaff
from lms.services import staffing
from lms.services.errors import Invalid, NotAllowed
from tests.factories import make_course

SLUG = "synthetic"


@pytest.fixture
def course(db, tmp_path):
    return make_course(tmp_path, lessons=2, slug=SLUG)


def test_assigning_instructors(db, course, make_user):
    admin, instructor, learner = make_user("admin"), make_user("instructor"), make_user()
    staffing.assign_instructor(admin, SLUG, instructor.email.upper())
    staffing.assign_instructor(admin, SLUG, instructor.email)  # again: nothing changes
    rows = db.session.execute(select(CourseStaff)).scalars().all()
    assert [row.user_id for row in rows] == [instructor.id]
    assert staffing.teaching_course_ids(instructor) == {course.course_id}
    with pytest.raises(Invalid):
        staffing.assign_instructor(admin, SLUG, learner.email)
    with pytest.raises(Invalid) as nobody:  # what the admin typed names nobody: shown on the form's field
        staffing.assign_instructor(admin, SLUG, "nobody@example.org")
    assert nobody.value.field == "email"
    with pytest.raises(Invalid) as no_course:
        staffing.assign_instructor(admin, "no-course", instructor.email)
    assert no_course.value.field == "course"
    with pytest.raises(NotAllowed):
        staffing.assign_instructor(instructor, SLUG, instructor.email)


def test_an_address_typed_with_combining_accents_finds_the_instructor(db, course, make_user):
    instructor = make_user("instructor", email="mar\u00eda.jos\u00e9@example.org")
    staffing.assign_instructor(None, SLUG, " MARI\u0301A.JOSE\u0301@example.org")
    assert staffing.teaching_course_ids(instructor) == {course.course_id}
