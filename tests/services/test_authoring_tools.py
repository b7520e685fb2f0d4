"""Issue 20's tools: a new course to start from, and quizzes from and to Moodle's GIFT format."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.core import gift
from lms.core.packages import load_package
from lms.core.packages.starter import starter_package
from lms.core.packages.zipio import package_zip_bytes
from lms.services import authoring_tools
from lms.services.errors import Invalid

GIFT = Path(__file__).resolve().parent.parent / "data" / "gift" / "every-type.gift"


def test_the_new_course_is_a_valid_package_with_every_file_commented(tmp_path):
    written = authoring_tools.write_new_course("safe-streets", tmp_path / "safe-streets")
    result = load_package(tmp_path / "safe-streets")
    assert result.ok, [str(p) for p in result.problems]
    assert result.package.slug == "safe-streets" and result.package.title == "Safe streets"
    for path in written:
        if path.suffix == ".yaml":
            assert path.read_text(encoding="utf-8").startswith("# "), path


def test_a_new_course_refuses_a_bad_slug_and_a_folder_in_use(tmp_path):
    with pytest.raises(Invalid, match="cannot be a course id"):
        authoring_tools.write_new_course("Safe Streets", tmp_path / "x")
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(Invalid, match="exists already"):
        authoring_tools.write_new_course("safe-streets", tmp_path / "used")
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]


def _package_with_quiz(quiz_yaml: str) -> dict[str, bytes]:
    return {**starter_package("safe-streets"), "module-1/quiz.yaml": quiz_yaml.encode("utf-8")}


def test_every_gift_type_that_maps_to_ours_round_trips_through_a_valid_quiz():
    yaml_text, parsed = authoring_tools.gift_to_quiz(GIFT.read_text(encoding="utf-8"), "module-1-quiz", "Quiz")
    assert sorted({q["type"] for q in parsed.questions}) == [
        "multiple_choice", "numeric", "short_answer", "single_choice", "true_false"]
    result = load_package(package_zip_bytes(_package_with_quiz(yaml_text), root="safe-streets"))
    assert result.ok, [str(p) for p in result.problems]  # the written quiz.yaml is a valid quiz
    quiz = result.package.quizzes[0]
    assert quiz.title == "Safe streets"  # the GIFT category
    crossing = quiz.questions[0]
    assert [c.id for c in crossing.choices if c.correct] == ["at-a-raised-crossing"]

    title, questions = authoring_tools.quiz_questions(yaml_text, "quiz.yaml")
    exported, notes = gift.to_gift(questions, title)
    assert notes == []
    assert gift.parse_gift(exported).questions == parsed.questions


def test_what_gift_import_cannot_carry_is_reported_with_its_line():
    parsed = gift.parse_gift(GIFT.read_text(encoding="utf-8"))
    assert [(note.line, note.message.split(";")[0]) for note in parsed.notes] == [
        (2, "category 'Safe streets' is not carried (a quiz has no categories)"),
        (27, "'Essay' is an essay question, which has no automatic grading here"),
        (29, "'Match' is a matching question, which has no equivalent here"),
        (31, "'This line is only a description.' has no answers in braces (a description, not a question)"),
    ]


def test_what_gift_export_cannot_carry_is_reported():
    questions = [{"id": "colour", "type": "short_answer", "prompt": "Colour?", "accepted_answers": ["Green"],
                  "case_sensitive": True, "points": 2}]
    _text, notes = gift.to_gift(questions)
    assert [note.message for note in notes] == [
        "question 'colour': points (2) are not carried; GIFT has none",
        "question 'colour': case-sensitive comparison is not carried; GIFT short answers ignore case"]


def test_gift_text_with_special_characters_survives_the_round_trip():
    questions = [{"id": "ratio", "type": "single_choice", "prompt": "Which is 1:2 {half}?\nPick one.",
                  "choices": [{"id": "a", "text": "a = b / 2 ~ #1"}, {"id": "b", "text": "b"}], "answer": "a"}]
    text, _notes = gift.to_gift(questions)
    [back] = gift.parse_gift(text).questions
    assert back["prompt"] == "Which is 1:2 {half}?\nPick one."
    assert back["choices"][0]["text"] == "a = b / 2 ~ #1"
