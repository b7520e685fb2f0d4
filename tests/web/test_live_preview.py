"""`flask lms preview PATH`: a working folder served as learners will see it, with its problems on the page, loaded
again when a file changes; nothing imported or recorded."""

from __future__ import annotations

import os
import tracemalloc

import pytest

import config
from lms.services import authoring_tools, live_preview
from lms.services.errors import NotFound
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


@pytest.fixture
def preview_of(other_app, db):
    """A preview client of a folder, its package loaded."""
    def serve(folder):
        class PreviewConfig(config.TestConfig):
            pass

        application = other_app(PreviewConfig)
        enable_live_preview(application, folder)
        client = application.test_client()
        assert client.get("/preview/").status_code == 200
        return client
    return serve


def _fetch(client, path, **headers):
    with client.get("/preview/assets/" + path, headers=headers, follow_redirects=True) as response:
        return response.status_code, response.headers, response.get_data()


def test_a_preview_video_is_sent_in_the_ranges_a_player_asks_for_and_revalidated(preview_of, tmp_path):
    from tests.factories import copy_package

    folder = copy_package(tmp_path)
    client = preview_of(folder)
    video = (folder / "assets" / "street-trees.webm").read_bytes()
    status, headers, body = _fetch(client, "street-trees.webm", Range="bytes=100-1099")
    assert status == 206 and body == video[100:1100] and headers["Content-Range"] == f"bytes 100-1099/{len(video)}"
    assert headers["Content-Type"] == "video/webm" and headers["Cache-Control"] == "no-cache"
    status, headers, body = _fetch(client, "street-trees.webm")
    assert status == 200 and body == video and headers["Accept-Ranges"] == "bytes"
    assert _fetch(client, "street-trees.webm", **{"If-None-Match": headers["ETag"]})[0] == 304
    assert _fetch(client, "street-trees.webm", Range=f"bytes={len(video)}-")[0] == 416
    status, _headers, body = _fetch(client, "street-trees-captions-en.vtt", Range="bytes=0-5")
    assert status == 206 and body == b"WEBVTT"  # a file held in memory, in ranges too


@pytest.mark.parametrize("path", [
    "../course.yaml", "..%2Fcourse.yaml", "%2e%2e/%2e%2e/etc/passwd", "../../../../etc/passwd", "street-trees.webm/..",
    "/etc/passwd",  # "assets//etc": redirected to assets/etc/passwd
    "nothing-here.png",
])
def test_a_path_outside_the_packages_assets_is_not_found(preview_of, tmp_path, path):
    from tests.factories import copy_package

    status, _headers, body = _fetch(preview_of(copy_package(tmp_path)), path)
    assert status == 404 and b"Traceback" not in body


def test_a_video_swapped_for_a_link_out_of_the_folder_after_loading_is_not_sent(preview_of, tmp_path):
    from tests.factories import copy_package

    folder = copy_package(tmp_path / "package")
    preview_of(folder)
    state = live_preview.preview_state(folder)
    outside = tmp_path / "secret.webm"
    outside.write_bytes(b"not the package's")
    video = folder / "assets" / "street-trees.webm"
    video.unlink()
    video.symlink_to(outside)
    with pytest.raises(NotFound):
        live_preview.asset(state, "assets/street-trees.webm")  # the state loaded before the swap


def test_a_long_preview_video_is_streamed_not_read_into_memory(preview_of, tmp_path):
    from bench.bench_large_import import package_with_video

    size = 30 * 1024 * 1024
    client = preview_of(package_with_video(tmp_path, size))
    tracemalloc.start()
    try:
        response = client.get("/preview/assets/large.mp4", buffered=False)
        sent = sum(len(chunk) for chunk in response.response)
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200 and sent == size
    assert peak < 3 * 1024 * 1024, f"sending a 30 MB preview video allocated {peak / 2**20:.1f} MB"
