"""lms.services.discussions, discussion_posts and discussion_moderation: spaces per cohort, posting, editing with
history, removal, answers, pin and lock, unread counts, reports, hiding and mutes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.core import clock
from lms.models import AuditEntry, DiscussionRevision
from lms.services import discussion_moderation, discussion_posts, discussions, enrolments, lesson_discussions
from lms.services.discussion_posts import Draft
from lms.services.errors import Invalid, NotAllowed, NotFound
from tests.factories import EXAMPLE_SLUG as SLUG


def _thread(author, title="How do you map care needs?", **options):
    return discussion_posts.start_thread(author, SLUG, Draft(title=title, body="In *Madrid* we start with a survey.",
                                                             **options))


def test_a_learner_of_another_cohort_does_not_find_the_thread(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    assert discussions.thread_page(two_cohorts["ben"], thread.id).thread.id == thread.id
    with pytest.raises(NotFound):
        discussions.thread_page(two_cohorts["chloe"], thread.id)
    with pytest.raises(NotFound):
        discussion_posts.reply(two_cohorts["chloe"], thread.id, "Let me in")


def test_each_board_lists_its_own_cohort_and_staff_see_every_cohort(two_cohorts):
    _thread(two_cohorts["ana"], title="First cohort's")
    _thread(two_cohorts["chloe"], title="Second cohort's")
    titles = {person: [row.thread.title for row in discussions.board(two_cohorts[person], SLUG).threads.items]
              for person in ("ben", "chloe", "staff")}
    assert titles["ben"] == ["First cohort's"]
    assert titles["chloe"] == ["Second cohort's"]
    assert sorted(titles["staff"]) == ["First cohort's", "Second cohort's"]


def test_a_course_wide_announcement_reaches_every_cohort_and_only_staff_make_one(two_cohorts):
    _thread(two_cohorts["staff"], title="Welcome", kind="announcement")
    for person in ("ana", "chloe"):
        assert [row.thread.title for row in discussions.board(two_cohorts[person], SLUG).threads.items] == ["Welcome"]
    with pytest.raises(NotAllowed):
        _thread(two_cohorts["ana"], kind="announcement")


def test_a_person_outside_the_course_is_refused_the_board(two_cohorts, make_user):
    with pytest.raises(NotAllowed):
        discussions.board(make_user(), SLUG)


def test_markdown_is_sanitised_and_links_are_user_content(two_cohorts):
    thread = discussion_posts.start_thread(two_cohorts["ana"], SLUG, Draft(
        title="<script>alert(1)</script>", body="<script>alert(1)</script> [site](https://example.org) "
                                                "[bad](javascript:alert(1)) ![x](https://example.org/x.png)"))
    opening = discussions.thread_page(two_cohorts["ben"], thread.id).opening.post
    assert "<script" not in opening.html and "href=\"javascript" not in opening.html and "<img" not in opening.html
    assert 'href="https://example.org" rel="nofollow ugc noopener"' in opening.html
    assert thread.title == "<script>alert(1)</script>"  # kept as text; templates escape it


def test_a_post_longer_than_the_bound_is_refused(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    with pytest.raises(Invalid):
        discussion_posts.reply(two_cohorts["ben"], thread.id, "x" * 10_001)
    discussion_posts.reply(two_cohorts["ben"], thread.id, "x" * 10_000)


def test_the_author_edits_within_the_window_and_the_earlier_text_is_kept(two_cohorts, app):
    thread = _thread(two_cohorts["ana"])
    post = discussion_posts.reply(two_cohorts["ana"], thread.id, "First words")
    discussion_posts.edit_post(two_cohorts["ana"], post.id, "Better words")
    assert post.body == "Better words" and post.edited_at is not None
    history = discussion_posts.revisions(two_cohorts["ben"], post.id)
    assert [revision.body for revision in history] == ["First words"]
    with pytest.raises(NotAllowed):
        discussion_posts.edit_post(two_cohorts["ben"], post.id, "Not mine")
    post.created_at = clock.now() - timedelta(minutes=app.config["DISCUSSION_EDIT_MINUTES"] + 1)
    with pytest.raises(NotAllowed):
        discussion_posts.edit_post(two_cohorts["ana"], post.id, "Too late")


def test_removing_a_post_keeps_its_place_and_its_comments(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    reply = discussion_posts.reply(two_cohorts["ana"], thread.id, "My reply")
    comment = discussion_posts.reply(two_cohorts["ben"], thread.id, "A comment", parent_id=reply.id)
    discussion_posts.remove_post(two_cohorts["ana"], reply.id)
    page = discussions.thread_page(two_cohorts["ben"], thread.id)
    [shown] = page.replies.items
    assert shown.state == "removed" and not shown.shows_text
    assert [view.post.id for view in shown.comments] == [comment.id]


def test_comments_go_one_level_deep(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    reply = discussion_posts.reply(two_cohorts["ben"], thread.id, "Reply")
    comment = discussion_posts.reply(two_cohorts["ana"], thread.id, "Comment", parent_id=reply.id)
    with pytest.raises(Invalid):
        discussion_posts.reply(two_cohorts["ben"], thread.id, "Deeper", parent_id=comment.id)


def test_the_accepted_answer_is_shown_first(two_cohorts):
    thread = _thread(two_cohorts["ana"], kind="question")
    discussion_posts.reply(two_cohorts["ben"], thread.id, "A guess")
    good = discussion_posts.reply(two_cohorts["staff"], thread.id, "The answer")
    with pytest.raises(NotAllowed):
        discussion_posts.mark_answer(two_cohorts["ben"], thread.id, good.id)
    discussion_posts.mark_answer(two_cohorts["ana"], thread.id, good.id)
    page = discussions.thread_page(two_cohorts["ben"], thread.id)
    assert page.answer.post.id == good.id
    board = discussions.board(two_cohorts["ben"], SLUG, sort="unanswered")
    assert board.threads.items[0].answered


def test_a_locked_thread_takes_posts_from_staff_only_and_locking_is_audited(two_cohorts, db):
    thread = _thread(two_cohorts["ana"])
    with pytest.raises(NotAllowed):
        discussion_posts.set_locked(two_cohorts["ana"], thread.id, True)
    discussion_posts.set_locked(two_cohorts["staff"], thread.id, True)
    with pytest.raises(NotAllowed):
        discussion_posts.reply(two_cohorts["ben"], thread.id, "Still here")
    discussion_posts.reply(two_cohorts["staff"], thread.id, "Closing words")
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "discussion.lock" in actions


def test_unread_counts_follow_each_persons_read_position(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    assert discussions.board(two_cohorts["ana"], SLUG).new_posts == 0  # one's own post is not new
    assert discussions.board(two_cohorts["ben"], SLUG).threads.items[0].unread == 1
    discussions.thread_page(two_cohorts["ben"], thread.id)
    assert discussions.board(two_cohorts["ben"], SLUG).new_posts == 0
    discussion_posts.reply(two_cohorts["ana"], thread.id, "One")
    discussion_posts.reply(two_cohorts["ana"], thread.id, "Two")
    board = discussions.board(two_cohorts["ben"], SLUG)
    assert board.threads.items[0].unread == 2 and board.new_posts == 2
    page = discussions.thread_page(two_cohorts["ben"], thread.id)
    assert [view.unread for view in page.replies.items] == [True, True]
    assert discussions.thread_page(two_cohorts["ben"], thread.id).replies.items[0].unread is False


def test_a_reported_post_reaches_the_queue_and_hiding_it_tells_its_author_why(two_cohorts, db):
    thread = _thread(two_cohorts["ana"])
    post = discussion_posts.reply(two_cohorts["ana"], thread.id, "Rude words")
    assert discussion_moderation.report_post(two_cohorts["ben"], post.id, "Insulting") is True
    assert discussion_moderation.report_post(two_cohorts["ben"], post.id, "Again") is False
    with pytest.raises(NotFound):
        discussion_moderation.report_post(two_cohorts["chloe"], post.id, "Not my cohort")
    with pytest.raises(NotAllowed):
        discussion_moderation.moderation_queue(two_cohorts["ana"], SLUG)
    [item] = discussion_moderation.moderation_queue(two_cohorts["staff"], SLUG)
    assert item.post.id == post.id and item.report.reason == "Insulting"
    discussion_moderation.hide_post(two_cohorts["staff"], post.id, "Please keep it civil")
    assert discussion_moderation.moderation_queue(two_cohorts["staff"], SLUG) == []
    own = discussions.thread_page(two_cohorts["ana"], thread.id).replies.items[0]
    other = discussions.thread_page(two_cohorts["ben"], thread.id).replies.items[0]
    assert own.state == "hidden" and own.shows_text and own.post.hidden_reason == "Please keep it civil"
    assert not other.shows_text
    discussion_moderation.restore_post(two_cohorts["staff"], post.id)
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert {"discussion.hide", "discussion.restore"} <= set(actions)


def test_a_muted_person_cannot_post_until_the_mute_ends(two_cohorts, db):
    thread = _thread(two_cohorts["ana"])
    mute = discussion_moderation.mute(two_cohorts["staff"], SLUG, two_cohorts["ben"].id, 3, "Spam")
    with pytest.raises(NotAllowed):
        discussion_posts.reply(two_cohorts["ben"], thread.id, "Buy now")
    assert not discussions.thread_page(two_cohorts["ben"], thread.id).can_write
    discussion_posts.reply(two_cohorts["chloe"], _thread(two_cohorts["chloe"]).id, "Other cohort unaffected")
    mute.until = clock.now() - timedelta(seconds=1)
    db.session.commit()
    discussion_posts.reply(two_cohorts["ben"], thread.id, "Back again")
    assert "discussion.mute" in db.session.execute(select(AuditEntry.action)).scalars().all()


def test_threads_belong_to_a_lesson_of_the_course(two_cohorts):
    with pytest.raises(NotFound):
        _thread(two_cohorts["ana"], place="lesson", item_key="no-such-lesson")
    lesson_key = discussions.course_space(two_cohorts["ana"], SLUG).outline.lessons[0].key
    thread = _thread(two_cohorts["ana"], place="lesson", item_key=lesson_key)
    discussion_posts.reply(two_cohorts["ben"], thread.id, "Reply")
    course_id, first, second = thread.course_id, two_cohorts["first"].id, two_cohorts["second"].id
    assert lesson_discussions.lesson_discussion(two_cohorts["ben"], course_id, first, lesson_key) == \
        lesson_discussions.LessonDiscussion(threads=1, replies=1)
    assert lesson_discussions.lesson_discussion(two_cohorts["chloe"], course_id, second, lesson_key) == \
        lesson_discussions.LessonDiscussion(threads=0, replies=0)
    board = discussions.board(two_cohorts["ben"], SLUG, place="lesson", item_key=lesson_key)
    assert [row.thread.id for row in board.threads.items] == [thread.id]


def test_learners_outside_any_cohort_share_the_courses_space(db, make_user, tmp_path):
    from tests.factories import make_course

    make_course(tmp_path, lessons=2, slug="open-course")
    ana, ben = make_user(), make_user()
    for learner in (ana, ben):
        enrolments.enrol(learner, "open-course")
    thread = discussion_posts.start_thread(ana, "open-course", Draft(title="Hello", body="Anyone here?"))
    assert thread.cohort_id is None
    assert [row.thread.id for row in discussions.board(ben, "open-course").threads.items] == [thread.id]


def test_editing_an_opening_post_keeps_the_earlier_title(two_cohorts, db):
    thread = _thread(two_cohorts["ana"], title="Old title")
    opening = discussions.thread_page(two_cohorts["ana"], thread.id).opening.post
    discussion_posts.edit_post(two_cohorts["ana"], opening.id, "New body", title="New title")
    assert thread.title == "New title"
    revision = db.session.execute(select(DiscussionRevision)).scalar_one()
    assert revision.title == "Old title"


def test_a_later_page_of_replies_shows_its_replies_with_their_comments_and_the_answer_first(two_cohorts,
                                                                                         monkeypatch):
    monkeypatch.setattr(discussions, "REPLIES_PER_PAGE", 2)
    thread = _thread(two_cohorts["ana"], kind="question")
    replies = [discussion_posts.reply(two_cohorts["ben"], thread.id, f"Reply {number}") for number in range(5)]
    comments = {reply.id: discussion_posts.reply(two_cohorts["ana"], thread.id, f"On {number}", parent_id=reply.id)
                for number, reply in enumerate(replies)}
    discussion_posts.mark_answer(two_cohorts["ana"], thread.id, replies[0].id)
    page = discussions.thread_page(two_cohorts["ben"], thread.id, page=2)
    assert page.opening.post.is_opening and page.answer.post.id == replies[0].id  # the answer is on page 1
    assert [view.post.id for view in page.replies.items] == [replies[2].id, replies[3].id]
    assert [[comment.post.id for comment in view.comments] for view in page.replies.items] == [
        [comments[replies[2].id].id], [comments[replies[3].id].id]]
    assert (page.replies.total, page.replies.pages) == (5, 3)
    last = discussions.thread_page(two_cohorts["ben"], thread.id, page=3)
    assert [view.post.id for view in last.replies.items] == [replies[4].id]
    assert last.answer.post.id == replies[0].id and not last.muted and last.following  # who writes follows


def test_the_thread_page_says_whether_its_reader_is_muted_in_that_space_and_follows_it(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    first = discussions.thread_page(two_cohorts["ben"], thread.id)
    assert first.can_write and not first.muted and not first.following
    discussion_moderation.mute(two_cohorts["staff"], SLUG, two_cohorts["ben"].id, 1, "Off topic")
    page = discussions.thread_page(two_cohorts["ben"], thread.id)
    assert page.muted and not page.can_write
    other_space = _thread(two_cohorts["chloe"])
    assert not discussions.thread_page(two_cohorts["chloe"], other_space.id).muted
    assert discussions.thread_page(two_cohorts["ana"], thread.id).following  # its author follows it


def test_removed_and_hidden_posts_leave_the_counts_a_reader_sees(two_cohorts):
    """The reply count, the board's "N new" and the lesson page's count are the posts a reader can read."""
    lesson_key = discussions.course_space(two_cohorts["ana"], SLUG).outline.lessons[0].key
    thread = _thread(two_cohorts["ana"], place="lesson", item_key=lesson_key)
    kept = discussion_posts.reply(two_cohorts["ana"], thread.id, "Kept")
    removed = discussion_posts.reply(two_cohorts["ana"], thread.id, "Removed later")
    hidden = discussion_posts.reply(two_cohorts["ana"], thread.id, "Hidden later")
    discussion_posts.reply(two_cohorts["ana"], thread.id, "A comment", parent_id=kept.id)
    discussions.thread_page(two_cohorts["ben"], thread.id)  # ben has read everything up to here
    late = discussion_posts.reply(two_cohorts["ana"], thread.id, "Late, then removed")
    discussion_posts.remove_post(two_cohorts["ana"], removed.id)
    discussion_posts.remove_post(two_cohorts["ana"], late.id)
    discussion_moderation.hide_post(two_cohorts["staff"], hidden.id, "Off topic")
    board = discussions.board(two_cohorts["ben"], SLUG)
    [row] = board.threads.items
    assert row.thread.reply_count == 2  # "Kept" and its comment
    assert row.unread == 0 and board.new_posts == 0  # the late post is gone: nothing new to read
    assert lesson_discussions.lesson_discussion(two_cohorts["ben"], thread.course_id, two_cohorts["first"].id,
                                         lesson_key) == lesson_discussions.LessonDiscussion(threads=1, replies=2)
    discussion_moderation.restore_post(two_cohorts["staff"], hidden.id)
    assert discussions.board(two_cohorts["ben"], SLUG).threads.items[0].thread.reply_count == 3


def test_hiding_twice_or_hiding_a_removed_post_counts_it_out_once(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    post = discussion_posts.reply(two_cohorts["ana"], thread.id, "Once")
    discussion_posts.reply(two_cohorts["ben"], thread.id, "Stays")
    discussion_moderation.hide_post(two_cohorts["staff"], post.id, "One")
    discussion_moderation.hide_post(two_cohorts["staff"], post.id, "Two")
    discussion_posts.remove_post(two_cohorts["ana"], post.id)
    discussion_moderation.restore_post(two_cohorts["staff"], post.id)  # still removed by its author
    assert discussions.board(two_cohorts["ben"], SLUG).threads.items[0].thread.reply_count == 1


def test_a_report_the_staff_dismissed_can_be_made_again_and_reaches_them(two_cohorts):
    """Once the staff dismiss a report, the post offers "Report" again: a second report opens it again (it was
    ignored, while the reporter was told the staff would look at it)."""
    post = discussion_posts.reply(two_cohorts["ana"], _thread(two_cohorts["ana"]).id, "Rude words")
    assert discussion_moderation.report_post(two_cohorts["ben"], post.id, "Insulting") is True
    discussion_moderation.dismiss_reports(two_cohorts["staff"], post.id)
    assert discussion_moderation.moderation_queue(two_cohorts["staff"], SLUG) == []
    assert discussion_moderation.report_post(two_cohorts["ben"], post.id, "Worse now") is True
    [item] = discussion_moderation.moderation_queue(two_cohorts["staff"], SLUG)
    assert item.report.reason == "Worse now" and item.report.resolved_by_id is None
    assert discussion_moderation.report_post(two_cohorts["ben"], post.id, "Still") is False


def test_nobody_reports_their_own_post(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    post = discussion_posts.reply(two_cohorts["ana"], thread.id, "Mine")
    with pytest.raises(NotAllowed):
        discussion_moderation.report_post(two_cohorts["ana"], post.id, "Reporting myself")
    [own] = discussions.thread_page(two_cohorts["ana"], thread.id).replies.items
    [others] = discussions.thread_page(two_cohorts["ben"], thread.id).replies.items
    assert not own.can_report and others.can_report


def test_editing_someone_elses_post_says_only_the_author_edits(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    post = discussion_posts.reply(two_cohorts["ana"], thread.id, "Mine")
    for person in (two_cohorts["ben"], two_cohorts["staff"]):
        with pytest.raises(NotAllowed, match="Only its author can edit a post"):
            discussion_posts.edit_post(person, post.id, "Rewritten")


def test_a_lesson_pages_count_of_its_threads_reads_that_lessons_threads_only(two_cohorts, query_plan):
    """The link's count runs on every lesson page: it searches the lesson's threads, not every thread of the course
    (0.43 ms with 5,000 threads in the course, 0.06 ms with the index)."""
    ben = two_cohorts["ben"]
    course_id = discussions.course_space(ben, SLUG).course.id
    plan = query_plan(lambda: lesson_discussions.lesson_discussion(ben, course_id, two_cohorts["first"].id, "welcome"))
    assert any("ix_discussion_threads_place" in step for step in plan), "\n".join(plan)
