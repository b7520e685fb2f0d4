"""Stored course versions as they are read back: found by course and version (for the authors who may see them),
listed, parsed into their package (kept per process, as versions are immutable) and exported as a zip."""

from __future__ import annotations

import tempfile
from functools import lru_cache, partial
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select

from lms import authz
from lms.core.packages import MediaFile, Package, write_package_zip
from lms.extensions import db
from lms.models import Course, CourseVersion, User, VersionFile
from lms.services import staffing
from lms.services.errors import NotAllowed, NotFound
from lms.services.package_validation import load_valid
from lms.storage import file_store


def require_author(actor: User | None) -> None:
    # actor None is the operator at the command line, who already has the server.
    if actor is not None and not authz.can_create_course(actor):
        raise NotAllowed(_("Only instructors and administrators can manage course packages."))


def require_course_author(actor: User | None, course: Course) -> None:
    require_author(actor)
    if actor is not None and not authz.can_author_course(actor, course.id, staffing.teaching_course_ids(actor)):
        raise NotAllowed(_("You are not an instructor of '%(slug)s'. An administrator can assign you to it (on the "
                           "reports page, or with flask lms assign-instructor).", slug=course.slug))


def version_key(version: str) -> tuple[int, int, int]:
    core = version.split("+", 1)[0].split("-", 1)[0]
    major, minor, patch = (int(part) for part in core.split("."))
    return major, minor, patch


def get_course_of(version: CourseVersion) -> Course:
    return db.session.get(Course, version.course_id)


def get_version(slug: str, version: str) -> CourseVersion:
    row = db.session.execute(
        select(CourseVersion).join(Course).where(Course.slug == slug, CourseVersion.version == version)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_("Course '%(slug)s' has no version %(version)s.", slug=slug, version=version))
    return row


def version_for_author(actor: User | None, slug: str, version: str) -> CourseVersion:
    """A stored version (draft or not) for its preview, diff and export, if the actor may author its course."""
    row = get_version(slug, version)
    require_course_author(actor, get_course_of(row))
    return row


def current_version(course_id: int) -> CourseVersion | None:
    return db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course_id, CourseVersion.is_current)
    ).scalar_one_or_none()


def version_history(course_id: int) -> list[CourseVersion]:
    """The course's versions that were published, newest first, each with what publishing it changed."""
    return list(db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course_id, CourseVersion.published_at.is_not(None))
        .order_by(CourseVersion.published_at.desc(), CourseVersion.id.desc())).scalars())


def list_courses(actor: User | None) -> list[tuple[Course, list[CourseVersion]]]:
    """Courses with their versions: the ones the actor may author, or all of them for the operator at the command
    line (``actor`` None)."""
    query = select(Course).order_by(Course.slug)
    if actor is not None:
        query = query.where(staffing.staff_courses_condition(actor))
    courses = db.session.execute(query).scalars().all()
    versions = db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id.in_([course.id for course in courses]))
        .order_by(CourseVersion.id)).scalars().all()
    by_course: dict[int, list[CourseVersion]] = {}
    for version in versions:
        by_course.setdefault(version.course_id, []).append(version)
    return [(course, sorted(by_course.get(course.id, []), key=lambda v: v.version_key)) for course in courses]


def version_files(version_id: int) -> dict[str, MediaFile]:
    """The version's files as references into the file store, each read (in chunks) only when opened."""
    store = file_store()
    rows = db.session.execute(select(VersionFile.path, VersionFile.size, VersionFile.sha256)
                              .filter_by(version_id=version_id)).all()
    return {path: MediaFile(size, sha256, partial(store.open, sha256)) for path, size, sha256 in rows}


def version_package(version: CourseVersion) -> Package:
    """The parsed package of a stored version, e.g. for grading its quizzes. Versions are immutable, so it is kept per
    process; the key includes the content hash, so a version id reused after rows were deleted can't bring back
    another package. Its audio and video files are references into a temporary zip, gone once parsed: nothing reads
    them from here (pages send them from the file store)."""
    return _parsed_version(version.id, version.content_hash)


@lru_cache(maxsize=16)
def _parsed_version(version_id: int, content_hash: str) -> Package:
    slug = db.session.execute(
        select(Course.slug).join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(CourseVersion.id == version_id)
    ).scalar_one()
    # Through a zip on disk, as an upload is read: a version's 500 MB video is never held in memory, nor kept here.
    with tempfile.NamedTemporaryFile(suffix=".zip") as archive:
        write_package_zip(version_files(version_id), slug, archive)
        archive.flush()
        return load_valid(Path(archive.name))


def export_version(actor: User | None, slug: str, version: str, out: BinaryIO) -> None:
    """Write the version back to a .zip package in ``out`` (a seekable file), streamed from the file store."""
    row = version_for_author(actor, slug, version)
    write_package_zip(version_files(row.id), slug, out)
