"""Progress reports: overview, learner table, one learner's history, quiz analytics and places, with CSV exports and
JSON for integrations (administrators only). Every view calls one service; the services check per-course access."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from lms import authz
from lms.core import charts, locales
from lms.core.packages.fields import LANGUAGE
from lms.models import Role
from lms.services import reports, staffing, wording
from lms.web.access import acting_user, require_role
from lms.web.downloads import csv_download
from lms.web.form_errors import save_form
from lms.web.query_args import id_arg, page_arg
from lms.web.reports.forms import AssignInstructorForm, LearnerFilterForm

bp = Blueprint("reports", __name__, template_folder="templates")


@bp.before_request
def only_staff():
    require_role(Role.ADMIN, Role.INSTRUCTOR)


def _cohort_arg() -> int | None:
    return id_arg("cohort")


def _filter_form(scope: reports.ReportScope | None = None) -> tuple[LearnerFilterForm, reports.LearnerFilters]:
    form = LearnerFilterForm(request.args)
    form.cohort.choices = [SelectChoice("", _("All cohorts"))] + [SelectChoice(str(c.id), c.name)
                                                                for c in (scope.cohorts if scope else ())]
    # Without the scope (the exports, checked by the service), any language code is taken as given.
    asked = request.args.get("language", "")
    languages = scope.version.language_list if scope else ([asked] if LANGUAGE.matches(asked) else [])
    form.language.choices = [SelectChoice("", _("All languages"))] + [
        SelectChoice(code, locales.language_name(code, str(get_locale() or "en"))) for code in languages]
    form.validate()
    cohort = form.cohort.data
    filters = reports.LearnerFilters(
        cohort_id=int(cohort) if cohort and str(cohort).isdigit() else None,
        status=form.status.data if form.status.data in reports.STATUSES else None,
        city=(form.city.data or "")[:120] if not form.city.errors else "",
        country=(form.country.data or "")[:2] if not form.country.errors else "",
        organisation=(form.organisation.data or "")[:200] if not form.organisation.errors else "",
        inactive_days=form.inactive_days.data if not form.inactive_days.errors else None,
        search=(form.q.data or "")[:200] if not form.q.errors else "",
        language=form.language.data if form.language.data in languages else "",
    )
    return form, filters


def _sort_arg() -> str:
    sort = request.args.get("sort", "name")
    return sort if sort.lstrip("-") in reports.SORTS else "name"


@bp.route("/")
def index():
    form = None
    if authz.can_assign_instructors(current_user):
        form = AssignInstructorForm()
        courses = reports.reportable_courses(acting_user())
        form.course.choices = [SelectChoice(c.slug, c.title) for c in courses]
    else:
        courses = reports.reportable_courses(acting_user())
    return render_template("reports/index.html", courses=courses, form=form)


@bp.route("/instructors", methods=["POST"])
def assign_instructor():
    if not authz.can_assign_instructors(current_user):
        abort(403)
    courses = reports.reportable_courses(acting_user())
    form = AssignInstructorForm()
    form.course.choices = [SelectChoice(c.slug, c.title) for c in courses]
    assigned, status = save_form(
        form, lambda: staffing.assign_instructor(acting_user(), form.course.data, form.email.data))
    if assigned is not None:
        flash(_("%(email)s is now an instructor of this course (reports, authoring, attendance).",
                email=form.email.data), "success")
        return redirect(url_for("reports.index"))
    return render_template("reports/index.html", courses=courses, form=form), status


@bp.route("/<slug>/")
def overview(slug: str):
    report = reports.overview(acting_user(), slug, _cohort_arg())
    # The section's heading says "Completion funnel"; the chart's caption says what it shows, as the activity's does.
    funnel_chart = charts.horizontal_bars(
        _("Learners reaching each step"),
        ngettext("Of %(count)s enrolled learner, how many reached each step.",
                 "Of %(count)s enrolled learners, how many reached each step.", report.enrolled,
                 count=format_decimal(report.enrolled)),
        [(wording.word(step.label), step.count,
          _("%(count)s (%(share)s)", count=format_decimal(step.count),
            share=format_percent(step.percent / 100, "#,##0.0%")))
         for step in report.funnel],
        headers=(_("Step"), _("Learners (share of enrolled)")))
    activity_chart = charts.columns(
        _("Learners active per week"),
        ngettext("Distinct learners with any progress in the last week (weeks start on Monday).",
                 "Distinct learners with any progress in each of the last %(num)d weeks (weeks start on Monday).",
                 len(report.activity)),
        [(format_date(week, "d MMM"), count, format_decimal(count)) for week, count in report.activity],
        headers=(_("Week starting"), _("Active learners")))
    return render_template("reports/overview.html", report=report, scope=report.scope, funnel_chart=funnel_chart,
                           activity_chart=activity_chart, cohort_columns=reports.COHORT_ACTIVITY_COLUMNS,
                           recent_days=reports.RECENT_DAYS)


@bp.route("/<slug>/learners")
def learners(slug: str):
    scope = reports.report_scope(acting_user(), slug)
    form, filters = _filter_form(scope)
    table = reports.learner_table(acting_user(), slug, filters, _sort_arg(), page_arg())
    return render_template("reports/learners.html", table=table, scope=table.scope, form=form,
                           args=filters.as_args() | {"sort": table.sort})


@bp.route("/<slug>/learners/<int:user_id>")
def learner(slug: str, user_id: int):
    history = reports.learner_history(acting_user(), slug, user_id)
    return render_template("reports/learner.html", history=history, scope=history.scope)


@bp.route("/<slug>/quizzes/<quiz_key>")
def quiz(slug: str, quiz_key: str):
    report = reports.quiz_analytics(acting_user(), slug, quiz_key, _cohort_arg())
    return render_template("reports/quiz.html", report=report, scope=report.scope)


@bp.route("/<slug>/places")
def places(slug: str):
    report = reports.places(acting_user(), slug, _cohort_arg())
    country_chart = charts.horizontal_bars(
        _("Completion rate by country"), _("Share of each country's enrolled learners who completed the course."),
        [(row.country or _("(none)"), row.completion_rate,
          _("%(share)s of %(count)s", share=format_percent(row.completion_rate / 100),
            count=format_decimal(row.enrolled)))
         for row in report.countries[:15]], headers=(_("Country"), _("Completed (of enrolled)")), maximum=100)
    return render_template("reports/places.html", report=report, scope=report.scope, country_chart=country_chart,
                           place_columns=reports.place_columns)


def _export(slug: str, table: str) -> reports.ExportTable:
    _form, filters = _filter_form()
    return reports.export_table(acting_user(), slug, table, filters=filters, sort=_sort_arg(),
                                quiz_key=request.args.get("quiz"))


@bp.route("/<slug>/export/<table>.csv")
def export_csv(slug: str, table: str):
    export = _export(slug, table)  # access and arguments are checked here, before the first byte is sent
    return csv_download(export.header, export.rows, f"{export.name}.csv")


# JSON for integrations: administrators only.


@bp.route("/api/courses/<slug>/<table>")
def api_table(slug: str, table: str):
    if not authz.can_use_report_api(current_user):
        abort(403)
    if table == "overview":
        report = reports.overview(acting_user(), slug, _cohort_arg())
        return jsonify({
            "course": slug, "version": report.scope.version.version,
            "cohort": report.scope.cohort.id if report.scope.cohort else None,
            "enrolled": report.enrolled, "started": report.started, "completed": report.completed,
            "certified": report.certified, "median_days_to_complete": report.median_days_to_complete,
            "funnel": reports.as_dicts(reports.FUNNEL_COLUMNS, report.funnel),
            "activity": reports.as_dicts(reports.ACTIVITY_COLUMNS, report.activity),
            "cohorts": reports.as_dicts(reports.COHORT_ACTIVITY_COLUMNS, report.cohorts),
        })
    if table == "learners":
        _form, filters = _filter_form()
        page = reports.learner_table(acting_user(), slug, filters, _sort_arg(),
                                     page_arg(),
                                     page_arg("per_page", reports.PER_PAGE))
        return jsonify({"course": slug, "total": page.total, "page": page.page, "per_page": page.per_page,
                        "pages": page.pages, "learners": reports.learner_rows_as_dicts(page)})
    return jsonify({"course": slug, "table": table, "rows": reports.table_as_dicts(_export(slug, table))})
