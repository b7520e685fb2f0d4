"""Importing, publishing and exporting course versions, and carrying progress over between them."""

import hashlib
import io
import tracemalloc

import pytest

from bench.bench_large_import import package_with_video
from lms.models import CourseStaff, CourseVersion, LessonProgress, ProgressEvent, VersionFile, VersionLesson
from lms.services import (
    course_versions,
    enrolments,
    learning,
    package_validation,
    publishing,
    version_diff,
    version_storage,
)
from lms.services.errors import Conflict, NotAllowed
from lms.storage import file_store
from tests.factories import EXAMPLE, EXAMPLE_SLUG, copy_package, edit_file, set_version, table_counts
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT


def versions(db, slug=EXAMPLE_SLUG):
    return db.session.execute(db.select(CourseVersion).order_by(CourseVersion.id)).scalars().all()


def test_import_creates_a_draft_with_every_lesson_and_file(db):
    package = package_validation.load_valid(EXAMPLE)
    outcome = publishing.import_package(None, EXAMPLE)
    version = outcome.version
    assert outcome.created and not outcome.published
    assert (version.status, version.is_current) == ("draft", False)
    assert version.content_hash == package.content_hash
    lessons = db.session.execute(db.select(VersionLesson.lesson_key).filter_by(version_id=version.id)).scalars()
    assert sorted(lessons) == sorted(lesson.id for lesson in package.lessons)
    files = db.session.execute(db.select(VersionFile.path).filter_by(version_id=version.id)).scalars()
    assert sorted(files) == sorted(package.files)



def test_a_large_video_is_streamed_into_the_file_store_not_read_into_memory(db, tmp_path):
    size = 30 * 1024 * 1024  # over the 20 MB limit of files read into memory
    folder = package_with_video(tmp_path, size)
    tracemalloc.start()
    try:
        version = publishing.import_package(None, folder).version
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    video = db.select(VersionFile).filter_by(version_id=version.id, path="assets/large.mp4")
    row = db.session.execute(video).scalar_one()
    assert (row.size, row.media_type) == (size, "video/mp4")
    assert row.sha256 == hashlib.sha256((folder / "assets/large.mp4").read_bytes()).hexdigest()
    assert file_store().local_path(row.sha256).stat().st_size == size
    assert peak < 10 * 1024 * 1024, f"importing a 30 MB video allocated {peak / 2**20:.1f} MB"


def _peak_allocation(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_video_is_exported_from_the_file_store_without_being_read_into_memory(db, tmp_path):
    size = 30 * 1024 * 1024
    version = publishing.import_package(None, package_with_video(tmp_path, size)).version
    exported = tmp_path / "exported.zip"
    with exported.open("wb") as out:
        peak = _peak_allocation(lambda: course_versions.export_version(None, EXAMPLE_SLUG, version.version, out))
    assert peak < 10 * 1024 * 1024, f"exporting a 30 MB video allocated {peak / 2**20:.1f} MB"
    assert package_validation.load_valid(exported).content_hash == version.content_hash


def test_a_versions_package_is_parsed_without_reading_its_video_into_memory(db, tmp_path):
    """Grading a quiz, publishing and diffs parse the stored version: its video must not be read whole (and kept)."""
    version = publishing.import_package(None, package_with_video(tmp_path, 30 * 1024 * 1024)).version
    course_versions._parsed_version.cache_clear()
    peak = _peak_allocation(lambda: course_versions.version_package(version))
    assert peak < 10 * 1024 * 1024, f"parsing a version with a 30 MB video allocated {peak / 2**20:.1f} MB"
    assert course_versions.version_package(version).content_hash == version.content_hash

def test_import_with_publish_makes_the_version_current(db):
    version = publishing.import_package(None, EXAMPLE, publish=True).version
    assert version.is_current and version.status == "published" and version.published_at is not None


def test_reimporting_the_same_version_and_content_does_nothing(db):
    publishing.import_package(None, EXAMPLE, publish=True)
    before = table_counts(db)
    outcome = publishing.import_package(None, EXAMPLE, publish=True)
    assert not outcome.created
    assert table_counts(db) == before


def test_same_version_with_other_content_is_refused(db, tmp_path):
    publishing.import_package(None, EXAMPLE)
    package = copy_package(tmp_path)
    edit_file(package / "basics" / "01-welcome.md", "\n\n", "\n\nA new paragraph.\n\n")
    before = table_counts(db)
    with pytest.raises(Conflict, match="Bump the version"):
        publishing.import_package(None, package)
    assert table_counts(db) == before


def test_a_version_not_above_the_published_one_is_refused(db, tmp_path):
    package = copy_package(tmp_path)
    set_version(package, "2.0.0")
    publishing.import_package(None, package, publish=True)
    set_version(package, "1.5.0")
    with pytest.raises(Conflict, match=r"not above the published version 2\.0\.0"):
        publishing.import_package(None, package)


def test_a_refused_package_leaves_the_database_as_it_was(db, tmp_path):
    publishing.import_package(None, EXAMPLE, publish=True)
    package = copy_package(tmp_path)
    set_version(package, "1.1.0")
    edit_file(package / "course.yaml", "title:", "titel:")
    before = table_counts(db)
    with pytest.raises(package_validation.PackageRejected) as error:
        publishing.import_package(None, package)
    assert any("titel" in str(problem) for problem in error.value.problems)
    assert table_counts(db) == before


def test_a_crash_half_way_through_an_import_leaves_nothing(db, monkeypatch):
    original = version_storage.store_version

    def store_then_crash(*args, **kwargs):
        original(*args, **kwargs)
        db.session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(version_storage, "store_version", store_then_crash)
    before = table_counts(db)
    with pytest.raises(RuntimeError):
        publishing.import_package(None, EXAMPLE)
    db.session.rollback()
    assert table_counts(db) == before


def test_learners_cannot_import(db, make_user):
    with pytest.raises(NotAllowed):
        publishing.import_package(make_user(), EXAMPLE)


def test_export_reimports_with_the_same_hash(db, tmp_path):
    version = publishing.import_package(None, EXAMPLE).version
    exported = tmp_path / "exported.zip"
    with exported.open("wb") as out:
        course_versions.export_version(None, EXAMPLE_SLUG, version.version, out)
    assert package_validation.load_valid(exported).content_hash == version.content_hash


def _second_version(tmp_path, change_quiz=False):
    package = copy_package(tmp_path)
    set_version(package, "1.1.0")
    package_obj = package_validation.load_valid(EXAMPLE)
    module = package_obj.modules[0]
    reset_lesson = next(lesson for lesson in module.lessons if lesson.reset_progress)
    kept_lesson = next(lesson for lesson in module.lessons if not lesson.reset_progress)
    for lesson in (reset_lesson, kept_lesson):
        path = package / lesson.path
        path.write_text(path.read_text(encoding="utf-8") + "\nAn added closing paragraph.\n", encoding="utf-8")
    if change_quiz:
        quiz = package / module.quiz.path
        text = quiz.read_text(encoding="utf-8")
        quiz.write_text(text.replace("points: 2", "points: 3", 1), encoding="utf-8")
    return package, reset_lesson.id, kept_lesson.id


def test_publishing_carries_progress_over_except_lessons_marked_reset(db, tmp_path, make_user):
    publishing.import_package(None, EXAMPLE, publish=True)
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    package, reset_id, kept_id = _second_version(tmp_path)
    for lesson_id in (reset_id, kept_id):
        learning.complete_lesson(learner, EXAMPLE_SLUG, lesson_id)

    report = version_diff.diff_against_current(package)
    assert report.lessons_lost.get(reset_id) == 1
    assert report.lessons_lost.get(kept_id, 0) == 0

    publishing.import_package(None, package, publish=True)
    completed = set(db.session.execute(
        db.select(LessonProgress.lesson_key).where(LessonProgress.completed_at.is_not(None))).scalars())
    assert completed == {kept_id}
    events = db.session.execute(db.select(ProgressEvent.kind, ProgressEvent.item_key)
                                .filter_by(kind="lesson_reset")).all()
    assert events == [("lesson_reset", reset_id)]


def test_the_old_version_stays_stored_after_publishing(db, tmp_path):
    publishing.import_package(None, EXAMPLE, publish=True)
    package, *_ = _second_version(tmp_path)
    publishing.import_package(None, package, publish=True)
    rows = versions(db)
    assert [(v.version, v.status, v.is_current) for v in rows] == [("1.0.0", "retired", False),
                                                                  ("1.1.0", "published", True)]
    out = io.BytesIO()
    course_versions.export_version(None, EXAMPLE_SLUG, "1.0.0", out)
    assert package_validation.load_valid(out.getvalue()).version == "1.0.0"


def test_publish_needs_a_higher_version_than_the_current(db, tmp_path):
    package = copy_package(tmp_path)
    set_version(package, "0.9.0")
    publishing.import_package(None, package)
    publishing.import_package(None, EXAMPLE, publish=True)
    with pytest.raises(Conflict, match="not above"):
        publishing.publish_version(None, EXAMPLE_SLUG, "0.9.0")




@pytest.mark.parametrize("change_quiz, expected", [(True, 1), (False, 0)])
def test_the_diff_counts_learners_who_would_have_to_pass_a_quiz_again(db, tmp_path, make_user, change_quiz,
                                                                       expected):
    from lms.services import quizzes

    publishing.import_package(None, EXAMPLE, publish=True)
    passer, failer = make_user(), make_user()
    for learner, answers in ((passer, RIGHT), (failer, {**RIGHT, "q-single": ["web"], "q-multiple": ["essay"],
                                                        "q-short": ["no"]})):
        enrolments.enrol(learner, EXAMPLE_SLUG)
        attempt = quizzes.quiz_page(learner, EXAMPLE_SLUG, "basics-quiz").attempt
        quizzes.submit_attempt(learner, EXAMPLE_SLUG, "basics-quiz", attempt.id, answers)
    package, *_ = _second_version(tmp_path, change_quiz=change_quiz)
    report = version_diff.diff_against_current(package)
    assert report.quiz_passes_lost.get("basics-quiz", 0) == expected


# Who may author which course (lms.authz.can_author_course).


def test_the_instructor_who_imports_a_new_course_becomes_its_staff_and_others_are_refused(db, make_user, tmp_path):
    author, stranger, admin = make_user("instructor"), make_user("instructor"), make_user("admin")
    publishing.import_package(author, EXAMPLE)
    assert db.session.execute(db.select(CourseStaff.user_id)).scalars().all() == [author.id]
    newer = copy_package(tmp_path)
    set_version(newer, "1.1.0")
    before = table_counts(db)
    with pytest.raises(NotAllowed, match="not an instructor of 'example-all-features'"):
        publishing.import_package(stranger, newer)
    for refused in (lambda: publishing.publish_version(stranger, EXAMPLE_SLUG, "1.0.0"),
                    lambda: course_versions.export_version(stranger, EXAMPLE_SLUG, "1.0.0", io.BytesIO()),
                    lambda: version_diff.diff_versions(stranger, EXAMPLE_SLUG, "1.0.0"),
                    lambda: course_versions.version_for_author(stranger, EXAMPLE_SLUG, "1.0.0")):
        with pytest.raises(NotAllowed):
            refused()
    assert table_counts(db) == before
    assert course_versions.list_courses(stranger) == []
    assert [course.slug for course, _ in course_versions.list_courses(author)] == [EXAMPLE_SLUG]
    assert publishing.publish_version(admin, EXAMPLE_SLUG, "1.0.0").is_current  # admins: every course
    assert publishing.import_package(author, newer).created


def test_an_admin_importing_a_new_course_adds_no_staff_row(db, make_user):
    publishing.import_package(make_user("admin"), EXAMPLE)
    assert table_counts(db)["course_staff"] == 0


def test_the_package_length_limits_are_the_sizes_of_the_columns_that_keep_the_values():
    from lms.core.packages import fields, files
    from lms.models import Cohort, CourseVersion, LiveSession, VersionFile, VersionLesson, VersionModule

    def size(column) -> int:
        return column.property.columns[0].type.length

    assert {size(CourseVersion.title), size(VersionModule.title), size(VersionModule.quiz_title),
            size(VersionLesson.title), size(LiveSession.title)} == {fields.TITLE_LENGTH}
    assert size(Cohort.name) == fields.NAME_LENGTH
    assert size(LiveSession.join_url) == fields.URL_LENGTH
    assert size(CourseVersion.version) == fields.VERSION_LENGTH
    assert size(CourseVersion.language) == fields.LANGUAGE_LENGTH
    assert size(VersionFile.path) == files.MAX_PATH_LENGTH


def test_one_person_imports_one_package_at_a_time(db, tmp_path):
    """A second upload while the first is being checked is refused at once (each may take seconds); others may
    import meanwhile."""
    from sqlalchemy import func, select

    from tests.factories import make_instructor

    first, second = make_instructor(), make_instructor()
    if db.engine.dialect.name == "postgresql":
        holder = db.engine.connect()  # another process's transaction, importing for ``first``
        holder.execute(select(func.pg_advisory_xact_lock(publishing.IMPORT_LOCK_SPACE, first.id)))
    else:
        holder = None
        publishing._importing.add(first.id)
    try:
        with pytest.raises(publishing.ImportInProgress, match="already importing a package"):
            publishing.import_package(first, EXAMPLE)
        db.session.rollback()
        assert publishing.import_package(second, EXAMPLE).created
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
        else:
            publishing._importing.discard(first.id)
    from lms.demo.synthetic import write_synthetic_package

    assert publishing.import_package(first, write_synthetic_package(tmp_path / "own", lessons=2)).created, \
        "free again afterwards"
