"""Discussions by e-mail: following threads, a message per new post or a daily digest (each person chooses), the
staff's announcements to every member of a space, and one-click unsubscribe (RFC 8058) with a signed token.

Messages are rows in the outbox written in the transaction of the post (lms.services.mail.enqueue), delivered by the
worker: nothing is sent inside the request, and a post that rolls back sends nothing. An announcement goes to every
member of a space, hundreds of people: the request only flags it (``queue_announcement``) and the worker writes its
messages (``fan_out_announcements``). Only verified addresses receive them, as they carry what someone typed. Each
message carries the post as plain text (lms.core.discussion_markdown.post_plain_text) and as its sanitised HTML.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, Exists, and_, or_, select, update

from lms.core.discussion_markdown import post_plain_text
from lms.extensions import db
from lms.models import (
    DiscussionFollow,
    DiscussionPost,
    DiscussionSetting,
    DiscussionThread,
    Enrolment,
    EnrolmentStatus,
    User,
)
from lms.models.discussion import MAIL_MODES
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import links, mail
from lms.services.errors import Invalid, NotFound

_UNSUBSCRIBE_SALT = "discussion-unsubscribe"


def unsubscribe_token(user: User) -> str:
    """Signed, without expiry: an old message's link still stops the mail."""
    return URLSafeSerializer(current_app.secret_key, salt=_UNSUBSCRIBE_SALT).dumps({"uid": user.id})


def unsubscribe(token: str) -> User:
    """Stop every discussion e-mail to the token's person (one click, no log-in: the signature is the proof)."""
    try:
        data = URLSafeSerializer(current_app.secret_key, salt=_UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        raise NotFound(_("This unsubscribe link is not valid.")) from None
    user = db.session.get(User, int(data.get("uid", 0))) if isinstance(data, dict) else None
    if user is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    _set_mode(user.id, "off")
    db.session.commit()
    return user


def mail_mode(user: User) -> str:
    return db.session.execute(select(DiscussionSetting.mail_mode).where(
        DiscussionSetting.user_id == user.id)).scalar() or "each"


def set_mail_mode(user: User, mode: str) -> None:
    if mode not in MAIL_MODES:
        raise Invalid(_("Choose how you hear of discussions."), field="mail_mode")
    _set_mode(user.id, mode)
    db.session.commit()


def _set_mode(user_id: int, mode: str) -> None:
    if not insert_ignoring_conflicts(db.session, DiscussionSetting, {"user_id": user_id, "mail_mode": mode},
                                     ["user_id"]):
        db.session.execute(update(DiscussionSetting).where(DiscussionSetting.user_id == user_id)
                           .values(mail_mode=mode))


def follow(user_id: int, thread_id: int, up_to_post_id: int = 0) -> None:
    """Follow a thread (idempotent); the caller commits."""
    insert_ignoring_conflicts(db.session, DiscussionFollow, {"user_id": user_id, "thread_id": thread_id,
                                                             "notified_up_to_post_id": up_to_post_id},
                              ["user_id", "thread_id"])


def unfollow(user_id: int, thread_id: int) -> None:
    db.session.execute(DiscussionFollow.__table__.delete().where(
        DiscussionFollow.user_id == user_id, DiscussionFollow.thread_id == thread_id))


def is_following(user_id: int, thread_id: int) -> bool:
    return db.session.execute(select(follows(user_id, thread_id))).scalar_one()


def follows(user_id: int, thread_id: int | ColumnElement[int]) -> Exists:
    """Whether the person follows the thread, as a condition (the thread page asks it in its one query)."""
    return select(DiscussionFollow.id).where(DiscussionFollow.user_id == user_id,
                                             DiscussionFollow.thread_id == thread_id).exists()


def _mode_is(*modes: str):
    """A condition on the outer-joined DiscussionSetting: the person's mode is one of ``modes`` (no row: each)."""
    condition = DiscussionSetting.mail_mode.in_(modes)
    return or_(DiscussionSetting.id.is_(None), condition) if "each" in modes else condition


_REACHABLE = and_(User.active.is_(True), User.email_verified_at.is_not(None))


def notify_followers(thread: DiscussionThread, post: DiscussionPost, author: User) -> int:
    """A message to each follower who hears of each post (not the author); the caller commits."""
    rows = db.session.execute(
        select(User, DiscussionFollow).join(DiscussionFollow, DiscussionFollow.user_id == User.id)
        .outerjoin(DiscussionSetting, DiscussionSetting.user_id == User.id)
        .where(DiscussionFollow.thread_id == thread.id, User.id != author.id, _REACHABLE, _mode_is("each"))).all()
    link, text = links.discussion_thread(thread.id), post_plain_text(post.body)
    for person, following in rows:
        address = links.discussion_unsubscribe(unsubscribe_token(person))
        mail.enqueue(person, _l("New post in “%(title)s”", title=thread.title), "discussion_post",
                     list_unsubscribe=address, user=person, author=author, thread=thread, post=post, link=link,
                     unsubscribe=address, text=text)
        following.notified_up_to_post_id = post.id
    return len(rows)


def queue_announcement(thread: DiscussionThread) -> None:
    """Flag a new announcement for the worker to mail to every member; the caller commits. Nothing else happens in
    the request, however many members the space has."""
    thread.announcement_pending = True


def fan_out_announcements(limit: int = 20) -> int:
    """The worker's part: for each flagged announcement, claim it (an UPDATE that clears the flag only if it is still
    set), queue its messages and commit both together. A second worker, or the same job run again, finds the flag
    cleared and queues nothing; a worker that dies before committing leaves the flag set for the next. Returns the
    number of announcements fanned out."""
    waiting = list(db.session.execute(select(DiscussionThread.id).where(DiscussionThread.announcement_pending)
                                      .order_by(DiscussionThread.id).limit(limit)).scalars())
    done = 0
    for thread_id in waiting:
        claimed = db.session.execute(
            update(DiscussionThread).where(DiscussionThread.id == thread_id, DiscussionThread.announcement_pending)
            .values(announcement_pending=False).execution_options(synchronize_session=False)).rowcount
        if claimed:
            thread, opening, author = db.session.execute(
                select(DiscussionThread, DiscussionPost, User)
                .join(DiscussionPost, (DiscussionPost.thread_id == DiscussionThread.id) & DiscussionPost.is_opening)
                .outerjoin(User, User.id == DiscussionThread.author_id)
                .where(DiscussionThread.id == thread_id)).one()
            _announce(thread, opening, author)
            done += 1
        db.session.commit()
    return done


def _announce(thread: DiscussionThread, post: DiscussionPost, author: User | None) -> int:
    """The announcement to every active learner of its space (every cohort's, for a course-wide one), except
    those who turned discussion e-mail off; the caller commits."""
    members = (select(User).join(Enrolment, Enrolment.user_id == User.id)
               .outerjoin(DiscussionSetting, DiscussionSetting.user_id == User.id)
               .where(Enrolment.course_id == thread.course_id, Enrolment.status == EnrolmentStatus.ACTIVE,
                      _REACHABLE, _mode_is("each", "digest")))
    if author is not None:
        members = members.where(User.id != author.id)
    if thread.cohort_id is not None:
        members = members.where(Enrolment.cohort_id == thread.cohort_id)
    people = db.session.execute(members).scalars().all()
    link, text = links.discussion_thread(thread.id), post_plain_text(post.body)
    for person in people:
        address = links.discussion_unsubscribe(unsubscribe_token(person))
        mail.enqueue(person, _l("Announcement: %(title)s", title=thread.title), "discussion_announcement",
                     list_unsubscribe=address, user=person, author=author, thread=thread, post=post, link=link,
                     unsubscribe=address, text=text)
    return len(people)


def send_digests(now: datetime) -> int:
    """The daily digest: to each person who chose it, the followed threads with posts since they were last told,
    in one message. Returns the number of messages queued; commits."""
    rows = db.session.execute(
        select(User, DiscussionFollow, DiscussionThread)
        .join(DiscussionFollow, DiscussionFollow.user_id == User.id)
        .join(DiscussionThread, DiscussionThread.id == DiscussionFollow.thread_id)
        .join(DiscussionSetting, DiscussionSetting.user_id == User.id)
        .where(DiscussionSetting.mail_mode == "digest", _REACHABLE,
               DiscussionThread.last_post_id > DiscussionFollow.notified_up_to_post_id)
        .order_by(User.id, DiscussionThread.last_activity_at.desc())).all()
    by_person: dict[int, list[tuple[User, DiscussionFollow, DiscussionThread]]] = defaultdict(list)
    for row in rows:
        by_person[row[0].id].append(row)
    for entries in by_person.values():
        person = entries[0][0]
        threads = [(thread, links.discussion_thread(thread.id)) for _person, _follow, thread in entries]
        address = links.discussion_unsubscribe(unsubscribe_token(person))
        mail.enqueue(person, _l("New posts in your discussions"), "discussion_digest", list_unsubscribe=address,
                     user=person, threads=threads, unsubscribe=address)
        for _person, following, thread in entries:
            following.notified_up_to_post_id = thread.last_post_id
    db.session.commit()
    return len(by_person)
