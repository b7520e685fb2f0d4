"""The text of what changed between two versions, by title, line by line (lms.core.packages.textdiff)."""

from lms.core.packages import load_package
from lms.core.packages.textdiff import ChangeStatus, LineKind, item_titles, text_changes
from tests.core.packages.builders import valid_files, write_folder

WHY = "basics/01-why-trees.md"
QUIZ = "basics/quiz.yaml"


def package(tmp_path, name, files):
    result = load_package(write_folder(files, tmp_path / name / "street-trees"))
    assert result.ok, result.problems
    return result.package


def test_a_changed_lesson_shows_its_removed_and_added_lines_with_context(tmp_path):
    old = valid_files()
    new = dict(old)
    new[WHY] = old[WHY].replace(b"Trees shade streets and cool the air around them.",
                                b"Trees shade streets and cool the air.")
    changes = text_changes(package(tmp_path, "a", old), package(tmp_path, "b", new))
    assert [(c.item, c.title, c.status) for c in changes] == [("lesson", "Why street trees?", ChangeStatus.CHANGED)]
    lines = [(line.kind, line.text) for line in changes[0].lines]
    assert (LineKind.REMOVED, "Trees shade streets and cool the air around them.") in lines
    assert (LineKind.ADDED, "Trees shade streets and cool the air.") in lines
    assert sum(kind == LineKind.CONTEXT for kind, _ in lines) == 6, "three unchanged lines on either side"


def test_far_apart_changes_are_separated_by_a_gap(tmp_path):
    old = valid_files()
    new = dict(old)
    new[QUIZ] = old[QUIZ].replace(b"title: Check your understanding", b"title: Check what you learnt") \
        .replace(b"Between 8 and 12 metres", b"From 8 to 12 metres")
    (change,) = text_changes(package(tmp_path, "a", old), package(tmp_path, "b", new))
    assert change.item == "quiz" and change.renamed and change.old_title == "Check your understanding"
    assert [line.kind for line in change.lines].count(LineKind.GAP) == 1


def test_added_and_removed_lessons_show_all_their_text(tmp_path):
    old = valid_files()
    new = {path: data for path, data in old.items() if path != "extras/01-further-reading.md"}
    new["extras/01-more.md"] = b"---\nid: more\ntitle: More reading\nminutes: 3\n---\n# More\n\nTwo lines.\n"
    new["extras/module.yaml"] = old["extras/module.yaml"].replace(b"01-further-reading.md", b"01-more.md")
    new["basics/02-choosing-species.md"] = old["basics/02-choosing-species.md"].replace(
        b"../extras/01-further-reading.md", b"../extras/01-more.md")
    changes = text_changes(package(tmp_path, "a", old), package(tmp_path, "b", new))
    statuses = {(c.title, c.status) for c in changes}
    assert ("More reading", ChangeStatus.ADDED) in statuses
    removed = next(c for c in changes if c.status is ChangeStatus.REMOVED)
    assert all(line.kind is LineKind.REMOVED for line in removed.lines) and removed.lines


def test_unchanged_versions_have_no_text_changes_and_titles_name_every_item(tmp_path):
    same = package(tmp_path, "a", valid_files())
    assert text_changes(same, same) == ()
    titles = item_titles(same)
    assert titles["lesson:why-trees"] == "Why street trees?"
    assert titles["quiz:basics-quiz"] == "Check your understanding"
    assert titles["module:basics"] == "The basics" and titles["question:basics-quiz:benefits"] == "question 2"
