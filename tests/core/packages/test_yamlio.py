"""The YAML reader: plain data with the line of every key and value, and nothing else."""

from __future__ import annotations

import pytest

from lms.core.packages.yamlio import UNUSABLE, parse_yaml, split_front_matter


def test_values_and_keys_know_their_lines():
    node, problems = parse_yaml("# comment\nid: a\nlist:\n  - 1\n  - two\nnested:\n  key: true\n", "f.yaml")
    assert problems == []
    assert node.line == 2
    assert (node.value["id"].value, node.value["id"].line) == ("a", 2)
    items = node.value["list"]
    assert (items.key_line, items.line, items.where) == (3, 4, 3)
    assert [(item.value, item.line) for item in items.value] == [(1, 4), ("two", 5)]
    assert node.value["nested"].value["key"].value is True


def test_line_offset_is_added():
    node, _ = parse_yaml("a: 1\nb: 2\n", "lesson.md", line_offset=1)
    assert node.value["b"].line == 3


def test_dates_stay_text_and_numbers_keep_their_source():
    node, _ = parse_yaml("when: 2030-03-04\nversion: 1.0\n", "f.yaml")
    assert node.value["when"].value == "2030-03-04"
    assert (node.value["version"].value, node.value["version"].source) == (1.0, "1.0")


def test_keys_are_taken_as_written():
    node, _ = parse_yaml("yes: 1\n3: x\n", "f.yaml")
    assert list(node.value) == ["yes", "3"]


def test_empty_document_is_none_without_problems():
    assert parse_yaml("# only a comment\n", "f.yaml") == (None, [])


@pytest.mark.parametrize("text, message", [
    ("a: 1\n---\nb: 2\n", "f.yaml:2: YAML syntax error: found another document "
                          "(expected a single document in the stream at line 1)"),
    ("a: \x01\n", "f.yaml:1: YAML syntax error: character #x0001 is not allowed"),
    ("é: 1\nb: \x01\n", "f.yaml:2: YAML syntax error: character #x0001 is not allowed"),
    ("a: !!binary aGk=\n", "f.yaml:1: the YAML tag '!!binary' is not allowed; use plain text, numbers, true/false, "
                           "lists and mappings"),
    ("a: !!set {x}\n", "f.yaml:1: the YAML tag '!!set' is not allowed; use plain text, numbers, true/false, lists "
                       "and mappings"),
    ("a: !custom x\n", "f.yaml:1: the YAML tag '!custom' is not allowed; use plain text, numbers, true/false, lists "
                       "and mappings"),
    ("a: !!int abc\n", "f.yaml:1: 'abc' cannot be read as a whole number (at most 4,300 digits)"),
    ("a: !!bool maybe\n", "f.yaml:1: 'maybe' cannot be read as a true/false value"),
    ("a: .inf\n", "f.yaml:1: '.inf' is not a finite number"),
    ("? [a, b]\n: 1\n", "f.yaml:1: keys must be plain names, not lists or mappings"),
    ("a: &x [1]\nb: *x\n", "f.yaml:2: YAML aliases (*x) are not allowed; write the value out"),
])
def test_refusals_point_at_their_line(text, message):
    _, problems = parse_yaml(text, "f.yaml")
    assert [str(p) for p in problems] == [message]


def test_a_refused_value_is_marked_unusable_so_it_is_reported_once():
    node, _ = parse_yaml("a: !!binary aGk=\n", "f.yaml")
    assert node.value["a"].value is UNUSABLE


def test_front_matter_is_split_with_its_offsets():
    front = split_front_matter("---\nid: a\n---\n# Title\n")
    assert (front.yaml_text, front.yaml_line_offset, front.body, front.body_line_offset) == ("id: a", 1, "# Title\n", 3)


@pytest.mark.parametrize("text", ["# no front matter\n", "---\nid: a\n", "", "--- \n"])
def test_missing_or_unclosed_front_matter_is_none(text):
    assert split_front_matter(text) is None


@pytest.mark.parametrize("text, value", [
    ("1:30", "1:30"),  # YAML 1.1 read this as the sexagesimal 90
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"),  # YAML 1.1 booleans
    ("1_000", "1_000"),
    ("2030-03-04", "2030-03-04"),
    ("0o17", 15), ("017", 17), ("0x1F", 31), ("-12", -12),
    ("1.5", 1.5), ("1e3", 1000.0), (".5", 0.5),
    ("true", True), ("False", False), ("TRUE", True),
    ("~", None), ("null", None),
])
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text, value):
    node, problems = parse_yaml(f"key: {text}\n", "f.yaml")
    assert problems == []
    assert node.value["key"].value == value
    assert type(node.value["key"].value) is type(value)


def test_an_explicit_tag_that_the_core_schema_cannot_read_is_refused():
    node, problems = parse_yaml("a: !!int 1:30\n", "f.yaml")
    assert node.value["a"].value is UNUSABLE
    assert [str(p) for p in problems] == ["f.yaml:1: '1:30' cannot be read as a whole number (at most 4,300 digits)"]
