"""Calendars of live sessions: one session or a whole cohort as an .ics download, and a private per-person feed URL
that calendar programs subscribe to (its token can be reset, which stops the old URL working).

Joining links go into a calendar only for people who may see them (lms.authz.can_see_join_link); the feed is a
person's own, so it carries the links of the cohorts they are in. The file format is lms.core.calendar's.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms import authz
from lms.core import clock
from lms.core.calendar import CalendarEvent, build_calendar
from lms.core.session_links import safe_link
from lms.extensions import db
from lms.models import CalendarFeedToken, Cohort, LiveSession, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import cohorts, links, live_sessions, staffing, wording
from lms.services.errors import NotFound


def _event(row: LiveSession, cohort: Cohort, *, with_link: bool) -> CalendarEvent:
    host = urlsplit(links.base_url()).hostname or "lms.local"
    page = links.cohort_page(cohort.id)
    # A stored link that breaks the rule (put in before the rule, or by hand) is left out, never a broken feed.
    join_url = safe_link(row.join_url) if with_link else ""
    recording_url = safe_link(row.recording_url) if with_link else ""
    lines = [row.description] if row.description else []
    lines.append(_("%(cohort)s. Times set in %(zone)s.", cohort=cohort.name, zone=row.timezone))
    if join_url:
        lines.append(_("Join: %(url)s", url=join_url))
    if recording_url:
        lines.append(_("Recording: %(url)s", url=recording_url))
    lines.append(_("Programme page: %(url)s", url=page))
    return CalendarEvent(
        uid=f"live-session-{row.id}@{host}", title=row.title, starts_at=row.starts_at, ends_at=row.ends_at,
        description="\n\n".join(lines), url=join_url or page, location=join_url or _("Online"),
        sequence=row.sequence, updated_at=row.updated_at,
    )


def _may_see_links(actor: User | None, cohort: Cohort) -> bool:
    return authz.can_see_join_link(actor, cohort.course_id, staffing.teaching_course_ids(actor),
                                   enrolled_in_cohort=cohort.id in cohorts.enrolled_cohort_ids(actor))


def session_calendar(actor: User | None, session_id: int) -> tuple[str, bytes]:
    row = live_sessions.load_live_session(session_id)  # visible_cohort below checks the actor
    cohort, _course, _version = cohorts.visible_cohort(actor, row.cohort_id)
    with_link = _may_see_links(actor, cohort)
    data = build_calendar([_event(row, cohort, with_link=with_link)],
                          name=_("%(cohort)s: %(session)s", cohort=cohort.name, session=row.title), now=clock.now())
    return f"session-{row.id}.ics", data


def cohort_calendar(actor: User | None, cohort_id: int) -> tuple[str, bytes]:
    cohort, _course, _version = cohorts.visible_cohort(actor, cohort_id)
    with_link = _may_see_links(actor, cohort)
    events = [_event(row, cohort, with_link=with_link) for row in live_sessions.sessions_of(cohort.id)]
    return f"cohort-{cohort.id}-sessions.ics", build_calendar(events, name=cohort.name, now=clock.now())


def feed_token(user: User) -> str:
    """The person's feed token, created on first use (safe to race: one row per person)."""
    insert_ignoring_conflicts(db.session, CalendarFeedToken, {
        "user_id": user.id, "token": secrets.token_urlsafe(32), "created_at": clock.now()}, ["user_id"])
    db.session.commit()
    return db.session.execute(select(CalendarFeedToken.token).filter_by(user_id=user.id)).scalar_one()


def feed_url(user: User) -> str:
    return links.calendar_feed(feed_token(user))


def reset_feed_token(user: User) -> str:
    """A new secret: calendars subscribed to the old URL stop receiving updates."""
    row = db.session.execute(select(CalendarFeedToken).filter_by(user_id=user.id)).scalar_one_or_none()
    if row is None:
        return feed_token(user)
    row.token = secrets.token_urlsafe(32)
    row.created_at = clock.now()
    db.session.commit()
    return row.token


def feed_calendar(token: str) -> bytes:
    """The sessions of every cohort the token's owner is in. NotFound for an unknown (or reset) token, or when the
    owner's account is deactivated."""
    if not token or len(token) > 64:
        raise NotFound(_("There is no such calendar."))
    user = db.session.execute(
        select(User).join(CalendarFeedToken, CalendarFeedToken.user_id == User.id)
        .where(CalendarFeedToken.token == token)
    ).scalar_one_or_none()
    if user is None or not user.active:
        raise NotFound(_("There is no such calendar."))
    # A calendar program fetches the feed without the person's session or browser language: it is written in the
    # owner's language (downloads from a page are in the page's).
    with force_locale(wording.language_of(user)):
        events = [_event(row, cohort, with_link=True) for row, cohort in live_sessions.learner_sessions(user)]
        return build_calendar(events, name=_("My live sessions (LMS-lite)"), now=clock.now())
