"""A package as read: each manifest checked on its own, before the package-wide checks and before building the model.

Records hold only values that passed their file's checks, so the package-wide checks (crosscheck.py) and the renderer
work on whatever is valid and every problem is found in one pass; the model (build.py) is built only when none is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lms.core.packages.validate import Record


@dataclass
class ParsedLesson:
    path: str  # e.g. "module-1/01-intro.md"
    front: Record | None  # None when the front matter is missing or unreadable (already reported)
    body: str  # the Markdown after the front matter
    body_line: int  # the file's line number of the body's first line
    html: str = ""
    video: Any = None  # model.Video, read after the package-wide checks (video.py)


@dataclass
class ParsedModule:
    folder: str
    listed_at: int  # line in course.yaml
    record: Record
    lessons: list[ParsedLesson] = field(default_factory=list)
    quiz: Record | None = None

    @property
    def manifest(self) -> str:
        return f"{self.folder}/module.yaml"

    @property
    def quiz_path(self) -> str:
        return f"{self.folder}/quiz.yaml"


@dataclass
class ParsedPackage:
    course: Record
    modules: list[ParsedModule]
    # False when course.yaml's module list or a listed module could not be read: checks that need to know every
    # module (is this id a module's?) are skipped rather than report what is only a consequence.
    all_modules_read: bool = True
    languages: tuple[str, ...] = ()  # source first; empty when course.yaml declares none (reported)
    # Translation files found beside their sources (translations.TranslationName), read after the sources.
    translation_names: list = field(default_factory=list)
