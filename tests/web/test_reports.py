"""The report pages: who may open them, charts with their data tables, CSV and JSON exports, query budgets."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from lms.demo import population as demo_population
from lms.extensions import db as _db
from lms.models import Course, CourseStaff
from lms.services import enrolments, learning, publishing, reports, staffing
from tests.factories import EXAMPLE_SLUG, copy_package, make_user

SLUG = EXAMPLE_SLUG
PAGES = [f"/reports/{SLUG}/", f"/reports/{SLUG}/learners", f"/reports/{SLUG}/places",
         f"/reports/{SLUG}/quizzes/basics-quiz", f"/reports/{SLUG}/export/learners.csv",
         f"/reports/{SLUG}/export/funnel.csv"]


@pytest.fixture
def course(db, tmp_path):
    return publishing.import_package(None, copy_package(tmp_path), publish=True).version


def instructor_of(slug: str):
    instructor = make_user("instructor")
    staffing.assign_instructor(None, slug, instructor.email)
    return instructor


def test_anonymous_people_are_sent_to_log_in(client, course):
    for url in [*PAGES, "/reports/", f"/reports/api/courses/{SLUG}/overview"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_learners_never_see_reports(client, login_as, course):
    login_as("learner")
    for url in [*PAGES, "/reports/", f"/reports/api/courses/{SLUG}/overview"]:
        assert client.get(url).status_code == 403, url


def test_instructors_see_only_the_courses_they_teach(client, login_as, course):
    login_as(make_user("instructor"))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert "You are not assigned to any course yet" in client.get("/reports/").get_data(as_text=True)


def test_an_instructor_of_the_course_sees_its_reports_but_not_the_api(client, login_as, course):
    learner = make_user(display_name="Zoë Dubois")
    enrolments.enrol(learner, SLUG)
    login_as(instructor_of(SLUG))
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/reports/{SLUG}/learners/{learner.id}").status_code == 200
    assert client.get(f"/reports/api/courses/{SLUG}/overview").status_code == 403
    assert client.post("/reports/instructors", data={"course": SLUG, "email": "x@example.org"}).status_code == 403


def test_admins_see_everything_and_the_api(client, login_as, course):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    login_as("admin")
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    data = client.get(f"/reports/api/courses/{SLUG}/overview").get_json()
    assert data["enrolled"] == 1 and data["funnel"][0] == {"step": "enrolled", "label": "Enrolled", "learners": 1,
                                                         "percent_of_enrolled": 100.0}
    learners = client.get(f"/reports/api/courses/{SLUG}/learners?per_page=10").get_json()
    assert learners["total"] == 1 and learners["learners"][0]["email"] == learner.email
    cities = client.get(f"/reports/api/courses/{SLUG}/cities").get_json()
    assert cities["rows"][0]["enrolled"] == 1
    assert client.get(f"/reports/api/courses/{SLUG}/salaries").status_code == 404


def _column_headings(html: str) -> list[str]:
    """The texts of a page's column headers (<th scope="col">, sort links included), in order."""
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_each_report_table_reads_its_columns_once_for_the_page_the_csv_and_the_json(client, login_as, course):
    """The learner, place and question tables: the CSV header and the JSON keys are the columns' keys; the pages'
    headings are their labels (the columns shown on the page), in the same order."""
    learner = make_user(display_name="Zoë Dubois", city="Lyon", country="FR")
    enrolments.enrol(learner, SLUG)
    admin = login_as("admin")
    scope = reports.report_scope(admin, SLUG)
    tables = [
        ("learners", f"/reports/{SLUG}/learners", reports.learner_table(admin, SLUG).columns, "", "learners"),
        ("countries", f"/reports/{SLUG}/places", reports.place_columns(False), "", "rows"),
        ("questions", f"/reports/{SLUG}/quizzes/basics-quiz",
         reports.quiz_analytics(admin, SLUG, "basics-quiz").columns, "?quiz=basics-quiz", "rows"),
    ]
    assert any(key.startswith("quiz_") for key in (c.key for c in tables[0][2])), scope.quizzes
    for table, page, columns, query, json_rows in tables:
        keys = [column.key for column in columns]
        csv_text = client.get(f"/reports/{SLUG}/export/{table}.csv{query}").get_data(as_text=True).lstrip("\ufeff")
        assert next(csv.reader(io.StringIO(csv_text))) == keys, table
        data = client.get(f"/reports/api/courses/{SLUG}/{table}{query}").get_json()
        assert sorted(key for key in data[json_rows][0] if key != "user_id") == sorted(keys), table  # jsonify sorts
        if page is None:
            continue
        labels = [str(column.label) for column in columns if column.on_page]
        headings = _column_headings(client.get(page).get_data(as_text=True))
        assert labels == headings[:len(labels)] or labels == headings[-len(labels):], (table, headings)
    cities = _column_headings(client.get(f"/reports/{SLUG}/places").get_data(as_text=True))
    assert [str(column.label) for column in reports.place_columns(True)] == cities[-6:]


def test_learner_history_page_shows_answers_and_versions(client, login_as, course):
    learner = make_user(display_name="Aïcha Diallo")
    enrolments.enrol(learner, SLUG)
    learning.complete_lesson(learner, SLUG, "welcome")
    login_as("admin")
    page = client.get(f"/reports/{SLUG}/learners/{learner.id}").get_data(as_text=True)
    assert "Aïcha Diallo" in page and "lesson completed" in page
    assert f"<td>{course.version}</td>" in page


def test_a_learner_of_another_course_is_not_found(client, login_as, course):
    stranger = make_user()
    login_as("admin")
    assert client.get(f"/reports/{SLUG}/learners/{stranger.id}").status_code == 404


def test_overview_draws_charts_with_their_data_tables(client, login_as, course):
    demo_population.seed_demo_population(SLUG, 12, seed=1)
    login_as("admin")
    page = client.get(f"/reports/{SLUG}/").get_data(as_text=True)
    assert page.count("<svg") == 2 and "<title id=\"funnel-title\">Learners reaching each step</title>" in page
    assert "<desc id=\"activity-desc\">" in page and "<details class=\"chart-data\">" in page
    assert re.search(r"<th scope=\"row\">Enrolled</th><td>12 \(100.0%\)</td>", page)


def test_report_pages_have_no_inline_script_or_style(client, login_as, course):
    demo_population.seed_demo_population(SLUG, 5, seed=2)
    learner_id = reports.learner_table(make_user("admin"), SLUG).rows[0].user_id
    login_as("admin")
    for url in [PAGES[0], PAGES[1], PAGES[2], PAGES[3], "/reports/", f"/reports/{SLUG}/learners/{learner_id}"]:
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page and "<style" not in page and " style=" not in page, url


def test_learner_table_filters_sorts_and_pages_through_the_query_string(client, login_as, course):
    for name, city in (("Ana", "Seoul"), ("Bea", "Bogotá"), ("Carla", "Seoul")):
        enrolments.enrol(make_user(display_name=name, city=city), SLUG)
    login_as("admin")
    page = client.get(f"/reports/{SLUG}/learners?city=seoul&sort=-name").get_data(as_text=True)
    assert page.index("Carla") < page.index("Ana") and "Bea" not in page
    refused = client.get(f"/reports/{SLUG}/learners?inactive_days=soon&status=asleep").get_data(as_text=True)
    assert "Give a number of days" in refused and "Ana" in refused  # bad filters are explained, not applied


def test_csv_export_is_safe_for_spreadsheets(client, login_as, course):
    tricky = make_user(display_name='=HYPERLINK("http://evil.example")', organisation='Ayuntamiento, "Área"\nNorte',
                       city="서울특별시", country="KR")
    enrolments.enrol(tricky, SLUG)
    login_as("admin")
    response = client.get(f"/reports/{SLUG}/export/learners.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-learners.csv"'
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8")[1:], newline="")))
    header, row = rows[0], rows[1]
    assert row[header.index("name")] == '\'=HYPERLINK("http://evil.example")'
    assert row[header.index("organisation")] == 'Ayuntamiento, "Área"\nNorte'
    assert row[header.index("city")] == "서울특별시"


def test_csv_export_keeps_the_filters(client, login_as, course):
    enrolments.enrol(make_user(city="Seoul"), SLUG)
    enrolments.enrol(make_user(city="Dakar"), SLUG)
    login_as("admin")
    text = client.get(f"/reports/{SLUG}/export/learners.csv?city=dakar").get_data(as_text=True)
    assert "Dakar" in text and "Seoul" not in text


def test_admin_assigns_an_instructor_with_the_form(client, login_as, course):
    instructor = make_user("instructor")
    login_as("admin")
    assert client.post("/reports/instructors", data={"course": SLUG, "email": instructor.email}).status_code == 302
    assert _db.session.execute(select(CourseStaff.user_id)).scalar_one() == instructor.id
    refused = client.post("/reports/instructors", data={"course": SLUG, "email": "nobody@example.org"})
    assert refused.status_code == 422 and "No account has the e-mail address" in refused.get_data(as_text=True)


@pytest.mark.parametrize("url", [f"/reports/{SLUG}/", f"/reports/{SLUG}/learners", f"/reports/{SLUG}/places",
                                 f"/reports/{SLUG}/quizzes/basics-quiz", f"/reports/{SLUG}/learners?sort=-progress"])
def test_query_count_does_not_grow_with_the_learners(client, login_as, course, count_queries, url):
    login_as("admin")
    demo_population.seed_demo_population(SLUG, 5, seed=4)
    client.get(url)  # warm caches (the parsed package)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    demo_population.seed_demo_population(SLUG, 40, seed=5)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), url


def test_json_learners_are_paged(client, login_as, course):
    for _ in range(3):
        enrolments.enrol(make_user(), SLUG)
    login_as("admin")
    data = client.get(f"/reports/api/courses/{SLUG}/learners?per_page=2&page=2").get_json()
    assert (data["total"], data["pages"], data["page"], len(data["learners"])) == (3, 2, 2, 1)
    assert _db.session.execute(select(Course.slug)).scalar_one() == SLUG


def test_the_overview_names_the_completion_funnel_once(client, login_as, course):
    """The section's heading named it, and the chart's caption (and its data table's summary) said it again."""
    login_as("admin")
    html = client.get(f"/reports/{SLUG}/").get_data(as_text=True)
    assert html.count("Completion funnel") == 1
    assert "<figcaption>Learners reaching each step</figcaption>" in html
