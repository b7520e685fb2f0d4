"""The optional cover picture of a course: an image under assets/ with required alternative text."""

from __future__ import annotations

from lms.core.packages import load_package
from lms.core.packages.schema import json_schemas
from tests.factories import EXAMPLE, copy_package, edit_file

ALT = "A city skyline above a park with trees and people walking"
COVER = f"cover:\n  image: assets/cover.svg\n  alt: {ALT}\n"


def _with_cover(tmp_path, text: str):
    package = copy_package(tmp_path / "pkg")
    edit_file(package / "course.yaml", COVER, text)
    return load_package(package)


def test_the_example_course_has_a_cover_with_its_alternative_text():
    result = load_package(EXAMPLE)
    assert not result.problems
    assert (result.package.cover.image, result.package.cover.alt) == ("assets/cover.svg", ALT)


def test_a_cover_without_alternative_text_is_refused_with_its_line(tmp_path):
    result = _with_cover(tmp_path, "cover:\n  image: assets/cover.svg\n")
    assert result.package is None
    assert [(p.file, p.line) for p in result.problems if "'alt'" in p.message] == [("course.yaml", 19)], \
        result.problems


def test_a_cover_that_is_not_in_the_package_is_refused(tmp_path):
    result = _with_cover(tmp_path, COVER.replace("cover.svg", "nowhere.png"))
    assert [p.message for p in result.problems] == [
        "the cover image assets/nowhere.png is not in the package; add the file or fix the path"]


def test_a_cover_must_be_an_image_file_under_assets(tmp_path):
    result = _with_cover(tmp_path, COVER.replace("assets/cover.svg", "assets/handout.pdf"))
    assert any("must be a PNG, JPEG, SVG or WebP file under assets/" in p.message for p in result.problems), \
        result.problems


def test_the_json_schema_describes_the_cover():
    cover = json_schemas()["course.schema.json"]["$defs"]["cover"]
    assert sorted(cover["required"]) == ["alt", "image"]
    assert "pattern" in cover["properties"]["image"]
