"""Report tables for CSV and JSON downloads, read lazily in chunks of ``EXPORT_CHUNK`` learners."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.models import (
    Enrolment,
    User,
)
from lms.services.errors import Invalid, NotFound
from lms.services.reports.columns import Column, as_dicts, header, plain, values
from lms.services.reports.learners import (
    LearnerFilters,
    LearnerRow,
    LearnerTable,
    filter_conditions,
    learner_columns,
    learner_rows,
    order_by,
    row_query,
)
from lms.services.reports.overview import ACTIVITY_COLUMNS, FUNNEL_COLUMNS, overview
from lms.services.reports.participation import COHORT_ACTIVITY_COLUMNS
from lms.services.reports.places import place_columns, places
from lms.services.reports.quiz import quiz_analytics
from lms.services.reports.scope import ReportScope, report_scope

EXPORT_CHUNK = 500


@dataclass(frozen=True)
class ExportTable:
    """A report table: its file name, its header and its rows (an iterator: read lazily, in chunks)."""

    name: str
    header: list[str]
    rows: Iterator[list]


@dataclass(frozen=True)
class _Request:
    actor: User | None
    slug: str
    filters: LearnerFilters
    sort: str
    quiz_key: str | None


def _learners(request: _Request) -> ExportTable:
    scope = report_scope(request.actor, request.slug, request.filters.cohort_id)
    order_by(request.sort)  # an unknown sort is refused now, not in the middle of the download
    filter_conditions(scope, request.filters)
    columns = learner_columns(scope.quizzes, multilingual=len(scope.version.language_list) > 1)
    return ExportTable(f"{request.slug}-learners", header(columns),
                       (values(columns, row) for row in _learner_export_rows(scope, request.filters, request.sort)))


def _funnel(request: _Request) -> ExportTable:
    report = overview(request.actor, request.slug, request.filters.cohort_id)
    return _table(f"{request.slug}-funnel", FUNNEL_COLUMNS, report.funnel)


def _activity(request: _Request) -> ExportTable:
    report = overview(request.actor, request.slug, request.filters.cohort_id)
    return _table(f"{request.slug}-activity", ACTIVITY_COLUMNS, report.activity)


def _cohorts(request: _Request) -> ExportTable:
    report = overview(request.actor, request.slug, request.filters.cohort_id)
    return _table(f"{request.slug}-cohorts", COHORT_ACTIVITY_COLUMNS, report.cohorts)


def _places(table: str) -> Callable[[_Request], ExportTable]:
    def build(request: _Request) -> ExportTable:
        report = places(request.actor, request.slug, request.filters.cohort_id)
        rows = report.cities if table == "cities" else report.countries
        return _table(f"{request.slug}-{table}", place_columns(with_city=table == "cities"), rows)

    return build


def _questions(request: _Request) -> ExportTable:
    if not request.quiz_key:
        raise Invalid(_("Say which quiz."), field="quiz")
    report = quiz_analytics(request.actor, request.slug, request.quiz_key, request.filters.cohort_id)
    return _table(f"{request.slug}-{request.quiz_key}-questions", report.columns, report.questions)


def _table(name: str, columns: Sequence[Column], rows: Iterable) -> ExportTable:
    return ExportTable(name, header(columns), (values(columns, row) for row in rows))


# Every exportable table, by the name the download links use.
EXPORTS: dict[str, Callable[[_Request], ExportTable]] = {
    "learners": _learners, "funnel": _funnel, "activity": _activity, "cohorts": _cohorts, "cities": _places("cities"),
    "countries": _places("countries"), "questions": _questions,
}


def export_table(actor: User | None, slug: str, table: str, *, filters: LearnerFilters = LearnerFilters(),
                 sort: str = "name", quiz_key: str | None = None) -> ExportTable:
    """Any report table, for CSV or JSON. Access is checked now, before the first row is read."""
    build = EXPORTS.get(table)
    if build is None:
        raise NotFound(_("There is no such report table."))
    return build(_Request(actor, slug, filters, sort, quiz_key))


def _learner_export_rows(scope: ReportScope, filters: LearnerFilters, sort: str) -> Iterator[LearnerRow]:
    """Every learner matching the filters, read ``EXPORT_CHUNK`` at a time (keyset on the ordered ids)."""
    ids = db.session.execute(
        select(Enrolment.id).join(User, User.id == Enrolment.user_id)
        .where(*filter_conditions(scope, filters)).order_by(*order_by(sort))
    ).scalars().all()
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start:start + EXPORT_CHUNK]
        position = {enrolment_id: i for i, enrolment_id in enumerate(chunk)}
        rows = learner_rows(scope, row_query().where(Enrolment.id.in_(chunk)))
        # Back in the sorted order: the IN query returns its rows in any order.
        yield from sorted(rows, key=lambda r: position[r.enrolment_id])


def learner_rows_as_dicts(table: LearnerTable) -> list[dict[str, Any]]:
    """One page of the learner table as JSON: its columns, and each learner's id (for the learner's history)."""
    return [{"user_id": row.user_id, **values} for row, values in zip(table.rows, as_dicts(table.columns, table.rows),
                                                                        strict=True)]


def table_as_dicts(table: ExportTable) -> list[dict[str, Any]]:
    return [{key: plain(value) for key, value in zip(table.header, row, strict=True)} for row in table.rows]
