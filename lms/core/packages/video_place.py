"""Where a lesson's video goes in its text: a line ``<!-- video -->`` in the lesson's Markdown puts it there, with the
text above it shown above the video and the rest below; without that line the video comes after the lesson's own
``# Title`` (when the text starts with one), before the rest of its text.

An HTML comment because any other Markdown viewer (an editor's preview, GitHub) hides it, so the author's file reads
the same there. The importer renders Markdown with raw HTML off and strips comments from what it renders, so the
marker can never come out of a lesson's own text: the importer puts it back between the two rendered parts, and the
lesson page splits the stored HTML there (``lesson_parts``), whatever language the text is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lms.core.packages.model import Problem
from lms.core.packages.render import MarkdownRenderer

VIDEO_MARKER = "<!-- video -->"
# The marker on a line of its own (as a Markdown block may be indented, up to three spaces), spaces and case loose.
_MARKER_LINE = re.compile(r" {0,3}<!--\s*video\s*-->\s*", re.IGNORECASE)
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def marker_lines(body: str) -> list[int]:
    """The 0-based lines of ``body`` that are the video marker, leaving out fenced code (where a lesson may show the
    marker to its readers)."""
    found: list[int] = []
    fence = ""
    for number, line in enumerate(body.split("\n")):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) \
                    and not line[opening.end():].strip():
                fence = ""
        elif opening:
            fence = opening.group(1)
        elif _MARKER_LINE.fullmatch(line):
            found.append(number)
    return found


def render_lesson_body(renderer: MarkdownRenderer, body: str, *, file: str, line: int, has_video: bool,
                       problems: list[Problem]) -> str:
    """The lesson's HTML (``body`` starts at the file's ``line``); with the marker, the part above and the part
    below rendered each on its own and joined by VIDEO_MARKER. A marker in a lesson without a video, or a second
    one, is reported where it is."""
    markers = marker_lines(body)
    for number in markers[1:]:
        problems.append(Problem(file, line + number, f"the video's place ({VIDEO_MARKER}) is marked twice (first at "
                                                     f"line {line + markers[0]}); a lesson has one video: remove "
                                                     "one of the lines"))
    if markers and not has_video:
        problems.append(Problem(file, line + markers[0], f"{VIDEO_MARKER} marks where the lesson's video goes, but "
                                                         "the lesson has no video ('video' in its front matter); "
                                                         "remove the line or add the video"))
    if len(markers) != 1 or not has_video:
        return renderer.block(body, file=file, line=line, problems=problems)
    lines = body.split("\n")
    split = markers[0]
    above = renderer.block("\n".join(lines[:split]), file=file, line=line, problems=problems)
    below = renderer.block("\n".join(lines[split + 1:]), file=file, line=line + split + 1, problems=problems)
    return above + VIDEO_MARKER + below


@dataclass(frozen=True)
class LessonParts:
    """A lesson's HTML as its page lays it out around the video."""

    has_title: bool  # the text opens with its own h1, so the page adds none
    above: str  # shown above the video ("" when there is none)
    below: str


def lesson_parts(html: str) -> LessonParts:
    above, marker, below = html.partition(VIDEO_MARKER)
    if marker:
        return LessonParts(above.lstrip().startswith("<h1") or (not above.strip() and
                                                                below.lstrip().startswith("<h1")), above, below)
    if html.lstrip().startswith("<h1"):
        title, closing, rest = html.partition("</h1>")
        return LessonParts(True, title + closing, rest)
    return LessonParts(False, "", html)
