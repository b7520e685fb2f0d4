"""Announcements reach every member of their space through the worker: the request only flags the thread (a constant
number of queries, whatever the number of members), the worker queues one message per member, once even if the job
runs twice or fails half-way, and the real SMTP server receives each of them with a readable text part and a
sanitised HTML part."""

import re
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from lms.models import DiscussionThread, OutboxMessage
from lms.services import discussion_mail, discussion_posts, mail, outbox, scheduled_jobs
from lms.services.discussion_posts import Draft
from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort
from tests.conftest import is_postgres
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import make_instructor, make_learners
from tests.smtp_server import MailServer

BODY = ("The **session** moves to *Tuesday*. Read [the agenda](https://example.org/agenda) first.\n\n"
        "- bring your city's care map\n- and a question\n\n<script>alert(1)</script>")


@pytest.fixture
def smtp_server(app, monkeypatch):
    server = MailServer().start()
    for key, value in server.settings().items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


@pytest.fixture
def cohort(db, tmp_path):
    return example_with_open_cohort(tmp_path)


def _members(cohort, count: int):
    people = make_learners(count)
    for person in people:
        enrol_in_cohort(person, cohort)
    return people


def _announce(staff, cohort, title="Session moved"):
    return discussion_posts.start_thread(staff, SLUG, Draft(title=title, body=BODY, kind="announcement",
                                                            cohort_id=cohort.id))


def _messages(db) -> int:
    return db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()


def test_posting_an_announcement_costs_the_request_the_same_queries_for_3_or_300_members(
        client, db, cohort, login_as, count_queries):
    staff = make_instructor(SLUG)
    login_as(staff)
    counted = []
    # The first post of a process asks SQLite once whether the search index exists (lms.services.discussion_search).
    assert client.post(f"/courses/{SLUG}/discussions/new", data={
        "kind": "announcement", "place": "general", "space": str(cohort.id), "title": "Welcome", "body": BODY,
    }).status_code == 302
    for size in (3, 297):  # 3, then 300 members
        _members(cohort, size)
        form = {"kind": "announcement", "place": "general", "space": str(cohort.id), "title": f"News {size}",
                "body": BODY}
        with count_queries() as queries:
            assert client.post(f"/courses/{SLUG}/discussions/new", data=form).status_code == 302
        counted.append(len(queries))
        assert _messages(db) == 0  # nothing written for the members in the request
    assert counted[0] == counted[1], counted
    assert db.session.execute(select(func.count()).where(DiscussionThread.announcement_pending)).scalar_one() == 3


def test_posting_an_announcement_reads_the_course_the_staff_rows_and_the_cohorts_once(app, client, db, cohort,
                                                                                       login_as, count_queries):
    """The service checks who may post where; the view no longer reads the same rows first to build its form."""
    login_as(make_instructor(SLUG))
    form = {"kind": "announcement", "place": "general", "space": str(cohort.id), "title": "Welcome", "body": BODY}
    assert client.post(f"/courses/{SLUG}/discussions/new", data=form).status_code == 302  # the search index asked
    with count_queries() as queries:
        assert client.post(f"/courses/{SLUG}/discussions/new", data={**form, "title": "News"}).status_code == 302
    reads = [re.search(r"\sFROM\s+(\w+)", statement)[1] for statement in queries if statement.startswith("SELECT")]
    assert reads.count("courses") == reads.count("course_staff") == reads.count("cohorts") == 1, reads
    # PostgreSQL also writes the opening post's search vector (lms.services.discussion_search). One query fewer than
    # when the signed-in person was an entity: its commit expired it, and it was read again after.
    assert len(queries) == (13 if is_postgres(app) else 12), queries


def test_every_member_receives_the_announcement_once_even_if_the_job_runs_twice(db, cohort, smtp_server):
    people = _members(cohort, 300)
    staff = make_instructor(SLUG)
    _announce(staff, cohort)
    assert scheduled_jobs.run_queued_work() == 1
    assert scheduled_jobs.run_queued_work() == 0  # run again (a second worker, a retried round): nothing more
    assert outbox.drain().sent == 300
    received = smtp_server.collector.recipients()
    assert set(received) == {person.email for person in people}
    assert set(received.values()) == {1}


def test_a_fan_out_that_fails_half_way_sends_nothing_and_the_next_run_sends_each_once(db, cohort, smtp_server,
                                                                                     monkeypatch):
    people = _members(cohort, 5)
    _announce(make_instructor(SLUG), cohort)
    real_enqueue, written = mail.enqueue, []

    def failing_enqueue(*args, **kwargs):
        if len(written) == 3:
            raise ConnectionError("the database went away mid fan-out")
        written.append(args[0])
        return real_enqueue(*args, **kwargs)

    monkeypatch.setattr(mail, "enqueue", failing_enqueue)
    with pytest.raises(ConnectionError):
        discussion_mail.fan_out_announcements()
    db.session.rollback()
    assert _messages(db) == 0
    monkeypatch.setattr(mail, "enqueue", real_enqueue)
    assert discussion_mail.fan_out_announcements() == 1
    outbox.drain()
    assert sorted(smtp_server.collector.recipients().elements()) == sorted(person.email for person in people)


def test_an_announcement_mail_reads_as_plain_text_and_carries_sanitised_html(db, cohort, smtp_server):
    [member] = _members(cohort, 1)
    _announce(make_instructor(SLUG, display_name="Ada Staff"), cohort)
    scheduled_jobs.run_queued_work()
    outbox.drain()
    [(recipients, content)] = smtp_server.collector.accepted
    assert recipients == [member.email]
    message = message_from_bytes(content, policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "The session moves to Tuesday. Read the agenda (https://example.org/agenda) first." in text
    assert "- bring your city's care map\n- and a question" in text
    assert "**" not in text and "](" not in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<strong>session</strong>" in html and "<em>Tuesday</em>" in html
    assert 'href="https://example.org/agenda"' in html and 'rel="nofollow ugc noopener"' in html
    assert "<script" not in html
    assert "Ada Staff posted an announcement" in text and "Ada Staff posted an announcement" in html
