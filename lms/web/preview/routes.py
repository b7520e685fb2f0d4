"""The live preview of a working folder, registered only by `flask lms preview PATH`: the course, its lessons, quizzes
and assets as learners will see them, with the package's problems and warnings on every page, and a small script
(static/js/live-preview.js) that reloads the page when a file of the folder changes. GET only; nothing is recorded."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template

from lms.core import grading
from lms.services import live_preview
from lms.web.lessons import quiz_links, send_asset

bp = Blueprint("preview", __name__, template_folder="templates")

FOLDER_SETTING = "LIVE_PREVIEW_FOLDER"


def _state() -> live_preview.PreviewState:
    return live_preview.preview_state(Path(current_app.config[FOLDER_SETTING]))


def _problems_page(state: live_preview.PreviewState) -> tuple[str, int]:
    return render_template("preview/course.html", state=state), 200


def _lesson_url(key: str) -> str:
    return key  # lessons link to each other relatively: /preview/lessons/<id>


@bp.route("/")
def course():
    return render_template("preview/course.html", state=_state())


@bp.route("/fingerprint")
def fingerprint():
    """What the page's script polls: it reloads the page when this changes."""
    response = Response(live_preview.folder_fingerprint(_state().folder), mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/lessons/<lesson_key>")
def lesson(lesson_key: str):
    state = _state()
    if state.outline is None:
        return _problems_page(state)
    item = state.outline.lesson(lesson_key)
    previous, following = state.outline.neighbours(lesson_key)
    return render_template("preview/lesson.html", state=state, preview=True, version=state.version,
                           outline=state.outline, lesson=item, html=state.html[lesson_key],
                           video=state.videos.get(lesson_key), previous=previous,
                           following=following, completed=frozenset(), passed_quizzes=frozenset(), progress=None,
                           lesson_url=_lesson_url, quiz_url=quiz_links("preview.quiz"),
                           course_slug=state.package.slug if state.package else "")


@bp.route("/quizzes/<quiz_key>")
def quiz(quiz_key: str):
    state = _state()
    package = state.package
    found = next((q for q in package.quizzes if q.id == quiz_key), None) if package else None
    if found is None:
        return _problems_page(state)
    questions = grading.public_attempt_view(found, grading.attempt_layout(found, 0))
    return render_template("preview/quiz.html", state=state, quiz=found, questions=questions, answers=None)


@bp.route("/assets/<path:asset_path>")
def asset(asset_path: str):
    # Revalidated on every use (the ETag is the content's hash): a saved file shows at once, an unchanged one is a 304.
    found, source = live_preview.asset(_state(), "assets/" + asset_path)
    return send_asset(source, found, caching="no-cache")
