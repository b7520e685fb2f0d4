"""Check a parsed YAML document against a Spec: required keys, types, unknown keys, enums, formats and bounds.

The result is a Record: the values that passed (converted, defaults filled in) with the line of each, so the package
level checks (cross-references, duplicates) can point at the right line too. A value that fails is left out of the
record and reported; nothing is ever guessed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from lms.core.packages.fields import ID, Field, Kind, Spec
from lms.core.packages.model import Problem
from lms.core.packages.yamlio import UNUSABLE, Node


@dataclass
class Record:
    """A checked mapping. ``values`` holds only valid values (lists of nested Records for lists of mappings)."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # for lists of scalars, aligned with the values
    html: dict[str, str] = field(default_factory=dict)  # rendered Markdown fields, filled in by the loader

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.values

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def located_items(self, name: str) -> list[tuple[Any, int]]:
        """The items of a list of scalars, each with its line."""
        values = self.values.get(name) or []
        lines = self.item_lines.get(name) or [self.line_of(name)] * len(values)
        return list(zip(values, lines, strict=True))


_INVALID = object()
ID_PATTERN = ID.pattern or ""

_KIND_PHRASES = {
    Kind.TEXT: "text",
    Kind.MARKDOWN: "text (Markdown)",
    Kind.INTEGER: "a whole number",
    Kind.NUMBER: "a number",
    Kind.BOOLEAN: "true or false",
    Kind.LIST: "a list",
    Kind.OBJECT: "a mapping of keys to values",
    Kind.MAP: "a mapping of ids to values",
}


def check_document(node: Node | None, spec: Spec, file: str, problems: list[Problem], *, line: int = 1) -> Record:
    """Check a whole file (or front matter). An empty document is reported and gives an empty record."""
    if node is None:
        groups = {group[0]: " or ".join(group) for group in spec.one_of_required}  # where the first key is
        needed = [f.name if f.required else groups[f.name] for f in spec.fields if f.required or f.name in groups]
        problems.append(Problem(file, line, f"{spec.noun} is empty; it needs at least {', '.join(needed)}"))
        return Record(line)
    if node.value is UNUSABLE:
        return Record(node.line)
    record = _Checker(file, problems).mapping(node, spec, spec.noun)
    return record if record is not None else Record(node.line)


class _Checker:
    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def _report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def mapping(self, node: Node, spec: Spec, subject: str) -> Record | None:
        if node.value is UNUSABLE:
            return None
        if not isinstance(node.value, dict):
            self._report(node.where, f"{subject} must be {_KIND_PHRASES[Kind.OBJECT]}, not {_describe(node)}")
            return None
        entries: dict[str, Node] = node.value
        record = Record(node.line)
        case = self._variant_case(entries, spec)
        fields = spec.fields_for(case)
        known = {f.name for f in fields}
        # With an unknown or missing type every type's keys are allowed: the type is reported, not each key.
        allowed = known if case is not None or spec.variants is None else set(spec.all_names())
        for key, value_node in entries.items():
            if key not in allowed:
                self._report(value_node.key_line, self._unknown_key_message(key, spec, case, sorted(known)))
        for group in spec.one_of_required:
            if not any(name in entries for name in group):
                others = _join([f"'{name}'" for name in group[1:]], "or")
                self._report(node.line, f"{spec.noun} is missing required key '{group[0]}' (or {others})")
        for f in fields:
            value_node = entries.get(f.name)
            if value_node is not None and f.names_choices and (message := _positions_message(value_node, entries)):
                record.lines[f.name] = value_node.where
                self._report(value_node.where, message)
                continue
            if value_node is None:
                if f.required:
                    self._report(node.line, f"{spec.noun} is missing required key '{f.name}'")
                elif f.default is not None:
                    record.values[f.name] = list(f.default) if isinstance(f.default, tuple) else f.default
                continue
            record.lines[f.name] = value_node.where
            value = self.value(value_node, f, f"'{f.name}'", record)
            if value is not _INVALID:
                record.values[f.name] = value
        return record

    def _variant_case(self, entries: dict[str, Node], spec: Spec) -> str | None:
        if spec.variants is None:
            return None
        node = entries.get(spec.variants.discriminator)
        if node is not None and isinstance(node.value, str) and node.value in spec.variants.cases:
            return node.value
        return None

    def _unknown_key_message(self, key: str, spec: Spec, case: str | None, known: list[str]) -> str:
        if key in spec.structure_keys:
            return (f"'{key}' is not translated: a translation holds only texts, and the source gives '{key}'; "
                    "remove it")
        misplaced = dict(spec.elsewhere).get(key)
        if misplaced:
            return f"'{key}' does not belong in {spec.noun}: {misplaced}"
        if spec.variants is not None and case is not None:
            owners = spec.variants.owners(key)
            if owners:
                return (f"'{key}' is not used by {case} {spec.noun}s (it belongs to "
                        f"{_join(owners, 'and')} {spec.noun}s); remove it")
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if close:
            return f"unknown key '{key}' in {spec.noun}; did you mean '{close[0]}'?"
        return f"unknown key '{key}' in {spec.noun}; the keys are: {', '.join(known)}"

    def value(self, node: Node, f: Field, subject: str, record: Record | None) -> Any:
        value = node.value
        if value is UNUSABLE:
            return _INVALID
        if value is None:
            advice = "give it one (it is required)" if f.required else "give it one or remove the key"
            self._report(node.where, f"{subject} has no value; {advice}")
            return _INVALID
        if f.kind is Kind.OBJECT:
            assert f.spec is not None
            checked = self.mapping(node, f.spec, subject)
            return _INVALID if checked is None else checked
        if f.kind is Kind.LIST:
            return self._list(node, f, subject, record)
        if f.kind is Kind.MAP:
            return self._map(node, f, subject)
        if not _has_kind(value, f.kind):
            self._report(node.where, self._wrong_kind_message(node, f, subject))
            return _INVALID
        if isinstance(value, str):
            return self._text(node, f, subject)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self._number(node, f, subject)
        return value

    def _wrong_kind_message(self, node: Node, f: Field, subject: str) -> str:
        value = node.value
        scalar = not isinstance(value, list | dict)
        if f.kind is Kind.BOOLEAN and isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
            word = "true" if value.lower() in ("yes", "y", "on") else "false"
            return f"{subject} must be true or false, not the text '{_shorten(value)}'; write {word}"
        if f.kind in (Kind.INTEGER, Kind.NUMBER) and isinstance(value, str):
            if re.fullmatch(r"[-+]?[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9]*)?", value.strip()):
                return (f"{subject} must be {_KIND_PHRASES[f.kind]}, not the text '{_shorten(value)}': a time such "
                        "as 1:30 is not a number; write it in one unit (90 for 1 hour 30 minutes)")
            if re.fullmatch(r"[-+]?[0-9]+,[0-9]+", value.strip()):
                return (f"{subject} must be {_KIND_PHRASES[f.kind]}, not the text '{_shorten(value)}'; write "
                        f"decimals with a point: {value.strip().replace(',', '.')} (learners may type a decimal "
                        "comma in their answers, package files may not)")
        if f.kind in (Kind.TEXT, Kind.MARKDOWN) and scalar:
            # YAML read the text as a number, a date or true/false ("version: 1.0", "id: 2023", "title: yes").
            if f.format is not None and not f.format.matches(node.source):
                return f"{subject} must be {f.format.phrase}, not '{_shorten(node.source)}'"
            return f'{subject} must be text; put the value in quotes: "{_shorten(node.source)}"'
        return f"{subject} must be {_KIND_PHRASES[f.kind]}, not {_describe(node)}"

    def _list(self, node: Node, f: Field, subject: str, record: Record | None) -> Any:
        if not isinstance(node.value, list):
            self._report(node.where, f"{subject} must be {_KIND_PHRASES[Kind.LIST]}, not {_describe(node)}")
            return _INVALID
        if len(node.value) < f.min_items:
            count = "one" if f.min_items == 1 else str(f.min_items)
            plural = "" if f.min_items == 1 else "s"
            self._report(node.where, f"{subject} must list at least {count} {f.item_noun}{plural}")
        values: list[Any] = []
        lines: list[int] = []
        for index, item in enumerate(node.value):
            item_subject = f"{f.item_noun} {index + 1} of {subject}"
            if isinstance(f.items, Spec):
                checked = self.mapping(item, f.items, item_subject)
                if checked is not None:
                    values.append(checked)
                    lines.append(item.line)
                continue
            assert f.items is not None
            value = self.value(item, f.items, item_subject, None)
            if value is not _INVALID:
                values.append(value)
                lines.append(item.line)
        if record is not None:
            record.item_lines[f.name] = lines
        return values

    def _map(self, node: Node, f: Field, subject: str) -> Any:
        """A mapping from ids to records: {id: Record}; each record's ``line`` is its key's line."""
        if not isinstance(node.value, dict):
            self._report(node.where, f"{subject} must be {_KIND_PHRASES[Kind.MAP]}, not {_describe(node)}")
            return _INVALID
        assert f.spec is not None
        values: dict[str, Record] = {}
        for key, item in node.value.items():
            if not re.fullmatch(ID_PATTERN, key):
                self._report(item.key_line, f"'{_shorten(key)}' in {subject} must be an id: {ID.phrase}")
                continue
            checked = self.mapping(item, f.spec, f"'{key}' of {subject}")
            if checked is not None:
                checked.line = item.key_line
                values[key] = checked
        return values

    def _text(self, node: Node, f: Field, subject: str) -> Any:
        value: str = node.value
        if f.non_empty and not value.strip():
            self._report(node.where, f"{subject} must not be empty")
            return _INVALID
        if f.enum and value not in f.enum:
            close = difflib.get_close_matches(value, f.enum, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self._report(node.where, f"{subject} must be {_join(f.enum, 'or')}, not '{_shorten(value)}'{hint}")
            return _INVALID
        form = f.format
        if form is not None:
            try:
                if not form.matches(value):
                    raise ValueError(value)
                value = form.parse(value) if form.parse else value
            except ValueError:
                suggestion = form.suggest(node.value) if form.suggest else None
                hint = f"; did you mean '{suggestion}'?" if suggestion else ""
                self._report(node.where, f"{subject} must be {form.phrase}, not '{_shorten(node.value)}'{hint}")
                return _INVALID
        if f.max_length is not None and isinstance(value, str) and len(value) > f.max_length:
            self._report(node.where, f"{subject} must be at most {f.max_length} characters long, not {len(value)}")
            return _INVALID
        return value

    def _number(self, node: Node, f: Field, subject: str) -> Any:
        value = node.value
        low, high, above = f.minimum, f.maximum, f.exclusive_minimum
        if low is not None and high is not None and not low <= value <= high:
            message = f"between {_number(low)} and {_number(high)}"
        elif above is not None and not value > above:
            message = f"greater than {_number(above)}"
        elif low is not None and not value >= low:
            message = f"at least {_number(low)}"
        elif high is not None and not value <= high:
            message = f"at most {_number(high)}"
        else:
            return float(value) if f.kind is Kind.NUMBER else value
        self._report(node.where, f"{subject} must be {message}, not {_number(value)}")
        return _INVALID


_YAML11_BOOLEANS = frozenset({"yes", "no", "y", "n", "on", "off"})  # booleans in YAML 1.1, text in YAML 1.2


def _positions_message(node: Node, entries: dict[str, Node]) -> str | None:
    """When a choice question's ``answer`` is written as positions (``answer: [0, 3]``, ``answer: 4``): say that it
    takes choice ids, list them, and name the choices the numbers would be, if they are valid positions."""
    items = node.value if isinstance(node.value, list) else [node]
    positions = [item.value for item in items if isinstance(item.value, int) and not isinstance(item.value, bool)]
    if not positions:
        return None
    choices = entries.get("choices")
    ids = [choice.value["id"].value for choice in (choices.value if choices and isinstance(choices.value, list)
                                                   else [])
           if isinstance(choice.value, dict) and "id" in choice.value and isinstance(choice.value["id"].value, str)]
    message = ("'answer' lists choice ids, not positions" if isinstance(node.value, list) else
               "'answer' names a choice id, not a position")
    if not ids:
        return f"{message}; give each choice an id and name the correct ones"
    message += f"; the ids are: {', '.join(ids)}"
    start = 0 if 0 in positions else 1
    if len(positions) == len(items) and all(start <= p < len(ids) + start for p in positions):
        named = [ids[p - start] for p in positions]
        written = named[0] if not isinstance(node.value, list) else f"[{', '.join(named)}]"
        counting = "counting from 0" if start == 0 else "counting from 1"
        message += f" (as positions {counting}, {_shorten(node.source or str(positions))} would be: answer: {written})"
    return message


def _has_kind(value: Any, kind: Kind) -> bool:
    if kind in (Kind.TEXT, Kind.MARKDOWN):
        return isinstance(value, str)
    if kind is Kind.BOOLEAN:
        return isinstance(value, bool)
    if kind is Kind.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is Kind.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    raise AssertionError(kind)  # lists and mappings are checked before


def _describe(node: Node) -> str:
    value = node.value
    if isinstance(value, bool):
        return node.source or str(value).lower()
    if isinstance(value, int | float):
        return f"the number {node.source or _number(value)}"
    if isinstance(value, str):
        return f"text ('{_shorten(value)}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else str(value)


def _shorten(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join(words: tuple[str, ...] | list[str], last: str) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"
