"""Text above and below a lesson's video: a line <!-- video --> in the lesson's Markdown places the video; misplaced
markers are file:line problems; the page's split of the stored HTML (lesson_parts) follows the marker, else the
lesson's own title."""

from __future__ import annotations

import pytest

from lms.core.packages import load_package
from lms.core.packages.video_place import VIDEO_MARKER, lesson_parts, marker_lines
from tests.factories import EXAMPLE, copy_package, edit_file

LESSON = "extras/01-bonus.md"
PLAIN = "basics/02-going-further.md"  # a lesson without a video


@pytest.fixture
def package(tmp_path):
    return copy_package(tmp_path)


def problems(package):
    result = load_package(package)
    assert result.package is None, "the package should have been refused"
    return [(p.file, p.line, p.message) for p in result.problems]


def line_of(path, text: str) -> int:
    return path.read_text(encoding="utf-8").split("\n").index(text) + 1


def lesson_html(result, lesson_id: str) -> str:
    return next(lesson.html for lesson in result.package.lessons if lesson.id == lesson_id)


def test_the_example_video_lesson_has_text_above_and_below_its_video():
    result = load_package(EXAMPLE)
    assert result.ok, result.problems
    parts = lesson_parts(lesson_html(result, "bonus"))
    assert parts.has_title and parts.above.startswith('<h1>A bonus lesson</h1>')
    assert "how much room does a street" in parts.above and "how much room" not in parts.below
    assert "The video has captions in English and Spanish" in parts.below
    # The marker shown as code in the text is text, not a second place for the video.
    assert "<code>&lt;!-- video --&gt;</code>" in parts.below


def test_without_the_marker_the_video_follows_the_lessons_title(package):
    edit_file(package / LESSON, "\n<!-- video -->\n", "\n")
    result = load_package(package)
    assert result.ok, result.problems
    parts = lesson_parts(lesson_html(result, "bonus"))
    assert parts.above == "<h1>A bonus lesson</h1>" and "how much room" in parts.below


def test_a_marker_in_a_lesson_without_a_video_is_reported_at_its_line(package):
    edit_file(package / PLAIN, "\n## ", "\n<!-- video -->\n\n## ")
    assert (PLAIN, line_of(package / PLAIN, "<!-- video -->"),
            "<!-- video --> marks where the lesson's video goes, but the lesson has no video ('video' in its front "
            "matter); remove the line or add the video") in problems(package)


def test_a_second_marker_is_reported_at_its_line(package):
    edit_file(package / LESSON, "## Why optional", "<!--Video-->\n\n## Why optional")
    first, second = line_of(package / LESSON, "<!-- video -->"), line_of(package / LESSON, "<!--Video-->")
    assert (LESSON, second, f"the video's place (<!-- video -->) is marked twice (first at line {first}); a lesson "
                            "has one video: remove one of the lines") in problems(package)


def test_a_translation_may_not_place_a_video_its_source_lesson_does_not_have(package):
    translation = "basics/01-welcome.es.md"
    text = (package / translation).read_text(encoding="utf-8")
    (package / translation).write_text(text + "\n<!-- video -->\n", encoding="utf-8")
    assert any(file == translation and "the lesson has no video" in message
               for file, _line, message in problems(package))


def test_links_below_the_marker_are_checked_at_their_own_line(package):
    edit_file(package / LESSON, "Go back to the [welcome lesson](../basics/01-welcome.md)",
              "Go back to the [welcome lesson](../basics/99-missing.md)")
    line = line_of(package / LESSON, "Go back to the [welcome lesson](../basics/99-missing.md) of the first module.")
    assert any(file == LESSON and found == line and "99-missing.md" in message
               for file, found, message in problems(package))


def test_the_marker_in_fenced_code_or_inside_a_line_is_not_a_marker():
    body = "Text\n\n```markdown\n<!-- video -->\n```\n\n~~~~\n<!-- video -->\n~~~\n~~~~\n\nSay <!-- video --> here\n"
    assert marker_lines(body) == []
    assert marker_lines("Above\n   <!--  VIDEO -->  \nBelow") == [1]


def test_the_page_split_follows_the_marker_or_else_the_title():
    assert lesson_parts(f"<h1>T</h1><p>a</p>{VIDEO_MARKER}<p>b</p>").above == "<h1>T</h1><p>a</p>"
    assert lesson_parts(f"{VIDEO_MARKER}<h1>T</h1><p>b</p>").has_title
    untitled = lesson_parts("<p>a</p><h1>T</h1>")
    assert not untitled.has_title and untitled.above == "" and untitled.below == "<p>a</p><h1>T</h1>"


def test_the_json_schema_says_how_to_place_the_video():
    from lms.core.packages.schema import json_schemas

    video = json_schemas()["lesson-front-matter.schema.json"]["$defs"]["video"]
    assert VIDEO_MARKER in video["description"]


def test_a_video_with_problems_of_its_own_makes_its_marker_no_further_problem(package):
    edit_file(package / LESSON, "  file: assets/street-trees.webm",
              "  file: assets/street-trees.webm\n  url: https://www.youtube-nocookie.com/embed/x")
    found = problems(package)
    assert any("not both and not neither" in message for _file, _line, message in found), found
    assert not any("the lesson has no video" in message for _file, _line, message in found), found
