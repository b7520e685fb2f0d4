"""What changed between two versions, and which completions and passes do not carry over."""

from __future__ import annotations

from lms.core.packages import Package, QuizChange, diff_packages
from tests.core.packages.builders import edit, load, valid_files

V = valid_files()
OLD = load(V).package
QUIZ = "basics/quiz.yaml"


def new_version(files: dict[str, bytes]) -> Package:
    result = load(edit(files, "course.yaml", "version: 1.0.0", "version: 1.1.0"))
    assert result.ok, result.problems
    return result.package


def english(diff) -> list[str]:
    """The summary's sentences as the command line writes them (Phrases, worded in English)."""
    return [str(line) for line in diff.summary_lines()]


def test_no_change():
    diff = diff_packages(OLD, new_version(V))
    assert diff.is_empty
    assert diff.lessons_reset == () and diff.quizzes_reset == ()
    assert english(diff) == ["Version 1.0.0 → 1.1.0.", "No lessons, quizzes, modules or assets changed."]


def test_lesson_added():
    files = edit(V, "extras/module.yaml", "  - 01-further-reading.md", "  - 01-further-reading.md\n  - 02-more.md")
    files["extras/02-more.md"] = b"---\nid: more\ntitle: More\nminutes: 3\n---\nMore.\n"
    diff = diff_packages(OLD, new_version(files))
    assert diff.lessons_added == ("more",)
    assert diff.lessons_reset == ()


def test_lesson_removed_does_not_carry_over():
    files = edit(V, "extras/module.yaml", "  - 01-further-reading.md", "  - 02-more.md")
    files = edit(files, "basics/02-choosing-species.md", "(../extras/01-further-reading.md)", "(../extras/02-more.md)")
    del files["extras/01-further-reading.md"]
    files["extras/02-more.md"] = b"---\nid: more\ntitle: More\nminutes: 3\n---\nMore.\n"
    diff = diff_packages(OLD, new_version(files))
    assert diff.lessons_removed == ("further-reading",)
    assert diff.lessons_added == ("more",)
    assert diff.lessons_changed == ("choosing-species",)  # its link changed, and it has reset_progress: true
    assert diff.lessons_reset == ("further-reading", "choosing-species")


def test_lesson_changed_without_reset_progress_carries_over():
    diff = diff_packages(OLD, new_version(edit(V, "basics/01-why-trees.md", "cool the air", "cool the streets")))
    assert diff.lessons_changed == ("why-trees",)
    assert diff.lessons_reset == ()


def test_lesson_changed_with_reset_progress_is_reset():
    diff = diff_packages(OLD, new_version(edit(V, "basics/02-choosing-species.md", "Large trees", "Big trees")))
    assert diff.lessons_changed == ("choosing-species",)
    assert diff.lessons_reset == ("choosing-species",)
    assert "Lessons changed: choosing-species. Learners must complete again: choosing-species." in english(diff)


def test_reset_progress_resets_only_a_changed_lesson():
    marked = edit(V, "basics/01-why-trees.md", "minutes: 10", "minutes: 10\nreset_progress: true")
    diff = diff_packages(OLD, new_version(marked))
    assert diff.lessons_reset == ("why-trees",)  # adding the flag changes the file, so the lesson changed
    assert "choosing-species" not in diff.lessons_reset  # marked in both versions, but unchanged


def test_moving_a_lesson_to_another_file_and_module_is_not_a_change():
    files = edit(V, "basics/module.yaml", "  - 02-choosing-species.md", "  - 02-choosing-species.md\n  - 03-read.md")
    files = edit(files, "extras/module.yaml", "  - 01-further-reading.md", "  - 01-more.md")
    files = edit(files, "basics/02-choosing-species.md", "(../extras/01-further-reading.md)", "(03-read.md)")
    files["basics/03-read.md"] = files.pop("extras/01-further-reading.md")
    files["extras/01-more.md"] = b"---\nid: more\ntitle: More\nminutes: 3\n---\nMore.\n"
    diff = diff_packages(OLD, new_version(files))
    assert diff.lessons_removed == () and diff.lessons_added == ("more",)
    assert diff.lessons_changed == ("choosing-species",)  # only the lesson whose link had to change


def test_quiz_question_changed_resets_passes():
    diff = diff_packages(OLD, new_version(edit(V, QUIZ, "tolerance: 2", "tolerance: 1")))
    assert diff.quizzes_changed == (QuizChange("basics-quiz", (), (), ("spacing",), grading_changed=True),)
    assert diff.quizzes_reset == ("basics-quiz",)
    assert ("Quiz basics-quiz changed (questions changed: spacing): grading changed, learners must pass it again."
            in english(diff))


def test_quiz_wording_changed_keeps_passes():
    diff = diff_packages(OLD, new_version(edit(V, QUIZ, "Dark `asphalt`", "Black `asphalt`")))
    assert diff.quizzes_changed == (QuizChange("basics-quiz", (), (), ("shade",), grading_changed=False),)
    assert diff.quizzes_reset == ()


def test_quiz_question_added_and_removed():
    files = edit(V, QUIZ, "  - id: oak-family", "  - id: oak-genus")
    diff = diff_packages(OLD, new_version(files))
    assert diff.quizzes_changed == (QuizChange("basics-quiz", ("oak-genus",), ("oak-family",), (), True),)
    assert diff.quizzes_reset == ("basics-quiz",)


def test_quiz_settings_changed_keeps_passes():
    diff = diff_packages(OLD, new_version(edit(V, QUIZ, "max_attempts: 3", "max_attempts: 4")))
    assert diff.quizzes_changed == (QuizChange("basics-quiz", (), (), (), grading_changed=False),)
    assert "Quiz basics-quiz changed (settings changed): grading unchanged, passes carry over." in english(diff)


def test_quiz_removed_and_module_added():
    files = {path: data for path, data in V.items() if path != QUIZ}
    files = edit(files, "course.yaml", "  - extras\n", "  - extras\n  - more\n")
    files["more/module.yaml"] = b"id: more\ntitle: More\nlessons: [01-x.md]\n"
    files["more/01-x.md"] = b"---\nid: x\ntitle: X\nminutes: 1\n---\nX\n"
    diff = diff_packages(OLD, new_version(files))
    assert diff.quizzes_removed == ("basics-quiz",) and diff.quizzes_reset == ("basics-quiz",)
    assert diff.modules_added == ("more",) and diff.lessons_added == ("x",)
    assert english(diff) == [
        "Version 1.0.0 → 1.1.0.",
        "Modules added: more.",
        "Lessons added: x.",
        "Quizzes removed (their passes no longer count): basics-quiz.",
    ]


def test_module_removed_and_assets_changed():
    files = {path: data for path, data in V.items() if not path.startswith("extras/")}
    files = edit(files, "course.yaml", "  - extras\n", "")
    files = edit(files, "basics/02-choosing-species.md",
                 ", or read on in the\n[extras](../extras/01-further-reading.md)", "")
    files["assets/tree.png"] = V["assets/tree.png"] + b"\0"
    files["assets/more.csv"] = b"a,b\n1,2\n"
    diff = diff_packages(OLD, new_version(files))
    assert diff.modules_removed == ("extras",)
    assert diff.lessons_removed == ("further-reading",)
    assert diff.lessons_reset == ("further-reading", "choosing-species")
    assert (diff.assets_added, diff.assets_changed, diff.assets_removed) == (("assets/more.csv",),
                                                                             ("assets/tree.png",), ())
