"""Breakdowns by country and by city: enrolled, completed, completion rate and mean progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.models import (
    Enrolment,
    User,
)
from lms.services.reports.columns import Column
from lms.services.reports.population import core_rows, population_conditions, progress_by_user
from lms.services.reports.scope import ReportScope, report_scope


@dataclass(frozen=True)
class PlaceRow:
    city: str  # "" in the by-country table
    country: str
    enrolled: int
    completed: int
    mean_progress: float

    @property
    def completion_rate(self) -> float:
        return round(100 * self.completed / self.enrolled, 1) if self.enrolled else 0.0


def place_columns(with_city: bool) -> list[Column[PlaceRow]]:
    """The columns of the by-city (``with_city``) or by-country table, for the page, the CSV and the JSON."""
    city = [Column("city", _l("City"), lambda r: r.city, cell="place")] if with_city else []
    return [
        *city,
        Column("country", _l("Country"), lambda r: r.country, cell="place"),
        Column("enrolled", _l("Enrolled"), lambda r: r.enrolled, cell="number"),
        Column("completed", _l("Completed"), lambda r: r.completed, cell="number"),
        Column("completion_rate", _l("Completion rate"), lambda r: r.completion_rate, cell="percent"),
        Column("mean_progress_percent", _l("Mean progress"), lambda r: r.mean_progress, cell="percent"),
    ]


@dataclass(frozen=True)
class Places:
    scope: ReportScope
    countries: list[PlaceRow]
    cities: list[PlaceRow]


def places(actor: User | None, slug: str, cohort_id: int | None = None) -> Places:
    """Progress (the rule's percentage, averaged) and completions by country and by city."""
    scope = report_scope(actor, slug, cohort_id)
    progress = progress_by_user(scope, None)
    by_country: dict[str, list] = defaultdict(lambda: [0, 0, 0])
    by_city: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0, 0])
    for user_id, city, country, completed_at in core_rows(
        select(User.id, User.city, User.country, Enrolment.completed_at)
        .join(Enrolment, Enrolment.user_id == User.id).where(*population_conditions(scope))
    ):
        for bucket in (by_country[country], by_city[(city.strip(), country)]):
            bucket[0] += 1
            bucket[1] += completed_at is not None
            bucket[2] += progress[user_id].percent

    def rows(buckets, key) -> list[PlaceRow]:
        made = [PlaceRow(*key(place), enrolled, completed, round(total / enrolled, 1))
                for place, (enrolled, completed, total) in buckets.items()]
        return sorted(made, key=lambda r: (-r.enrolled, r.country, r.city))

    return Places(scope, rows(by_country, lambda c: ("", c)), rows(by_city, lambda cc: cc))
