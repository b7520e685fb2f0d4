"""JSON Schemas generated from the field specs: valid draft 2020-12, accepting the valid package's manifests and
refusing what the validator refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lms.core.packages import json_schemas
from lms.core.packages.yamlio import Node, parse_yaml, split_front_matter
from tests.core.packages.builders import valid_files

jsonschema = pytest.importorskip("jsonschema")  # a dev dependency; the structural tests below run without it

V = valid_files()
SCHEMAS = json_schemas()


def plain(node: Node) -> Any:
    """What an editor's YAML 1.2 reader gives: dates stay text."""
    if isinstance(node.value, dict):
        return {key: plain(value) for key, value in node.value.items()}
    if isinstance(node.value, list):
        return [plain(item) for item in node.value]
    return node.value


def instance(path: str) -> Any:
    text = V[path].decode()
    if path.endswith(".md"):
        text = split_front_matter(text).yaml_text
    node, problems = parse_yaml(text, path)
    assert not problems
    return plain(node)


def validator(name: str):
    return jsonschema.Draft202012Validator(SCHEMAS[name], format_checker=jsonschema.FormatChecker())


def errors(name: str, document: Any) -> list[str]:
    return sorted(error.message for error in validator(name).iter_errors(document))


def test_there_is_one_schema_per_manifest():
    assert sorted(SCHEMAS) == ["course-translation.schema.json", "course.schema.json",
                               "lesson-front-matter.schema.json", "lesson-translation-front-matter.schema.json",
                               "module-translation.schema.json", "module.schema.json", "quiz-translation.schema.json",
                               "quiz.schema.json"]


@pytest.mark.parametrize("name, path", [
    ("course-translation.schema.json", "course.es.yaml"),
    ("module-translation.schema.json", "basics/module.es.yaml"),
    ("quiz-translation.schema.json", "basics/quiz.es.yaml"),
    ("lesson-translation-front-matter.schema.json", "basics/01-welcome.es.md"),
])
def test_the_example_translations_validate_against_their_schemas(name, path):
    from tests.factories import EXAMPLE

    text = (EXAMPLE / path).read_text(encoding="utf-8")
    if path.endswith(".md"):
        text = split_front_matter(text).yaml_text
    node, problems = parse_yaml(text, path)
    assert not problems and errors(name, plain(node)) == []


def test_a_translation_schema_refuses_structure_and_a_course_needs_a_language():
    assert errors("quiz-translation.schema.json", {"title": "T", "questions": [
        {"id": "q", "prompt": "P", "choices": [{"id": "c", "text": "x", "correct": True}]}]}) == [
        "Additional properties are not allowed ('correct' was unexpected)"]
    course = instance("course.yaml")
    del course["language"]
    assert errors("course.schema.json", course) != []
    assert errors("course.schema.json", {**course, "languages": ["en", "es"]}) == []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_schema_is_valid_draft_2020_12(name):
    schema = SCHEMAS[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    json.dumps(schema)  # serialisable as the CLI writes it


@pytest.mark.parametrize("name, path", [
    ("course.schema.json", "course.yaml"),
    ("module.schema.json", "basics/module.yaml"),
    ("module.schema.json", "extras/module.yaml"),
    ("quiz.schema.json", "basics/quiz.yaml"),
    ("lesson-front-matter.schema.json", "basics/01-why-trees.md"),
    ("lesson-front-matter.schema.json", "basics/02-choosing-species.md"),
])
def test_valid_manifests_validate(name, path):
    assert errors(name, instance(path)) == []


def test_course_schema_refuses_what_the_validator_refuses():
    course = instance("course.yaml")
    assert errors("course.schema.json", {**course, "titel": "x"}) == [
        "Additional properties are not allowed ('titel' was unexpected)"]
    [version_error] = errors("course.schema.json", {**course, "version": "v1"})
    assert version_error.startswith("'v1' does not match '^(?:0|[1-9][0-9]*)")
    assert errors("course.schema.json", {**course, "enrolment": "closed"}) == [
        "'closed' is not one of ['open', 'application', 'invite']"]
    assert errors("course.schema.json", {**course, "modules": []}) == ["[] should be non-empty"]
    without_licence = {key: value for key, value in course.items() if key != "licence"}
    assert errors("course.schema.json", without_licence) == ["'licence' is a required property"]
    assert errors("course.schema.json", {**course, "title": "   "}) == ["'   ' does not match '\\\\S'"]
    assert errors("course.schema.json", {**course, "title": "T" * 301}) == [f"'{'T' * 301}' is too long"]


def test_quiz_schema_refuses_keys_of_another_question_type():
    quiz = instance("basics/quiz.yaml")
    quiz["questions"][2]["tolerance"] = 1  # a true_false question
    assert errors("quiz.schema.json", quiz) == [
        "Unevaluated properties are not allowed ('tolerance' was unexpected)"]


def test_quiz_schema_requires_the_keys_of_each_type():
    quiz = instance("basics/quiz.yaml")
    del quiz["questions"][3]["accepted_answers"]
    assert errors("quiz.schema.json", quiz) == ["'accepted_answers' is a required property"]


def test_lesson_schema_checks_numbers():
    assert errors("lesson-front-matter.schema.json", {"id": "a", "title": "A", "minutes": 0}) == [
        "0 is less than or equal to the minimum of 0"]


def test_the_loader_and_the_schemas_read_yaml_alike():
    """An editor's YAML 1.2 language server and the loader agree: a date is text that the schema's date format
    accepts, and '1:30' is text that a number field refuses in both."""
    course = instance("course.yaml")
    assert course["cohorts"][0]["starts_on"] == "2030-03-04"
    node, _ = parse_yaml(V["basics/quiz.yaml"].decode().replace("answer: 10", "answer: 1:30"), "basics/quiz.yaml")
    quiz = plain(node)
    assert quiz["questions"][4]["answer"] == "1:30"
    assert "'1:30' is not of type 'number'" in errors("quiz.schema.json", quiz)
