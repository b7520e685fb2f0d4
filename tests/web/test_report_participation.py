"""Participation in the discussions on the report pages: the learner table's columns, the learner's posts on their
history, the overview's table per cohort, their CSV and JSON, and query counts that do not grow with the posters."""

from __future__ import annotations

import csv
import io
import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from lms.demo import population as demo_population
from lms.extensions import db as _db
from lms.models import Course, DiscussionPost, DiscussionThread, Enrolment, User
from lms.services import discussion_posts, enrolments, learning, publishing, reports
from lms.services.discussion_posts import Draft
from tests.cohort_factories import enrol_in_cohort, make_cohort
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import copy_package, make_user


@pytest.fixture
def course(db, tmp_path):
    return publishing.import_package(None, copy_package(tmp_path), publish=True).version


def _csv(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"), newline="")))


def _write_posts(learners: int, seed: int) -> None:
    """Seed ``learners`` learners on the course, each starting a thread and replying to it (rows as the services
    write them; hundreds through the services would only slow the test)."""
    demo_population.seed_demo_population(SLUG, learners, seed=seed)
    course_id = _db.session.execute(select(Course.id).filter_by(slug=SLUG)).scalar_one()
    for user_id, cohort_id in _db.session.execute(
        select(Enrolment.user_id, Enrolment.cohort_id).where(Enrolment.course_id == course_id)
        .where(Enrolment.user_id.not_in(select(DiscussionPost.author_id).where(DiscussionPost.author_id.is_not(None))))
    ).all():
        thread = DiscussionThread(course_id=course_id, cohort_id=cohort_id, title=f"Thread {user_id}",
                                  author_id=user_id)
        _db.session.add(thread)
        _db.session.flush()
        _db.session.add_all([
            DiscussionPost(thread_id=thread.id, is_opening=True, author_id=user_id, body="b", html="<p>b</p>"),
            DiscussionPost(thread_id=thread.id, author_id=user_id, body="r", html="<p>r</p>"),
        ])
    _db.session.commit()


def test_the_learner_table_shows_each_learners_threads_replies_and_reflections(client, login_as, course):
    ana, ben = make_user(display_name="Ana Núñez"), make_user(display_name="Ben Okafor")
    for learner in (ana, ben):
        enrolments.enrol(learner, SLUG)
    thread = discussion_posts.start_thread(ana, SLUG, Draft(title="Care maps", body="Where to start?"))
    discussion_posts.reply(ben, thread.id, "With the survey.")
    discussion_posts.reply(ben, thread.id, "And the census.")
    login_as("admin")
    html = client.get(f"/reports/{SLUG}/learners").get_data(as_text=True)
    headings = re.findall(r'<th scope="col"[^>]*>\s*(?:<a[^>]*>)?([^<]*)', html)
    assert [h.strip() for h in headings if h.strip() in ("Threads", "Replies", "Reflections")] == \
        ["Threads", "Replies", "Reflections"]
    rows = {name: re.findall(r'<td class="number">([^<]*)</td>', row)
            for name, row in re.findall(r'<tr><th scope="row">\s*<a [^>]*>([^<]*)</a>(.*?)</tr>', html, re.S)}
    # The three counts come right before the certificate; sessions attended before them.
    assert rows["Ana Núñez"][-3:] == ["1", "0", "0"]
    assert rows["Ben Okafor"][-3:] == ["0", "2", "0"]


def test_the_learner_csv_has_the_three_columns_and_the_json_too(client, login_as, course):
    ana = make_user(display_name="=cmd|' /C calc'!A0")  # a name a spreadsheet would run, neutralised as ever
    enrolments.enrol(ana, SLUG)
    thread = discussion_posts.start_thread(ana, SLUG, Draft(title="=SUM(A1)", body="x"))
    discussion_posts.reply(ana, thread.id, "y")
    login_as("admin")
    header, row = _csv(client, f"/reports/{SLUG}/export/learners.csv")
    assert [row[header.index(key)] for key in ("name", "threads", "replies", "reflections")] == \
        ["'=cmd|' /C calc'!A0", "1", "1", "0"]
    learner = client.get(f"/reports/api/courses/{SLUG}/learners").get_json()["learners"][0]
    assert (learner["threads"], learner["replies"], learner["reflections"]) == (1, 1, 0)


def test_the_history_lists_the_learners_posts_with_a_link_to_each(client, login_as, course):
    ana = make_user(display_name="Ana Núñez")
    enrolments.enrol(ana, SLUG)
    thread = discussion_posts.start_thread(ana, SLUG, Draft(title="Care <maps>", body="Where to start?"))
    reply = discussion_posts.reply(ana, thread.id, "With the survey.")
    login_as("admin")
    html = client.get(f"/reports/{SLUG}/learners/{ana.id}").get_data(as_text=True)
    assert 'role="region" aria-label="Posts in the discussions"' in html
    assert html.count(f'href="/discussions/{thread.id}#post-') == 4  # in the Discussions table and the History
    assert f'href="/discussions/{thread.id}#post-{reply.id}">Care &lt;maps&gt;</a>' in html
    assert "started the thread" in html and "<td>replied</td>" in html and "<td dir=\"auto\">General</td>" in html
    staff_view = client.get(f"/discussions/{thread.id}")
    assert staff_view.status_code == 200 and f'id="post-{reply.id}"' in staff_view.get_data(as_text=True)


def test_the_overview_has_a_scrolling_table_of_discussions_per_cohort_with_its_csv(client, login_as, course):
    cohort = make_cohort(SLUG, mode="open", key="now", name='=HYPERLINK("http://x")', sessions=0)
    ana, ben = make_user(display_name="Ana"), make_user(display_name="Ben")
    for learner in (ana, ben):
        enrol_in_cohort(learner, cohort)
    assert discussion_posts.start_thread(ana, SLUG, Draft(title="Hello", body="x")).cohort_id == cohort.id
    login_as("admin")
    html = client.get(f"/reports/{SLUG}/").get_data(as_text=True)
    assert 'role="region" aria-label="Posts and participation per cohort" tabindex="0"' in html
    assert html.count("Discussions by cohort") == 1, "the heading names the section; the table says what it holds"
    labels = [str(column.label) for column in reports.COHORT_ACTIVITY_COLUMNS]
    table = html[html.index('aria-label="Posts and participation per cohort"'):]
    headings = [h.strip() for h in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)]
    assert headings[:len(labels)] == labels
    assert '<th scope="row">=HYPERLINK(&#34;http://x&#34;)</th>' in table
    header, *rows = _csv(client, f"/reports/{SLUG}/export/cohorts.csv")
    assert header == [column.key for column in reports.COHORT_ACTIVITY_COLUMNS]
    neutralised = "'=HYPERLINK(\"http://x\")"
    assert [row for row in rows if row[0] == neutralised] == \
        [[neutralised, "2", "1", "0", "0", "1", "50.0", "1", "50.0"]]
    data = client.get(f"/reports/api/courses/{SLUG}/overview").get_json()
    assert [(row["participants"], row["participant_percent"]) for row in data["cohorts"]
            if row["cohort"] == cohort.name] == [(1, 50.0)]


@pytest.mark.parametrize("page", ["learners", "overview", "history", "learners.csv", "cohorts.csv"])
def test_participation_costs_the_same_queries_for_5_or_40_posting_learners(client, login_as, course, count_queries,
                                                                            page):
    """One grouped query per page for the new columns and the table per cohort, whatever the number of posters."""
    admin = login_as("admin")
    _write_posts(5, seed=4)
    learner_id = reports.learner_table(admin, SLUG).rows[0].user_id
    url = {"learners": f"/reports/{SLUG}/learners", "overview": f"/reports/{SLUG}/",
           "history": f"/reports/{SLUG}/learners/{learner_id}",
           "learners.csv": f"/reports/{SLUG}/export/learners.csv",
           "cohorts.csv": f"/reports/{SLUG}/export/cohorts.csv"}[page]
    client.get(url)  # warm caches (the parsed package)
    with count_queries() as few:
        response = client.get(url)
        assert response.status_code == 200
        response.get_data()  # a streamed CSV runs its queries while it is read
    _write_posts(40, seed=5)
    for number in range(20):  # the history's learner writes many more posts
        discussion_posts.reply(_db.session.get(User, learner_id), _first_thread_of(learner_id), f"r{number}")
    with count_queries() as many:
        response = client.get(url)
        assert response.status_code == 200
        response.get_data()
    assert len(many) == len(few), url
    if page == "history":
        links = f'href="/discussions/{_first_thread_of(learner_id)}#post-'
        assert response.get_data(as_text=True).count(links) == 2 * 22  # in the Discussions table and the History


def _first_thread_of(user_id: int) -> int:
    return _db.session.execute(select(DiscussionThread.id).where(DiscussionThread.author_id == user_id)
                               .order_by(DiscussionThread.id)).scalars().first()



def test_an_empty_cohort_has_no_share_and_learners_outside_cohorts_read_no_cohort_everywhere(client, login_as,
                                                                                              course):
    """0 of 0 members is not 0%: "—" on the page, empty in the CSV, null in the JSON. The learner table named a
    learner outside any cohort with a blank where the overview said "No cohort"."""
    enrolments.enrol(make_user(display_name="Ana"), SLUG)  # before the cohort opens: in no cohort
    empty = make_cohort(SLUG, mode="open", key="now", name="Empty cohort", sessions=0)
    login_as("admin")
    html = client.get(f"/reports/{SLUG}/").get_data(as_text=True)
    row = re.search(r"<tr><th scope=\"row\">Empty cohort</th>(.*?)</tr>", html, re.S).group(1)
    assert "%" not in row and row.count("—") == 2
    header, *rows = _csv(client, f"/reports/{SLUG}/export/cohorts.csv")
    assert [r for r in rows if r[0] == "Empty cohort"] == [["Empty cohort", "0", "0", "0", "0", "0", "", "0", ""]]
    data = client.get(f"/reports/api/courses/{SLUG}/overview").get_json()
    assert [(r["participant_percent"], r["recent_percent"]) for r in data["cohorts"]
            if r["cohort"] == empty.name] == [(None, None)]
    learners_page = client.get(f"/reports/{SLUG}/learners").get_data(as_text=True)
    assert "No cohort" in learners_page
    header, *rows = _csv(client, f"/reports/{SLUG}/export/learners.csv")
    assert [r[header.index("cohort")] for r in rows] == ["No cohort"]


def test_posting_is_activity_for_the_learner_table_and_the_history(client, login_as, course):
    """A learner who only posted was "inactive": no last activity, and a history saying "Nothing recorded yet."."""
    ana = make_user(display_name="Ana")
    enrolments.enrol(ana, SLUG)
    thread = discussion_posts.start_thread(ana, SLUG, Draft(title="Care maps", body="x"))
    reply = discussion_posts.reply(ana, thread.id, "y")
    login_as("admin")
    header, row = _csv(client, f"/reports/{SLUG}/export/learners.csv")
    assert row[header.index("last_activity_at")] != ""
    assert client.get(f"/reports/{SLUG}/export/learners.csv?inactive_days=1").get_data(as_text=True).count("\n") == 1
    html = client.get(f"/reports/{SLUG}/learners/{ana.id}").get_data(as_text=True)
    history = html[html.index("<h2>History</h2>"):]
    assert "Nothing recorded yet." not in history
    assert f'<td>replied</td><td dir="auto"><a href="/discussions/{thread.id}#post-{reply.id}">Care maps</a>' in history


def test_the_history_names_lessons_by_their_title_not_their_key(client, login_as, course):
    ana = make_user(display_name="Ana")
    enrolments.enrol(ana, SLUG)
    lesson = reports.learner_history(make_user("admin"), SLUG, ana.id).scope.outline.lessons[0]
    learning.complete_lesson(ana, SLUG, lesson.key)
    login_as("admin")
    html = client.get(f"/reports/{SLUG}/learners/{ana.id}").get_data(as_text=True)
    history = html[html.index("<h2>History</h2>"):]
    assert f'<td>lesson completed</td><td dir="auto">{escape(lesson.title)}</td>' in history


def test_a_learner_who_only_posted_is_active_this_week_on_the_overview(client, login_as, course):
    ana = make_user(display_name="Ana")
    enrolments.enrol(ana, SLUG)
    discussion_posts.start_thread(ana, SLUG, Draft(title="Care maps", body="x"))
    data = reports.overview(make_user("admin"), SLUG)
    assert data.activity[-1][1] == 1
