"""Documentation an author reads in the browser: docs/course-packages.md, rendered like a lesson."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

from lms.core.packages.render import render_document
from lms.services.errors import NotFound

COURSE_PACKAGES = Path(__file__).resolve().parents[2] / "docs" / "course-packages.md"


@dataclass(frozen=True)
class Guide:
    title: str
    html: str


def course_packages_guide(path: Path = COURSE_PACKAGES) -> Guide:
    """The package format guide. Rendered once per version of the file (its modification time is in the key)."""
    try:
        modified = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise NotFound(_("The course package guide is not installed on this server; read docs/course-packages.md in "
                       "the project's repository.")) from None
    return _rendered(str(path), modified)


@lru_cache(maxsize=4)
def _rendered(path: str, modified: int) -> Guide:
    source = Path(path).read_text(encoding="utf-8")
    first = next((line for line in source.splitlines() if line.startswith("# ")), "# Guide")
    return Guide(title=first[2:].strip(), html=render_document(source, file=Path(path).name))
