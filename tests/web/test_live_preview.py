"""`flask lms preview PATH`: a working folder served as learners will see it, with its problems on the page, loaded
again when a file changes; nothing imported or recorded."""

from __future__ import annotations

import os

import pytest

import config
from lms.services import authoring_tools
from lms.web.preview import enable_live_preview
from tests.factories import table_counts


@pytest.fixture
def preview(other_app, db, tmp_path):
    folder = tmp_path / "safe-streets"
    authoring_tools.write_new_course("safe-streets", folder)

    class PreviewConfig(config.TestConfig):
        pass

    application = other_app(PreviewConfig)
    enable_live_preview(application, folder)
    return application.test_client(), folder


def _save(path, old, new):
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new), encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a save within the same clock tick still changes the fingerprint
    os.utime(path, ns=(stamp, stamp))


def test_the_folder_is_served_as_learners_will_see_it_and_nothing_is_recorded(preview, db):
    client, _folder = preview
    before = table_counts(db)
    course = client.get("/preview/").get_data(as_text=True)
    assert "Safe streets" in course and "/preview/lessons/welcome" in course
    lesson = client.get("/preview/lessons/welcome").get_data(as_text=True)
    assert 'class="lesson-body" lang="en"' in lesson and 'href="next-steps"' in lesson
    assert "js/live-preview.js" in lesson and "data-preview-fingerprint" in lesson
    handout = client.get("/preview/assets/handout.txt")
    assert handout.data.startswith(b"A handout")
    assert handout.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert 'name="format"' in client.get("/preview/quizzes/module-1-quiz").get_data(as_text=True)
    assert table_counts(db) == before


def test_a_problem_saved_in_a_file_is_shown_in_the_page_and_goes_when_fixed(preview):
    client, folder = preview
    fingerprint = client.get("/preview/fingerprint").get_data(as_text=True)
    _save(folder / "module-1" / "module.yaml", "title: Getting started", "title: Safety: the basics")
    assert client.get("/preview/fingerprint").get_data(as_text=True) != fingerprint  # the page's script reloads
    page = client.get("/preview/lessons/welcome").get_data(as_text=True)
    assert "The package has 1 problem; fix it and save:" in page
    assert "a value containing &#39;: &#39; must be quoted" in page
    _save(folder / "module-1" / "module.yaml", "title: Safety: the basics", 'title: "Safety: the basics"')
    page = client.get("/preview/lessons/welcome").get_data(as_text=True)
    assert "preview-problems" not in page and "Safety: the basics" in page


def test_a_video_lesson_is_previewed_with_its_player_transcript_and_text_around_it(other_app, db, tmp_path):
    from tests.factories import copy_package

    class PreviewConfig(config.TestConfig):
        pass

    application = other_app(PreviewConfig)
    enable_live_preview(application, copy_package(tmp_path))
    html = application.test_client().get("/preview/lessons/bonus").get_data(as_text=True)
    assert '<source src="../assets/street-trees.webm" type="video/webm">' in html
    assert '<track kind="captions" src="../assets/street-trees-captions-en.vtt" srclang="en"' in html
    assert html.index("how much room does a street") < html.index("<video") < html.index("Transcript") \
        < html.index("The video has captions in English and Spanish")
    assert "js/video.js" in html and "js/live-preview.js" in html
