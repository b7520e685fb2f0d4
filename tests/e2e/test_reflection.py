"""A reflection in Chromium: a learner of the Caring Cities demo cohort answers the orientation's "reflecting on care
in your own city" question under the lesson, sees their answer and a cohort member's, and the thread they live in.
axe-core checks the lesson with the question and with the answers."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.steps import COURSE, enrolled_learner, log_in

LESSON = f"/courses/{COURSE}/lessons/orientation-care-in-your-city"
QUESTION = "At which scale does their day become hardest"


def test_a_learner_answers_the_reflection_and_reads_the_cohorts(live_server, new_page, check_accessibility):
    neighbour, learner = (enrolled_learner(live_server, name) for name in ("Bea Neighbour", "Reflecting Learner"))
    first = new_page()
    log_in(first, neighbour)
    first.goto(LESSON)
    first.get_by_label("Your reflection").fill("In Quezon City the **neighbourhood** scale is the hardest.")
    first.get_by_role("button", name="Share with my cohort").click()
    expect(first.get_by_text("Your reflection is shared with your cohort.")).to_be_visible()

    page = new_page()
    log_in(page, learner)
    page.goto(LESSON)
    section = page.locator("#reflection")
    expect(section.get_by_text(QUESTION)).to_be_visible()
    expect(section.get_by_text("Bea Neighbour")).to_have_count(0)  # others' answers come after one's own
    check_accessibility(page, "lesson with a reflection question")
    page.get_by_label("Your reflection").fill("For caregivers here it is the *city* scale: the clinics are far.")
    page.get_by_role("button", name="Share with my cohort").click()
    expect(section.get_by_role("heading", name="Your reflection")).to_be_visible()
    expect(section.locator(".post-own em")).to_have_text("city")
    expect(section.get_by_text("Bea Neighbour")).to_be_visible()
    expect(section.locator("strong", has_text="neighbourhood")).to_be_visible()
    check_accessibility(page, "lesson with the cohort's reflections")
    section.get_by_role("link", name="Open the discussion of these reflections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Getting ready: reflecting on care in your own city")
