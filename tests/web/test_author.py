"""Instructors upload, preview, diff and publish packages through the web."""

import io
import re

from lms.core.packages import load_package, package_zip_bytes
from lms.models import CourseStaff, CourseVersion
from lms.services import package_validation, publishing, staffing
from tests.factories import EXAMPLE, EXAMPLE_SLUG, copy_package, edit_file, set_version, table_counts


def zipped(folder) -> bytes:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return package_zip_bytes(files, root=folder.name)


def upload(client, data: bytes, filename="course.zip"):
    return client.post("/author/upload", data={"package": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_learners_cannot_reach_authoring(client, login_as):
    login_as("learner")
    assert client.get("/author/").status_code == 403


def test_an_instructor_uploads_previews_and_publishes(client, db, login_as):
    login_as("instructor")
    response = upload(client, zipped(EXAMPLE))
    assert response.status_code == 302
    version_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft" in version_page and "No version of this course is published yet" in version_page

    lesson = package_validation.load_valid(EXAMPLE).lessons[0]
    preview = client.get(f"/author/example-all-features/1.0.0/preview/lessons/{lesson.id}")
    assert preview.status_code == 200
    assert "Preview of version 1.0.0" in preview.get_data(as_text=True)
    with client.get("/author/example-all-features/1.0.0/preview/assets/care-map.png") as asset:
        assert asset.status_code == 200 and asset.mimetype == "image/png"

    assert client.post("/author/example-all-features/1.0.0/publish").status_code == 302
    assert db.session.execute(db.select(CourseVersion.is_current)).scalar_one() is True


def test_a_broken_upload_lists_every_problem_and_stores_nothing(client, db, login_as, tmp_path):
    login_as("instructor")
    package = copy_package(tmp_path)
    edit_file(package / "course.yaml", "title:", "titel:")
    set_version(package, "not-a-version")
    before = table_counts(db)
    response = upload(client, zipped(package))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "course.yaml:" in html and "titel" in html and "not-a-version" in html
    assert table_counts(db) == before


def test_a_file_that_is_not_a_zip_is_refused_with_a_message(client, db, login_as):
    login_as("instructor")
    response = upload(client, b"%PDF-1.4 not a zip", filename="course.pdf")
    assert response.status_code == 422
    assert "must be a .zip" in response.get_data(as_text=True)
    response = upload(client, b"PK\x03\x04 broken", filename="course.zip")
    assert response.status_code == 422


def test_the_version_page_shows_the_diff_and_the_learners_affected(client, db, login_as, make_user, tmp_path):
    from lms.services import enrolments, learning

    publishing.import_package(None, EXAMPLE, publish=True)
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    package = package_validation.load_valid(EXAMPLE)
    reset_lesson = next(lesson for lesson in package.lessons if lesson.reset_progress)
    learning.complete_lesson(learner, EXAMPLE_SLUG, reset_lesson.id)

    changed = copy_package(tmp_path)
    set_version(changed, "1.1.0")
    path = changed / reset_lesson.path
    path.write_text(path.read_text(encoding="utf-8") + "\nNew closing words.\n", encoding="utf-8")
    instructor = login_as("instructor")
    staffing.assign_instructor(None, EXAMPLE_SLUG, instructor.email)
    upload(client, zipped(changed))
    html = client.get("/author/example-all-features/1.1.0/").get_data(as_text=True)
    assert f"1 learner would lose the completion of the lesson “<bdi>{reset_lesson.title}</bdi>”" in html


def test_export_downloads_a_zip(client, db, login_as):
    publishing.import_package(None, EXAMPLE)
    login_as("admin")
    # Streamed from a temporary file, which the server closes (and so deletes) when the response ends.
    with client.get("/author/example-all-features/1.0.0/export") as response:
        assert response.mimetype == "application/zip"
        assert response.headers["Content-Disposition"] == 'attachment; filename="example-all-features-1.0.0.zip"'
        data = response.get_data()
        assert int(response.headers["Content-Length"]) == len(data)
    assert load_package(data).package.content_hash == publishing.import_package(None, EXAMPLE).version.content_hash


def test_importing_a_new_course_makes_the_instructor_its_staff(client, db, login_as):
    instructor = login_as("instructor")
    assert upload(client, zipped(EXAMPLE)).status_code == 302
    staff = db.session.execute(db.select(CourseStaff.user_id)).scalars().all()
    assert staff == [instructor.id]
    assert EXAMPLE_SLUG in client.get("/author/").get_data(as_text=True)


def test_an_instructor_of_another_course_cannot_touch_its_versions(client, db, login_as, tmp_path):
    publishing.import_package(None, EXAMPLE, publish=True)
    newer = copy_package(tmp_path)
    set_version(newer, "1.1.0")
    publishing.import_package(None, newer)
    login_as("instructor")
    lesson = package_validation.load_valid(EXAMPLE).lessons[0]
    before = table_counts(db)

    assert EXAMPLE_SLUG not in client.get("/author/").get_data(as_text=True)
    set_version(newer, "1.2.0")
    refused = upload(client, zipped(newer))
    assert refused.status_code == 403
    assert "not an instructor of" in refused.get_data(as_text=True)
    for path in ("/author/example-all-features/1.1.0/", "/author/example-all-features/1.1.0/export",
                 f"/author/example-all-features/1.1.0/preview/lessons/{lesson.id}",
                 "/author/example-all-features/1.1.0/preview/assets/care-map.png"):
        assert client.get(path).status_code == 403, path
    assert client.post("/author/example-all-features/1.1.0/publish", data={"replacing": "1.0.0"}).status_code == 403
    assert table_counts(db) == before
    assert db.session.execute(db.select(CourseVersion.version).filter_by(is_current=True)).scalar_one() == "1.0.0"


def test_an_assigned_instructor_publishes_a_new_version(client, db, login_as, tmp_path):
    publishing.import_package(None, EXAMPLE, publish=True)
    instructor = login_as("instructor")
    staffing.assign_instructor(None, EXAMPLE_SLUG, instructor.email)
    newer = copy_package(tmp_path)
    set_version(newer, "1.1.0")
    assert upload(client, zipped(newer)).status_code == 302
    assert client.post("/author/example-all-features/1.1.0/publish",
                       data={"replacing": "1.0.0"}).status_code == 302
    assert db.session.execute(db.select(CourseVersion.version).filter_by(is_current=True)).scalar_one() == "1.1.0"


def test_study_time_reads_the_same_on_the_author_and_learner_pages(client, db, login_as, tmp_path):
    package = copy_package(tmp_path)
    edit_file(package / "course.yaml", "estimated_hours: 1.5", "estimated_hours: 12")
    publishing.import_package(None, package, publish=True)
    login_as("admin")
    for page in ("/author/example-all-features/1.0.0/", "/courses/example-all-features/", "/courses/"):
        html = client.get(page).get_data(as_text=True)
        assert "about 12 hours" in html and "12.0" not in html, page


def test_an_instructor_cannot_take_over_an_administrators_cohort_by_upload(client, db, login_as, tmp_path):
    from lms.models import Cohort
    from tests.cohort_factories import CARING_CITIES, make_cohort, publish_caring_cities

    publish_caring_cities()
    staff_cohort = make_cohort(key="2027", name="Caring Cities 2027", capacity=30)
    package = copy_package(tmp_path, CARING_CITIES)
    set_version(package, "1.2.0")
    edit_file(package / "course.yaml", 'id: "2023"', 'id: "2027"')
    instructor = login_as("instructor")
    staffing.assign_instructor(None, "caring-cities", instructor.email)

    response = upload(client, zipped(package))

    assert response.status_code == 422
    line = next(number for number, text in enumerate((package / "course.yaml").read_text().splitlines(), 1)
                if text.strip() == '- id: "2027"')
    assert f"course.yaml:{line}: cohort &#39;2027&#39; already exists" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Cohort, staff_cohort.id).name == "Caring Cities 2027"


def test_upload_errors_name_the_uploaded_file(client, db, login_as):
    login_as("instructor")
    broken = upload(client, b"PK\x03\x04 broken", filename="caring-cities-v2.zip").get_data(as_text=True)
    assert "caring-cities-v2.zip: not a readable zip file" in broken and "package.zip" not in broken
    publishing.import_package(None, EXAMPLE, publish=True)
    older = upload(client, zipped(EXAMPLE), filename="old-copy.zip")
    assert "old-copy.zip was not imported: " in older.get_data(as_text=True)


def test_each_published_version_keeps_its_change_summary_as_a_history(client, db, login_as, tmp_path):
    """Issue 20, defect 8: after publishing, the diff disappeared from the version page."""
    publishing.import_package(None, EXAMPLE, publish=True)
    changed = copy_package(tmp_path)
    set_version(changed, "1.1.0")
    edit_file(changed / "basics" / "01-welcome.md", "---\n#", "---\nA new first line.\n\n#")
    publishing.import_package(None, changed, publish=True)
    login_as("admin")
    html = client.get("/author/example-all-features/1.1.0/").get_data(as_text=True)
    history = html[html.index("History of published versions"):]
    assert "Replaced version 1.0.0:" in history
    welcome = package_validation.load_valid(EXAMPLE).lessons[0].title
    assert f"Lessons changed: “{welcome}”." in history
    assert "The first published version: everything in it was new." in history  # 1.0.0, below
    assert history.index("1.1.0") < history.index("Replaced version 1.0.0") < history.index("The first published")


def test_the_published_version_links_each_quiz_to_its_question_statistics(client, db, login_as, tmp_path):
    publishing.import_package(None, EXAMPLE, publish=True)
    draft = copy_package(tmp_path)
    set_version(draft, "1.1.0")
    publishing.import_package(None, draft)
    login_as("admin")
    statistics = "/reports/example-all-features/quizzes/basics-quiz"
    assert statistics in client.get("/author/example-all-features/1.0.0/").get_data(as_text=True)
    assert statistics not in client.get("/author/example-all-features/1.1.0/").get_data(as_text=True)
    page = client.get(statistics)
    assert page.status_code == 200 and "Facility" in page.get_data(as_text=True)


def test_a_text_asset_names_its_charset_once(client, db, login_as, tmp_path):
    """Issue 20, defect 7: 'text/plain; charset=utf-8; charset=utf-8'."""
    from lms.services import authoring_tools

    authoring_tools.write_new_course("safe-streets", tmp_path / "safe-streets")
    publishing.import_package(None, tmp_path / "safe-streets")
    login_as("admin")
    with client.get("/author/safe-streets/0.1.0/preview/assets/handout.txt") as response:  # streamed from a file
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_the_version_page_says_what_changed_in_each_translation(client, db, login_as, tmp_path):
    publishing.import_package(None, EXAMPLE, publish=True)
    changed = copy_package(tmp_path)
    set_version(changed, "1.1.0")
    edit_file(changed / "basics" / "01-welcome.md", "most common lesson features", "commonest lesson features")
    edit_file(changed / "basics" / "module.es.yaml", "title: Lo básico", "title: Lo esencial")
    instructor = login_as("instructor")
    staffing.assign_instructor(None, EXAMPLE_SLUG, instructor.email)
    upload(client, zipped(changed))
    html = client.get("/author/example-all-features/1.1.0/").get_data(as_text=True)
    spanish = html.split("<li><strong>Spanish (<span lang=\"es\">español</span>)</strong>:")[1].split("</li>")[0]
    assert [part.strip() for part in re.findall(r'<span class="translation-count">([^<]+)</span>', spanish)] == [
        "1 module changed", "1 translation stale"]
    assert "Welcome to the example course" in html.split("Stale (the source changed")[1][:300]


def test_an_author_previews_a_lesson_in_each_of_its_languages(client, db, login_as):
    publishing.import_package(None, EXAMPLE)
    login_as("admin")
    url = "/author/example-all-features/1.0.0/preview/lessons/welcome"
    english = client.get(url).get_data(as_text=True)
    assert '<div class="lesson-body" lang="en" dir="auto">' in english
    assert f'<a href="{url}?lang=es" lang="es" hreflang="es">Español</a>' in english
    spanish = client.get(f"{url}?lang=es").get_data(as_text=True)
    assert '<div class="lesson-body" lang="es" dir="auto">' in spanish and "Bienvenida al curso de ejemplo" in spanish
    untranslated = client.get(url.replace("welcome", "going-further") + "?lang=es").get_data(as_text=True)
    assert "has not been translated into Spanish" in untranslated


def test_packages_have_their_own_upload_limit_larger_than_other_uploads(app, client, db, login_as):
    login_as("instructor")
    data = zipped(EXAMPLE)  # with the example video, about a quarter of a megabyte
    limits = app.config["MAX_CONTENT_LENGTH"], app.config["PACKAGE_MAX_UPLOAD_BYTES"]
    app.config["MAX_CONTENT_LENGTH"] = 100_000  # what a letter of support may be here
    try:
        assert upload(client, data).status_code == 302  # imported: a package is allowed more
        app.config["PACKAGE_MAX_UPLOAD_BYTES"] = 100_000
        assert upload(client, data).status_code == 413
    finally:
        app.config["MAX_CONTENT_LENGTH"], app.config["PACKAGE_MAX_UPLOAD_BYTES"] = limits


def test_the_example_course_says_optional_once_per_module_and_lesson(client, db, login_as, tmp_path):
    """The engine marks an optional module (badge) and lesson ("4 min, optional"); the example's titles said
    "(optional)" as well, so the version page read "Going further (optional) (4 min, optional)"."""
    publishing.import_package(None, copy_package(tmp_path), publish=True)
    login_as("admin")
    for page in ("/author/example-all-features/1.0.0/", "/courses/example-all-features/"):
        html = client.get(page).get_data(as_text=True)
        assert "(optional)" not in html, page
        assert re.search(r'<span class="badge">optional</span>', html) and "min, optional)" in html, page


def test_the_preview_side_menu_links_each_modules_quiz_to_the_drafts_quiz_preview(client, db, login_as):
    """Learners see each module's quiz in their side menu; the author's preview of a draft left it out."""
    login_as("instructor")
    assert upload(client, zipped(EXAMPLE)).status_code == 302
    package = package_validation.load_valid(EXAMPLE)
    html = client.get(f"/author/{EXAMPLE_SLUG}/1.0.0/preview/lessons/{package.lessons[0].id}").get_data(as_text=True)
    menu = html.split('<nav class="lesson-outline"', 1)[1].split("</nav>", 1)[0]
    quizzes = [module.quiz for module in package.modules if module.quiz]
    assert quizzes
    for quiz in quizzes:
        url = f"/author/{EXAMPLE_SLUG}/1.0.0/preview/quizzes/{quiz.id}"
        assert f'<a href="{url}"><span class="badge">Quiz</span> <bdi>{quiz.title}</bdi></a>' in menu
        assert client.get(url).status_code == 200
