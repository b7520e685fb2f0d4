"""JSON Schemas (draft 2020-12) of the manifests, generated from the same field specs the validator walks.

Editors use them to complete and check course.yaml, module.yaml, quiz.yaml and lesson front matter as authors type
(``flask lms schema DIR`` writes them). What a schema cannot say (ids unique across files, exactly one correct choice,
dates in order) is checked only by the loader.
"""

from __future__ import annotations

from typing import Any

from lms.core.packages.fields import ID, Field, Kind, Spec
from lms.core.packages.spec import DOCUMENTS

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schemas() -> dict[str, dict[str, Any]]:
    """{"course.schema.json": {...}, "module.schema.json": ..., "quiz.schema.json": ...,
    "lesson-front-matter.schema.json": ...}"""
    return {file_name: _document(spec) for file_name, spec in DOCUMENTS.items()}


def _document(spec: Spec) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    schema: dict[str, Any] = {"$schema": DRAFT, "title": spec.title, **_object(spec, definitions)}
    if definitions:
        schema["$defs"] = dict(sorted(definitions.items()))
    return schema


def _object(spec: Spec, definitions: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "description": spec.description,
        "type": "object",
        "properties": {f.name: _field(f, definitions) for f in spec.fields},
    }
    required = [f.name for f in spec.fields if f.required]
    if required:
        schema["required"] = required
    if spec.one_of_required:
        schema["allOf"] = [{"anyOf": [{"required": [name]} for name in group]} for group in spec.one_of_required]
    if spec.variants is None:
        schema["additionalProperties"] = False
        return schema
    # Keys that depend on the type: each case adds its own; unevaluatedProperties then refuses the keys of other
    # types, like the validator's "'answer' is not used by short_answer questions".
    key = spec.variants.discriminator
    schema["allOf"] = [
        {
            "if": {"properties": {key: {"const": case}}, "required": [key]},
            "then": {
                "properties": {f.name: _field(f, definitions) for f in fields},
                **({"required": names} if (names := [f.name for f in fields if f.required]) else {}),
            },
        }
        for case, fields in spec.variants.cases.items()
    ]
    schema["unevaluatedProperties"] = False
    return schema


def _reference(spec: Spec, definitions: dict[str, Any]) -> dict[str, Any]:
    if spec.name not in definitions:
        definitions[spec.name] = {}  # reserve the name first: a spec may appear inside itself some day
        definitions[spec.name] = _object(spec, definitions)
    return {"$ref": f"#/$defs/{spec.name}"}


def _field(f: Field, definitions: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": f.description}
    if f.kind in (Kind.TEXT, Kind.MARKDOWN):
        schema["type"] = "string"
        if f.enum:
            schema["enum"] = list(f.enum)
        else:
            if f.format is not None and f.format.pattern:
                schema["pattern"] = f"^{f.format.pattern}$"
            elif f.non_empty:
                schema["pattern"] = r"\S"  # a format without a shape of its own (one-line text) still needs text
            if f.format is not None and f.format.json_format:
                schema["format"] = f.format.json_format
        if f.max_length is not None:
            schema["maxLength"] = f.max_length
    elif f.kind in (Kind.INTEGER, Kind.NUMBER):
        schema["type"] = "integer" if f.kind is Kind.INTEGER else "number"
        for keyword, value in (("minimum", f.minimum), ("exclusiveMinimum", f.exclusive_minimum),
                               ("maximum", f.maximum)):
            if value is not None:
                schema[keyword] = value
    elif f.kind is Kind.BOOLEAN:
        schema["type"] = "boolean"
    elif f.kind is Kind.LIST:
        assert f.items is not None
        schema["type"] = "array"
        schema["items"] = _reference(f.items, definitions) if isinstance(f.items, Spec) else \
            _field(f.items, definitions)
        if f.min_items:
            schema["minItems"] = f.min_items
    elif f.kind is Kind.MAP:
        assert f.spec is not None
        schema["type"] = "object"
        schema["propertyNames"] = {"pattern": f"^{ID.pattern}$"}
        schema["additionalProperties"] = _reference(f.spec, definitions)
    else:
        assert f.spec is not None
        return {**_reference(f.spec, definitions), "description": f.description}
    if f.default is not None:
        schema["default"] = list(f.default) if isinstance(f.default, tuple) else f.default
    return schema
