"""Issue 20, defect 1: cohorts in packages say how learners join them. An open course's cohort captures learners only
when the package says `enrolment: open`; the capture is said in words before publishing; and a later version that
leaves the cohort out lets the learners waiting for it go."""

from __future__ import annotations

import re

from lms.models import AuditEntry, Cohort, Enrolment
from lms.services import enrolments, learning, package_validation, publishing, version_diff
from tests.factories import EXAMPLE_SLUG, copy_package, set_version

PILOT_2031 = """cohorts:
  - id: mexico-2031
    name: Mexico City pilot 2031
    timezone: America/Mexico_City
    enrolment: {mode}
    starts_on: 2031-02-03
    ends_on: 2031-03-28
"""


def _with_cohorts(package, block: str) -> None:
    course = package / "course.yaml"
    text = course.read_text(encoding="utf-8")
    course.write_text(re.sub(r"(?ms)^cohorts:.*\Z", block, text), encoding="utf-8")


def _open_course_with_far_cohort(tmp_path, mode="open"):
    package = copy_package(tmp_path)
    _with_cohorts(package, PILOT_2031.format(mode=mode))
    return package


def test_a_cohort_of_an_open_course_must_say_how_learners_join_it(tmp_path):
    package = copy_package(tmp_path)
    _with_cohorts(package, PILOT_2031.replace("    enrolment: {mode}\n", ""))
    problems = [str(p) for p in package_validation.validate(package).problems]
    assert len(problems) == 1
    assert problems[0].startswith("course.yaml:")
    assert "cohort 'mexico-2031' of an open course must say how learners join it: 'enrolment: open'" in problems[0]


def test_validation_and_the_diff_say_what_an_open_cohort_does_in_words(db, tmp_path):
    package = _open_course_with_far_cohort(tmp_path)
    result = package_validation.validate(package)
    assert result.ok
    [warning] = package_validation.package_warnings(result.package)
    assert warning.message == (
        "learners who enrol now (until it ends on 28 March 2031) join 'Mexico City pilot 2031' and cannot study "
        "until 3 February 2031; to stop it taking learners earlier give it an application_deadline, or use "
        "'enrolment: invite'")
    assert version_diff.diff_against_current(package).warnings == (warning,)


def test_an_invitation_cohort_in_an_open_course_captures_nobody(db, tmp_path, make_user):
    publishing.import_package(None, _open_course_with_far_cohort(tmp_path, mode="invite"), publish=True)
    learner = make_user()
    enrolment = enrolments.enrol(learner, EXAMPLE_SLUG)
    assert enrolment.cohort_id is None
    learning.lesson_page(learner, EXAMPLE_SLUG, "welcome")  # studies at once


def test_leaving_the_cohort_out_lets_its_waiting_learners_study(db, tmp_path, make_user):
    package = _open_course_with_far_cohort(tmp_path)
    publishing.import_package(None, package, publish=True)
    learner = make_user()
    enrolment = enrolments.enrol(learner, EXAMPLE_SLUG)
    cohort = db.session.get(Cohort, enrolment.cohort_id)
    assert cohort.key == "mexico-2031"  # captured, as the warning said

    _with_cohorts(package, "")
    set_version(package, "1.1.0")
    report = version_diff.diff_against_current(package)
    assert [str(line) for plan in report.cohort_changes for line in plan.summary_lines()] == [
        "Cohort “Mexico City pilot 2031” (mexico-2031) is left out of this version: it is kept, with its learners' "
        "records, but stops taking the learners who enrol; the 1 learner waiting for it to start on 2031-02-03 "
        "leaves it and can study at once."]
    publishing.import_package(None, package, publish=True)

    assert db.session.get(Enrolment, enrolment.id).cohort_id is None
    learning.lesson_page(learner, EXAMPLE_SLUG, "welcome")  # no longer locked until 2031
    kept = db.session.get(Cohort, cohort.id)
    assert kept.enrolment_mode == "invite"  # kept, with its records, but it takes nobody more
    assert enrolments.enrol(make_user(), EXAMPLE_SLUG).cohort_id is None
    actions = db.session.execute(db.select(AuditEntry.action).where(AuditEntry.target_id == str(cohort.id))
                                 ).scalars().all()
    assert "cohort.release_learners" in actions
