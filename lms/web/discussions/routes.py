"""Cohort discussions: a course's board, its threads, writing and moderating. Every view calls one service; what a
person may see and do is the services' (and lms.core.discussions') business."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lms.core.discussion_search import QUERY_MAX
from lms.core.discussions import ThreadKind
from lms.extensions import configured_limit, csrf, limiter
from lms.services import (
    discussion_mail,
    discussion_moderation,
    discussion_posts,
    discussion_search,
    discussions,
    reflections,
)
from lms.services.discussion_posts import Draft
from lms.web.access import acting_user
from lms.web.discussions.forms import (
    ActionForm,
    AnswerForm,
    EditForm,
    MailSettingsForm,
    MuteForm,
    ReasonForm,
    ReflectionForm,
    ReplyForm,
    ThreadForm,
)
from lms.web.form_errors import save_form
from lms.web.i18n import page_language
from lms.web.query_args import form_id

bp = Blueprint("discussions", __name__, template_folder="templates")


def _per_person() -> str:
    """Posting limits count per person, whatever address or device they write from."""
    return f"discussion-post:{current_user.get_id()}"


posting_limit = limiter.limit(configured_limit("RATELIMIT_DISCUSSION_POST"), methods=["POST"], key_func=_per_person)


def _page() -> int:
    return request.args.get("page", 1, type=int) or 1


def _act_on_post(post_id: int, act, done: str, *, to_the_post: bool = False):
    """A button's post on a post: ``act(actor, post_id)`` returns the post, then ``done`` said on its thread's page
    (at the post itself if ``to_the_post``)."""
    if ActionForm().validate_on_submit():
        post = act(acting_user(), post_id)
        flash(done, "success")
        return redirect(url_for("discussions.thread", thread_id=post.thread_id,
                                _anchor=f"post-{post.id}" if to_the_post else None))
    return redirect(url_for("learner.dashboard"))


@bp.route("/courses/<slug>/discussions/")
@login_required
def board(slug: str):
    board = discussions.board(acting_user(), slug, place=request.args.get("place", ""),
                              item_key=request.args.get("item", ""), sort=request.args.get("sort", "latest"),
                              page=_page(), cohort_id=request.args.get("cohort", type=int))
    return render_template("discussions/board.html", board=board, slug=slug, place_title=discussions.place_title,
                           query_max=QUERY_MAX)


@bp.route("/courses/<slug>/discussions/search")
@login_required
def search(slug: str):
    results = discussion_search.search(acting_user(), slug, request.args.get("q", ""), _page())
    return render_template("discussions/search.html", results=results, slug=slug, query_max=QUERY_MAX)


@bp.route("/courses/<slug>/discussions/new", methods=["GET", "POST"])
@login_required
@posting_limit
def new_thread(slug: str):
    # A submitted thread goes straight to the service, which checks who may start it (an announcement: staff only)
    # and in which cohort's space: the page's own view of the course is read only to show the form.
    form = ThreadForm()
    if request.method == "GET":
        form.place.data = request.args.get("place", "general")
        form.item_key.data = request.args.get("item", "")
    thread, status = save_form(form, lambda: discussion_posts.start_thread(acting_user(), slug, Draft(
        title=form.title.data or "", body=form.body.data or "", kind=form.kind.data,
        place=form.place.data or "general", item_key=form.item_key.data or "",
        cohort_id=form_id("space") if form.space.data else None)))  # malformed: 0, no cohort's id
    if thread is not None:
        return redirect(url_for("discussions.thread", thread_id=thread.id))
    space = discussions.course_space(acting_user(), slug)
    if space.viewer.is_staff:
        form.space.choices = [SelectChoice("", _("Learners outside a cohort, or every cohort for an announcement")),
                              *[SelectChoice(str(cohort.id), cohort.name) for cohort in space.cohorts]]
    else:
        form.kind.choices = [choice for choice in form.kind.choices if choice.value != ThreadKind.ANNOUNCEMENT]
    place = form.place.data or "general"
    return render_template("discussions/new_thread.html", form=form, space=space, slug=slug,
                           where=discussions.place_title(space.outline, place, form.item_key.data or "")), status


@bp.route("/discussions/<int:thread_id>")
@login_required
def thread(thread_id: int):
    page = discussions.thread_page(acting_user(), thread_id, _page())
    # Only the reply form is a form object: the page's buttons (follow, pin, approve, mark as the answer…) carry
    # just the CSRF token, which csrf_field writes without building a form and rendering its field for each post.
    return render_template("discussions/thread.html", page=page, form=ReplyForm())


@bp.route("/discussions/<int:thread_id>/reply", methods=["POST"])
@login_required
@posting_limit
def reply(thread_id: int):
    form = ReplyForm()
    parent = request.form.get("parent_id", type=int)
    post, _status = save_form(form, lambda: discussion_posts.reply(acting_user(), thread_id, form.body.data or "",
                                                                    parent))
    if post is None:
        for message in [*form.form_errors, *form.body.errors]:
            flash(str(message), "error")
        return redirect(url_for("discussions.thread", thread_id=thread_id))
    return redirect(url_for("discussions.thread", thread_id=thread_id, page=request.args.get("page", 1, type=int),
                            _anchor=f"post-{post.id}"))


@bp.route("/courses/<slug>/lessons/<lesson_key>/reflection", methods=["GET", "POST"])
@login_required
@posting_limit
def reflection(slug: str, lesson_key: str):
    """The lesson page's reflection form posts here; a refused answer comes back on a page of its own, kept."""
    form = ReflectionForm()
    post, status = save_form(form, lambda: reflections.answer(acting_user(), slug, lesson_key, form.body.data or ""))
    if post is not None:
        flash(_("Your reflection is shared with your cohort."), "success")
    if post is not None or request.method == "GET":
        return redirect(url_for("learner.lesson", slug=slug, lesson_key=lesson_key, _anchor="reflection"))
    question = reflections.question_page(acting_user(), slug, lesson_key, page_language())
    return render_template("discussions/reflection.html", form=form, question=question), status


@bp.route("/discussions/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post, visit = discussion_posts.post_to_edit(acting_user(), post_id)
    form = EditForm()
    if request.method == "GET":
        form.body.data = post.body
        form.title.data = visit.thread.title if post.is_opening else None
    saved, status = save_form(form, lambda: discussion_posts.edit_post(
        acting_user(), post_id, form.body.data or "", form.title.data if post.is_opening else None))
    if saved is not None:
        flash(_("Your post is saved."), "success")
        return redirect(url_for("discussions.thread", thread_id=visit.thread.id, _anchor=f"post-{post_id}"))
    return render_template("discussions/edit.html", form=form, post=post, thread=visit.thread,
                           history=discussion_posts.revisions(acting_user(), post_id)), status


@bp.route("/discussions/posts/<int:post_id>/remove", methods=["POST"])
@login_required
def remove_post(post_id: int):
    return _act_on_post(post_id, discussion_posts.remove_post, _("Your post is removed."))


@bp.route("/discussions/<int:thread_id>/answer", methods=["POST"])
@login_required
def mark_answer(thread_id: int):
    form = AnswerForm()
    if form.validate_on_submit():
        discussion_posts.mark_answer(acting_user(), thread_id, form_id("post_id") or None)
    return redirect(url_for("discussions.thread", thread_id=thread_id))


@bp.route("/discussions/<int:thread_id>/pin", methods=["POST"])
@login_required
def pin(thread_id: int):
    if ActionForm().validate_on_submit():
        discussion_posts.set_pinned(acting_user(), thread_id, request.form.get("pinned") == "1")
    return redirect(url_for("discussions.thread", thread_id=thread_id))


@bp.route("/discussions/<int:thread_id>/lock", methods=["POST"])
@login_required
def lock(thread_id: int):
    if ActionForm().validate_on_submit():
        discussion_posts.set_locked(acting_user(), thread_id, request.form.get("locked") == "1")
    return redirect(url_for("discussions.thread", thread_id=thread_id))


# Moderation.


@bp.route("/discussions/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
@posting_limit
def report_post(post_id: int):
    post, visit = discussion_moderation.post_to_report(acting_user(), post_id)
    form = ReasonForm()
    saved, status = save_form(form, lambda: discussion_moderation.report_post(acting_user(), post_id,
                                                                              form.reason.data or ""))
    if saved is not None:  # saved: whether this is the person's first report of the post
        flash(_("Thank you: the course's staff will look at this post.") if saved
              else _("You have already reported this post: the course's staff will look at it."), "success")
        return redirect(url_for("discussions.thread", thread_id=visit.thread.id))
    return render_template("discussions/reason.html", form=form, post=post, thread=visit.thread,
                           heading=_("Report a post"), submit_label=_("Send the report")), status


@bp.route("/courses/<slug>/discussions/moderation")
@login_required
def moderation(slug: str):
    page = discussion_moderation.moderation_page(acting_user(), slug)
    return render_template("discussions/moderation.html", page=page, queue=page.reports, slug=slug,
                           action=ActionForm(), mute_form=MuteForm(), place_title=discussions.place_title)


def _moderate_with_reason(post_id: int, act, heading: str, submit_label: str, *, done: str, to_the_queue: bool):
    """The reason form of a moderator's action on a post: ``act(actor, post_id, reason)`` once it is valid, then
    ``done`` said on the thread's page, or on the moderation queue if ``to_the_queue``."""
    post, visit = discussion_moderation.post_to_moderate(acting_user(), post_id)
    form = ReasonForm()
    saved, status = save_form(form, lambda: act(acting_user(), post_id, form.reason.data or ""))
    if saved is not None:
        flash(done, "success")
        return redirect(url_for("discussions.moderation", slug=visit.course.slug) if to_the_queue
                        else url_for("discussions.thread", thread_id=visit.thread.id))
    return render_template("discussions/reason.html", form=form, post=post, thread=visit.thread,
                           heading=heading, submit_label=submit_label), status


@bp.route("/discussions/posts/<int:post_id>/hide", methods=["GET", "POST"])
@login_required
def hide_post(post_id: int):
    return _moderate_with_reason(post_id, discussion_moderation.hide_post, _("Hide a post"), _("Hide the post"),
                                 done=_("The post is hidden."), to_the_queue=False)


@bp.route("/discussions/posts/<int:post_id>/restore", methods=["POST"])
@login_required
def restore_post(post_id: int):
    return _act_on_post(post_id, discussion_moderation.restore_post, _("The post is shown again."))


@bp.route("/discussions/posts/<int:post_id>/approve", methods=["POST"])
@login_required
def approve_post(post_id: int):
    return _act_on_post(post_id, discussion_moderation.approve_post, _("The post is published."), to_the_post=True)


@bp.route("/discussions/posts/<int:post_id>/reject", methods=["GET", "POST"])
@login_required
def reject_post(post_id: int):
    return _moderate_with_reason(post_id, discussion_moderation.reject_post, _("Reject a post"), _("Reject the post"),
                                 done=_("The post is not published; its author can read why."), to_the_queue=True)


@bp.route("/discussions/posts/<int:post_id>/dismiss", methods=["POST"])
@login_required
def dismiss_reports(post_id: int):
    if ActionForm().validate_on_submit():
        visit = discussion_moderation.dismiss_reports(acting_user(), post_id)
        return redirect(url_for("discussions.moderation", slug=visit.course.slug))
    return redirect(url_for("learner.dashboard"))


@bp.route("/courses/<slug>/discussions/mute", methods=["POST"])
@login_required
def mute(slug: str):
    form = MuteForm()
    saved, _status = save_form(form, lambda: discussion_moderation.mute(
        acting_user(), slug, form.user_id.data, form.days.data, form.reason.data or ""))
    if saved is not None:
        flash(_("The person is muted until %(until)s.", until=saved.until.date().isoformat()), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    return redirect(url_for("discussions.moderation", slug=slug))


# E-mail.


@bp.route("/discussions/<int:thread_id>/follow", methods=["POST"])
@login_required
def follow(thread_id: int):
    if ActionForm().validate_on_submit():
        discussion_posts.set_following(acting_user(), thread_id, request.form.get("follow") == "1")
    return redirect(url_for("discussions.thread", thread_id=thread_id))


@bp.route("/discussions/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = MailSettingsForm()
    if request.method == "GET":
        form.mail_mode.data = discussion_mail.mail_mode(acting_user())
    if form.validate_on_submit():
        discussion_mail.set_mail_mode(acting_user(), form.mail_mode.data)
        flash(_("Your choice is saved."), "success")
        return redirect(url_for("discussions.settings"))
    return render_template("discussions/settings.html", form=form)


@bp.route("/discussions/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail program posts "List-Unsubscribe=One-Click" with no page, session or form token
def unsubscribe(token: str):
    """The link in every discussion e-mail: a page with one button, and the one-click POST mail programs send."""
    if request.method == "POST":
        discussion_mail.unsubscribe(token)
        return render_template("discussions/unsubscribe.html", token=token, done=True)
    return render_template("discussions/unsubscribe.html", token=token, done=False)
