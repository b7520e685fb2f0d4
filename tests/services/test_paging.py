"""lms.services.paging: the one page type, counted and cut in SQL, read by the pager macro."""

from __future__ import annotations

from flask import render_template_string
from sqlalchemy import select

from lms.models import User
from lms.services.paging import Page, paginate


def test_pages_are_cut_in_sql_and_a_page_past_the_end_shows_the_last(db, make_user):
    for _ in range(5):
        make_user()
    statement = select(User).order_by(User.id)
    second = paginate(statement, 2, 2)
    assert (second.total, second.pages, second.page, len(second.items)) == (5, 3, 2, 2)
    assert second.has_prev and second.has_next and (second.prev_num, second.next_num) == (1, 3)
    last = paginate(statement, 99, 2)
    assert (last.page, [u.id for u in last.items]) == (3, [paginate(statement, 3, 2).items[0].id])
    assert not paginate(select(User).where(User.id < 0), 1, 10).has_next


def test_the_pager_macro_reads_a_page(app):
    page = Page(items=["a"], total=120, page=2, per_page=50)
    with app.test_request_context():
        html = render_template_string('{% from "_macros.html" import pager %}{{ pager(page, "admin.users", q="x") }}',
                                      page=page)
    assert "Page 2 of 3" in html
    assert 'href="/admin/users?page=1&amp;q=x"' in html and 'href="/admin/users?page=3&amp;q=x"' in html
