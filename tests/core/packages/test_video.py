"""A lesson's video: WebVTT captions and chapters read with webvtt-py and checked with file:line problems, the
captions the course's language needs (WCAG 2.1 SC 1.2.2), the duration read from the file, external players only
from allowed hosts, and files that are not what their name says refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lms.core.packages import load_package
from lms.core.packages.schema import json_schemas
from tests.factories import EXAMPLE, copy_package, edit_file

LESSON = "extras/01-bonus.md"
EN = "assets/street-trees-captions-en.vtt"
MEDIA = Path(__file__).resolve().parents[2] / "data" / "media"


@pytest.fixture
def package(tmp_path):
    return copy_package(tmp_path)


def problems(package, **options):
    result = load_package(package, **options)
    assert result.package is None, "the package should have been refused"
    return [(p.file, p.line, p.message) for p in result.problems]


def write_captions(package, text):
    (package / EN).write_text(text, encoding="utf-8")


def test_the_example_video_lesson_has_captions_chapters_and_its_length():
    result = load_package(EXAMPLE)
    assert not result.problems
    lesson = next(lesson for module in result.package.modules for lesson in module.lessons if lesson.video)
    video = lesson.video
    assert video.file == "assets/street-trees.webm" and video.poster == "assets/street-trees-poster.png"
    assert 11.9 < video.duration < 12.1
    assert [track.language for track in video.captions] == ["en", "es"]
    assert video.captions[0].cues[0].text == "A street tree shades the pavement on a hot afternoon."
    assert [cue.text for cue in video.chapters.cues] == ["Shade and roots", "Choosing species"]


def test_bad_cue_timings_are_reported_at_their_line(package):
    write_captions(package, "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nfine\n\n00:00:02,000 --> 00:00:03.000\nSRT\n")
    assert (EN, 6, "bad cue timings '00:00:02,000 --> 00:00:03.000'; write them as 00:01:02.500 --> 00:01:05.000") \
        in problems(package)


def test_a_file_that_is_not_webvtt_is_refused_at_line_one(package):
    write_captions(package, "1\n00:00:00,000 --> 00:00:02,000\nan SRT file\n")
    assert (EN, 1, "not a WebVTT file: the first line must be 'WEBVTT'") in problems(package)


def test_cues_out_of_order_overlapping_or_backwards_are_reported_at_their_line(package):
    write_captions(package, "WEBVTT\n\n00:00:04.000 --> 00:00:05.000\na\n\n00:00:01.000 --> 00:00:02.000\nb\n\n"
                            "00:00:01.500 --> 00:00:03.000\nc\n\n00:00:09.000 --> 00:00:08.000\nd\n")
    found = {(file, line): message for file, line, message in problems(package)}
    assert "before the cue above it (00:00:04.000); cues must be in order" in found[(EN, 6)]
    assert "cues must not overlap" in found[(EN, 9)]
    assert found[(EN, 12)] == "the cue ends before it starts"


def test_a_cue_past_the_end_of_the_video_is_reported(package):
    write_captions(package, "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\na\n\n00:00:10.000 --> 00:00:20.000\nb\n")
    assert (EN, 6, "the cue ends at 00:00:20.000, after the end of the video (00:00:12.008)") in problems(package)


def test_captions_in_a_language_the_course_does_not_have_are_refused(package):
    edit_file(package / LESSON, "    - language: es", "    - language: de")
    found = problems(package)
    assert any(file == LESSON and line == 11 and "captions in 'de', which is not a language of the course (en, es)"
               in message for file, line, message in found), found


def test_a_video_without_captions_in_the_source_language_is_an_error_unless_the_lesson_says_why(package):
    edit_file(package / LESSON, "    - language: en\n      file: assets/street-trees-captions-en.vtt\n", "")
    found = problems(package)
    assert any(file == LESSON and line == 5 and "no captions in the course's language (en)" in message
               for file, line, message in found), found
    edit_file(package / LESSON, "  chapters:", "  no_captions_reason: No speech, only birdsong\n  chapters:")
    assert load_package(package).ok


def test_the_duration_of_an_mp4_is_read_and_stands_in_for_missing_minutes(package):
    shutil.copy(MEDIA / "three-seconds.mp4", package / "assets" / "clip.mp4")
    edit_file(package / LESSON, "minutes: 5\n", "")
    edit_file(package / LESSON, "assets/street-trees.webm", "assets/clip.mp4")
    write_captions(package, "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nshort\n")
    (package / "assets/street-trees-captions-es.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (package / "assets/street-trees-chapters.vtt").write_text("WEBVTT\n", encoding="utf-8")
    result = load_package(package)
    assert result.ok, result.problems
    lesson = next(lesson for module in result.package.modules for lesson in module.lessons if lesson.video)
    assert 3.0 < lesson.video.duration < 3.1 and lesson.minutes == 1


def test_minutes_are_still_required_of_a_lesson_without_a_video_file(package):
    edit_file(package / "extras/01-bonus.md", "minutes: 5\n", "")
    edit_file(package / LESSON, "  file: assets/street-trees.webm", "  url: https://www.youtube-nocookie.com/embed/x")
    found = problems(package, video_hosts=("www.youtube-nocookie.com",))
    assert any(file == LESSON and "missing required key 'minutes'" in message for file, _line, message in found)


def test_a_file_named_as_a_video_that_is_something_else_is_refused(package):
    (package / "assets/street-trees.webm").write_bytes(b"<html><script>alert(1)</script></html>")
    assert ("assets/street-trees.webm", 0,
            "not an WebM video (its first bytes are not those of an WebM file)") in problems(package)


def test_a_poster_that_is_not_an_image_is_refused_at_its_line(package):
    edit_file(package / LESSON, "  poster: assets/street-trees-poster.png", "  poster: assets/street-trees.webm")
    assert (LESSON, 7, "assets/street-trees.webm is not an image: a poster must be a gif, jpeg, jpg, png, svg or webp "
                       "file") in problems(package)


def test_an_external_player_must_be_on_an_allowed_host(package):
    edit_file(package / LESSON, "  file: assets/street-trees.webm", "  url: https://evil.example/embed/1")
    found = problems(package, video_hosts=("www.youtube-nocookie.com",))
    assert any(line == 6 and "videos from evil.example are not allowed on this site" in message
               for _file, line, message in found), found
    edit_file(package / LESSON, "https://evil.example/embed/1", "https://www.youtube-nocookie.com/embed/abc")
    assert load_package(package, video_hosts=("www.youtube-nocookie.com",)).ok


def test_the_json_schema_describes_the_video():
    schema = json_schemas()["lesson-front-matter.schema.json"]
    video = schema["$defs"]["video"]
    assert set(video["properties"]) == {"file", "url", "poster", "captions", "chapters", "no_captions_reason"}
