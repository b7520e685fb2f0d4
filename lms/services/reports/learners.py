"""The learner table: filtered, sorted and paged in SQL, one row per learner with progress, quiz scores,
attendance and certificate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lms.core import clock
from lms.extensions import db
from lms.models import (
    Certificate,
    Cohort,
    Enrolment,
    QuizAttempt,
    User,
)
from lms.services.errors import Invalid
from lms.services.paging import Page, paginate
from lms.services.reports.columns import Column
from lms.services.reports.participation import NO_PARTICIPATION, Participation, participation_by_user
from lms.services.reports.population import (
    attendance_counts,
    population_conditions,
    progress_by_user,
    started_condition,
)
from lms.services.reports.scope import ReportScope, report_scope

PER_PAGE = 50


MAX_PER_PAGE = 500


STATUSES = ("not-started", "in-progress", "completed")


SORTS = ("name", "email", "organisation", "city", "country", "progress", "last_activity", "enrolled")


@dataclass(frozen=True)
class LearnerFilters:
    cohort_id: int | None = None
    status: str | None = None  # one of STATUSES
    city: str = ""
    country: str = ""
    organisation: str = ""  # part of the name, any case
    inactive_days: int | None = None  # no activity (or, never active, no enrolment) for this many days
    search: str = ""  # part of the name or e-mail
    language: str = ""  # the language the learner studies the course in (Enrolment.studied_language)

    def as_args(self) -> dict[str, Any]:
        """The non-empty filters, as query-string arguments (for links that keep them)."""
        values = {"cohort": self.cohort_id, "status": self.status, "city": self.city, "country": self.country,
                  "organisation": self.organisation, "inactive_days": self.inactive_days, "q": self.search,
                  "language": self.language}
        return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class LearnerRow:
    enrolment_id: int
    user_id: int
    name: str
    email: str
    organisation: str
    city: str
    country: str
    cohort: str
    enrolled_at: datetime
    last_activity_at: datetime | None
    progress: int
    complete: bool
    quiz_scores: dict[str, float | None]  # best percent on the current questions, per quiz key
    sessions_attended: int
    certificate_id: str | None
    # The learner meets the completion rule of a course that awards certificates, and holds none (not even a revoked
    # one): the rule was not applied to them. `flask lms refresh-progress` applies it.
    certificate_missing: bool = False
    # The language the learner last studied the course in (a lesson read or a quiz submitted); "" before any.
    language: str = ""
    # Their counted posts in the course's discussions (lms.services.reports.participation says what counts).
    participation: Participation = NO_PARTICIPATION


def learner_columns(quizzes: Sequence[tuple[str, str]], multilingual: bool = False) -> list[Column[LearnerRow]]:
    """The learner table's columns, for the page, the CSV and the JSON; ``quizzes`` are the course's (key, title),
    each with its best score; the language studied in is on the page when the course has several."""
    return [
        Column("name", _l("Name"), lambda r: r.name, cell="learner", sort="name"),
        Column("email", _l("E-mail"), lambda r: r.email, sort="email", on_page=False),  # under the name on the page
        Column("organisation", _l("Organisation"), lambda r: r.organisation, sort="organisation"),
        Column("city", _l("City"), lambda r: r.city, sort="city"),
        Column("country", _l("Country"), lambda r: r.country, cell="country", sort="country"),
        Column("cohort", _l("Cohort"), lambda r: r.cohort),
        Column("language", _l("Language"), lambda r: r.language, cell="language", on_page=multilingual),
        Column("enrolled_at", _l("Enrolled"), lambda r: r.enrolled_at, cell="date", sort="enrolled", on_page=False),
        Column("last_activity_at", _l("Last activity"), lambda r: r.last_activity_at, cell="date",
               sort="last_activity"),
        Column("progress_percent", _l("Progress"), lambda r: r.progress, cell="progress", sort="progress"),
        Column("complete", _l("Complete"), lambda r: r.complete, on_page=False),  # "(complete)" beside the progress
        *(Column(f"quiz_{key}_best_percent", _l("%(quiz)s (best)", quiz=title),
                 lambda r, key=key: r.quiz_scores[key], cell="percent") for key, title in quizzes),
        Column("sessions_attended", _l("Sessions attended"), lambda r: r.sessions_attended, cell="number"),
        Column("threads", _l("Threads"), lambda r: r.participation.threads, cell="number"),
        Column("replies", _l("Replies"), lambda r: r.participation.replies, cell="number"),
        Column("reflections", _l("Reflections"), lambda r: r.participation.reflections, cell="number"),
        Column("certificate_id", _l("Certificate"), lambda r: r.certificate_id, cell="certificate"),
    ]


@dataclass(frozen=True)
class LearnerTable(Page[LearnerRow]):
    """One page of the learner table (lms.services.paging.Page), with the course and the filters it shows."""

    scope: ReportScope | None = None
    filters: LearnerFilters = LearnerFilters()
    sort: str = "name"

    @property
    def rows(self) -> Sequence[LearnerRow]:
        return self.items

    @property
    def columns(self) -> list[Column[LearnerRow]]:
        if self.scope is None:
            return learner_columns(())
        return learner_columns(self.scope.quizzes, multilingual=len(self.scope.version.language_list) > 1)


def filter_conditions(scope: ReportScope, filters: LearnerFilters) -> list:
    conditions = population_conditions(scope)
    if filters.status == "completed":
        conditions.append(Enrolment.completed_at.is_not(None))
    elif filters.status == "in-progress":
        conditions += [Enrolment.completed_at.is_(None), started_condition(scope.course.id)]
    elif filters.status == "not-started":
        conditions += [Enrolment.completed_at.is_(None), ~started_condition(scope.course.id)]
    elif filters.status:
        raise Invalid(_("Unknown status %(status)s; use one of: %(statuses)s.", status=repr(filters.status),
                        statuses=", ".join(STATUSES)), field="status")
    if filters.city.strip():
        conditions.append(func.lower(User.city) == filters.city.strip().lower())
    if filters.country.strip():
        conditions.append(User.country == filters.country.strip().upper())
    if filters.organisation.strip():
        conditions.append(User.organisation.icontains(filters.organisation.strip(), autoescape=True))
    if filters.search.strip():
        search = filters.search.strip()
        conditions.append(or_(User.display_name.icontains(search, autoescape=True),
                              User.email.icontains(search, autoescape=True)))
    if filters.language:
        conditions.append(Enrolment.studied_language == filters.language)
    if filters.inactive_days is not None:
        if filters.inactive_days < 0:
            raise Invalid(_("The number of days cannot be negative."), field="inactive_days")
        cutoff = clock.now() - timedelta(days=filters.inactive_days)
        conditions.append(func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at) < cutoff)
    return conditions


def order_by(sort: str) -> list:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    columns = {"name": User.display_name, "email": User.email, "organisation": User.organisation, "city": User.city,
               "country": User.country, "progress": Enrolment.progress_percent,
               "last_activity": Enrolment.last_activity_at, "enrolled": Enrolment.enrolled_at}
    if key not in columns:
        raise Invalid(_("Unknown sort %(sort)s; use one of: %(sorts)s.", sort=repr(key), sorts=", ".join(SORTS)),
                      field="sort")
    column = columns[key]
    ordered = column.desc() if descending else column.asc()
    return [ordered.nulls_last(), Enrolment.id.asc()]


def learner_table(actor: User | None, slug: str, filters: LearnerFilters = LearnerFilters(), sort: str = "name",
                  page: int = 1, per_page: int = PER_PAGE) -> LearnerTable:
    scope = report_scope(actor, slug, filters.cohort_id)
    found = paginate(_page_query(scope, filters, sort), page, min(per_page, MAX_PER_PAGE),
                     read=lambda limited: learner_rows(scope, limited))
    return LearnerTable(found.items, found.total, found.page, found.per_page, scope, filters, sort)


# Columns, not entities: a page (or an export chunk) never fills the session's identity map.
_ROW_COLUMNS = (Enrolment.id, User.id, User.display_name, User.email, User.organisation, User.city, User.country,
                Cohort.name, Enrolment.enrolled_at, Enrolment.last_activity_at, Enrolment.studied_language)


def row_query():
    return (select(*_ROW_COLUMNS).join(User, User.id == Enrolment.user_id)
            .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id))


def _page_query(scope: ReportScope, filters: LearnerFilters, sort: str):
    return row_query().where(*filter_conditions(scope, filters)).order_by(*order_by(sort))


def learner_rows(scope: ReportScope, query) -> list[LearnerRow]:
    """The rows of one page (or one export chunk): one query for the rows, six for everything per learner."""
    found = db.session.execute(query).all()
    user_ids = [r[1] for r in found]
    if not user_ids:
        return []
    progress = progress_by_user(scope, user_ids)
    attended = attendance_counts(scope, user_ids)
    scores = _best_scores(scope, user_ids)
    posted = participation_by_user(scope, user_ids)
    certificates, holders = {}, set()
    for user_id, public_id, revoked_at in db.session.execute(
        select(Certificate.user_id, Certificate.public_id, Certificate.revoked_at)
        .where(Certificate.course_id == scope.course.id, Certificate.user_id.in_(user_ids))
    ):
        holders.add(user_id)
        if revoked_at is None:
            certificates[user_id] = public_id
    awards = scope.awards_certificates
    quiz_keys = [key for key, _ in scope.quizzes]
    return [
        LearnerRow(
            enrolment_id=enrolment_id, user_id=user_id, name=name, email=email, organisation=organisation,
            city=city, country=country, cohort=cohort_name or _("No cohort"), enrolled_at=enrolled_at,
            last_activity_at=last_activity_at, progress=progress[user_id].percent,
            complete=progress[user_id].complete,
            quiz_scores={key: scores.get((user_id, key)) for key in quiz_keys},
            sessions_attended=attended.get(user_id, 0), certificate_id=certificates.get(user_id),
            certificate_missing=awards and progress[user_id].complete and user_id not in holders,
            language=language or "", participation=posted.get(user_id, NO_PARTICIPATION),
        )
        for (enrolment_id, user_id, name, email, organisation, city, country, cohort_name, enrolled_at,
             last_activity_at, language) in found
    ]


def _best_scores(scope: ReportScope, user_ids: Sequence[int]) -> dict[tuple[int, str], float]:
    current = {m.quiz_key: m.quiz_hash for m in scope.outline.modules if m.quiz_key}
    if not current:
        return {}
    scores = {}
    for user_id, quiz_key, quiz_hash, best in db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_key, QuizAttempt.quiz_hash, func.max(QuizAttempt.percent))
        .where(QuizAttempt.course_id == scope.course.id, QuizAttempt.user_id.in_(list(user_ids)),
               QuizAttempt.submitted_at.is_not(None), QuizAttempt.quiz_key.in_(list(current)))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_key, QuizAttempt.quiz_hash)
    ):
        if current.get(quiz_key) == quiz_hash:
            scores[(user_id, quiz_key)] = best
    return scores
