"""Structural checks of the generated JSON Schemas that need no JSON Schema library."""

from __future__ import annotations

from typing import Any

from lms.core.packages import json_schemas
from lms.core.packages.spec import COURSE, DOCUMENTS, QUESTION


def walk(schema: Any):
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from walk(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from walk(item)


def test_every_reference_resolves_and_every_required_key_is_a_property():
    for name, schema in json_schemas().items():
        definitions = schema.get("$defs", {})
        for part in walk(schema):
            if "$ref" in part:
                assert part["$ref"].removeprefix("#/$defs/") in definitions, (name, part["$ref"])
            if part.get("type") == "object" and "properties" in part:
                assert set(part.get("required", [])) <= set(part["properties"]), name


def test_schemas_are_generated_from_the_field_specs():
    schemas = json_schemas()
    for name, spec in DOCUMENTS.items():
        assert list(schemas[name]["properties"]) == [f.name for f in spec.fields]
    course = schemas["course.schema.json"]
    assert course["required"] == [f.name for f in COURSE.fields if f.required]
    assert course["properties"]["enrolment"]["default"] == "open"
    question = schemas["quiz.schema.json"]["$defs"]["question"]
    assert [branch["if"]["properties"]["type"]["const"] for branch in question["allOf"]] == \
        list(QUESTION.variants.cases)
    assert question["unevaluatedProperties"] is False
