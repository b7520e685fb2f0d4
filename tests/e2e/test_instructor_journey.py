"""An instructor brings out a new version of a course in a real browser: uploads a package with a mistake and reads the
validation report, uploads the fixed one, previews the changed lesson, reads the changes and what they do to
learners' progress, and publishes. A learner who had made progress finds it carried over to the new version."""

from __future__ import annotations

import shutil

from playwright.sync_api import expect

from tests import factories
from tests.cohort_factories import CARING_CITIES
from tests.e2e.steps import (
    COURSE,
    INSTRUCTOR,
    STAFF_PASSWORD,
    caring_cities,
    complete_lesson,
    enrolled_learner,
    log_in,
    open_course,
    take_quiz,
)

ADDED_PARAGRAPH = ("New in this edition: bring a photo of one place in your city where care happens every day; we "
                   "look at them together in the orientation session.")


def _zip(folder, destination) -> str:
    return shutil.make_archive(str(destination), "zip", root_dir=folder.parent, base_dir=folder.name)


def test_instructor_publishes_a_new_version_and_the_learners_progress_carries_over(
        live_server, new_page, check_accessibility, screenshot, tmp_path):
    package = caring_cities()
    live_server.cli("lms", "assign-instructor", COURSE, INSTRUCTOR)  # staff of the course, whoever else may author

    # A learner studies the orientation module and passes its quiz on the published version.
    learner_email = enrolled_learner(live_server, "Maria Santos")
    learner_page = new_page()
    log_in(learner_page, learner_email)
    orientation = package.modules[0]
    for lesson in orientation.lessons:
        open_course(learner_page)
        complete_lesson(learner_page, lesson.title)
    open_course(learner_page)
    learner_page.get_by_role("link", name=orientation.quiz.title, exact=True).click()
    take_quiz(learner_page, orientation.quiz, correctly=True)
    open_course(learner_page)
    progress_before = learner_page.locator(".progress-text").first.inner_text()
    assert progress_before != "0% complete"

    # The instructor's new version: a paragraph added to a lesson the learner has completed, the version bumped.
    major, minor, _ = (int(part) for part in package.version.split("+")[0].split("-")[0].split("."))
    new_version = f"{major}.{minor + 1}.0"
    changed = factories.copy_package(tmp_path / "fixed", CARING_CITIES)
    factories.set_version(changed, new_version)
    edited = orientation.lessons[-1]
    lesson_file = changed / edited.path
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") + f"\n{ADDED_PARAGRAPH}\n", encoding="utf-8")
    good_zip = _zip(changed, tmp_path / f"caring-cities-{new_version}")
    # …and a first upload with a slip in it.
    broken = factories.copy_package(tmp_path / "broken", changed)
    quiz_file = broken / package.modules[1].quiz.path
    factories.edit_file(quiz_file, f"pass_mark: {package.modules[1].quiz.pass_mark:g}", "pass_mark: 170")
    broken_zip = _zip(broken, tmp_path / "caring-cities-with-a-slip")

    instructor = new_page()
    log_in(instructor, INSTRUCTOR, STAFF_PASSWORD)
    instructor.goto("/author/")
    expect(instructor.get_by_role("heading", name="Import a course package")).to_be_visible()
    check_accessibility(instructor, "author: courses and upload")
    instructor.get_by_label("Course package (.zip)").set_input_files(broken_zip)
    instructor.get_by_role("button", name="Validate and import as a draft").click()
    expect(instructor.get_by_role("heading", level=1)).to_have_text("The package was not imported")
    expect(instructor.get_by_role("alert")).to_contain_text(
        f"{package.modules[1].quiz.path}:3: 'pass_mark' must be between 0 and 100, not 170")
    check_accessibility(instructor, "author: validation report")

    instructor.get_by_role("link", name="Back to courses").click()
    instructor.get_by_label("Course package (.zip)").set_input_files(good_zip)
    instructor.get_by_role("button", name="Validate and import as a draft").click()
    expect(instructor.get_by_text(f"Imported version {new_version} as a draft")).to_be_visible()
    changes = instructor.get_by_role("region", name="Changes against the published version")
    expect(changes).to_contain_text(f"Published: {package.version} → this version: {new_version}")
    expect(changes).to_contain_text(f"Lessons changed: “{edited.title}”.")
    expect(changes).to_contain_text("No learner loses any completion.")
    check_accessibility(instructor, "author: version, changes and preview outline")
    screenshot(instructor, "author-version")

    instructor.get_by_role("link", name=edited.title, exact=True).click()
    expect(instructor.get_by_role("note")).to_contain_text(f"Preview of version {new_version}")
    expect(instructor.get_by_text(ADDED_PARAGRAPH)).to_be_visible()
    check_accessibility(instructor, "author: lesson preview")
    instructor.get_by_role("link", name="Back to the version").click()
    instructor.get_by_role("link", name="Publish this version…").click()
    expect(instructor.get_by_role("heading", level=1)).to_have_text(f"Publish version {new_version}?")
    instructor.get_by_role("button", name="Yes, publish this version").click()
    expect(instructor.get_by_text(f"Version {new_version} is now published")).to_be_visible()
    expect(instructor.get_by_text("Published (current)")).to_be_visible()

    # The learner is on the new version with everything they had done.
    open_course(learner_page)
    facts = learner_page.locator("dl.facts")
    expect(facts).to_contain_text(new_version)
    expect(learner_page.locator(".progress-text").first).to_have_text(progress_before)
    for lesson in orientation.lessons:
        expect(learner_page.get_by_role("listitem").filter(has_text=lesson.title)
               .get_by_label("completed")).to_be_visible()
    expect(learner_page.get_by_text(orientation.quiz.title).locator("..").get_by_text("passed")).to_be_visible()
    learner_page.get_by_role("link", name=edited.title, exact=True).click()
    expect(learner_page.get_by_text(ADDED_PARAGRAPH)).to_be_visible()
    expect(learner_page.get_by_text("You have completed this lesson.")).to_be_visible()
