"""Pages for instructors and admins: upload a package, read its validation report, preview, diff and publish.

Any instructor may bring a new course; a course's versions are for its staff and administrators
(lms.authz.can_author_course, checked by lms.services.publishing)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for

from lms.extensions import configured_limit, limiter
from lms.models import Role
from lms.services import catalog, publishing
from lms.services.errors import Conflict, ServiceError
from lms.web.access import acting_user, require_role
from lms.web.author.forms import PublishForm, UploadPackageForm
from lms.web.lessons import asset_response, lesson_links

bp = Blueprint("author", __name__, template_folder="templates")


@bp.before_request
def only_course_staff():
    require_role(Role.ADMIN, Role.INSTRUCTOR)


def _index(form: UploadPackageForm) -> str:
    return render_template("author/index.html", courses=publishing.list_courses(acting_user()), form=form)


@bp.route("/")
def index():
    return _index(UploadPackageForm())


@bp.route("/upload", methods=["POST"])
@limiter.limit(configured_limit("RATELIMIT_UPLOAD"))
def upload():
    form = UploadPackageForm()
    if not form.validate_on_submit():
        return _index(form), 422
    data = form.package.data.read()
    filename = form.package.data.filename or "the uploaded file"
    try:
        outcome = publishing.import_package(acting_user(), data, name=filename)
    except publishing.PackageRejected as error:
        return render_template("author/rejected.html", problems=error.problems, filename=filename), 422
    except ServiceError as error:
        form.package.errors = [f"{filename} was not imported: {error.message}"]
        return _index(form), error.status_code
    version = outcome.version
    slug = publishing.get_course_of(version).slug
    if outcome.created:
        flash(f"Imported version {version.version} as a draft. Preview it, check the changes, then publish.",
              "success")
    else:
        flash(f"Version {version.version} was already imported with exactly this content.", "info")
    return redirect(url_for("author.version", slug=slug, version=version.version))


@bp.route("/<slug>/<version>/")
def version(slug: str, version: str):
    row = publishing.version_for_author(acting_user(), slug, version)
    outline = catalog.version_outline(row)
    report = publishing.diff_versions(acting_user(), slug, version)
    return render_template("author/version.html", slug=slug, version=row, outline=outline, report=report,
                           form=PublishForm())


@bp.route("/<slug>/<version>/publish", methods=["POST"])
def publish(slug: str, version: str):
    form = PublishForm()
    if form.validate_on_submit():
        try:
            publishing.publish_version(acting_user(), slug, version)
        except publishing.PackageRejected as error:
            for problem in error.problems:
                flash(f"Not published: {problem}", "error")
        except Conflict as error:  # refusals (403, 404) get their error page
            flash(error.message, "error")
        else:
            flash(f"Version {version} is now published. Learners have moved to it.", "success")
    return redirect(url_for("author.version", slug=slug, version=version))


@bp.route("/<slug>/<version>/export")
def export(slug: str, version: str):
    data = publishing.export_version(acting_user(), slug, version)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{slug}-{version}.zip"'})


@bp.route("/<slug>/<version>/preview/lessons/<lesson_key>")
def preview_lesson(slug: str, version: str, lesson_key: str):
    row = publishing.version_for_author(acting_user(), slug, version)
    outline = catalog.version_outline(row)
    lesson = outline.lesson(lesson_key)
    previous, following = outline.neighbours(lesson_key)
    return render_template(
        "learning/lesson.html", preview=True, course_slug=slug, version=row, outline=outline, lesson=lesson,
        html=catalog.lesson_html(row, lesson_key), previous=previous, following=following,
        completed=frozenset(), progress=None,
        lesson_url=lesson_links("author.preview_lesson", slug=slug, version=version),
    )


@bp.route("/<slug>/<version>/preview/assets/<path:asset_path>")
def preview_asset(slug: str, version: str, asset_path: str):
    row = publishing.version_for_author(acting_user(), slug, version)
    return asset_response(catalog.asset(row.id, "assets/" + asset_path))
