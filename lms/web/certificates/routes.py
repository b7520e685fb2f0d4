"""Certificates for three audiences: anyone (verify, the issuer's public key), learners (their certificates and
downloads), admins (issue by hand, revoke). Public URLs carry only the random public id."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from lms.core.credentials import hours_phrase
from lms.extensions import configured_limit, limiter
from lms.models import Role
from lms.services import certificates, credential_documents, wording
from lms.services.certificate_pdf import format_date
from lms.web.access import acting_user, role_required
from lms.web.certificates.forms import IssueForm, RevokeForm
from lms.web.form_errors import save_form

bp = Blueprint("certificates", __name__, template_folder="templates")


@bp.app_template_filter("certificate_date")
def certificate_date(moment) -> str:
    """The day as printed on certificates ("23 November 2026", in UTC, the same day for every reader), in the
    reader's language ("23 de noviembre de 2026")."""
    return format_date(moment, wording.current_language()) if moment else ""


@bp.app_template_filter("certificate_hours")
def certificate_hours(hours: float) -> str:
    return _("%(hours)s of training", hours=hours_phrase(hours, wording.current_language()))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/ld+json"])
    return best in ("application/json", "application/ld+json")


# Anyone.


@bp.route("/verify/")
@limiter.limit(configured_limit("RATELIMIT_VERIFY_SEARCH"), exempt_when=lambda: not request.args.get("q"))
def search():
    typed = request.args.get("q", "")[:300]
    if not typed.strip():
        return render_template("certificates/verify.html", result=None, typed="")
    result = certificates.verify(typed)
    if result.public_id is not None:
        return redirect(url_for("certificates.verify", public_id=result.public_id))
    return render_template("certificates/verify.html", result=result, typed=typed), 404


@bp.route("/verify/<path:public_id>")
@limiter.limit(configured_limit("RATELIMIT_VERIFY_PAGE"))
def verify(public_id: str):
    result = certificates.verify(public_id)
    if result.public_id is not None and result.public_id != public_id:  # typed in lower case, without dashes…
        return redirect(url_for("certificates.verify", public_id=result.public_id), 301)
    status = 404 if result.state == certificates.UNKNOWN else 200
    if _wants_json():
        body = {"id": result.public_id, "status": result.state}
        if result.revoked_at is not None:
            body["revokedAt"] = result.revoked_at.isoformat()
        return jsonify(body), status
    return render_template("certificates/verify.html", result=result, typed=public_id[:300]), status


@bp.route(certificates.ISSUER_DOCUMENT_PATH)
def issuer_document():
    response = jsonify(credential_documents.issuer_document())
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"  # wallets and verifiers fetch it from other sites
    return response


@bp.route(f"{certificates.STATUS_LIST_PATH}<int:list_number>")
def status_list(list_number: int):
    """The revocation status list (W3C Bitstring Status List v1.0) that credentials point to: public, cacheable."""
    response = jsonify(credential_documents.status_list_credential(list_number))
    response.mimetype = "application/vc"  # the media type of a VC 2.0 credential (W3C VC Data Model 2.0)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


# Learners.


@bp.route("/certificates")
@login_required
def mine():
    mine = certificates.my_certificates(acting_user())
    return render_template("certificates/mine.html", certificates=mine,
                           names=certificates.course_names(mine, wording.current_language()))


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/certificates/<public_id>.pdf")
@login_required
def pdf(public_id: str):
    certificate = certificates.get_for_download(acting_user(), public_id)
    return _download(credential_documents.pdf_bytes(certificate), "application/pdf",
                     f"certificate-{certificate.public_id}.pdf")


@bp.route("/certificates/<public_id>.json")
@login_required
def credential(public_id: str):
    certificate = certificates.get_for_download(acting_user(), public_id)
    body = jsonify(credential_documents.credential_json(certificate)).get_data()
    return _download(body, "application/ld+json", f"certificate-{certificate.public_id}.json")


# Admins.


@bp.route("/certificates/admin/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_index():
    actor = acting_user()
    form = IssueForm()
    form.course.choices = [("", _("Choose a course")), *certificates.certifiable_courses(actor)]
    certificate, status = save_form(form, lambda: certificates.issue_by_admin_email(
        actor, form.email.data, form.course.data, form.reason.data))
    if certificate is not None:
        flash(_("Issued certificate %(id)s to %(name)s.", id=certificate.public_id, name=certificate.learner_name),
              "success")
        return redirect(url_for("certificates.admin_detail", public_id=certificate.public_id))
    search = request.args.get("q", "", type=str)[:100]
    rows = certificates.recent_certificates(actor, search=search)
    return render_template("certificates/admin_index.html", form=form, rows=rows, search=search), status


@bp.route("/certificates/admin/<public_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_detail(public_id: str):
    actor = acting_user()
    view = certificates.admin_view(actor, public_id)
    form = RevokeForm()
    revoked, status = save_form(form, lambda: certificates.revoke(actor, view.certificate.public_id,
                                                                  form.reason.data))
    if revoked is not None:
        flash(_("Revoked certificate %(id)s.", id=view.certificate.public_id), "success")
        return redirect(url_for("certificates.admin_detail", public_id=view.certificate.public_id))
    return render_template("certificates/admin_detail.html", view=view, form=form,
                           verify_link=url_for("certificates.verify", public_id=view.certificate.public_id)), status
