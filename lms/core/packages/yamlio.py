"""YAML that remembers where everything is, and refuses anything but plain data, read with YAML 1.2 semantics.

PyYAML's composer gives nodes with positions; we convert them ourselves instead of letting a constructor build Python
objects, so that every key and value keeps its line, only the plain YAML types exist (a ``!!python/object`` tag is a
problem, not an object), aliases are refused before anything can expand (no billion laughs), and nesting depth is
bounded (the composer is recursive).

Plain scalars are resolved by YAML 1.2's core schema, which is what editors' YAML language servers (and the JSON
Schemas we write for them) use, not PyYAML's YAML 1.1 defaults: ``1:30`` is the text '1:30', not the sexagesimal 90;
``yes``, ``no``, ``on`` and ``off`` are text, not booleans; ``0o17`` is octal and ``017`` is seventeen; ``1_000`` is
text; dates stay text (the field decides whether it is a date). We keep PyYAML (with libyaml's fast parser) and only
replace its resolver, rather than move to ruamel.yaml, because the composer below already gives us positions, refused
aliases and a depth bound on PyYAML's node API, and a resolver is a small table that is easy to check against the
spec (YAML 1.2.2, section 10.3.2). ``parse_yaml`` is the one function every package file's YAML goes through.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.resolver import BaseResolver

try:  # libyaml's scanner and parser, about ten times faster; our composer runs on its events either way
    from yaml.cyaml import CParser as _Parser

    _ERROR_POSITION_IN_BYTES = True  # libyaml reports a reader error's position in UTF-8 bytes, PyYAML in characters
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser as _PythonParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PythonParser):  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            _PythonParser.__init__(self)

    _ERROR_POSITION_IN_BYTES = False

from lms.core.packages.model import Problem
from lms.core.packages.yamlerrors import describe_syntax_error

MAX_DEPTH = 50  # manifests nest four levels deep; anything far deeper is an attack on the recursive composer

_TAG = "tag:yaml.org,2002:"
# Scalars whose text we keep as written: timestamps stay text (the field decides whether it is a date, and how
# strictly), and "<<" / "=" are only keys nobody declared.
_TEXT_TAGS = frozenset({_TAG + "str", _TAG + "timestamp", _TAG + "merge", _TAG + "value"})
_CONVERTED_TAGS = frozenset({_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"})
_SCALAR_NAMES: dict[str, str] = {_TAG + "int": "whole number (at most 4,300 digits)", _TAG + "float": "number",
                 _TAG + "bool": "true/false value"}




class Yaml12CoreResolver(BaseResolver):
    """Plain scalars resolved by the YAML 1.2 core schema; everything else is text ('str')."""


_CORE_SCHEMA = (
    (_TAG + "bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    (_TAG + "int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (_TAG + "float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
                     r"|\.(?:nan|NaN|NAN)", "-+.0123456789"),
    (_TAG + "null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
)
for _tag, _pattern, _first in _CORE_SCHEMA:
    Yaml12CoreResolver.add_implicit_resolver(_tag, re.compile(rf"^(?:{_pattern})$"), list(_first))
_CORE_PATTERNS = {tag: re.compile(pattern) for tag, pattern, _first in _CORE_SCHEMA}


def core_scalar(tag: str, text: str) -> Any:
    """The value of a scalar tagged int, float, bool or null (implicitly, or explicitly with ``!!int``), by the YAML
    1.2 core schema; ValueError when the text is not one (``!!int 1:30``)."""
    if tag == _TAG + "null":
        if text not in ("", "~", "null", "Null", "NULL"):
            raise ValueError(text)
        return None
    if tag == _TAG + "bool":
        if text not in ("true", "True", "TRUE", "false", "False", "FALSE"):
            raise ValueError(text)
        return text.lower() == "true"
    if tag == _TAG + "int":
        if _CORE_PATTERNS[tag].fullmatch(text) is None:
            raise ValueError(text)
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)  # ValueError beyond Python's 4,300 digits
    if _CORE_PATTERNS[_TAG + "float"].fullmatch(text) is None and _CORE_PATTERNS[_TAG + "int"].fullmatch(text) is None:
        raise ValueError(text)
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float(lowered.replace(".inf", "inf"))
    if lowered == ".nan":
        return math.nan
    return float(int(text, 0) if text.startswith(("0o", "0x")) else text)


class _Unusable:
    def __repr__(self) -> str:
        return "UNUSABLE"


# The value of a node that was refused (a forbidden tag, an unreadable number): already reported, so checks skip it.
UNUSABLE: Any = _Unusable()


@dataclass(slots=True)
class Node:
    """A YAML value and the 1-based line it starts on. ``value`` is str, int, float, bool, None, list[Node],
    dict[str, Node] or UNUSABLE; a mapping's values also know the line of their key, and scalars keep their text as
    written, for messages ("not the number 1.0")."""

    value: Any
    line: int
    key_line: int = 0
    source: str = ""

    @property
    def where(self) -> int:
        """The line to point at for this value: its key's line when it has a key (a block value starts below)."""
        return self.key_line or self.line


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Composer(Composer, _Parser, Yaml12CoreResolver):
    """PyYAML's composer (nodes with positions, plain tags resolved by YAML 1.2's core schema) over the parser's events,
    refusing aliases and deep nesting as it goes. Nothing here constructs Python objects."""

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        Composer.__init__(self)
        Yaml12CoreResolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            message = f"YAML aliases (*{event.anchor}) are not allowed; write the value out"
            raise _Refused(event.start_mark.line, message)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(self.peek_event().start_mark.line, f"values are nested more than {MAX_DEPTH} deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(text: str, file: str, line_offset: int = 0) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document. ``line_offset`` is added to every line (front matter starts below line 1).
    Returns (None, []) for an empty document and (None, problems) when it cannot be read."""
    loader = None
    try:
        loader = _Composer(text)  # the reader refuses unprintable characters here already
        root = loader.get_single_node()
    except _Refused as refused:
        return None, [Problem(file, refused.line + 1 + line_offset, refused.message)]
    except yaml.MarkedYAMLError as error:
        line, message = describe_syntax_error(error, text).numbered(line_offset)
        return None, [Problem(file, line, f"YAML syntax error: {message}")]
    except yaml.reader.ReaderError as error:
        before = text.encode("utf-8")[: error.position].decode("utf-8", "ignore") if _ERROR_POSITION_IN_BYTES \
            else text[: error.position]
        line = before.count("\n") + 1 + line_offset
        return None, [Problem(file, line, f"YAML syntax error: character #x{error.character:04x} is not allowed")]
    except (yaml.YAMLError, UnicodeEncodeError) as error:  # lone surrogates cannot reach libyaml
        return None, [Problem(file, 1 + line_offset, f"YAML syntax error: {error}")]
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return None, []
    problems: list[Problem] = []
    return _Converter(file, line_offset, problems).convert(root), problems


class _Converter:
    def __init__(self, file: str, line_offset: int, problems: list[Problem]) -> None:
        self.file = file
        self.line_offset = line_offset
        self.problems = problems

    def _line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.line_offset

    def _refuse(self, node: yaml.Node, message: str) -> Node:
        self.problems.append(Problem(self.file, self._line(node), message))
        return Node(UNUSABLE, self._line(node))

    def convert(self, node: yaml.Node) -> Node:
        if isinstance(node, yaml.MappingNode):
            if node.tag != _TAG + "map":
                return self._refuse(node, _tag_message(node.tag))
            return Node(self._mapping(node), self._line(node))
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                return self._refuse(node, _tag_message(node.tag))
            return Node([self.convert(item) for item in node.value], self._line(node))
        if node.tag in _TEXT_TAGS:
            return Node(node.value, self._line(node), source=node.value)
        if node.tag not in _CONVERTED_TAGS:
            return self._refuse(node, _tag_message(node.tag))
        try:
            value = core_scalar(node.tag, node.value)
        except ValueError:  # "!!int abc", "!!bool maybe", an integer of 5,000 digits
            what = _SCALAR_NAMES.get(node.tag, "value")
            return self._refuse(node, f"'{_shorten(node.value)}' cannot be read as a {what}")
        if isinstance(value, float) and not math.isfinite(value):
            return self._refuse(node, f"'{_shorten(node.value)}' is not a finite number")
        return Node(value, self._line(node), source=node.value)

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Node]:
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._refuse(key_node, "keys must be plain names, not lists or mappings")
                continue
            key = key_node.value  # as written: "yes:" is the key 'yes', not True
            key_line = self._line(key_node)
            if key in result:
                first = result[key].key_line
                self.problems.append(Problem(self.file, key_line, f"duplicate key '{key}' (first at line {first})"))
                continue
            value = self.convert(value_node)
            value.key_line = key_line
            result[key] = value
        return result


def _tag_message(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    return f"the YAML tag '{_shorten(shown)}' is not allowed; use plain text, numbers, true/false, lists and mappings"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class FrontMatter:
    yaml_text: str
    yaml_line_offset: int  # lines before the YAML text: 1 (the opening ---)
    body: str
    body_line_offset: int  # lines before the Markdown body


def split_front_matter(text: str) -> FrontMatter | None:
    """The YAML between a first line ``---`` and the next line ``---`` (or ``...``); None when the text does not
    start with front matter or it is never closed."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return FrontMatter(
                yaml_text="\n".join(lines[1:index]),
                yaml_line_offset=1,
                body="\n".join(lines[index + 1:]),
                body_line_offset=index + 1,
            )
    return None
