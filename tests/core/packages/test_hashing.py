"""Content hashes: the same content hashes the same however it is packed; a quiz's hash moves only with its grading."""

from __future__ import annotations

import io
import zipfile

import pytest

from lms.core.packages import load_package, package_zip_bytes
from tests.core.packages.builders import VALID, edit, load, valid_files, write_folder, zip_bytes

V = valid_files()
QUIZ = "basics/quiz.yaml"


def crlf_with_bom(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") if path.endswith((".md", ".yaml")) else data
            for path, data in files.items()}


def test_folder_zip_and_crlf_copy_hash_the_same(tmp_path):
    from_folder = load_package(VALID).package
    from_zip = load_package(zip_bytes(V)).package
    from_flat_zip = load_package(zip_bytes(V, root="")).package
    from_crlf_folder = load_package(write_folder(crlf_with_bom(V), tmp_path / "crlf")).package
    from_crlf_zip = load_package(zip_bytes(crlf_with_bom(V))).package
    hashes = {p.content_hash for p in (from_folder, from_zip, from_flat_zip, from_crlf_folder, from_crlf_zip)}
    assert len(hashes) == 1
    assert [lesson.content_hash for lesson in from_folder.lessons] == \
        [lesson.content_hash for lesson in from_crlf_zip.lessons]
    assert from_folder.quizzes[0].content_hash == from_crlf_zip.quizzes[0].content_hash


def test_zip_file_on_disk_hashes_like_its_bytes(tmp_path):
    path = tmp_path / "street-trees.zip"
    path.write_bytes(zip_bytes(V))
    assert load_package(path).package.content_hash == load_package(VALID).package.content_hash


def test_any_change_to_any_file_changes_the_package_hash():
    original = load(V).package.content_hash
    assert load({**V, "assets/tree-copy.png": V["assets/tree.png"]}).package.content_hash != original
    assert load(edit(V, "extras/01-further-reading.md", "many cities", "many towns")).package.content_hash != original


def test_export_reloads_to_the_same_hash_and_is_deterministic():
    package = load_package(zip_bytes(crlf_with_bom(V))).package
    exported = package_zip_bytes(package.files, root="street-trees")
    assert exported == package_zip_bytes(dict(reversed(package.files.items())), root="street-trees")
    reloaded = load_package(exported).package
    assert reloaded.content_hash == package.content_hash
    assert reloaded.files == package.files


def test_export_has_fixed_timestamps_and_sorted_entries():
    with zipfile.ZipFile(io.BytesIO(package_zip_bytes(V, root="pkg"))) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(f"pkg/{path}" for path in V)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos if i.filename.endswith(".png")} == {zipfile.ZIP_STORED}


def test_export_without_a_root_folder():
    with zipfile.ZipFile(io.BytesIO(package_zip_bytes(V, root=""))) as archive:
        assert "course.yaml" in archive.namelist()


@pytest.mark.parametrize("root", ["a/b", "..", "a\\b"])
def test_export_refuses_a_root_that_is_not_one_folder_name(root):
    with pytest.raises(ValueError, match="single folder name"):
        package_zip_bytes(V, root=root)


def quiz_hash(files: dict[str, bytes]) -> str:
    result = load(files)
    assert result.ok, result.problems
    return result.package.quizzes[0].content_hash


COSMETIC = {
    "comment": ("id: basics-quiz", "# a comment\nid: basics-quiz"),
    "prompt wording": ("What cools a street **most**?", "What cools a street the most?"),
    "choice text": ("A row of large trees", "Large trees in a row"),
    "feedback": ("Right.", "Correct!"),
    "explanation": ("Between 8 and 12 metres", "From 8 to 12 metres"),
    "title": ("title: Check your understanding", "title: Check what you know"),
    "flow style": ("answer: [shade, quiet]", "answer:\n      - shade\n      - quiet"),
    "points as a float": ("points: 2", "points: 2.0"),
    "key order": ("    type: true_false\n    prompt: Young trees need watering in their first summers.",
                  "    prompt: Young trees need watering in their first summers.\n    type: true_false"),
    "attempt settings": ("max_attempts: 3", "max_attempts: 5"),
    "accepted answers order": ("      - beech family\n      - Fagaceae", "      - Fagaceae\n      - beech family"),
    "answer written as correct flags": ("        text: Shade\n", "        text: Shade\n        correct: true\n"),
}


@pytest.mark.parametrize("old, new", COSMETIC.values(), ids=COSMETIC.keys())
def test_changes_that_do_not_affect_grading_keep_the_quiz_hash(old, new):
    files = edit(V, QUIZ, old, new)
    if "correct: true" in new:  # the same answer key, written the other way
        files = edit(files, QUIZ, "        text: Less traffic noise\n",
                     "        text: Less traffic noise\n        correct: true\n")
        files = edit(files, QUIZ, "    answer: [shade, quiet]\n", "")
    assert quiz_hash(files) == quiz_hash(V)


def test_reordering_questions_keeps_the_quiz_hash():
    text, review, review_options = V[QUIZ].decode().partition("review:\n")  # the settings after the questions
    head, first, rest = text.partition("  - id: shade\n")
    second_start = rest.index("  - id: benefits\n")
    swapped = head + rest[second_start:] + first + rest[:second_start] + review + review_options
    assert quiz_hash({**V, QUIZ: swapped.encode()}) == quiz_hash(V)


GRADING = {
    "pass mark": ("pass_mark: 60", "pass_mark: 70"),
    "points": ("points: 2", "points: 3"),
    "correct choice": ("answer: [shade, quiet]", "answer: [shade, parking]"),
    "true/false answer": ("answer: true", "answer: false"),
    "accepted answer": ("      - Fagaceae", "      - Fagaceae\n      - oak family"),
    "case sensitivity": ("      - Fagaceae", "      - Fagaceae\n    case_sensitive: true"),
    "numeric answer": ("answer: 10", "answer: 12"),
    "tolerance": ("tolerance: 2", "tolerance: 1"),
    "question type": ("type: single_choice", "type: multiple_choice"),
    "question id": ("id: spacing", "id: tree-spacing"),
}


@pytest.mark.parametrize("old, new", GRADING.values(), ids=GRADING.keys())
def test_changes_to_grading_change_the_quiz_hash(old, new):
    assert quiz_hash(edit(V, QUIZ, old, new)) != quiz_hash(V)
