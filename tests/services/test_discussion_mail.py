"""lms.services.discussion_mail: following, a message per post or a daily digest, announcements, and one-click
unsubscribe (RFC 8058) through the outbox."""

from datetime import timedelta

import pytest

from lms.core import clock
from lms.services import discussion_mail, discussion_posts
from lms.services.discussion_posts import Draft
from lms.services.errors import NotFound
from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort, make_cohort
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import make_instructor


@pytest.fixture
def people(db, make_user, tmp_path):
    first = example_with_open_cohort(tmp_path)
    second = make_cohort(SLUG, mode="open", key="second", name="Second cohort", sessions=0)
    ana, ben, chloe = make_user(display_name="Ana"), make_user(display_name="Ben"), make_user(display_name="Chloe")
    enrol_in_cohort(ana, first)
    enrol_in_cohort(ben, first)
    enrol_in_cohort(chloe, second)
    return {"ana": ana, "ben": ben, "chloe": chloe, "staff": make_instructor(SLUG)}


def _recipients(outbox) -> list[str]:
    return [message["To"] for message in outbox.messages]


def test_who_posts_in_a_thread_hears_of_the_next_posts_with_a_one_click_unsubscribe(people, outbox, client):
    thread = discussion_posts.start_thread(people["ana"], SLUG, Draft(title="Care maps", body="How?"))
    discussion_posts.reply(people["ben"], thread.id, "With a **survey**.")
    [message] = outbox.messages
    assert message["To"] == people["ana"].email
    assert "Care maps" in message["Subject"] and "With a survey." in outbox.last_body()  # plain text, no **
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    address = message["List-Unsubscribe"].strip("<>")
    assert address in outbox.last_body()
    outbox.clear()
    response = client.post(address.removeprefix("http://lms.test"), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert discussion_mail.mail_mode(people["ana"]) == "off"
    discussion_posts.reply(people["ben"], thread.id, "Anyone?")
    assert _recipients(outbox) == []


def test_the_author_of_a_post_is_not_told_of_it(people, outbox):
    thread = discussion_posts.start_thread(people["ana"], SLUG, Draft(title="Alone", body="Hello"))
    discussion_posts.reply(people["ana"], thread.id, "Still me")
    assert _recipients(outbox) == []


def test_a_forged_unsubscribe_token_changes_nothing(people, client):
    token = discussion_mail.unsubscribe_token(people["ana"])
    with pytest.raises(NotFound):
        discussion_mail.unsubscribe(token[:-2] + "xx")
    assert client.post(f"/discussions/unsubscribe/{token[:-2]}xx").status_code == 404
    assert discussion_mail.mail_mode(people["ana"]) == "each"


def test_the_daily_digest_gathers_the_followed_threads_once(people, outbox):
    discussion_mail.set_mail_mode(people["ana"], "digest")
    thread = discussion_posts.start_thread(people["ana"], SLUG, Draft(title="Digest me", body="Hello"))
    discussion_posts.reply(people["ben"], thread.id, "One")
    discussion_posts.reply(people["ben"], thread.id, "Two")
    assert _recipients(outbox) == []  # no message per post for who chose the digest
    assert discussion_mail.send_digests(clock.now()) == 1
    [message] = outbox.messages
    assert message["To"] == people["ana"].email and "Digest me" in outbox.last_body()
    outbox.clear()
    assert discussion_mail.send_digests(clock.now() + timedelta(days=1)) == 0  # nothing new since


def test_an_announcement_reaches_every_learner_of_its_cohort_only(people, outbox):
    cohort_id = discussion_posts.start_thread(people["ana"], SLUG, Draft(title="x", body="y")).cohort_id
    outbox.clear()
    discussion_posts.start_thread(people["staff"], SLUG, Draft(title="Session moved", body="To Tuesday.",
                                                              kind="announcement", cohort_id=cohort_id))
    assert sorted(_recipients(outbox)) == sorted([people["ana"].email, people["ben"].email])


def test_a_course_wide_announcement_reaches_every_cohort_but_not_who_turned_mail_off(people, outbox):
    discussion_mail.set_mail_mode(people["ben"], "off")
    discussion_posts.start_thread(people["staff"], SLUG, Draft(title="Welcome", body="Hello all.",
                                                              kind="announcement"))
    assert sorted(_recipients(outbox)) == sorted([people["ana"].email, people["chloe"].email])

