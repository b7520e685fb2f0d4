"""The discussion pages: the lesson page's link, names without e-mail addresses, a constant number of queries per
board and thread page, the XSS corpus through titles and bodies, and the per-person posting limit."""

import re
from html.parser import HTMLParser

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.models import DiscussionPost, DiscussionThread
from lms.services import discussion_moderation, discussion_posts, discussions
from lms.services.discussion_posts import Draft
from tests.cohort_factories import enrol_in_cohort
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import make_instructor, table_counts
from tests.web.test_xss_corpus import MARKDOWN, TEXT, executable_content


def _lesson_key(person) -> str:
    return discussions.course_space(person, SLUG).outline.lessons[0].key


def test_the_lesson_page_links_to_its_discussion_with_its_discussions_and_replies(client, learner, cohort, make_user):
    lesson = _lesson_key(learner)
    other = make_user()
    enrol_in_cohort(other, cohort)
    thread = discussion_posts.start_thread(other, SLUG, Draft(title="On this lesson", body="Thoughts?",
                                                              place="lesson", item_key=lesson))
    discussion_posts.reply(other, thread.id, "Mine first")
    html = client.get(f"/courses/{SLUG}/lessons/{lesson}").get_data(as_text=True)
    assert f"/courses/{SLUG}/discussions/?place=lesson&amp;item={lesson}" in html
    assert "Discuss this lesson (1 discussion, 1 reply)" in html


def test_a_thread_shows_names_with_city_and_country_never_addresses(client, learner):
    response = client.post(f"/courses/{SLUG}/discussions/new",
                           data={"kind": "question", "place": "general", "title": "Care maps",
                                 "body": "How do you **map** care needs?"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ana Learner" in html and "Medellín" in html and "Colombia" in html
    assert learner.email not in html
    assert "<strong>map</strong>" in html


def test_board_and_thread_pages_run_the_same_queries_whatever_the_number_of_posts(client, learner, cohort,
                                                                                   make_user, count_queries):
    other = make_user()
    enrol_in_cohort(other, cohort)
    counts = []
    for size in (1, 30):
        thread = discussion_posts.start_thread(other, SLUG, Draft(title=f"Thread {size}", body="Opening"))
        for number in range(size):
            reply = discussion_posts.reply(other, thread.id, f"Reply {number}")
            discussion_posts.reply(learner, thread.id, f"Comment {number}", parent_id=reply.id)
        for extra in range(size):
            discussion_posts.start_thread(other, SLUG, Draft(title=f"Other {size}-{extra}", body="More"))
        client.get(f"/discussions/{thread.id}")  # the first visit writes the read position
        counted = []
        for url in (f"/courses/{SLUG}/discussions/", f"/discussions/{thread.id}"):
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            counted.append(len(queries))
        counts.append(counted)
    assert counts[0] == counts[1], counts


def test_the_xss_corpus_never_comes_back_executable(client, learner):
    payloads = TEXT + MARKDOWN
    for number, payload in enumerate(payloads):
        thread = discussion_posts.start_thread(learner, SLUG, Draft(title=payload[:200] or "x",
                                                                    body=payload or "x", kind="question"))
        discussion_posts.reply(learner, thread.id, payload or "x")
        if number % 10 == 0:
            for url in (f"/discussions/{thread.id}", f"/courses/{SLUG}/discussions/"):
                problems, _text = executable_content(client.get(url).get_data(as_text=True))
                assert problems == [], (payload, problems)
    for page in (1, 2, 3):
        problems, _text = executable_content(client.get(f"/courses/{SLUG}/discussions/?page={page}")
                                             .get_data(as_text=True))
        assert problems == []


def test_posting_is_limited_per_person(app, client, learner, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_DISCUSSION_POST", "2 per hour")
    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="Limits", body="Opening"))
    for number in range(2):
        assert client.post(f"/discussions/{thread.id}/reply", data={"body": f"Reply {number}"}).status_code == 302
    before = table_counts(db)
    response = client.post(f"/discussions/{thread.id}/reply", data={"body": "One too many"})
    assert response.status_code == 429
    assert table_counts(db) == before


class PageForms(HTMLParser):
    """The page's POST forms as a browser submits them: action and fields in document order (duplicates kept)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self.forms.append((attributes.get("action") or "", []))
        elif (tag in {"input", "textarea"} and self.forms and attributes.get("name")
              and attributes.get("type") not in {"submit", "checkbox", "radio"}):
            self.forms[-1][1].append((attributes["name"], attributes.get("value") or ""))

    def the_form(self, action_end: str, field: tuple[str, str]) -> tuple[str, list[tuple[str, str]]]:
        return next((action, fields) for action, fields in self.forms
                    if action.split("?")[0].endswith(action_end) and field in fields)


def _submit_as_a_browser(client, thread_id: int, action_end: str, field: tuple[str, str], **typed):
    page = PageForms()
    page.feed(client.get(f"/discussions/{thread_id}").get_data(as_text=True))
    action, fields = page.the_form(action_end, field)
    return client.post(action, data=MultiDict([(name, typed.get(name, value)) for name, value in fields]))


def test_a_comment_sent_from_the_page_goes_under_its_reply(client, learner, db):
    """The comment form carried the reply form's own empty parent_id before the reply's: the comment became a reply."""
    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="Comments", body="Opening"))
    reply = discussion_posts.reply(learner, thread.id, "A reply")
    response = _submit_as_a_browser(client, thread.id, "/reply", ("parent_id", str(reply.id)), body="A comment")
    assert response.status_code == 302
    comment = db.session.execute(select(DiscussionPost).where(DiscussionPost.body == "A comment")).scalar_one()
    assert comment.parent_id == reply.id


def test_marking_the_answer_from_the_page_marks_it(client, learner, db):
    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="A question", body="Which?", kind="question"))
    reply = discussion_posts.reply(learner, thread.id, "This one")
    response = _submit_as_a_browser(client, thread.id, "/answer", ("post_id", str(reply.id)))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DiscussionThread, thread.id).answer_post_id == reply.id


def test_changing_the_order_on_a_lessons_board_stays_on_that_lesson(client, learner):
    lesson = _lesson_key(learner)
    html = client.get(f"/courses/{SLUG}/discussions/?place=lesson&item={lesson}").get_data(as_text=True)
    assert '<option value="lesson" selected>' in html  # the form sends place=lesson with the item, not "Everything"


def test_removing_a_post_asks_first(client, learner, db):
    """The remove button sits inside the confirmation box other destructive actions use: it says what happens."""
    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="Remove me", body="Opening"))
    reply = discussion_posts.reply(learner, thread.id, "A reply")
    html = client.get(f"/discussions/{thread.id}").get_data(as_text=True)
    action = f'action="/discussions/posts/{reply.id}/remove"'
    box = html[html.rindex('<details class="confirm">', 0, html.index(action)):html.index(action)]
    assert "<summary>Remove</summary>" in box and "Its text goes for good" in box
    assert "</details>" not in box  # the form is inside the box, not after it
    page = PageForms()
    page.feed(html)
    [(_action, fields)] = [form for form in page.forms if form[0].endswith(f"/posts/{reply.id}/remove")]
    assert client.post(f"/discussions/posts/{reply.id}/remove", data=MultiDict(fields)).status_code == 302
    db.session.expire_all()
    assert db.session.get(DiscussionPost, reply.id).deleted_at is not None


def test_report_is_offered_on_other_peoples_posts_only(client, learner, cohort, make_user):
    other = make_user()
    enrol_in_cohort(other, cohort)
    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="Mine", body="Opening"))
    theirs = discussion_posts.reply(other, thread.id, "Theirs")
    html = client.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert f"/discussions/posts/{theirs.id}/report" in html
    opening = discussions.thread_page(learner, thread.id).opening.post
    assert f"/discussions/posts/{opening.id}/report" not in html
    assert client.get(f"/discussions/posts/{opening.id}/report").status_code == 403


def test_editing_another_persons_post_says_only_its_author_can(client, learner, cohort, make_user):
    other = make_user()
    enrol_in_cohort(other, cohort)
    thread = discussion_posts.start_thread(other, SLUG, Draft(title="Theirs", body="Opening"))
    reply = discussion_posts.reply(other, thread.id, "Theirs too")
    response = client.get(f"/discussions/posts/{reply.id}/edit")
    assert response.status_code == 403
    assert "Only its author can edit a post." in response.get_data(as_text=True)


def test_a_question_thread_is_named_with_the_discussion_word_not_the_quiz_items(client, cohort, login_as, make_user):
    """"Question" is both a kind of discussion and a quiz item; Korean and Arabic name them differently."""
    person = make_user(preferred_language="ko")
    enrol_in_cohort(person, cohort)
    login_as(person)
    thread = discussion_posts.start_thread(person, SLUG, Draft(title="Care maps", body="x", kind="question"))
    for url in (f"/discussions/{thread.id}", f"/courses/{SLUG}/discussions/", f"/courses/{SLUG}/discussions/new"):
        html = client.get(url).get_data(as_text=True)
        assert "질문" in html and "문항" not in html, url


def test_reporting_a_post_again_says_it_was_already_reported(client, learner, cohort, make_user, db):
    other = make_user()
    enrol_in_cohort(other, cohort)
    thread = discussion_posts.start_thread(other, SLUG, Draft(title="Rude", body="x"))
    post_id = db.session.execute(select(DiscussionPost.id).where(DiscussionPost.thread_id == thread.id)).scalar_one()
    first = client.post(f"/discussions/posts/{post_id}/report", data={"reason": "Rude"}, follow_redirects=True)
    assert "Thank you: the course" in first.get_data(as_text=True)
    again = client.post(f"/discussions/posts/{post_id}/report", data={"reason": "Still rude"},
                        follow_redirects=True).get_data(as_text=True)
    assert "You have already reported this post" in again and "Thank you: the course" not in again


def test_a_post_the_reader_reported_says_so_instead_of_offering_report_until_the_staff_resolve_it(
        client, learner, cohort, make_user, db):
    other = make_user()
    enrol_in_cohort(other, cohort)
    thread = discussion_posts.start_thread(other, SLUG, Draft(title="Rude", body="x"))
    reply = discussion_posts.reply(other, thread.id, "Rude again")
    client.post(f"/discussions/posts/{reply.id}/report", data={"reason": "Rude"})
    html = client.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert f"/discussions/posts/{reply.id}/report" not in html and "You reported this post" in html
    opening = db.session.execute(select(DiscussionPost.id).where(DiscussionPost.thread_id == thread.id,
                                                                 DiscussionPost.is_opening)).scalar_one()
    assert f"/discussions/posts/{opening}/report" in html  # not reported
    discussion_moderation.dismiss_reports(make_instructor(SLUG), reply.id)
    html = client.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert f"/discussions/posts/{reply.id}/report" in html and "You reported this post" not in html


def test_the_reply_form_stands_apart_from_the_last_reply(client, learner):
    """At 390 px the last reply's "Comment" ran into "Your reply": the form has a class the style sheet sets apart."""
    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="Spacing", body="Opening"))
    discussion_posts.reply(learner, thread.id, "A reply")
    html = client.get(f"/discussions/{thread.id}").get_data(as_text=True)
    assert re.search(r'<form method="post" action="[^"]*/reply[^"]*" class="narrow reply-form">', html)
    with client.get("/static/css/main.css") as response:
        css = response.get_data(as_text=True)
    assert re.search(r"\.reply-form \{[^}]*margin-block-start: 1\.5rem;[^}]*border-block-start", css)
    assert ".post + .post:not(.post-comment) { border-block-start" in css


def test_a_learner_is_not_offered_announcements_and_one_sent_anyway_is_refused(client, learner, db):
    new = f"/courses/{SLUG}/discussions/new"
    assert 'value="announcement"' not in client.get(new).get_data(as_text=True)
    refused = client.post(new, data={"kind": "announcement", "place": "general", "title": "News", "body": "x"})
    assert refused.status_code == 403 and "Only the course" in refused.get_data(as_text=True)
    assert db.session.execute(select(DiscussionThread.id)).first() is None


def test_staff_choose_the_space_of_an_announcement_and_a_malformed_one_is_refused_on_the_form(client, cohort,
                                                                                             login_as, db):
    login_as(make_instructor(SLUG))
    new = f"/courses/{SLUG}/discussions/new"
    form = client.get(new).get_data(as_text=True)
    assert 'value="announcement"' in form and f'<option value="{cohort.id}">' in form
    response = client.post(new, data={"kind": "announcement", "place": "general", "space": "every", "title": "News",
                                      "body": "x"})
    assert response.status_code == 422  # it was a server error
    assert "Choose one of this course" in response.get_data(as_text=True)
    assert db.session.execute(select(DiscussionThread.id)).first() is None


def test_the_thread_page_builds_only_its_reply_form_and_its_buttons_carry_the_forms_token(app, client, learner,
                                                                                          monkeypatch):
    """The follow, remove, approve and mark-as-answer buttons carry only the CSRF token: csrf_field writes it as the
    forms' own field would, without a form object per page and a rendered field per post (issue 18)."""
    from flask_wtf import FlaskForm

    from lms.web.discussions.forms import ActionForm, AnswerForm, ReplyForm
    from lms.web.templating import csrf_field

    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="A question", body="Which?", kind="question"))
    discussion_posts.reply(learner, thread.id, "This one")
    built: list[str] = []
    original = FlaskForm.__init__
    monkeypatch.setattr(FlaskForm, "__init__", lambda self, *a, **k: built.append(type(self).__name__)
                        or original(self, *a, **k))
    assert client.get(f"/discussions/{thread.id}").status_code == 200
    assert built == ["ReplyForm"]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # the testing configuration writes no token
    with app.test_request_context():
        field = csrf_field()
        assert 'name="csrf_token"' in field
        assert field == ActionForm().hidden_tag() == AnswerForm().csrf_token.__html__() == ReplyForm().csrf_token()


def test_a_thread_asks_flask_wtf_for_its_csrf_token_once_for_all_its_buttons(app, client, learner, monkeypatch):
    """Each post's buttons carry the token (lms.web.layout.csrf_token): the request's, asked for once."""
    from flask_wtf.csrf import generate_csrf

    from lms.web import layout

    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="Tokens", body="Opening"))
    for number in range(3):
        discussion_posts.reply(learner, thread.id, f"Reply {number}")
    asked: list[str] = []
    monkeypatch.setattr(layout, "generate_csrf", lambda: asked.append("token") or generate_csrf())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    html = client.get(f"/discussions/{thread.id}").get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html))
    assert asked == ["token"]
    assert len(tokens) == 1 and html.count(tokens.pop()) >= 8  # follow, and each post's remove and comment forms
