"""The video lesson page (player, caption tracks, chapters, transcript, two-click external player) and the watching
reports that complete it and remember where to resume."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from lms.core import clock
from lms.extensions import db as _db
from lms.models import LessonProgress, VideoWatching
from lms.services import publishing
from tests.factories import EXAMPLE_SLUG, copy_package, edit_file

SLUG = EXAMPLE_SLUG
LESSON = f"/courses/{SLUG}/lessons/bonus"
WATCHING = f"{LESSON}/watching"
START = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def learner(client, db, login_as, tmp_path):
    publishing.import_package(None, copy_package(tmp_path), publish=True)
    user = login_as("learner")
    client.post(f"/courses/{SLUG}/enrol")
    return user


@pytest.fixture
def at():
    def move(seconds: float) -> None:
        clock.run_from(START + timedelta(seconds=seconds), pace=0.0001)
    yield move
    clock.run_in_real_time()


def report(client, intervals, position):
    return client.post(WATCHING, json={"intervals": intervals, "position": position},
                       headers={"Accept": "application/json"})


def completed(user) -> bool:
    row = _db.session.execute(_db.select(LessonProgress).filter_by(user_id=user.id, lesson_key="bonus")
                              ).scalar_one_or_none()
    return row is not None and row.completed_at is not None


def test_the_page_has_the_player_with_a_caption_track_per_language_chapters_and_transcript(client, learner):
    html = client.get(LESSON).get_data(as_text=True)
    assert '<source src="../assets/street-trees.webm" type="video/webm">' in html
    assert 'poster="../assets/street-trees-poster.png"' in html
    assert ('<track kind="captions" src="../assets/street-trees-captions-en.vtt" srclang="en" label="English" default>'
            in html)
    assert 'srclang="es" label="Español">' in html
    assert '<track kind="chapters" src="../assets/street-trees-chapters.vtt"' in html
    assert '<a href="../assets/street-trees.webm#t=7.0" data-seek="7.0"><span class="cue-time">0:07</span>' in html
    assert "Choosing species" in html and "A street tree shades the pavement on a hot afternoon." in html
    assert 'href="../assets/street-trees.webm" download' in html
    assert "js/video.js" in html
    # The lesson completes by watching: the end of the page does not complete it.
    assert "data-auto-complete" not in html and "Mark as complete" in html


def test_chapters_follow_the_contents_direction_as_the_transcript_does(client, learner):
    """In an Arabic page the chapters (English content) were right to left and the transcript left to right; and the
    chapter link's underline started under the space between the time and the title."""
    learner.preferred_language = "ar"
    _db.session.commit()
    html = client.get(LESSON).get_data(as_text=True)
    chapters = html[html.index('id="chapters-heading"'):html.index('id="transcript-heading"')]
    transcript = html[html.index('id="transcript-heading"'):]
    assert '<ol lang="en" dir="auto">' in chapters and '<ol lang="en" dir="auto">' in transcript
    assert re.search(r'<span class="cue-time">0:07</span><span>[^<]+</span></a>', chapters)


def test_the_transcript_is_in_the_learners_language_when_there_are_captions_in_it(client, learner):
    html = client.get(LESSON + "?lang=es").get_data(as_text=True)
    assert "Un árbol de la calle da sombra a la acera en una tarde calurosa." in html
    assert 'srclang="es" label="Español" default>' in html


def test_watching_most_of_the_video_completes_the_lesson_and_keeps_the_position(client, learner, at):
    at(0)
    assert report(client, [[0, 4]], 4).json == {"watched_share": pytest.approx(4 / 12.008, abs=1e-3),
                                                "completed": False}
    at(4)
    report(client, [[4, 8]], 8)
    assert not completed(learner)
    at(8)
    assert report(client, [[8, 11]], 11).json["completed"] is True
    assert completed(learner)
    assert 'data-resume-at="11.0"' in client.get(LESSON).get_data(as_text=True)


def test_seeking_to_the_end_does_not_complete_the_lesson(client, learner, at):
    at(0)
    report(client, [[0, 2]], 2)
    at(4)
    assert report(client, [[10, 12]], 12).json["completed"] is False
    assert not completed(learner)


@pytest.mark.parametrize(("intervals", "position"), [([[0, 30]], 12), ([[0, 2]], 50), ([[0, 2]], "x"), ([[5, 1]], 2)])
def test_impossible_reports_are_refused_and_change_nothing(client, learner, at, intervals, position):
    at(0)
    response = report(client, intervals, position)
    assert response.status_code == 422
    assert _db.session.execute(_db.select(_db.func.count()).select_from(VideoWatching)).scalar_one() == 0


def test_someone_not_enrolled_cannot_report(client, db, login_as, tmp_path):
    publishing.import_package(None, copy_package(tmp_path), publish=True)
    login_as("learner")
    assert report(client, [[0, 2]], 2).status_code == 403


def test_an_external_video_loads_nothing_from_its_host_until_asked(client, db, login_as, tmp_path):
    package = copy_package(tmp_path)
    edit_file(package / "extras/01-bonus.md", "  file: assets/street-trees.webm",
              "  url: https://www.youtube-nocookie.com/embed/abc123")
    publishing.import_package(None, package, publish=True)
    login_as("learner")
    client.post(f"/courses/{SLUG}/enrol")
    response = client.get(LESSON)
    html = response.get_data(as_text=True)
    assert "<iframe" not in html and "<video" not in html
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/abc123"' in html
    assert "www.youtube-nocookie.com" in html
    assert "frame-src https://www.youtube-nocookie.com https://player.vimeo.com;" in \
        response.headers["Content-Security-Policy"]


def test_the_lessons_text_is_above_and_below_the_video_where_the_marker_places_it(client, learner):
    html = client.get(LESSON).get_data(as_text=True)
    above = html.index("how much room does a street")
    player, transcript = html.index("<video"), html.index('class="video-transcript')
    below = html.index("The video has captions in English and Spanish")
    assert html.index("<h1>A bonus lesson</h1>") < above < player < transcript < below
    assert html.count("<h1") == 1 and "&lt;!-- video --&gt;</code>" in html
    # Without JavaScript: the transcript's links and the download link are plain links in the page.
    assert 'href="../assets/street-trees.webm" download' in html
