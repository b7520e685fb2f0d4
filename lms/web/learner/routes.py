"""The learner's pages: catalogue, course page, lessons, quizzes and "My learning"."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.core.discussions import BODY_MAX
from lms.services import catalog, cohorts, enrolments, learning, lesson_discussions, quizzes, video_lessons
from lms.services.errors import Conflict, NotAllowed
from lms.web.access import acting_user
from lms.web.i18n import page_language
from lms.web.learner.forms import ActionForm
from lms.web.lessons import asset_response, lesson_links, quiz_links
from lms.web.query_args import form_id
from lms.web.templating import fixed_url

bp = Blueprint("learner", __name__, template_folder="templates")


@bp.route("/courses/")
def catalogue():
    return render_template("learner/catalogue.html", cards=cohorts.catalogue_cards())


@bp.route("/courses/<slug>/")
def course(slug: str):
    user = acting_user() if current_user.is_authenticated else None
    page = learning.course_page(user, slug, interface_language=page_language(),
                                requested_language=request.args.get("lang"))
    return render_template("learner/course.html", page=page, lesson_url=lesson_links("learner.lesson", slug=slug),
                           quiz_url=quiz_links("learner.quiz", slug=slug))


@bp.route("/courses/<slug>/language", methods=["POST"])
@login_required
def choose_language(slug: str):
    """The course's language switch: remembered on the learner's enrolment, then back to the page it was on."""
    back = request.form.get("next", "")
    if not back.startswith(f"/courses/{slug}/") or "//" in back:  # only pages of this course: no open redirect
        back = url_for("learner.course", slug=slug)
    if ActionForm().validate_on_submit():
        learning.choose_course_language(acting_user(), slug, request.form.get("language", ""))
    return redirect(back)


@bp.route("/courses/<slug>/cover")
def cover(slug: str):
    """The published version's cover picture: public, like the catalogue that shows it."""
    return asset_response(catalog.cover_image(slug))


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str):
    if ActionForm().validate_on_submit():
        enrolments.enrol(acting_user(), slug)  # refused (403): the course takes people another way
        flash(_("You are enrolled. Welcome to the course!"), "success")
    return redirect(url_for("learner.course", slug=slug))


@bp.route("/courses/<slug>/leave", methods=["GET", "POST"])
@login_required
def leave(slug: str):
    """Leaving asks first, on a page of its own (no JavaScript needed), saying what happens to the learner's place."""
    user = acting_user()
    try:
        terms = enrolments.leaving_terms(user, slug)
    except Conflict as error:
        flash(error.message, "info")
        return redirect(url_for("learner.course", slug=slug))
    form = ActionForm()
    if form.validate_on_submit():
        enrolments.unenrol(user, slug)
        if terms.keeps_place:
            flash(_("You have left %(cohort)s. Your place and your progress are kept: you can rejoin from this page "
                    "until the cohort ends.", cohort=terms.cohort.name), "info")
        else:
            flash(_("You have left the course. Your progress is kept if you enrol again."), "info")
        return redirect(url_for("learner.course", slug=slug))
    return render_template("learner/leave.html", terms=terms, form=form)


@bp.route("/courses/<slug>/rejoin", methods=["POST"])
@login_required
def rejoin(slug: str):
    if ActionForm().validate_on_submit():
        try:
            enrolments.rejoin(acting_user(), slug)
        except NotAllowed as error:
            flash(error.message, "error")
        else:
            flash(_("Welcome back! You have rejoined the course, with all your progress."), "success")
    return redirect(url_for("learner.course", slug=slug))


@bp.route("/courses/<slug>/lessons/<lesson_key>")
@login_required
def lesson(slug: str, lesson_key: str):
    page = learning.lesson_page(acting_user(), slug, lesson_key, interface_language=page_language(),
                                requested_language=request.args.get("lang"))
    page_discussions = lesson_discussions.lesson_page_discussions(
        acting_user(), page.version, lesson_key, enrolled=page.enrolled, cohort_id=page.cohort_id,
        reading=page.reading, answers_page=request.args.get("answers", 1, type=int) or 1)
    return render_template(
        "learner/lesson.html", preview=False, course_slug=slug, version=page.version, outline=page.outline,
        lesson=page.lesson, html=page.html, previous=page.previous, following=page.following,
        following_quiz=page.following_quiz, completed=page.state.completed_lessons,
        passed_quizzes=page.state.passed_quizzes, progress=page.state.progress, next_step=page.next_step,
        lesson_url=lesson_links("learner.lesson", slug=slug), quiz_url=quiz_links("learner.quiz", slug=slug),
        reading=page.reading,
        can_choose_language=page.enrolled, lesson_discussion=page_discussions.link, video=page.video,
        resume_at=page.resume_at, reflection=page_discussions.reflection, reflection_max=BODY_MAX,
        watching_url=fixed_url("learner.report_watching", slug=slug, lesson_key=lesson_key) if page.enrolled else None,
    )


@bp.route("/courses/<slug>/lessons/<lesson_key>/watching", methods=["POST"])
@login_required
def report_watching(slug: str, lesson_key: str):
    """What the video player reports (static/js/video.js): JSON {"intervals": [[start, end], ...], "position": s}."""
    state = video_lessons.report_watching(acting_user(), slug, lesson_key, request.get_json(silent=True))
    return {"watched_share": round(state.watched_share, 4), "completed": state.completed}


@bp.route("/courses/<slug>/lessons/<lesson_key>/complete", methods=["POST"])
@login_required
def complete_lesson(slug: str, lesson_key: str):
    form = ActionForm()
    if form.validate_on_submit():
        learning.complete_lesson(acting_user(), slug, lesson_key)
    if request.accept_mimetypes.best == "application/json":
        return {"completed": True}
    following, following_quiz = request.form.get("next", ""), request.form.get("next_quiz", "")
    if following:
        return redirect(url_for("learner.lesson", slug=slug, lesson_key=following))
    if following_quiz:
        return redirect(url_for("learner.quiz", slug=slug, quiz_key=following_quiz))
    return redirect(url_for("learner.lesson", slug=slug, lesson_key=lesson_key, _anchor="lesson-end"))


@bp.route("/courses/<slug>/assets/<path:asset_path>")
@login_required
def asset(slug: str, asset_path: str):
    return asset_response(learning.course_asset(acting_user(), slug, "assets/" + asset_path))


@bp.route("/courses/<slug>/quizzes/<quiz_key>", methods=["GET", "POST"])
@login_required
def quiz(slug: str, quiz_key: str):
    user = acting_user()
    problems: list[str] = []
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            return redirect(url_for("learner.quiz", slug=slug, quiz_key=quiz_key))
        attempt_id = form_id("attempt")
        answers = {key: request.form.getlist(key) for key in request.form if key not in ("csrf_token", "attempt")}
        try:
            attempt = quizzes.submit_attempt(user, slug, quiz_key, attempt_id, answers,
                                             interface_language=page_language())
        except quizzes.SubmissionRejected as error:
            problems = error.problems
        except quizzes.AlreadySubmitted as error:
            flash(error.message, "info")
            return redirect(url_for("learner.attempt", slug=slug, attempt_id=error.attempt_id))
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("learner.quiz", slug=slug, quiz_key=quiz_key))
        else:
            return redirect(url_for("learner.attempt", slug=slug, attempt_id=attempt.id))
    page = quizzes.quiz_page(user, slug, quiz_key, interface_language=page_language(),
                             requested_language=request.args.get("lang"))
    status = 422 if problems else 200
    response = make_response(render_template("learner/quiz.html", page=page, problems=problems,
                                             answers=request.form), status)
    # Back after submitting must ask the server again (and see the result), not show the old form from the cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/courses/<slug>/quizzes/<quiz_key>/start", methods=["POST"])
@login_required
def start_attempt(slug: str, quiz_key: str):
    """ "Try again": the only way to start a second or later attempt."""
    if ActionForm().validate_on_submit():
        try:
            quizzes.start_attempt(acting_user(), slug, quiz_key)
        except Conflict as error:
            flash(error.message, "error")
    return redirect(url_for("learner.quiz", slug=slug, quiz_key=quiz_key))


@bp.route("/courses/<slug>/attempts/<int:attempt_id>")
@login_required
def attempt(slug: str, attempt_id: int):
    review = quizzes.review(acting_user(), slug, attempt_id)
    return render_template("learner/review.html", review=review)


@bp.route("/learning")
@login_required
def dashboard():
    dashboard = learning.dashboard(acting_user())
    return render_template("learner/dashboard.html", dashboard=dashboard, certificates=dashboard.certificates)

