"""Participation in the discussions, in the reports: each learner's threads, replies and reflections (learner table,
CSV, history) and each cohort's activity (overview). Every figure is checked against posts written here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from lms.core import clock
from lms.extensions import db as _db
from lms.models import DiscussionPost, DiscussionThread, Enrolment, EnrolmentStatus
from lms.services import catalog, discussion_moderation, discussion_posts, enrolments, reports
from lms.services.discussion_posts import Draft
from lms.services.reports.participation import REFLECTION_KIND
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import make_user


@pytest.fixture
def cohorts(two_cohorts):
    """tests/services/conftest.py's two cohorts, and an administrator to read the reports."""
    return {**two_cohorts, "admin": make_user("admin")}


def thread(author, title="How do you map care needs?", **options):
    return discussion_posts.start_thread(author, SLUG, Draft(title=title, body="We start with a survey.", **options))


def row_of(admin, user):
    return next(row for row in reports.learner_table(admin, SLUG).rows if row.user_id == user.id)


def test_threads_replies_and_comments_are_counted_per_learner(cohorts):
    ana, ben, staff = cohorts["ana"], cohorts["ben"], cohorts["staff"]
    discussion = thread(ana)
    thread(ana, title="Who funds home care?", kind="question")
    reply = discussion_posts.reply(ben, discussion.id, "A reply")
    discussion_posts.reply(ana, discussion.id, "My own reply")
    discussion_posts.reply(ana, discussion.id, "A comment on Ben's reply", parent_id=reply.id)
    discussion_posts.reply(staff, discussion.id, "Staff's reply")
    assert row_of(cohorts["admin"], ana).participation == reports.Participation(threads=2, replies=2, reflections=0)
    assert row_of(cohorts["admin"], ben).participation == reports.Participation(threads=0, replies=1, reflections=0)
    assert row_of(cohorts["admin"], cohorts["chloe"]).participation == reports.Participation()


def test_removed_hidden_posts_and_announcements_do_not_count(cohorts):
    ana, ben, staff = cohorts["ana"], cohorts["ben"], cohorts["staff"]
    discussion = thread(ben)
    removed = discussion_posts.reply(ana, discussion.id, "I take this back")
    hidden = discussion_posts.reply(ana, discussion.id, "Off topic")
    kept = discussion_posts.reply(ana, discussion.id, "On topic")
    discussion_posts.remove_post(ana, removed.id)
    discussion_moderation.hide_post(staff, hidden.id, "Off topic")
    hidden_thread = thread(ana, title="Hidden opening")
    discussion_moderation.hide_post(staff, hidden_thread.last_post_id, "Advertising")
    thread(staff, title="Welcome", kind="announcement")
    assert row_of(cohorts["admin"], ana).participation == reports.Participation(threads=0, replies=1)
    history = reports.learner_history(cohorts["admin"], SLUG, ana.id)
    assert [post.post_id for post in history.posts] == [kept.id]


def test_the_history_lists_each_counted_post_with_its_thread_place_and_kind(cohorts):
    ana, ben = cohorts["ana"], cohorts["ben"]
    lesson = catalog.version_outline(catalog.published_version(SLUG)[1]).lessons[0]
    by_ben = thread(ben, title="Ben's question", kind="question", place="lesson", item_key=lesson.key)
    reply = discussion_posts.reply(ben, by_ben.id, "Anyone?")
    own = thread(ana, title="Ana's discussion")
    answer = discussion_posts.reply(ana, by_ben.id, "Start with lesson one.")
    comment = discussion_posts.reply(ana, by_ben.id, "Same here", parent_id=reply.id)
    history = reports.learner_history(cohorts["admin"], SLUG, ana.id)
    assert [(p.thread_title, p.kind, p.place, p.thread_id) for p in history.posts] == [
        ("Ana's discussion", "thread", "General", own.id),
        ("Ben's question", "reply", lesson.title, by_ben.id),
        ("Ben's question", "comment", lesson.title, by_ben.id),
    ]
    assert [p.post_id for p in history.posts][1:] == [answer.id, comment.id]
    assert history.posts[0].written_at <= history.posts[1].written_at


def test_each_cohort_counts_its_members_posts_and_who_took_part(cohorts):
    ana, chloe = cohorts["ana"], cohorts["chloe"]  # Ben, in Ana's cohort, writes nothing
    first = thread(ana)
    discussion_posts.reply(ana, first.id, "More")
    discussion_posts.reply(cohorts["staff"], first.id, "Staff posts are not members' posts")
    second = thread(chloe, title="In the second cohort")
    discussion_posts.reply(chloe, second.id, "Long ago")
    _db.session.execute(update(DiscussionPost).where(DiscussionPost.author_id == chloe.id)
                        .values(created_at=clock.now() - timedelta(days=reports.RECENT_DAYS + 1)))
    _db.session.commit()
    rows = {row.name: row for row in reports.overview(cohorts["admin"], SLUG).cohorts}
    one, two = rows.pop(cohorts["first"].name), rows.pop("Second cohort")
    # The package's own cohort has no member yet: listed, with no share (0 of 0 is not 0%).
    assert [(row.members, row.participants, row.participant_percent) for row in rows.values()] == [(0, 0, None)]
    assert (one.members, one.threads, one.replies, one.reflections, one.participants, one.recent_participants) == \
        (2, 1, 1, 0, 1, 1)
    assert (one.participant_percent, one.recent_percent) == (50.0, 50.0)
    assert (two.members, two.threads, two.replies, two.participants, two.recent_participants) == (1, 1, 1, 1, 0)
    assert (two.participant_percent, two.recent_percent) == (100.0, 0.0)


def test_a_cohort_picked_shows_its_row_and_withdrawn_learners_are_left_out(cohorts):
    thread(cohorts["ana"])
    thread(cohorts["ben"])
    _db.session.execute(update(Enrolment).where(Enrolment.user_id == cohorts["ben"].id)
                        .values(status=EnrolmentStatus.WITHDRAWN))
    _db.session.commit()
    rows = reports.overview(cohorts["admin"], SLUG, cohorts["first"].id).cohorts
    assert [(row.name, row.members, row.threads, row.participants) for row in rows] == \
        [(cohorts["first"].name, 1, 1, 1)]


def test_learners_outside_any_cohort_have_a_row_of_their_own(cohorts):
    loner = make_user()
    enrolments.enrol(loner, SLUG)
    _db.session.execute(update(Enrolment).where(Enrolment.user_id == loner.id).values(cohort_id=None))
    _db.session.commit()
    thread(loner)
    rows = reports.overview(cohorts["admin"], SLUG).cohorts
    assert rows[-1].cohort_id is None and (rows[-1].members, rows[-1].threads) == (1, 1)
    assert sorted(row.members for row in rows[:-1]) == [0, 1, 2]


def test_the_learner_export_has_the_three_columns(cohorts):
    discussion = thread(cohorts["ana"])
    discussion_posts.reply(cohorts["ben"], discussion.id, "Reply")
    table = reports.export_table(cohorts["admin"], SLUG, "learners")
    header = table.header
    rows = {row[header.index("name")]: row for row in table.rows}
    pick = [header.index(key) for key in ("threads", "replies", "reflections")]
    assert [rows["Ana"][i] for i in pick] == [1, 0, 0]
    assert [rows["Ben"][i] for i in pick] == [0, 1, 0]
    assert [rows["Chloé"][i] for i in pick] == [0, 0, 0]


def test_the_cohort_export_has_every_cohort_column(cohorts):
    thread(cohorts["ana"])
    table = reports.export_table(cohorts["admin"], SLUG, "cohorts")
    assert table.header == ["cohort", "members", "threads", "replies", "reflections", "participants",
                            "participant_percent", "recent_participants", "recent_percent"]
    rows = {row[0]: row for row in table.rows}
    assert rows[cohorts["first"].name] == [cohorts["first"].name, 2, 1, 0, 0, 1, 50.0, 1, 50.0]


def test_posts_in_a_reflection_thread_count_as_reflections_not_replies(cohorts):
    ana, ben = cohorts["ana"], cohorts["ben"]
    lesson = catalog.version_outline(catalog.published_version(SLUG)[1]).lessons[0]
    # A lesson's reflection thread as lms.services.reflections opens it: the question's post has no author.
    reflection = DiscussionThread(course_id=cohorts["first"].course_id, cohort_id=cohorts["first"].id, place="lesson",
                                  item_key=lesson.key, kind=REFLECTION_KIND, title=lesson.title, author_id=None)
    _db.session.add(reflection)
    _db.session.flush()
    _db.session.add(DiscussionPost(thread_id=reflection.id, is_opening=True, author_id=None, body="Q", html="<p>Q</p>"))
    answer = DiscussionPost(thread_id=reflection.id, author_id=ana.id, body="In Madrid…", html="<p>In Madrid…</p>")
    _db.session.add(answer)
    _db.session.flush()
    _db.session.add_all([
        DiscussionPost(thread_id=reflection.id, author_id=ben.id, body="Ben's", html="<p>Ben's</p>"),
        DiscussionPost(thread_id=reflection.id, parent_id=answer.id, author_id=ben.id, body="Nice", html="<p>Nice</p>"),
    ])
    _db.session.commit()
    discussion_posts.reply(ana, thread(ben).id, "An ordinary reply")
    assert row_of(cohorts["admin"], ana).participation == reports.Participation(threads=0, replies=1, reflections=1)
    assert row_of(cohorts["admin"], ben).participation == reports.Participation(threads=1, replies=0, reflections=2)
    first = next(row for row in reports.overview(cohorts["admin"], SLUG).cohorts
                 if row.cohort_id == cohorts["first"].id)
    assert (first.threads, first.replies, first.reflections, first.participants) == (1, 1, 3, 2)
    kinds = [(post.kind, post.place) for post in reports.learner_history(cohorts["admin"], SLUG, ana.id).posts]
    assert kinds == [("reflection", lesson.title), ("reply", "General")]
