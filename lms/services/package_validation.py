"""Is a course package valid? The one way every service checks a package (a folder, a zip or its bytes) before it
uses it: every problem as file:line: message, and lesson links written so that one rendering works wherever the
lessons are served from."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import current_app, has_app_context

from lms.core import clock
from lms.core.i18n import counted
from lms.core.packages import Limits, LoadResult, Package, Problem, load_package
from lms.core.packages.cohort_warnings import cohort_warnings
from lms.services.errors import Invalid
from lms.services.video_lessons import video_hosts

PackageSource = str | Path | bytes


class PackageRejected(Invalid):
    """The package has problems; ``problems`` lists every one as file:line: message."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"The package has {counted(len(self.problems), 'problem')}.")


class RelativeLinks:
    """Links in lesson HTML are relative, so one rendering works wherever the lessons are served from: lessons at
    ``<base>/lessons/<lesson id>`` and assets at ``<base>/assets/<path>`` (the learner's pages and the author's
    preview both follow that shape)."""

    def lesson_url(self, lesson_id: str) -> str:
        return lesson_id

    def asset_url(self, asset_path: str) -> str:
        return "../" + asset_path


def validate(source: PackageSource, name: str | None = None) -> LoadResult:
    """``name``: the uploaded file's name, for problems with zip bytes."""
    return load_package(source, limits=package_limits(), links=RelativeLinks(), name=name, video_hosts=video_hosts())


def package_limits() -> Limits:
    """The format's limits, with the site's limit on audio and video files (LMS_PACKAGE_MAX_MEDIA_MB); the format's
    defaults without an application (tools, tests)."""
    if not has_app_context():
        return Limits()
    return Limits(max_media_bytes=current_app.config["PACKAGE_MAX_MEDIA_BYTES"])


def package_warnings(package: Package) -> list[Problem]:
    """What the package's cohorts will do to learners as of now, in words (not problems: the package is valid)."""
    return cohort_warnings(package, clock.now())


def load_valid(source: PackageSource, name: str | None = None) -> Package:
    result = validate(source, name)
    if not result.ok:
        raise PackageRejected(result.problems)
    assert result.package is not None
    return result.package
