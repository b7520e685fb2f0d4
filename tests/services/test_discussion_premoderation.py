"""Pre-moderation of a learner's first post per cohort (a cohort setting): what waits is seen by its author and the
course's staff only, counts for nobody and is mailed to nobody until approved; a rejection's reason reaches its
author; one approved post lets the next ones through; every decision is audited."""

import pytest
from sqlalchemy import select

from lms.models import AuditEntry
from lms.services import cohorts, discussion_moderation, discussion_posts, discussion_search, discussions
from lms.services.discussion_posts import Draft
from lms.services.errors import Invalid, NotAllowed, NotFound
from tests.factories import EXAMPLE_SLUG as SLUG


@pytest.fixture
def space(two_cohorts):
    """Ben posted before the cohort turned pre-moderation on; Ana has never posted; Chloé is in another cohort."""
    first = two_cohorts["first"]
    thread = discussion_posts.start_thread(two_cohorts["ben"], SLUG, Draft(title="Care maps",
                                                                           body="How do you map care?"))
    cohorts.update_cohort(None, first.id, cohorts.cohort_data(first, premoderate_first_posts=True))
    return {**two_cohorts, "thread": thread}


def _actions(db) -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def test_a_first_thread_waits_unseen_by_the_cohort_and_in_the_staffs_queue(space, outbox):
    thread = discussion_posts.start_thread(space["ana"], SLUG, Draft(title="Hello from Ana", body="**Hi** all"))
    assert thread.in_review
    assert [row.thread.id for row in discussions.board(space["ben"], SLUG).threads.items] == [space["thread"].id]
    assert discussions.board(space["ben"], SLUG).new_posts == 0  # Ana's waiting thread is nothing new to Ben
    with pytest.raises(NotFound):
        discussions.visit_thread(space["ben"], thread.id)
    own = discussions.thread_page(space["ana"], thread.id)
    assert own.opening.state == "pending" and own.opening.shows_text
    [waiting] = discussion_moderation.moderation_page(space["staff"], SLUG).waiting
    assert waiting.post.id == own.opening.post.id and waiting.thread.id == thread.id and waiting.parent is None
    assert len(outbox) == 0
    discussion_moderation.approve_post(space["staff"], waiting.post.id)
    assert thread.id in [row.thread.id for row in discussions.board(space["ben"], SLUG).threads.items]
    assert discussions.thread_page(space["ben"], thread.id).opening.state == "shown"


def test_a_waiting_reply_counts_for_nobody_and_is_mailed_once_approved(space, outbox, db):
    thread = space["thread"]
    discussions.thread_page(space["ben"], thread.id)
    reply = discussion_posts.reply(space["ana"], thread.id, "We *survey* first.")
    ben_board = discussions.board(space["ben"], SLUG)
    assert ben_board.threads.items[0].thread.reply_count == 0 and ben_board.new_posts == 0
    assert discussions.thread_page(space["ben"], thread.id).replies.items == []
    assert [view.state for view in discussions.thread_page(space["ana"], thread.id).replies.items] == ["pending"]
    assert len(outbox) == 0  # Ben follows his thread: nothing until approval
    with pytest.raises(NotFound):
        discussion_moderation.report_post(space["ben"], reply.id, "Cannot see it")
    discussion_moderation.approve_post(space["staff"], reply.id)
    ben_board = discussions.board(space["ben"], SLUG)
    assert ben_board.threads.items[0].thread.reply_count == 1 and ben_board.new_posts == 1
    [message] = outbox.messages
    assert message["To"] == space["ben"].email and "We survey first." in outbox.last_body()
    later = discussion_posts.reply(space["ana"], thread.id, "And a second thought")
    assert later.review_state == "published"  # one approved post: the next go straight through
    assert _actions(db)[-1] == "discussion.approve"


def test_a_rejected_post_shows_its_reason_to_its_author_only_and_the_next_still_waits(space, db):
    thread = space["thread"]
    reply = discussion_posts.reply(space["ana"], thread.id, "Buy my book")
    with pytest.raises(Invalid):
        discussion_moderation.reject_post(space["staff"], reply.id, "  ")
    discussion_moderation.reject_post(space["staff"], reply.id, "Advertising is not allowed here")
    [own] = discussions.thread_page(space["ana"], thread.id).replies.items
    assert own.state == "rejected" and own.shows_text and own.post.review_reason == "Advertising is not allowed here"
    assert discussions.thread_page(space["ben"], thread.id).replies.items == []
    assert discussion_moderation.moderation_page(space["staff"], SLUG).waiting == []
    assert discussion_posts.reply(space["ana"], thread.id, "Sorry").review_state == "pending"
    with pytest.raises(Invalid):
        discussion_moderation.approve_post(space["staff"], reply.id)  # only what waits is approved
    assert _actions(db)[-1] == "discussion.reject"


def test_only_the_courses_staff_approve_and_other_cohorts_do_not_find_the_post(space):
    reply = discussion_posts.reply(space["ana"], space["thread"].id, "Waiting")
    with pytest.raises(NotAllowed):
        discussion_moderation.approve_post(space["ana"], reply.id)  # she sees her post, and may not approve it
    for person in ("ben", "chloe"):  # for the rest of the cohort, as for other cohorts, the post does not exist
        with pytest.raises(NotFound):
            discussion_moderation.approve_post(space[person], reply.id)
    with pytest.raises(NotAllowed):
        discussion_moderation.moderation_page(space["ana"], SLUG)


def test_staff_and_cohorts_without_the_setting_never_wait(space):
    announcement = discussion_posts.start_thread(space["staff"], SLUG, Draft(
        title="Welcome", body="Hello", cohort_id=space["first"].id))
    assert not announcement.in_review
    assert discussion_posts.reply(space["staff"], space["thread"].id, "Staff reply").review_state == "published"
    other = discussion_posts.start_thread(space["chloe"], SLUG, Draft(title="Second cohort", body="Hi"))
    assert not other.in_review


def test_turning_the_setting_on_is_audited_with_the_cohorts_other_changes(space, db):
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "cohort.update")).scalar_one()
    assert entry.details["premoderate_first_posts"] == {"from": False, "to": True}


def test_a_waiting_post_is_found_by_its_author_and_the_staff_only(space):
    discussion_posts.reply(space["ana"], space["thread"].id, "Our kinship carers meet on Tuesdays")

    def found(person):
        return [hit.post.author_id for hit in discussion_search.search(person, SLUG, "kinship").hits.items]

    assert found(space["ben"]) == []
    assert found(space["ana"]) == found(space["staff"]) == [space["ana"].id]
    [waiting] = discussion_moderation.moderation_page(space["staff"], SLUG).waiting
    discussion_moderation.approve_post(space["staff"], waiting.post.id)
    assert found(space["ben"]) == [space["ana"].id]
