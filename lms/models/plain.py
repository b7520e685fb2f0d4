"""Plain, read-only values of the rows the hot pages read (a course, its version, a learner's enrolment and cohort).

Loading an ORM entity costs about twice the Python of reading its columns (identity map, instance state, events);
pages that only read take these frozen values from a Core select of the same columns. They carry the model's
attribute names, so the rules and templates read either. Use cases that change a row load its entity instead
(lms.services.course_context.study_context_to_edit), or write with an explicit UPDATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields, replace
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Column

from lms.models.base import Base
from lms.models.course import VersionFacts


@dataclass(frozen=True)
class CourseRow:
    id: int
    slug: str


@dataclass(frozen=True)
class VersionRow(VersionFacts):
    """A course version without its change summary (the version history's, not a page's)."""

    id: int
    course_id: int
    version: str
    version_major: int
    version_minor: int
    version_patch: int
    content_hash: str
    status: str
    is_current: bool
    title: str
    summary: str
    language: str
    languages: str
    estimated_hours: float
    enrolment_mode: str
    manifest: dict[str, Any]
    imported_at: datetime
    published_at: datetime | None


@dataclass(frozen=True)
class CohortRow:
    """What a cohort's window needs (lms.services.cohorts.cohort_times), and its name."""

    id: int
    course_id: int
    name: str
    timezone: str
    applications_open_at: datetime | None
    application_deadline_at: datetime | None
    starts_on: date
    ends_on: date
    enrolment_mode: str
    allow_late_attempts: bool


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    user_id: int
    course_id: int
    status: str
    enrolled_at: datetime
    last_lesson_key: str | None
    last_activity_at: datetime | None
    completed_at: datetime | None
    cohort_id: int | None
    progress_percent: int
    language: str | None
    studied_language: str | None
    cohort: CohortRow | None = None  # read with the enrolment, as Enrolment.cohort is where a page loads it


@dataclass(frozen=True)
class PostRow:
    """A discussion post as a page shows it (the reader's own answer to a lesson's reflection question): what the
    discussion rules (lms.services.discussions.post_view) and the post's template read."""

    id: int
    thread_id: int
    parent_id: int | None
    is_opening: bool
    author_id: int | None
    body: str
    html: str
    language: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden_at: datetime | None
    hidden_reason: str
    review_state: str
    review_reason: str


def with_cohort(enrolment: EnrolmentRow | None, cohort: CohortRow | None) -> EnrolmentRow | None:
    """The enrolment holding the cohort read with it (its window is checked on the same page)."""
    return replace(enrolment, cohort=cohort) if enrolment is not None and cohort is not None else enrolment


def plain_columns(value_type: type, model: type[Base]) -> list[Column[Any]]:
    """The model's table columns a value of ``value_type`` holds, in the order of its fields: what a Core select of
    them returns is what ``plain_values`` builds the value from."""
    table = model.__table__
    return [table.c[name] for name in plain_fields(value_type)]


def plain_values(row: Sequence[Any], *value_types: type) -> list[Any]:
    """One value of each type from consecutive columns of ``row`` (a select of their plain_columns, in that order);
    None for a part whose first column (its id) is NULL: an outer join found no row."""
    values, start = [], 0
    for value_type in value_types:
        width = len(plain_fields(value_type))
        values.append(None if row[start] is None else value_type(*row[start:start + width]))
        start += width
    return values


@cache
def plain_fields(value_type: type) -> tuple[str, ...]:
    """The names of the columns a value of ``value_type`` holds, in the order plain_values reads them (for a select of
    an aliased model's columns, which plain_columns' table columns cannot name): all its fields but those with a
    default (EnrolmentRow.cohort, filled from its own row)."""
    return tuple(field.name for field in fields(value_type) if field.default is MISSING)
