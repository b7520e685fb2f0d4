"""Pre-moderation on the pages: the cohort form's setting (audited), the author's "Waiting for a moderator", the
staff's queue with each waiting post in its context, approving from it and rejecting with a reason."""

import pytest
from sqlalchemy import select

from lms.models import AuditEntry, Cohort
from lms.services import cohorts, discussion_posts
from lms.services.discussion_posts import Draft
from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort
from tests.factories import DEFAULT_PASSWORD, make_instructor
from tests.factories import EXAMPLE_SLUG as SLUG


@pytest.fixture
def cohort(db, tmp_path):
    row = example_with_open_cohort(tmp_path)
    cohorts.update_cohort(None, row.id, cohorts.cohort_data(row, premoderate_first_posts=True))
    return row


def test_an_administrator_turns_pre_moderation_on_in_the_cohort_form_and_it_is_audited(client, db, tmp_path,
                                                                                       login_as):
    row = example_with_open_cohort(tmp_path)
    login_as("admin")
    form = client.get(f"/staff/cohorts/{row.id}/edit").get_data(as_text=True)
    assert 'name="premoderate_first_posts"' in form
    data = {"name": row.name, "timezone": row.timezone, "starts_on": row.starts_on.isoformat(),
            "ends_on": row.ends_on.isoformat(), "enrolment_mode": row.enrolment_mode, "capacity": "",
            "premoderate_first_posts": "y"}
    assert client.post(f"/staff/cohorts/{row.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Cohort, row.id).premoderate_first_posts is True
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "cohort.update")).scalar_one()
    assert entry.details["premoderate_first_posts"] == {"from": False, "to": True}
    assert "approved by a moderator" in client.get(f"/staff/cohorts/{row.id}").get_data(as_text=True)


def test_the_author_sees_their_waiting_post_marked_and_the_staff_approve_it_from_the_queue(
        app, db, cohort, make_user):
    ana, ben = make_user(display_name="Ana Waiting"), make_user()
    enrol_in_cohort(ana, cohort)
    enrol_in_cohort(ben, cohort)
    thread = discussion_posts.start_thread(ana, SLUG, Draft(title="My first thread", body="Hello **cohort**"))
    html = _client_of(app, ana).get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert "Waiting for a moderator" in html and "<strong>cohort</strong>" in html
    as_ben = _client_of(app, ben)
    assert as_ben.get(f"/discussions/{thread.id}").status_code == 404
    assert "My first thread" not in as_ben.get(f"/courses/{SLUG}/discussions/").get_data(as_text=True)
    client = _client_of(app, make_instructor(SLUG))
    queue = client.get(f"/courses/{SLUG}/discussions/moderation").get_data(as_text=True)
    assert "Ana Waiting" in queue and "My first thread" in queue and "General" in queue
    assert "<strong>cohort</strong>" in queue
    post_id = _opening_id(db, thread.id)
    assert f"/discussions/posts/{post_id}/approve" in queue
    assert client.post(f"/discussions/posts/{post_id}/approve").status_code == 302
    assert db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first()[0] == \
        "discussion.approve"
    assert as_ben.get(f"/discussions/{thread.id}").status_code == 200


def test_rejecting_asks_for_a_reason_the_author_then_reads(app, db, cohort, make_user):
    ana = make_user()
    enrol_in_cohort(ana, cohort)
    thread = discussion_posts.start_thread(ana, SLUG, Draft(title="Offers", body="Buy now"))
    post_id = _opening_id(db, thread.id)
    client = _client_of(app, make_instructor(SLUG))
    assert client.get(f"/discussions/posts/{post_id}/reject").status_code == 200
    assert client.post(f"/discussions/posts/{post_id}/reject", data={"reason": ""}).status_code == 422
    assert client.post(f"/discussions/posts/{post_id}/reject",
                       data={"reason": "No advertising, please"}).status_code == 302
    html = _client_of(app, ana).get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert "Not published by the course" in html and "No advertising, please" in html


def _client_of(app, person):
    """A browser of its own for each person (logging in again on one client keeps the first log-in)."""
    browser = app.test_client()
    assert browser.post("/login", data={"email": person.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return browser


def _opening_id(db, thread_id: int) -> int:
    from lms.models import DiscussionPost

    return db.session.execute(select(DiscussionPost.id).where(DiscussionPost.thread_id == thread_id,
                                                              DiscussionPost.is_opening)).scalar_one()
