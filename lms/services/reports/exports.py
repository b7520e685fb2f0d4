"""Report tables for CSV and JSON downloads, read lazily in chunks of ``EXPORT_CHUNK`` learners."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.models import (
    Enrolment,
    User,
)
from lms.services.errors import Invalid, NotFound
from lms.services.reports.learners import (
    LearnerFilters,
    LearnerRow,
    filter_conditions,
    learner_rows,
    order_by,
    row_query,
)
from lms.services.reports.overview import overview
from lms.services.reports.places import places
from lms.services.reports.quiz import quiz_analytics
from lms.services.reports.scope import ReportScope, report_scope

EXPORT_CHUNK = 500


@dataclass(frozen=True)
class ExportTable:
    """A report table: its file name, its header and its rows (an iterator: read lazily, in chunks)."""

    name: str
    header: list[str]
    rows: Iterator[list]


# The learner table's columns, defined once as (header, value) for the CSV and JSON exports; the best score of each
# quiz goes between "complete" and "sessions_attended". "language": the language code the learner last studied in.
LEARNER_COLUMNS: tuple[tuple[str, Callable[[LearnerRow], Any]], ...] = (
    ("name", lambda r: r.name), ("email", lambda r: r.email), ("organisation", lambda r: r.organisation),
    ("city", lambda r: r.city), ("country", lambda r: r.country), ("cohort", lambda r: r.cohort),
    ("language", lambda r: r.language), ("enrolled_at", lambda r: r.enrolled_at),
    ("last_activity_at", lambda r: r.last_activity_at),
    ("progress_percent", lambda r: r.progress), ("complete", lambda r: r.complete),
)
LEARNER_TAIL_COLUMNS: tuple[tuple[str, Callable[[LearnerRow], Any]], ...] = (
    ("sessions_attended", lambda r: r.sessions_attended), ("certificate_id", lambda r: r.certificate_id),
)


def _learner_values(row: LearnerRow, quiz_keys: list[str]) -> list:
    return [*(value(row) for _, value in LEARNER_COLUMNS), *(row.quiz_scores[key] for key in quiz_keys),
            *(value(row) for _, value in LEARNER_TAIL_COLUMNS)]


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
    quiz_keys = [key for key, _ in scope.quizzes]
    header = [*(name for name, _ in LEARNER_COLUMNS), *(f"quiz_{key}_best_percent" for key in quiz_keys),
              *(name for name, _ in LEARNER_TAIL_COLUMNS)]
    return ExportTable(f"{request.slug}-learners", header,
                       _learner_export_rows(scope, request.filters, request.sort, quiz_keys))


def _funnel(request: _Request) -> ExportTable:
    report = overview(request.actor, request.slug, request.filters.cohort_id)
    return ExportTable(f"{request.slug}-funnel", ["step", "label", "learners", "percent_of_enrolled"],
                       iter([[s.key, s.label, s.count, s.percent] for s in report.funnel]))


def _activity(request: _Request) -> ExportTable:
    report = overview(request.actor, request.slug, request.filters.cohort_id)
    return ExportTable(f"{request.slug}-activity", ["week_starting", "active_learners"],
                       iter([[week.isoformat(), count] for week, count in report.activity]))


def _places(table: str) -> Callable[[_Request], ExportTable]:
    def build(request: _Request) -> ExportTable:
        report = places(request.actor, request.slug, request.filters.cohort_id)
        rows = report.cities if table == "cities" else report.countries
        header = (["city"] if table == "cities" else []) + ["country", "enrolled", "completed", "completion_rate",
                                                            "mean_progress_percent"]
        return ExportTable(f"{request.slug}-{table}", header, iter([
            ([r.city] if table == "cities" else []) + [r.country, r.enrolled, r.completed, r.completion_rate,
                                                       r.mean_progress] for r in rows]))

    return build


def _questions(request: _Request) -> ExportTable:
    if not request.quiz_key:
        raise Invalid(_("Say which quiz."), field="quiz")
    report = quiz_analytics(request.actor, request.slug, request.quiz_key, request.filters.cohort_id)
    return ExportTable(f"{request.slug}-{request.quiz_key}-questions",
                       ["position", "question", "type", "attempts", "facility", "discrimination", "flags",
                        "choice_picks"],
                       iter([[q.position, q.question_id, q.type, q.attempts,
                              None if q.facility is None else round(q.facility, 4),
                              None if q.discrimination is None else round(q.discrimination, 4),
                              "; ".join(q.flags), "; ".join(f"{c.choice_id}={c.picked}" for c in q.choices)]
                             for q in report.questions]))


# Every exportable table, by the name the download links use.
EXPORTS: dict[str, Callable[[_Request], ExportTable]] = {
    "learners": _learners, "funnel": _funnel, "activity": _activity, "cities": _places("cities"),
    "countries": _places("countries"), "questions": _questions,
}


def export_table(actor: User | None, slug: str, table: str, *, filters: LearnerFilters = LearnerFilters(),
                 sort: str = "name", quiz_key: str | None = None) -> ExportTable:
    """Any report table, for CSV or JSON. Access is checked now, before the first row is read."""
    build = EXPORTS.get(table)
    if build is None:
        raise NotFound(_("There is no such report table."))
    return build(_Request(actor, slug, filters, sort, quiz_key))


def _learner_export_rows(scope: ReportScope, filters: LearnerFilters, sort: str,
                         quiz_keys: list[str]) -> Iterator[list]:
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
        for row in sorted(rows, key=lambda r: position[r.enrolment_id]):
            yield _learner_values(row, quiz_keys)


def learner_rows_as_dicts(rows: Iterable[LearnerRow]) -> list[dict[str, Any]]:
    return [{
        "user_id": r.user_id, "name": r.name, "email": r.email, "organisation": r.organisation, "city": r.city,
        "country": r.country, "cohort": r.cohort, "language": r.language, "enrolled_at": r.enrolled_at.isoformat(),
        "last_activity_at": r.last_activity_at.isoformat() if r.last_activity_at else None,
        "progress_percent": r.progress, "complete": r.complete, "quiz_best_percent": r.quiz_scores,
        "sessions_attended": r.sessions_attended, "certificate_id": r.certificate_id,
    } for r in rows]


def table_as_dicts(table: ExportTable) -> list[dict[str, Any]]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime | date) else value

    return [{key: plain(value) for key, value in zip(table.header, row, strict=True)} for row in table.rows]
