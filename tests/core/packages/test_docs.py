"""docs/course-packages.md describes exactly what the validator accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.core.packages import load_package
from lms.core.packages.fields import Spec
from lms.core.packages.spec import (
    CERTIFICATE,
    CHOICE,
    COHORT,
    COHORT_SESSION,
    COMPLETION,
    COURSE,
    ISSUER,
    LESSON_FRONT_MATTER,
    MODULE,
    PERSON,
    QUESTION,
    QUIZ,
    RESOURCE,
    REVIEW,
    SESSION_TEMPLATE,
)
from lms.core.packages.translation_spec import (
    COURSE_TRANSLATION,
    LESSON_TRANSLATION_FRONT_MATTER,
    MODULE_TRANSLATION,
    QUIZ_TRANSLATION,
)
from tests.core.packages.builders import valid_files, write_folder

DOC = (Path(__file__).resolve().parents[3] / "docs" / "course-packages.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = DOC.index(f"\n## {title}\n")
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end if end != -1 else None]


def field_names(*specs: Spec) -> set[str]:
    return {name for spec in specs for name in spec.all_names()}


def table_keys(text: str) -> set[str]:
    """The first-column keys of the tables in a section: | `key` | … |."""
    return set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))


SECTIONS = {
    "`course.yaml`": (COURSE, PERSON, ISSUER, RESOURCE, SESSION_TEMPLATE, COHORT, COHORT_SESSION, COMPLETION,
                      CERTIFICATE),
    "`module.yaml`": (MODULE,),
    "Lessons": (LESSON_FRONT_MATTER,),
    "`quiz.yaml`": (QUIZ, REVIEW, QUESTION, CHOICE),
    "Translations": (COURSE_TRANSLATION, MODULE_TRANSLATION, LESSON_TRANSLATION_FRONT_MATTER, QUIZ_TRANSLATION,
                     *(f.spec or f.items for spec in (COURSE_TRANSLATION, QUIZ_TRANSLATION) for f in spec.fields
                       if isinstance(f.spec or f.items, Spec)),
                     QUIZ_TRANSLATION.lookup("questions").items.lookup("choices").items),
}


@pytest.mark.parametrize("title, specs", SECTIONS.items(), ids=SECTIONS.keys())
def test_every_field_is_documented_in_its_section(title, specs):
    text = section(title)
    missing = {name for name in field_names(*specs) if not re.search(rf"\b{name}\b", text)}
    assert missing == set()


@pytest.mark.parametrize("title, specs", SECTIONS.items(), ids=SECTIONS.keys())
def test_tables_document_no_key_the_validator_does_not_know(title, specs):
    known = field_names(*specs) | set(QUESTION.variants.cases)  # the quiz section's type table lists the types
    assert table_keys(section(title)) - known == set()


def worked_example() -> dict[str, str]:
    text = section("Worked example")
    blocks = re.findall(r"^`([\w/-]+\.(?:yaml|md))`[^\n]*\n\n```(?:yaml|markdown)\n(.*?)^```$", text,
                        flags=re.MULTILINE | re.DOTALL)
    return dict(blocks)


def test_worked_example_is_the_sample_package():
    files = valid_files()
    documented = worked_example()
    assert set(documented) == {path for path in files if not path.startswith("assets/")}
    for path, content in documented.items():
        assert content == files[path].decode("utf-8"), path


def test_worked_example_loads_without_problems(tmp_path):
    files = {path: content.encode() for path, content in worked_example().items()}
    files.update({path: data for path, data in valid_files().items() if path.startswith("assets/")})
    result = load_package(write_folder(files, tmp_path / "street-trees"))
    assert result.ok, result.problems


def test_publishing_section_is_reserved():
    assert "\n## Publishing and progress\n" in DOC
