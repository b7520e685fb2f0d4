"""Pages for instructors and admins: upload a package, read its validation report, preview, diff and publish.

Any instructor may bring a new course; a course's versions are for its staff and administrators
(lms.authz.can_author_course, checked by lms.services.course_versions)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wsgi import wrap_file

from lms.core import grading
from lms.extensions import configured_limit, limiter
from lms.models import Role
from lms.services import (
    catalog,
    course_languages,
    course_versions,
    guides,
    package_validation,
    publishing,
    quiz_preview,
    reflections,
    version_diff,
    wording,
)
from lms.services.errors import Conflict, Invalid, ServiceError
from lms.services.quiz_preview import Situation
from lms.web.access import acting_user, require_role
from lms.web.author.forms import DeleteDraftForm, PublishForm, QuizPreviewForm, UploadPackageForm
from lms.web.lessons import asset_response, lesson_links, quiz_links

bp = Blueprint("author", __name__, template_folder="templates")


@bp.before_request
def only_course_staff():
    require_role(Role.ADMIN, Role.INSTRUCTOR)


def _index(form: UploadPackageForm) -> str:
    return render_template("author/index.html", courses=course_versions.list_courses(acting_user()), form=form)


@bp.route("/")
def index():
    return _index(UploadPackageForm())


@bp.route("/upload", methods=["POST"])
@limiter.limit(configured_limit("RATELIMIT_UPLOAD"))
def upload():
    # A package (videos and all) has its own size limit, larger than other uploads': set before the body is read.
    request.max_content_length = current_app.config["PACKAGE_MAX_UPLOAD_BYTES"]
    form = UploadPackageForm()
    if not form.validate_on_submit():
        return _index(form), 422
    filename = form.package.data.filename or "the uploaded file"
    # The upload goes to a file on disk (never whole into memory here); the import reads the zip from there.
    with tempfile.TemporaryDirectory(prefix="lms-upload-") as folder:
        saved = Path(folder) / "package.zip"
        form.package.data.save(saved)
        return _import_upload(form, saved, filename)


def _import_upload(form: UploadPackageForm, saved: Path, filename: str):
    try:
        outcome = publishing.import_package(acting_user(), saved, name=filename)
    except package_validation.PackageRejected as error:
        return render_template("author/rejected.html", problems=error.problems, filename=filename), 422
    except ServiceError as error:
        # Said on the form, which names the file, even when the package's course is someone else's (403).
        form.package.errors = [f"{filename} was not imported: {error.message}"]
        return _index(form), 422 if isinstance(error, (Invalid, Conflict)) else error.status_code
    version = outcome.version
    slug = course_versions.get_course_of(version).slug
    if outcome.created:
        flash(_("Imported version %(version)s as a draft. Preview it, check the changes, then publish.",
                version=version.version), "success")
    else:
        flash(_("Version %(version)s was already imported with exactly this content.", version=version.version),
              "info")
    return redirect(url_for("author.version", slug=slug, version=version.version))


@bp.route("/<slug>/<version>/")
def version(slug: str, version: str):
    row = course_versions.version_for_author(acting_user(), slug, version)
    outline = catalog.version_outline(row)
    report = version_diff.diff_versions(acting_user(), slug, version)
    return render_template("author/version.html", slug=slug, version=row, outline=outline, report=report,
                           history=course_versions.version_history(row.course_id))


@bp.route("/<slug>/<version>/publish", methods=["GET", "POST"])
def publish(slug: str, version: str):
    """Publishing asks first: what it changes, for whom; the form carries the published version the author saw."""
    form = PublishForm()
    if form.validate_on_submit():
        try:
            publishing.publish_confirmed(acting_user(), slug, version, form.replacing.data or "")
        except package_validation.PackageRejected as error:
            for problem in error.problems:
                flash(_("Not published: %(problem)s", problem=problem), "error")
        except Conflict as error:  # refusals (403, 404) get their error page
            flash(error.message, "error")
            return redirect(url_for("author.publish", slug=slug, version=version))
        flash(_("Version %(version)s is now published. Learners have moved to it.", version=version), "success")
        return redirect(url_for("author.version", slug=slug, version=version))
    row = course_versions.version_for_author(acting_user(), slug, version)
    if row.is_current:
        flash(_("Version %(version)s is already the published version.", version=version), "info")
        return redirect(url_for("author.version", slug=slug, version=version))
    report = version_diff.diff_versions(acting_user(), slug, version)
    form.replacing.data = report.current.version if report.current else ""
    return render_template("author/publish.html", slug=slug, version=row, report=report, form=form)


@bp.route("/<slug>/<version>/delete", methods=["GET", "POST"])
def delete(slug: str, version: str):
    """Deleting a draft asks first; published versions and versions learners have been on are refused."""
    form = DeleteDraftForm()
    if form.validate_on_submit():
        try:
            publishing.delete_draft(acting_user(), slug, version)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("author.version", slug=slug, version=version))
        flash(_("The draft version %(version)s of %(slug)s was deleted.", version=version, slug=slug), "success")
        return redirect(url_for("author.index"))
    row = course_versions.version_for_author(acting_user(), slug, version)
    return render_template("author/delete.html", slug=slug, version=row, form=form)


@bp.route("/<slug>/<version>/export")
def export(slug: str, version: str):
    # Built in a temporary file (gone once closed), then streamed from it: a version's video never sits in memory.
    archive = tempfile.TemporaryFile()  # noqa: SIM115 -- the response closes it, once sent
    try:
        course_versions.export_version(acting_user(), slug, version, archive)
    except BaseException:
        archive.close()
        raise
    size = archive.tell()
    archive.seek(0)
    return Response(wrap_file(request.environ, archive), mimetype="application/zip", direct_passthrough=True,
                    headers={"Content-Disposition": f'attachment; filename="{slug}-{version}.zip"',
                             "Content-Length": str(size)})


@bp.route("/<slug>/<version>/preview/lessons/<lesson_key>")
def preview_lesson(slug: str, version: str, lesson_key: str):
    row = course_versions.version_for_author(acting_user(), slug, version)
    # In the source language, or in one of its translations with ?lang= (the language switch's links).
    reading = course_languages.reading_for(row, None, None, request.args.get("lang"))
    outline = course_languages.localised_outline(catalog.version_outline(row), reading)
    lesson = outline.lesson(lesson_key)
    previous, following = outline.neighbours(lesson_key)
    return render_template(
        "learning/lesson.html", preview=True, course_slug=slug, version=row, outline=outline, lesson=lesson,
        html=course_languages.lesson_html(reading, lesson_key, catalog.lesson_html(row, lesson_key)),
        previous=previous, following=following, completed=frozenset(), passed_quizzes=frozenset(), progress=None,
        lesson_url=lesson_links("author.preview_lesson", slug=slug, version=version),
        quiz_url=quiz_links("author.preview_quiz", slug=slug, version=version), reading=reading,
        can_choose_language=False, video=catalog.lesson_video(row, lesson_key),
        preview_question=reflections.question_in(row, lesson_key, reading),
    )


@bp.route("/<slug>/<version>/preview/quizzes/<quiz_key>", methods=["GET", "POST"])
def preview_quiz(slug: str, version: str, quiz_key: str):
    """The draft's quiz as learners take it, then the review they would see; nothing is recorded."""
    form = QuizPreviewForm()
    problems: list[str] = []
    if form.validate_on_submit():
        seed = _layout_seed(form.seed.data)
        if seed is None:
            problems = ["The form lost the order of the questions. Answer the quiz again."]
        else:
            try:
                review = quiz_preview.try_quiz(acting_user(), slug, version, quiz_key, seed,
                                               request.form.to_dict(flat=False), Situation(form.situation.data))
            except grading.SubmissionError as error:
                problems = [wording.word(problem) for problem in error.problems]
            else:
                return render_template("author/quiz_review.html", slug=slug, review=review)
    elif request.method == "POST":
        problems = [message for messages in form.errors.values() for message in messages]
    # Answers that could not be graded are shown again in the layout they were given in, as a learner's would be.
    kept_seed = _layout_seed(form.seed.data) if problems else None
    preview = quiz_preview.preview_quiz(acting_user(), slug, version, quiz_key, kept_seed)
    form.seed.data = str(preview.seed)
    return render_template("author/quiz_preview.html", slug=slug, preview=preview, form=form, problems=problems,
                           answers=request.form if problems else None), 422 if problems else 200


def _layout_seed(value: str | None) -> int | None:
    """The seed the preview form carried back, or None when it is missing or not one the preview made."""
    return int(value) if value and re.fullmatch(r"[0-9]{1,10}", value) else None


@bp.route("/course-packages")
def course_packages_guide():
    """docs/course-packages.md as a page, through the same Markdown renderer and sanitiser as lessons."""
    return render_template("author/guide.html", guide=guides.course_packages_guide())


@bp.route("/<slug>/<version>/preview/assets/<path:asset_path>")
def preview_asset(slug: str, version: str, asset_path: str):
    row = course_versions.version_for_author(acting_user(), slug, version)
    return asset_response(catalog.asset(row.id, "assets/" + asset_path))
