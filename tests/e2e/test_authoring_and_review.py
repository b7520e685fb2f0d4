"""In a real browser: a learner who fails a quiz with attempts left sees what was wrong and the feedback, never the
answer key; an instructor tries a draft's quiz as learners will, reads what changed in the text, confirms
publishing, deletes a draft imported by mistake, and reads the package guide."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import expect

from lms.core.packages import load_package
from tests import factories
from tests.e2e.steps import (
    COURSE,
    INSTRUCTOR,
    STAFF_PASSWORD,
    caring_cities,
    enrolled_learner,
    log_in,
    take_quiz,
)

EXAMPLE_SLUG = "example-all-features"
OLD_FEEDBACK = "No. External images are not allowed, only links."
NEW_FEEDBACK = "No. Think about where the package keeps its own files."
NEW_LINE = "New in this edition: a checklist of what a package needs before you upload it."
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _zip(folder, destination) -> str:
    return shutil.make_archive(str(destination), "zip", root_dir=folder.parent, base_dir=folder.name)


def test_a_failed_attempt_with_attempts_left_shows_no_correct_answers(live_server, new_page, check_accessibility,
                                                                      screenshot):
    quiz = caring_cities().modules[0].quiz
    assert quiz.max_attempts and quiz.max_attempts > 1
    page = new_page()
    log_in(page, enrolled_learner(live_server, "Ana Lucía Torres"))
    page.goto(f"/courses/{COURSE}/quizzes/{quiz.id}")
    take_quiz(page, quiz, correctly=False)

    status = page.get_by_role("status")
    expect(status).to_contain_text("Not passed")
    expect(status).to_contain_text(
        "The correct answers are shown once you pass this quiz or have used all your attempts.")
    expect(page.locator(".badge", has_text="incorrect").first).to_be_visible()
    expect(page.get_by_text("correct answer", exact=True)).to_have_count(0)
    expect(page.get_by_text("Expected:")).to_have_count(0)
    expect(page.get_by_text("Explanation:")).to_have_count(0)
    picked_feedback = [choice.feedback for question in quiz.questions for choice in question.choices
                       if not choice.correct and choice.feedback][:1]
    if picked_feedback:  # the feedback on the answer given is shown
        expect(page.locator(".feedback").first).to_be_visible()
    check_accessibility(page, "learner: review of a failed attempt")
    screenshot(page, "quiz-review-failed")


def test_an_instructor_previews_a_draft_quiz_reads_the_text_diff_publishes_and_deletes_a_draft(
        live_server, new_page, check_accessibility, screenshot, tmp_path):
    example = load_package(factories.EXAMPLE).package
    major, minor, _ = (int(part) for part in example.version.split("."))
    draft_version, mistaken_version = f"{major}.{minor + 5}.0", f"{major}.{minor + 6}.0"
    quiz = example.modules[0].quiz
    lesson = example.modules[0].lessons[0]

    changed = factories.copy_package(tmp_path / "changed", factories.EXAMPLE)
    factories.set_version(changed, draft_version)
    factories.edit_file(changed / quiz.path, OLD_FEEDBACK, NEW_FEEDBACK)
    lesson_file = changed / lesson.path
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") + f"\n{NEW_LINE}\n", encoding="utf-8")
    mistaken = factories.copy_package(tmp_path / "mistaken", changed)
    factories.set_version(mistaken, mistaken_version)

    instructor = new_page()
    log_in(instructor, INSTRUCTOR, STAFF_PASSWORD)
    instructor.goto("/author/")
    instructor.get_by_role("link", name="How to write a course package").click()
    expect(instructor.get_by_role("heading", level=1)).to_have_text("Course packages")
    instructor.get_by_role("link", name="Lessons", exact=True).first.click()
    expect(instructor).to_have_url(re.compile(r"/author/course-packages#lessons$"))
    check_accessibility(instructor, "author: the package guide")
    screenshot(instructor, "author-guide")

    instructor.goto("/author/")
    instructor.get_by_label("Course package (.zip)").set_input_files(_zip(changed, tmp_path / "draft"))
    instructor.get_by_role("button", name="Validate and import as a draft").click()
    expect(instructor.get_by_text(f"Imported version {draft_version} as a draft")).to_be_visible()

    # What changed in the text, by title.
    text_changes = instructor.get_by_role("region", name="What changed in the text")
    expect(text_changes.get_by_role("heading", name=f"Lesson “{lesson.title}”")).to_be_visible()
    expect(text_changes.get_by_role("heading", name=f"Quiz “{quiz.title}”")).to_be_visible()
    expect(text_changes.locator("ins.diff-added", has_text=NEW_LINE)).to_be_visible()
    expect(text_changes.locator("del.diff-removed", has_text=OLD_FEEDBACK)).to_be_visible()
    expect(text_changes.locator("ins.diff-added", has_text=NEW_FEEDBACK)).to_be_visible()
    check_accessibility(instructor, "author: version with the text of the changes")
    instructor.get_by_role("heading", name="What changed in the text").scroll_into_view_if_needed()
    for width, viewport in (("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})):
        instructor.set_viewport_size(viewport)
        text_changes.get_by_role("heading", name=f"Quiz “{quiz.title}”").scroll_into_view_if_needed()
        instructor.screenshot(path=SCREENSHOTS / f"author-text-diff-{width}.png", animations="disabled")
    instructor.set_viewport_size({"width": 1280, "height": 800})

    # The draft's quiz, as learners will take it; the review they would get after a wrong first attempt.
    instructor.get_by_role("link", name=quiz.title, exact=True).click()
    expect(instructor.get_by_role("note")).to_contain_text("Nothing you answer is recorded")
    check_accessibility(instructor, "author: quiz preview")
    screenshot(instructor, "author-quiz-preview")
    instructor.locator('[id="q-single-web"]').check()
    instructor.locator('[id="q-multiple-essay"]').check()
    instructor.locator('[id="q-true-false-true"]').check()
    instructor.locator('[id="q-short-answer"]').fill("I do not know")
    instructor.locator('[id="q-numeric-answer"]').fill("7")
    instructor.get_by_role("button", name="Submit answers").click()
    expect(instructor.get_by_role("heading", level=1)).to_contain_text("your preview attempt")
    expect(instructor.get_by_text(NEW_FEEDBACK)).to_be_visible()
    expect(instructor.get_by_text("correct answer", exact=True)).to_have_count(0)
    check_accessibility(instructor, "author: quiz preview result")
    instructor.get_by_role("link", name="Back to the version").click()

    # Publishing asks first.
    instructor.get_by_role("link", name="Publish this version…").click()
    expect(instructor.get_by_role("heading", level=1)).to_have_text(f"Publish version {draft_version}?")
    check_accessibility(instructor, "author: confirm publishing")
    screenshot(instructor, "author-publish-confirm")
    instructor.get_by_role("button", name="Yes, publish this version").click()
    expect(instructor.get_by_text(f"Version {draft_version} is now published")).to_be_visible()
    expect(instructor.get_by_text("Published (current)")).to_be_visible()

    # A draft imported by mistake is deleted, after a confirmation.
    instructor.goto("/author/")
    instructor.get_by_label("Course package (.zip)").set_input_files(_zip(mistaken, tmp_path / "mistaken"))
    instructor.get_by_role("button", name="Validate and import as a draft").click()
    expect(instructor.get_by_text(f"Imported version {mistaken_version} as a draft")).to_be_visible()
    instructor.get_by_role("link", name="Delete this draft…").click()
    expect(instructor.get_by_role("heading", level=1)).to_have_text(
        f"Delete the draft version {mistaken_version}?")
    check_accessibility(instructor, "author: confirm deleting a draft")
    instructor.get_by_role("button", name="Yes, delete this draft").click()
    expect(instructor.get_by_text(f"The draft version {mistaken_version} of {EXAMPLE_SLUG} was deleted.")) \
        .to_be_visible()
    expect(instructor.get_by_role("link", name=mistaken_version, exact=True)).to_have_count(0)
    expect(instructor.get_by_role("link", name=draft_version, exact=True)).to_be_visible()


def test_a_visitor_reads_the_deadline_and_dates_of_the_run_taking_applications(live_server, new_page,
                                                                              check_accessibility):
    page = new_page()
    page.goto(f"/courses/{COURSE}/")
    heading = page.get_by_role("heading", name="Cohorts taking applications")
    expect(heading).to_be_visible()
    run = page.locator(".cohorts-applying li").filter(has_text="demo run")
    expect(run).to_contain_text("Applications close on")
    expect(page.get_by_text("2023")).to_have_count(0)  # no run's dates in the course text, none shown as open
    heading.scroll_into_view_if_needed()
    for width, viewport in (("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(viewport)
        heading.scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOTS / f"course-cohorts-applying-{width}.png", animations="disabled")
    check_accessibility(page, "course page for a visitor, with the cohorts taking applications")
