"""One page of a long list, the one shape every paged service returns and the pager macro reads
(templates/_macros.html ``pager``): the items, how many there are in all, and which page this is."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from lms.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate(statement: Select, page: int, per_page: int,
             read: Callable[[Select], Sequence[Any]] | None = None) -> Page:
    """Two queries whatever the page holds: the count, then the page's rows. A page past the end shows the last
    page; ``read`` turns the limited statement into items (default: the ORM objects it selects)."""
    per_page = max(1, per_page)
    total = db.session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    page = page_within(page, total, per_page)
    limited = statement.limit(per_page).offset((page - 1) * per_page)
    items = read(limited) if read is not None else db.session.execute(limited).scalars().all()
    return Page(items, total, page, per_page)


def page_within(page: int, total: int, per_page: int) -> int:
    """The page to show when ``page`` is asked for: a page past the end shows the last page, one before the first
    the first."""
    return max(1, min(page, max(1, math.ceil(total / max(1, per_page)))))
