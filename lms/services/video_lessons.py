"""Video lessons: what the lesson page needs of a lesson's video, stored with the version at import; how much of it
a learner has watched (lms.core.watching), which completes the lesson and remembers where to resume."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from lms.core import clock, watching
from lms.core.packages.model import Package, Track, Video
from lms.extensions import db
from lms.models import User, VideoWatching
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import catalog, course_context, learning
from lms.services.errors import Invalid, NotFound


def video_hosts() -> tuple[str, ...]:
    """The hosts whose players a lesson may embed (configuration: LMS_VIDEO_HOSTS). Checking a package needs no
    application (tests, tools); without one, no host is allowed."""
    return tuple(current_app.config["VIDEO_HOSTS"]) if has_app_context() else ()


def video_record(video: Video | None, package: Package) -> dict[str, Any] | None:
    """The video as stored in VersionLesson.video (JSON): everything the page shows, cues included, so a lesson page
    reads no file to show its transcript and chapters. ``sha256`` names the file whose watching is recorded."""
    if video is None:
        return None
    digests = {asset.path: asset.sha256 for asset in package.assets}
    return {"file": video.file, "sha256": digests.get(video.file or ""), "url": video.url, "host": video.host,
            "poster": video.poster, "duration": video.duration, "no_captions_reason": video.no_captions_reason,
            "captions": [_track(track) for track in video.captions],
            "chapters": _track(video.chapters) if video.chapters else None}


def _track(track: Track) -> dict[str, Any]:
    return {"language": track.language, "file": track.path,
            "cues": [[cue.start, cue.end, cue.text] for cue in track.cues]}


@dataclass(frozen=True)
class WatchingState:
    watched_share: float  # of the video's length, 0 to 1
    completed: bool  # the lesson is complete (now or before)


def report_watching(user: User, slug: str, lesson_key: str, report: Any) -> WatchingState:
    """Record what the player reports (``report``: {"intervals": [[start, end] seconds played], "position": s}) and
    complete the lesson once the configured share of the video is covered. An impossible report (positions outside
    the video, more watched than the time since the first report allows) is refused whole (Invalid)."""
    course, version, enrolment = course_context.study_context_to_edit(user, slug)
    video = catalog.lesson_video(version, lesson_key)
    if not video or not video.get("sha256") or not video.get("duration"):
        raise NotFound(_("This lesson has no video whose watching can be recorded."))
    duration = float(video["duration"])
    if enrolment is None:  # staff looking around record nothing
        return WatchingState(0.0, False)
    if not isinstance(report, dict) or not isinstance(report.get("intervals"), list) \
            or not isinstance(report.get("position"), int | float):
        raise Invalid(_("Send the watched intervals and the position as JSON."))
    intervals, position = report["intervals"], report["position"]
    keys = {"user_id": user.id, "course_id": course.id, "lesson_key": lesson_key, "video_sha256": video["sha256"]}
    now = clock.now()
    insert_ignoring_conflicts(db.session, VideoWatching, {**keys, "intervals": [], "watched_seconds": 0.0,
                                                          "position": 0.0, "first_reported_at": now,
                                                          "reported_at": now}, list(keys))
    row = db.session.execute(select(VideoWatching).filter_by(**keys).with_for_update()).scalar_one()
    try:
        result = watching.apply_report([tuple(pair) for pair in row.intervals], intervals, position, duration,
                                       max(0.0, (now - row.first_reported_at).total_seconds()))
    except (watching.ImpossibleReport, TypeError, ValueError) as error:
        db.session.rollback()
        # The reason (lms.core.watching) is for the log and tests; a real player never sees this answer.
        raise Invalid(_("This report of the video watched is not possible, so nothing of it was recorded.")) \
            from error
    row.intervals = [list(pair) for pair in result.intervals]
    row.watched_seconds, row.position, row.reported_at = result.watched, result.position, now
    share = current_app.config["VIDEO_COMPLETION_SHARE"]
    completed = watching.is_watched(result.watched, duration, share)
    if completed:
        learning.record_completion(user, course, version, enrolment, lesson_key)
    db.session.commit()
    return WatchingState(min(1.0, result.watched / duration), completed)
