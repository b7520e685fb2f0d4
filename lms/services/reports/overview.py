"""The course overview: enrolled, started, completed and certified learners, the funnel through the modules, the
median time to completion, weekly activity and each cohort's discussions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, cast, func, select, union_all

from lms.core import analytics, clock
from lms.extensions import db
from lms.models import (
    Certificate,
    DiscussionPost,
    DiscussionThread,
    Enrolment,
    ProgressEvent,
    User,
)
from lms.services.reports.columns import Column
from lms.services.reports.participation import CohortActivity, cohort_activity, counted_posts
from lms.services.reports.population import (
    core_rows,
    population_conditions,
    population_user_ids,
    progress_by_user,
    started_condition,
)
from lms.services.reports.scope import ReportScope, report_scope

ACTIVITY_WEEKS = 12

# The funnel's and the weekly activity's columns, for the CSV and the JSON (the page draws them as charts, with the
# same labels heading the data table under each chart).
FUNNEL_COLUMNS: tuple[Column[analytics.FunnelStep], ...] = (
    Column("step", _l("Step key"), lambda s: s.key),
    Column("label", _l("Step"), lambda s: s.label),
    Column("learners", _l("Learners"), lambda s: s.count, cell="number"),
    Column("percent_of_enrolled", _l("Share of enrolled"), lambda s: s.percent, cell="percent"),
)
ACTIVITY_COLUMNS: tuple[Column[tuple[date, int]], ...] = (
    Column("week_starting", _l("Week starting"), lambda week: week[0], cell="date"),
    Column("active_learners", _l("Active learners"), lambda week: week[1], cell="number"),
)


@dataclass(frozen=True)
class Overview:
    scope: ReportScope
    enrolled: int
    started: int
    completed: int
    certified: int
    median_days_to_complete: float | None
    funnel: list[analytics.FunnelStep]
    activity: list[tuple[date, int]]  # (Monday of the week, learners active that week)
    # Learners who meet the completion rule of a course that awards certificates and hold none: a fault to repair
    # (`flask lms refresh-progress`), which the overview shows as such.
    certificates_missing: int = 0
    # Discussions per cohort of the population (lms.services.reports.participation).
    cohorts: tuple[CohortActivity, ...] = ()


def overview(actor: User | None, slug: str, cohort_id: int | None = None) -> Overview:
    scope = report_scope(actor, slug, cohort_id)
    population = population_conditions(scope)
    durations = []
    enrolled = completed = 0
    for enrolled_at, completed_at in core_rows(
        select(Enrolment.enrolled_at, Enrolment.completed_at).where(*population)
    ):
        enrolled += 1
        if completed_at is not None:
            completed += 1
            durations.append((completed_at - enrolled_at).total_seconds() / 86400)
    started = db.session.execute(
        select(func.count()).select_from(Enrolment).where(*population, started_condition(scope.course.id))).scalar_one()
    certified = db.session.execute(
        select(func.count(func.distinct(Certificate.user_id)))
        .where(Certificate.course_id == scope.course.id, Certificate.revoked_at.is_(None),
               Certificate.user_id.in_(population_user_ids(scope)))
    ).scalar_one()
    module_done: dict[str, int] = dict.fromkeys((m.module_key for m in scope.outline.modules), 0)
    learners = progress_by_user(scope, None)
    complete = {user_id for user_id, progress in learners.items() if progress.complete}
    holders = set(db.session.execute(select(Certificate.user_id).where(
        Certificate.course_id == scope.course.id, Certificate.user_id.in_(population_user_ids(scope)))).scalars())
    missing = len(complete - holders) if scope.awards_certificates else 0
    for progress in learners.values():
        for module in progress.modules:
            if module.complete:
                module_done[module.module_id] += 1
    steps = [("started", _("Started"), started)]
    steps += [(m.module_key, _("Completed %(module)s", module=m.title), module_done[m.module_key])
              for m in scope.outline.modules]
    steps += [("completed", _("Completed the course"), completed), ("certified", _("Certified"), certified)]
    median = analytics.median(durations)
    return Overview(scope, enrolled, started, completed, certified,
                    round(median, 1) if median is not None else None,
                    analytics.funnel(enrolled, steps), _weekly_activity(scope), missing,
                    tuple(cohort_activity(scope)))


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly_activity(scope: ReportScope) -> list[tuple[date, int]]:
    """Distinct learners per week with a recorded completion or quiz submission, or a post the reports count (one
    query: a learner who only posted was "inactive" in the chart while the discussions table said they took part)."""
    this_week = _week_start(clock.now().date())
    first_week = this_week - timedelta(weeks=ACTIVITY_WEEKS - 1)
    since = datetime(first_week.year, first_week.month, first_week.day, tzinfo=UTC)
    population = population_user_ids(scope)
    acts = union_all(
        select(ProgressEvent.user_id.label("user_id"), ProgressEvent.at.label("at"))
        .where(ProgressEvent.course_id == scope.course.id, ProgressEvent.at >= since,
               ProgressEvent.user_id.in_(population)),
        select(DiscussionPost.author_id.label("user_id"), DiscussionPost.created_at.label("at"))
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(*counted_posts(scope.course.id), DiscussionPost.created_at >= since,
               DiscussionPost.author_id.in_(population)),
    ).subquery()
    if db.session.get_bind().dialect.name == "sqlite":
        week = func.date(acts.c.at, "weekday 0", "-6 days")
    else:
        week = cast(func.date_trunc("week", func.timezone("UTC", acts.c.at)), Date)
    counts = {}
    for week_value, learners in db.session.execute(
        select(week.label("week"), func.count(func.distinct(acts.c.user_id))).group_by(week)
    ):
        counts[date.fromisoformat(str(week_value)[:10])] = learners
    return [(first_week + timedelta(weeks=i), counts.get(first_week + timedelta(weeks=i), 0))
            for i in range(ACTIVITY_WEEKS)]
