"""YAML that remembers where everything is, and refuses anything but plain data.

PyYAML's composer gives nodes with positions; we convert them ourselves instead of letting a constructor build Python
objects, so that every key and value keeps its line, only the plain YAML types exist (a ``!!python/object`` tag is a
problem, not an object), aliases are refused before anything can expand (no billion laughs), and nesting depth is
bounded (the composer is recursive).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

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

MAX_DEPTH = 50  # manifests nest four levels deep; anything far deeper is an attack on the recursive composer

_TAG = "tag:yaml.org,2002:"
# Scalars whose text we keep as written: timestamps stay text (the field decides whether it is a date, and how
# strictly), and "<<" / "=" are only keys nobody declared.
_TEXT_TAGS = frozenset({_TAG + "str", _TAG + "timestamp", _TAG + "merge", _TAG + "value"})
_CONVERTED_TAGS = frozenset({_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"})
_SCALAR_NAMES = {_TAG + "int": "whole number (at most 4,300 digits)", _TAG + "float": "number",
                 _TAG + "bool": "true/false value"}


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


class _Composer(Composer, _Parser, Resolver):
    """PyYAML's composer (nodes with positions, plain tags resolved as the safe loader does) over the parser's events,
    refusing aliases and deep nesting as it goes. Nothing here constructs Python objects."""

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        Composer.__init__(self)
        Resolver.__init__(self)
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
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        return None, [Problem(file, line, f"YAML syntax error: {_describe_syntax_error(error, text, line_offset)}")]
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


def _describe_syntax_error(error: yaml.MarkedYAMLError, text: str, line_offset: int) -> str:
    problem = (error.problem or "").removeprefix("but ")
    mark = error.problem_mark
    if mark is not None and _character_at(text, mark.line, mark.column) == "\t":
        return "a tab character; indent with spaces, not tabs"
    if not error.context:
        return problem
    context_mark, problem_mark = error.context_mark, error.problem_mark
    same_line = context_mark is None or (problem_mark is not None and context_mark.line == problem_mark.line)
    where = "" if same_line else f" at line {context_mark.line + 1 + line_offset}"
    return f"{problem} ({error.context}{where})"


def _character_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column : column + 1] if line < len(lines) else ""


class _Converter:
    def __init__(self, file: str, line_offset: int, problems: list[Problem]) -> None:
        self.file = file
        self.line_offset = line_offset
        self.problems = problems
        self.scalars = SafeConstructor()

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
            value = self.scalars.construct_object(node)
        except (ValueError, KeyError, IndexError):  # "!!int abc", "!!bool maybe", an integer of 5,000 digits
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
