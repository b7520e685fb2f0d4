"""A video lesson in Chromium: the example course's 12-second WebM plays, the captions menu switches the caption
track, a transcript link moves the player to its cue, and watching the video completes the lesson (the player reports
what was played; the server counts the union). axe-core checks the page with the player, chapters and transcript."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.e2e.steps import log_in

SLUG = "example-all-features"
LESSON = f"/courses/{SLUG}/lessons/bonus"


def test_a_learner_plays_switches_captions_seeks_by_the_transcript_and_completes_by_watching(
        live_server, new_page, check_accessibility):
    with live_server.app.app_context():
        email = factories.make_user(display_name="Video Watcher").email
    page = new_page()
    log_in(page, email)
    page.goto(f"/courses/{SLUG}/")
    page.get_by_role("button", name="Enrol in this course").click()
    page.goto(LESSON)
    video = page.locator("#lesson-video")
    expect(video).to_be_visible()
    page.wait_for_function("() => document.getElementById('lesson-video').readyState >= 1")
    assert abs(video.evaluate("v => v.duration") - 12.0) < 0.2  # Chromium decoded the WebM's header
    check_accessibility(page, "video lesson")

    # Captions: English by default (the learner reads the course in English); the menu switches to Spanish.
    tracks = "v => Array.from(v.textTracks).filter(t => t.kind === 'captions').map(t => t.language + ':' + t.mode)"
    assert video.evaluate(tracks) == ["en:showing", "es:disabled"]
    page.get_by_label("Captions").select_option("es")
    assert video.evaluate(tracks) == ["en:disabled", "es:showing"]

    # A transcript link seeks (and plays from there).
    video.evaluate("v => { v.muted = true; }")
    page.get_by_role("region", name="Transcript").get_by_role("link", name="0:07").click()
    page.wait_for_function("() => document.getElementById('lesson-video').currentTime >= 7")
    video.evaluate("v => v.pause()")

    # Watching the whole video (at double speed) completes the lesson, without pressing "Mark as complete".
    video.evaluate("v => { v.currentTime = 0; v.playbackRate = 2; return v.play(); }")
    expect(page.get_by_text("You have watched this video: the lesson is marked as complete.")).to_be_visible(
        timeout=20_000)
    page.reload()
    expect(page.get_by_text("You have completed this lesson.")).to_be_visible()
    check_accessibility(page, "video lesson, completed")
