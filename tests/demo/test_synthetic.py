"""The synthetic package generator writes valid packages of the requested size, the same for the same seed."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from lms.core.grading import attempt_layout, grade_attempt, parse_submission
from lms.core.progress import Outline, course_progress
from lms.demo.synthetic import main, write_synthetic_package

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
COURSE_KEYS = {"slug", "title", "version", "summary", "language", "authors", "licence", "estimated_hours",
               "enrolment", "eligibility", "modules", "completion", "certificate", "resources", "live_sessions",
               "cohorts"}
QUIZ_KEYS = {"id", "title", "pass_mark", "max_attempts", "shuffle_questions", "shuffle_choices", "score_policy",
             "questions"}
QUESTION_KEYS = {"id", "type", "prompt", "points", "explanation", "choices", "answer", "feedback_correct",
                 "feedback_incorrect", "accepted_answers", "case_sensitive", "tolerance"}


def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def package_summary(root: Path) -> dict:
    """Read a package as the format documents it and check each rule a test can see; return what was found."""
    course = read_yaml(root / "course.yaml")
    assert set(course) <= COURSE_KEYS
    assert ID.match(course["slug"]) and re.match(r"^\d+\.\d+\.\d+$", str(course["version"]))
    assert course["title"] and course["summary"] and course["language"] and course["licence"] and course["authors"]
    assert course["estimated_hours"] > 0 and course["enrolment"] in ("open", "application", "invite")
    assert course["certificate"]["issuers"]
    for resource in course.get("resources", []):
        assert resource["url"].startswith("https://") or (root / resource["url"]).is_file()
    lessons, quizzes, module_ids, lesson_ids = [], [], [], []
    for folder in course["modules"]:
        assert FILE_NAME.match(folder)
        module = read_yaml(root / folder / "module.yaml")
        assert ID.match(module["id"]) and module["title"] and module["lessons"]
        module_ids.append(module["id"])
        for file_name in module["lessons"]:
            path = root / folder / file_name
            assert FILE_NAME.match(file_name) and path.suffix == ".md"
            meta, body = front_matter(path)
            assert set(meta) <= {"id", "title", "minutes", "required", "reset_progress"}
            assert ID.match(meta["id"]) and meta["title"]
            assert isinstance(meta["minutes"], int) and meta["minutes"] > 0
            for target in LINK.findall(body):
                if not target.startswith("https://"):
                    assert (path.parent / target).resolve().is_file(), f"{path}: broken link {target}"
                    assert target.endswith(".md") or (path.parent / target).resolve().parent == root / "assets"
            lesson_ids.append(meta["id"])
            lessons.append((path, meta, body))
        if (root / folder / "quiz.yaml").exists():
            quiz = read_yaml(root / folder / "quiz.yaml")
            check_quiz(quiz)
            quizzes.append(quiz)
    assert len(set(module_ids)) == len(module_ids)
    assert len(set(lesson_ids)) == len(lesson_ids)
    assert len({q["id"] for q in quizzes}) == len(quizzes)
    return {"course": course, "lessons": lessons, "quizzes": quizzes}


def check_quiz(quiz: dict) -> None:
    assert set(quiz) <= QUIZ_KEYS and ID.match(quiz["id"]) and quiz["title"] and quiz["questions"]
    assert 0 <= quiz["pass_mark"] <= 100 and quiz["score_policy"] in ("best", "last")
    assert quiz.get("max_attempts", 1) >= 1
    assert len({q["id"] for q in quiz["questions"]}) == len(quiz["questions"])
    for q in quiz["questions"]:
        assert set(q) <= QUESTION_KEYS and q["prompt"] and q["points"] > 0
        if q["type"] in ("single_choice", "multiple_choice"):
            correct = [c for c in q["choices"] if c["correct"] is True]
            assert len(correct) == 1 if q["type"] == "single_choice" else len(correct) >= 1
            assert len({c["id"] for c in q["choices"]}) == len(q["choices"])
            assert all(ID.match(c["id"]) and c["text"] for c in q["choices"])
        elif q["type"] == "true_false":
            assert isinstance(q["answer"], bool)
        elif q["type"] == "short_answer":
            assert q["accepted_answers"] and all(isinstance(a, str) and a for a in q["accepted_answers"])
            assert isinstance(q.get("case_sensitive", False), bool)
        else:
            assert q["type"] == "numeric"
            assert isinstance(q["answer"], int | float) and q.get("tolerance", 0) >= 0


def all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return write_synthetic_package(tmp_path_factory.mktemp("syn") / "pkg", lessons=37, modules=5,
                                   words_per_lesson=120, questions_per_quiz=7, slug="bench-course", version="2.3.4")


def test_writes_the_requested_numbers_of_lessons_modules_and_questions(package):
    found = package_summary(package)
    assert len(found["lessons"]) == 37
    assert len(found["course"]["modules"]) == 5
    assert len(found["quizzes"]) == 5 and all(len(q["questions"]) == 7 for q in found["quizzes"])
    assert sorted(p.name for p in package.iterdir()) == ["assets", "course.yaml", *found["course"]["modules"]]


def test_uses_the_given_slug_and_version(package):
    course = read_yaml(package / "course.yaml")
    assert (course["slug"], str(course["version"])) == ("bench-course", "2.3.4")


def test_lessons_are_spread_evenly_over_the_modules(package):
    course = read_yaml(package / "course.yaml")
    sizes = [len(read_yaml(package / folder / "module.yaml")["lessons"]) for folder in course["modules"]]
    assert sum(sizes) == 37 and max(sizes) - min(sizes) <= 1


def test_every_quiz_mixes_every_question_type(package):
    for quiz in package_summary(package)["quizzes"]:
        assert {q["type"] for q in quiz["questions"]} == {"single_choice", "multiple_choice", "true_false",
                                                          "short_answer", "numeric"}


def test_small_quizzes_still_use_every_type_across_the_package(tmp_path):
    root = write_synthetic_package(tmp_path / "p", lessons=10, modules=5, words_per_lesson=20, questions_per_quiz=2)
    types = Counter(q["type"] for quiz in package_summary(root)["quizzes"] for q in quiz["questions"])
    assert len(types) == 5


def test_a_lesson_shows_the_png_from_assets(package):
    png = package / "assets" / "figure.png"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    bodies = [body for _, _, body in package_summary(package)["lessons"]]
    assert any("](../assets/figure.png" in body for body in bodies)


def prose_words(body: str) -> int:
    """Words of paragraphs and list items: not headings, images, tables or the closing links."""
    lines = [line for line in body.splitlines() if line and not line.startswith(("#", "!", "|", "Next:"))]
    return sum(len(line.removeprefix("- ").split()) for line in lines)


def test_lessons_have_the_requested_number_of_words(package):
    assert {prose_words(body) for _, _, body in package_summary(package)["lessons"]} == {120}


def test_optional_lessons_and_optional_modules_are_included(tmp_path):
    root = write_synthetic_package(tmp_path / "p", lessons=60, modules=6, words_per_lesson=10)
    found = package_summary(root)
    assert any(meta.get("required") is False for _, meta, _ in found["lessons"])
    assert any(read_yaml(root / f / "module.yaml")["required"] is False for f in found["course"]["modules"])


def test_no_quizzes_when_zero_questions_are_asked_for(tmp_path):
    root = write_synthetic_package(tmp_path / "p", lessons=3, questions_per_quiz=0, words_per_lesson=5)
    assert package_summary(root)["quizzes"] == []


def test_default_is_one_module_per_ten_lessons(tmp_path):
    root = write_synthetic_package(tmp_path / "p", lessons=25, words_per_lesson=5)
    assert len(read_yaml(root / "course.yaml")["modules"]) == 3


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path):
    first = all_files(write_synthetic_package(tmp_path / "a", lessons=12, seed=3, words_per_lesson=50))
    again = all_files(write_synthetic_package(tmp_path / "b", lessons=12, seed=3, words_per_lesson=50))
    other = all_files(write_synthetic_package(tmp_path / "c", lessons=12, seed=4, words_per_lesson=50))
    assert first == again
    assert first != other


def test_text_files_are_utf8_with_unix_line_endings(package):
    for name, data in all_files(package).items():
        if not name.endswith(".png"):
            assert b"\r" not in data and data.decode("utf-8")


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_synthetic_package(tmp_path / "p", lessons=2)
    assert [p.name for p in (tmp_path / "p").iterdir()] == ["keep.txt"]


def test_an_existing_empty_folder_is_used(tmp_path):
    (tmp_path / "p").mkdir()
    assert write_synthetic_package(tmp_path / "p", lessons=2, words_per_lesson=5) == tmp_path / "p"
    assert (tmp_path / "p" / "course.yaml").is_file()


@pytest.mark.parametrize("arguments", [
    {"lessons": 0}, {"lessons": 3, "modules": 4}, {"modules": 0}, {"words_per_lesson": 0},
    {"questions_per_quiz": -1}, {"slug": "Not A Slug"}, {"version": "1.0"}, {"version": "01.0.0"},
])
def test_refuses_impossible_arguments(tmp_path, arguments):
    with pytest.raises(ValueError):
        write_synthetic_package(tmp_path / "p", **arguments)
    assert not (tmp_path / "p").exists()


def test_cli_main_writes_a_package_and_prints_its_path(tmp_path, capsys):
    assert main([str(tmp_path / "cli"), "--lessons", "4", "--modules", "2", "--words", "10", "--seed", "1"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "cli")
    assert len(package_summary(tmp_path / "cli")["lessons"]) == 4


def test_cli_reports_bad_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main([str(tmp_path / "cli"), "--lessons", "2", "--modules", "3"])
    assert caught.value.code == 2 and "modules" in capsys.readouterr().err


def test_runs_as_a_module_from_the_shell(tmp_path):
    done = subprocess.run([sys.executable, "-m", "lms.demo.synthetic", str(tmp_path / "sh"), "--lessons",
                           "3", "--words", "5"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert len(package_summary(tmp_path / "sh")["lessons"]) == 3


def test_the_loader_accepts_the_package_without_problems(package):
    try:
        from lms.core.packages import load_package
    except ImportError:
        pytest.skip("the package loader (lms.core.packages.load_package) is not there yet")
    result = load_package(package)
    assert [str(problem) for problem in result.problems] == []
    assert result.ok
    loaded = result.package
    assert len(loaded.lessons) == 37 and len(loaded.modules) == 5
    assert {q.type.value for quiz in loaded.quizzes for q in quiz.questions} == {
        "single_choice", "multiple_choice", "true_false", "short_answer", "numeric"}
    assert any(asset.path == "assets/figure.png" for asset in loaded.assets)
    check_rules_read_the_loaded_package(loaded)


def right_answer(question) -> list[str]:
    if question.choices:
        return [choice.id for choice in question.choices if choice.correct]
    if question.correct_bool is not None:
        return ["true" if question.correct_bool else "false"]
    if question.accepted_answers:
        return [question.accepted_answers[0].upper() if not question.case_sensitive else question.accepted_answers[0]]
    return [str(question.numeric_answer + question.tolerance).replace(".", ",")]


def check_rules_read_the_loaded_package(loaded) -> None:
    """The grader and the progress rules work on what the loader gives: every right answer scores 100%."""
    for quiz in loaded.quizzes:
        layout = attempt_layout(quiz, seed=11)
        raw = {q.id: right_answer(q) for q in quiz.questions}
        result = grade_attempt(quiz, layout.question_ids, parse_submission(quiz, layout.question_ids, raw))
        assert (result.percent, result.passed) == (100.0, True), quiz.path
    outline = Outline.from_package(loaded)
    everything = course_progress(outline, {lesson.id for lesson in loaded.lessons},
                                 {quiz.id for quiz in loaded.quizzes}, 0)
    assert everything.complete and everything.percent == 100
    assert course_progress(outline, set(), set(), 0).next_step.id == loaded.modules[0].lessons[0].id
