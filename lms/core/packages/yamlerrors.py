"""YAML syntax errors said as what to do.

The parser's own words ("mapping values are not allowed in this context", "did not find expected '-' indicator")
name its state, not the author's mistake. The common mistakes are few: a value containing ': ' that is not quoted, a
line indented to no level of the lines above it, a line that is not 'key: value' (often text that goes on over two
lines), an unclosed quote or bracket. Each is recognised from the parser's message and the text around it; anything
else keeps the parser's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class SyntaxAdvice:
    line: int  # 0-based, in the parsed text
    message: str  # other lines named as {line:N} (0-based): see numbered()

    def numbered(self, line_offset: int) -> tuple[int, str]:
        """The 1-based line and the message with every line it names numbered as the author's file is."""
        def number(match: re.Match[str]) -> str:
            return str(int(match.group(1)) + 1 + line_offset)

        return self.line + 1 + line_offset, re.sub(r"\{line:(\d+)\}", number, self.message)


def describe_syntax_error(error: yaml.MarkedYAMLError, text: str) -> SyntaxAdvice:
    lines = text.split("\n")
    problem = (error.problem or "").removeprefix("but ")
    mark, context = error.problem_mark, error.context_mark
    line = mark.line if mark is not None else (context.line if context is not None else 0)
    if mark is not None and _line(lines, mark.line)[mark.column: mark.column + 1] == "\t":
        return SyntaxAdvice(line, "a tab character; indent with spaces, not tabs")
    if problem.startswith("mapping values are not allowed"):
        return SyntaxAdvice(line, _unquoted_colon_or_indent(lines, line))
    if problem.startswith(("did not find expected key", "did not find expected '-' indicator")) or (
            problem.startswith("expected <block end>")):
        return SyntaxAdvice(line, _indentation(lines, line))
    if problem.startswith("could not find expected ':'") and context is not None:
        return SyntaxAdvice(context.line, _not_a_key(lines, context.line))
    if "end of stream" in problem and error.context and "quoted scalar" in error.context and context is not None:
        quote = _line(lines, context.line)[context.column: context.column + 1] or '"'
        return SyntaxAdvice(context.line, f"the text in quotes that starts with {quote} on this line is never "
                                          f"closed; end it with {quote} (inside the text, write a {quote} as "
                                          f"{_escaped(quote)})")
    if error.context and "flow" in error.context and context is not None:
        opener = _line(lines, context.line)[context.column: context.column + 1] or "["
        closer = "]" if opener == "[" else "}"
        return SyntaxAdvice(context.line, f"the list or mapping opened with '{opener}' on this line is not closed; "
                                          f"end it with '{closer}' and separate its items with ', ' (put an item "
                                          "that contains ',' or ': ' in quotes)")
    return SyntaxAdvice(line, _parser_words(error, problem, line))


def _parser_words(error: yaml.MarkedYAMLError, problem: str, line: int) -> str:
    if not error.context:
        return problem
    context = error.context_mark
    where = "" if context is None or context.line == line else f" at line {{line:{context.line}}}"
    return f"{problem} ({error.context}{where})"


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _key(text: str) -> str | None:
    match = re.match(r"\s*(?:-\s+)?([^\s:#][^:#]*?):(?:\s|$)", text)
    return match.group(1).strip() if match else None


def _meaningful(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def _unquoted_colon_or_indent(lines: list[str], index: int) -> str:
    text = _line(lines, index)
    key = _key(text)
    if key is not None:
        value = text.split(":", 1)[1].strip() if ":" in text else ""
        if ": " in value or value.endswith(":"):
            return (f"the value of '{key}' contains ': ', which YAML reads as a new key; a value containing ': ' "
                    f"must be quoted: {key}: \"{value.replace(chr(34), chr(92) + chr(34))}\"")
    previous = next((i for i in range(index - 1, -1, -1) if _meaningful(lines[i])), None)
    if previous is not None and _indent(lines[previous]) < _indent(text):
        before = _key(lines[previous])
        named = f"'{before}'" if before else "the line"
        what = f"'{key}'" if key else "this line"
        return (f"{what} is indented more than {named} at line {{line:{previous}}}, whose value is already given "
                f"there; indent {what} like {named} ({_indent(lines[previous])} spaces), or if the text above goes on "
                "here, put it in quotes")
    return _indentation(lines, index)


def _indentation(lines: list[str], index: int) -> str:
    """The line's indentation matches no level open above it: name the levels it could take."""
    text = _line(lines, index)
    indent = _indent(text)
    levels: list[tuple[int, int]] = []  # (indent, line index), innermost first
    for i in range(index - 1, -1, -1):
        if not _meaningful(lines[i]):
            continue
        level = _indent(lines[i]) + (2 if lines[i].lstrip().startswith("- ") and _key(lines[i]) else 0)
        if not levels or level < levels[-1][0]:
            levels.append((level, i))
        if level == 0:
            break
    what = f"'{_key(text)}'" if _key(text) else ("this list item" if text.lstrip().startswith("-") else "this line")
    if not levels:
        return f"{what} is indented {_spaces(indent)}; nothing above it is indented so"
    same = next((i for level, i in levels if level == indent), None)
    if same is not None and lines[same].lstrip().startswith("- ") and not text.lstrip().startswith("-"):
        return (f"{what} is at the level of the list item at line {{line:{same}}} but is not one; start it with "
                "'- ', or indent it like the keys of the item it belongs to")
    options = ", or by ".join(f"{_spaces(level)} like {_named(lines[i])} at line {{line:{i}}}"
                              for level, i in levels[:3])
    return (f"the indentation of {what} ({_spaces(indent)}) matches no key or list above it; indent it by {options}, "
            "whichever it belongs with")


def _named(text: str) -> str:
    key = _key(text)
    if key:
        return f"'{key}'"
    return "the list item" if text.lstrip().startswith("-") else "the line"


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def _not_a_key(lines: list[str], index: int) -> str:
    text = _line(lines, index).strip()
    shown = text if len(text) <= 40 else text[:39] + "…"
    return (f"'{shown}' is not a 'key: value' line; if it goes on from the text above, put that text in quotes or "
            "write it as a block (key: | and the text indented below it); otherwise add ': ' and a value after "
            "the key")


def _escaped(quote: str) -> str:
    return "''" if quote == "'" else '\\"'
