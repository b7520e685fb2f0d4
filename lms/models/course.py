"""Courses and their immutable versions, as imported from course packages.

A course (identified by its package slug) has many versions. Each version keeps every file of its package, plus the
rows a page needs (modules and lessons with their rendered HTML), so pages never parse packages. Exactly one version
per course is current: a partial unique index says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[CourseVersion]] = relationship(back_populates="course", lazy="raise",
                                                         order_by="CourseVersion.id")


class VersionFacts:
    """What a version's columns say, for the entity (CourseVersion) and its plain value (lms.models.plain.VersionRow)
    alike."""

    version_major: int
    version_minor: int
    version_patch: int
    language: str
    languages: str

    @property
    def version_key(self) -> tuple[int, int, int]:
        return (self.version_major, self.version_minor, self.version_patch)

    @property
    def language_list(self) -> list[str]:
        """The course's languages, source first."""
        return self.languages.split() or [self.language]


class CourseVersion(VersionFacts, Base):
    __tablename__ = "course_versions"
    __table_args__ = (
        UniqueConstraint("course_id", "version"),
        CheckConstraint("status IN ('draft', 'published', 'retired')", name="status_known"),
        # At most one current version per course, whatever two publishers do at the same moment.
        Index("uq_course_versions_one_current", "course_id", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(64))
    # (major, minor, patch) for ordering: "1.10.0" is after "1.9.0".
    version_major: Mapped[int] = mapped_column(Integer)
    version_minor: Mapped[int] = mapped_column(Integer)
    version_patch: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)

    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16))  # the source language
    # The languages the package declares, source first, separated by spaces ("en es fr ko"); "" for the source only.
    languages: Mapped[str] = mapped_column(String(200), default="", server_default="")
    estimated_hours: Mapped[float] = mapped_column(Float)
    enrolment_mode: Mapped[str] = mapped_column(String(16))
    # Everything else the pages show (authors, licence, resources, sessions, rules, eligibility HTML), as JSON.
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)

    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What publishing this version changed, kept for the version page's history: {"replaced": "1.0.0" or None,
    # "lines": [...]} (lms.services.publishing._change_summary; each line a lms.core.i18n.Phrase as data, or English
    # text in rows published before lines were kept as phrases). None until it is published.
    change_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    course: Mapped[Course] = relationship(back_populates="versions", lazy="raise")
    modules: Mapped[list[VersionModule]] = relationship(back_populates="version", lazy="raise",
                                                        order_by="VersionModule.position",
                                                        cascade="all, delete-orphan")


class VersionModule(Base):
    __tablename__ = "version_modules"
    __table_args__ = (UniqueConstraint("version_id", "module_key"), UniqueConstraint("version_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    module_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    quiz_key: Mapped[str | None] = mapped_column(String(64))
    quiz_title: Mapped[str | None] = mapped_column(String(300))
    quiz_hash: Mapped[str | None] = mapped_column(String(64))

    version: Mapped[CourseVersion] = relationship(back_populates="modules", lazy="raise")
    lessons: Mapped[list[VersionLesson]] = relationship(back_populates="module", lazy="raise",
                                                        order_by="VersionLesson.position",
                                                        cascade="all, delete-orphan")


class VersionLesson(Base):
    __tablename__ = "version_lessons"
    __table_args__ = (UniqueConstraint("version_id", "lesson_key"), UniqueConstraint("module_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("version_modules.id", ondelete="CASCADE"))
    lesson_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)  # within the module
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int] = mapped_column(Integer)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    reset_progress: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)
    # The lesson's video (file or external player, poster, duration, captions and chapters with their cues), as
    # lms.services.video_lessons writes it at import; None for a lesson of text only.
    video: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    module: Mapped[VersionModule] = relationship(back_populates="lessons", lazy="raise")
    version: Mapped[CourseVersion] = relationship(lazy="raise")


class VersionFile(Base):
    """Every file of the imported package, so a version can be exported, previewed and re-read exactly. The bytes are
    in the file store (lms.storage) under ``sha256``, kept once however many versions share them."""

    __tablename__ = "version_files"
    __table_args__ = (UniqueConstraint("version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    version: Mapped[CourseVersion] = relationship(lazy="raise")


class VersionTranslation(Base):
    """One translated file of a version (course.es.yaml, a module's, a lesson's or a quiz's), with what pages show:
    its title, summary and rendered HTML. ``recorded_hash`` differs from ``current_hash`` when the translation is
    stale (lms.core.packages.translations). Quiz texts are read from the version's package, like the quiz itself."""

    __tablename__ = "version_translations"
    __table_args__ = (
        UniqueConstraint("version_id", "language", "kind", "item_key"),
        CheckConstraint("kind IN ('course', 'module', 'lesson', 'quiz')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    item_key: Mapped[str] = mapped_column(String(64), default="")  # the module, lesson or quiz id; "" for the course
    path: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")  # a lesson's body; the course's eligibility
    # The course's translated resources and live sessions (the same shape as CourseVersion.manifest's).
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recorded_hash: Mapped[str | None] = mapped_column(String(80))
    current_hash: Mapped[str] = mapped_column(String(80))

    version: Mapped[CourseVersion] = relationship(lazy="raise")

    @property
    def stale(self) -> bool:
        return self.recorded_hash != self.current_hash
