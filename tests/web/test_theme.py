"""The site theme in the web interface: the administrator's page with live preview, contrast refusal, logo
sanitising, the theme's stylesheet and images, and every page carrying the name, colours and footer."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pytest

from lms.models import AuditEntry, SiteTheme
from lms.services import theme
from lms.services.errors import NotAllowed
from tests.factories import make_user

EXAMPLE_THEME = Path(__file__).resolve().parents[2] / "themes" / "caring-cities"
SVG_WITH_SCRIPT = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
                   b'<script>alert(2)</script><a href="https://evil.example/"><rect width="10" height="10"/></a>'
                   b'<circle cx="5" cy="5" r="4" fill="url(https://evil.example/x.svg#p)" stroke="#000"/>'
                   b'<foreignObject><p>x</p></foreignObject></svg>')


def _form(**changes):
    data = {"site_name": "Metropolis Learning", "brand_colour": "#7a1f3d", "accent_colour": "#0f7c8c",
            "footer_text": "A Metropolis programme.", "footer_links": "Metropolis | https://www.metropolis.org/",
            "submit": "Save theme"}
    data.update(changes)
    return data


def test_every_page_shows_the_default_theme_without_a_query_for_it(client, db, count_queries):
    with count_queries() as queries:
        html = client.get("/courses/").get_data(as_text=True)
    assert not any("site_theme" in q for q in queries)
    assert "<title>Courses · LMS-lite</title>" in html
    assert 'href="/theme.css?v=default"' in html
    css = client.get("/theme.css?v=default")
    assert css.mimetype == "text/css" and "--brand: #1f3a5f;" in css.get_data(as_text=True)
    assert "immutable" in css.headers["Cache-Control"]


def test_an_administrator_saves_a_theme_and_every_page_carries_it(client, db, login_as):
    admin = login_as("admin")
    response = client.post("/admin/theme", data=_form())
    assert response.status_code == 302
    html = client.get("/courses/").get_data(as_text=True)
    assert "<title>Courses · Metropolis Learning</title>" in html
    assert "A Metropolis programme." in html and 'href="https://www.metropolis.org/">Metropolis</a>' in html
    version = re.search(r'/theme\.css\?v=(\w+)', html).group(1)
    assert version != "default"
    assert "--brand: #7a1f3d;" in client.get(f"/theme.css?v={version}").get_data(as_text=True)
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="theme.update")).scalar_one()
    assert entry.actor_id == admin.id and entry.details["site_name"] == {"from": "LMS-lite",
                                                                          "to": "Metropolis Learning"}


def test_a_theme_below_aa_contrast_is_refused_with_the_ratio_and_a_passing_colour(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/theme", data=_form(brand_colour="#6fa8dc"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "#6fa8dc against #ffffff has a contrast of 2." in html
    assert "body text needs at least 4.5:1. The nearest colour that passes is #" in html
    assert db.session.execute(db.select(SiteTheme)).first() is None


def test_preview_shows_the_new_colours_and_their_problems_without_saving(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/theme", data=_form(accent_colour="#ffd966", preview="Preview", submit=""))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This is a preview: nothing is saved yet." in html
    assert "/admin/theme/preview.css?brand=%237a1f3d&amp;accent=%23ffd966" in html
    assert "large text and focus indicators needs at least 3:1" in html
    assert "<title>Site theme · Metropolis Learning</title>" in html
    assert db.session.execute(db.select(SiteTheme)).first() is None
    css = client.get("/admin/theme/preview.css?brand=%237a1f3d&accent=%23ffd966")
    assert "--accent: #ffd966;" in css.get_data(as_text=True)
    assert client.get("/admin/theme/preview.css?brand=red&accent=%23ffd966").status_code == 400


def test_a_logo_with_scripts_and_links_is_cleaned_and_served_sandboxed(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/theme", data=_form(logo=(io.BytesIO(SVG_WITH_SCRIPT), "logo.svg")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    logo = client.get("/theme/logo")
    assert logo.mimetype == "image/svg+xml" and "sandbox" in logo.headers["Content-Security-Policy"]
    svg = logo.get_data(as_text=True)
    for gone in ("script", "onload", "evil.example", "foreignObject", "alert"):
        assert gone not in svg
    assert "<circle" in svg and 'stroke="#000"' in svg
    assert '<img src="/theme/logo?v=' in client.get("/courses/").get_data(as_text=True)


def test_a_file_that_is_no_image_is_refused_by_name(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/theme", data=_form(logo=(io.BytesIO(b"MZ\x90\x00 not an image"), "tool.exe")),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The file tool.exe is neither a PNG nor an SVG image." in response.get_data(as_text=True)
    assert client.get("/theme/logo").status_code == 404


def test_footer_links_must_be_web_addresses(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/theme", data=_form(footer_links="Click | javascript:alert(1)"))
    assert response.status_code == 422
    assert "the address must start with https:// or http://" in response.get_data(as_text=True)


def test_reset_brings_the_default_theme_back(client, db, login_as):
    login_as("admin")
    client.post("/admin/theme", data=_form())
    assert client.post("/admin/theme/reset").status_code == 302
    assert "<title>Courses · LMS-lite</title>" in client.get("/courses/").get_data(as_text=True)


def test_the_example_theme_file_loads_from_the_command_line(runner, db):
    result = runner.invoke(args=["lms", "theme", "load", str(EXAMPLE_THEME / "theme.toml")])
    assert result.exit_code == 0, result.output
    assert "Theme applied: Caring Cities Academy, brand #6b2c5f" in result.output
    assert theme.current_theme().has_logo
    shown = runner.invoke(args=["lms", "theme", "show"])
    assert "Contrast: passes WCAG 2.1 AA" in shown.output
    assert runner.invoke(args=["lms", "theme", "reset"]).exit_code == 0
    assert theme.current_theme().site_name == "LMS-lite"


def test_a_theme_file_with_a_failing_colour_is_refused_and_changes_nothing(runner, db, tmp_path):
    bad = tmp_path / "theme.toml"
    bad.write_text('site_name = "Pale"\nbrand_colour = "#aaaaaa"\n', encoding="utf-8")
    result = runner.invoke(args=["lms", "theme", "load", str(bad)])
    assert result.exit_code == 1
    assert "#aaaaaa against #ffffff has a contrast of 2.32:1" in result.output
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('site_name = "X"\ncolour = "#000000"\n', encoding="utf-8")
    assert "Unknown theme setting 'colour'" in runner.invoke(args=["lms", "theme", "load", str(unknown)]).output
    assert db.session.execute(db.select(SiteTheme)).first() is None


def test_only_administrators_may_change_the_theme(db):
    with pytest.raises(NotAllowed, match="Only administrators"):
        theme.save_theme(make_user(role="instructor"), theme.ThemeInput("X", "#1f3a5f", "#0f7c8c"))


def test_the_certificate_pdf_carries_the_themes_logo_and_colour(client, db, login_as, runner):
    from lms.services import certificates, credential_documents
    from tests.cohort_factories import publish_caring_cities

    publish_caring_cities()
    admin, learner = make_user(role="admin"), make_user(display_name="Lucía Fernández")
    certificate = certificates.issue_by_admin(admin, learner.id, "caring-cities", "Completed on paper.")
    plain = credential_documents.pdf_bytes(certificate)
    assert runner.invoke(args=["lms", "theme", "load", str(EXAMPLE_THEME / "theme.toml")]).exit_code == 0
    branded = credential_documents.pdf_bytes(certificate)
    assert branded != plain
    drawing = _page_operators(branded)
    brand_stroke = "0.4196 0.1725 0.3725 RG"  # #6b2c5f, as fpdf2 writes a stroke colour
    assert brand_stroke in drawing, "the frame is drawn in the brand colour"
    assert "0.7098 0.2784 0.0431 rg" in drawing, "the logo's orange heart (#b5470b) is drawn"
    assert brand_stroke not in _page_operators(plain)


def _page_operators(pdf: bytes) -> str:
    """The PDF's content streams, inflated: the drawing operators as text."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    texts = []
    for stream in streams:
        try:
            texts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:  # fonts and images are other streams
            continue
    return "\n".join(texts)


def test_course_cards_show_the_next_cohort_and_seats_left_in_three_queries(client, db, count_queries):
    from datetime import date, timedelta

    from lms.services import application_review
    from tests.cohort_factories import apply, make_cohort, publish_caring_cities

    publish_caring_cities()
    today = date.today()
    make_cohort(name="Later run", starts_on=today + timedelta(days=60), ends_on=today + timedelta(days=90))
    next_run = make_cohort(name="Next run", capacity=20, starts_on=today + timedelta(days=10),
                           ends_on=today + timedelta(days=40))
    make_cohort(name="Finished run", starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=1))
    application_review.decide(None, apply(make_user(), next_run).id, "accepted")
    client.get("/courses/")
    with count_queries() as queries:
        html = client.get("/courses/").get_data(as_text=True)
    assert len(queries) == 3, queries  # the courses, their next cohorts, the seats taken
    assert "By application" in html
    start = today + timedelta(days=10)
    assert f'<time datetime="{start.isoformat()}">' in html
    assert "<dt>Seats left</dt><dd>19 of 20</dd>" in html


def test_the_cover_picture_shows_on_the_course_card_and_page_for_anyone(client, db):
    from lms.services import publishing
    from tests.factories import EXAMPLE

    publishing.import_package(None, EXAMPLE, publish=True)
    catalogue = client.get("/courses/").get_data(as_text=True)
    assert re.search(r'<img class="cover" src="/courses/example-all-features/cover\?v=\w+" alt="A city skyline above a '
                     r'park with trees and people walking">', catalogue)
    assert 'class="course-cover"' in client.get("/courses/example-all-features/").get_data(as_text=True)
    with client.get("/courses/example-all-features/cover") as cover:  # streamed from the file store
        assert cover.status_code == 200 and cover.mimetype == "image/svg+xml"
    assert client.get("/courses/no-such-course/cover").status_code == 404
