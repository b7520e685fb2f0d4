"""A lesson's reflection question in the package format: read into the model and the progress outline, checked as
file:line, translated beside the lesson, and counted by completion.min_reflections."""

from __future__ import annotations

from lms.core.progress import Outline
from tests.core.packages.builders import edit, load, problems, valid_files
from tests.core.packages.test_translations import stamped, translated

LESSON = "basics/01-why-trees.md"
QUESTION = "Which street in your city most needs trees, and who would have to agree to plant them?"


def with_reflection(files: dict[str, bytes], question: str = QUESTION) -> dict[str, bytes]:
    return edit(files, LESSON, "minutes: 10\n", f"minutes: 10\nreflection: {question}\n")


def requiring(files: dict[str, bytes], count: int) -> dict[str, bytes]:
    return edit(files, "course.yaml", "  min_sessions_attended: 1\n",
                f"  min_sessions_attended: 1\n  min_reflections: {count}\n")


def test_a_lesson_question_and_the_required_count_reach_the_model_and_the_outline():
    result = load(requiring(with_reflection(valid_files()), 1))
    assert result.ok, result.problems
    package = result.package
    assert next(lesson for lesson in package.lessons if lesson.id == "why-trees").reflection == QUESTION
    assert package.completion.min_reflections == 1
    outline = Outline.from_package(package)
    assert outline.reflection_lessons == ("why-trees",) and outline.min_reflections == 1


def test_a_long_question_written_over_several_lines_is_one_paragraph():
    files = edit(valid_files(), LESSON, "minutes: 10\n",
                 "minutes: 10\nreflection: >-\n  Which street in your city\n  most needs trees?\n")
    lesson = next(lesson for lesson in load(files).package.lessons if lesson.id == "why-trees")
    assert lesson.reflection == "Which street in your city most needs trees?"


def test_an_empty_question_is_refused_at_its_line():
    found = problems(with_reflection(valid_files(), '""'))
    assert any(line.startswith(f"{LESSON}:5:") and "reflection" in line for line in found), found


def test_a_question_longer_than_600_characters_is_refused_with_its_length():
    found = problems(with_reflection(valid_files(), "Why? " * 130))
    assert any(line.startswith(f"{LESSON}:5:") and "at most 600 characters" in line for line in found), found


def test_a_reflection_in_a_quiz_says_where_it_belongs():
    files = edit(valid_files(), "basics/quiz.yaml", "questions:\n", f"reflection: {QUESTION}\nquestions:\n")
    found = [line for line in problems(files) if line.startswith("basics/quiz.yaml:")]
    assert len(found) == 1 and "lesson's front matter" in found[0], found


def test_requiring_more_reflections_than_the_lessons_ask_is_refused_in_course_yaml():
    found = problems(requiring(with_reflection(valid_files()), 2))
    assert any(line.startswith("course.yaml:") and "min_reflections is 2 but only 1 lesson asks" in line
               for line in found), found
    assert problems(requiring(valid_files(), 1))  # none asked at all


def test_a_negative_count_is_refused():
    assert any("min_reflections" in line for line in problems(requiring(valid_files(), -1)))


def test_a_translation_carries_the_question_in_its_language():
    files = with_reflection(translated())
    files = edit(files, "basics/01-why-trees.es.md", "title: ¿Por qué árboles en la calle?\n",
                 "title: ¿Por qué árboles en la calle?\nreflection: ¿Qué calle de su ciudad necesita más árboles?\n")
    result = load(stamped(files))
    assert result.ok, result.problems
    assert result.package.translation("es", "lesson", "why-trees").reflection == \
        "¿Qué calle de su ciudad necesita más árboles?"


def test_a_translation_that_leaves_the_question_out_shows_the_source_question():
    result = load(stamped(with_reflection(translated())))
    assert result.ok, result.problems
    assert result.package.translation("es", "lesson", "why-trees").reflection == QUESTION


def test_adding_a_question_makes_the_lesson_translation_stale_and_others_stay_current():
    before = {file.path: file.state for file in load(stamped(translated())).translation_files}
    after = {file.path: file.state for file in load(with_reflection(stamped(translated()))).translation_files}
    assert before["basics/01-why-trees.es.md"] == "current"
    assert after["basics/01-why-trees.es.md"] == "stale"
    assert after["basics/module.es.yaml"] == "current"


def test_translating_a_question_the_source_does_not_ask_is_refused():
    files = edit(translated(), "basics/01-why-trees.es.md", "title: ¿Por qué árboles en la calle?\n",
                 "title: ¿Por qué árboles en la calle?\nreflection: ¿Qué calle?\n")
    found = problems(stamped(files))  # stamping puts source_hash on line 2: the reflection is on line 4
    assert any(line.startswith("basics/01-why-trees.es.md:4:") and "source lesson asks none" in line
               for line in found), found
