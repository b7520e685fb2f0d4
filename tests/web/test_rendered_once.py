"""What pages render once per process rather than per view (issue 18): the site header for each language, role and
page (lms.web.layout), with what differs per visitor still theirs (their CSRF token, the page the language menu brings
them back to, their role's menus and their language); a lesson's side-menu links (lms.web.lessons); templates'
globals kept in a plain dict (lms.web.templating.Environment); and the dates, numbers and names Babel writes, kept per
value, format and language (lms.web.templating)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import render_template_string
from markupsafe import Markup

from tests import factories

TOKEN = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


@pytest.fixture
def header_renders(app, monkeypatch) -> list[str]:
    """Each time the header template is rendered."""
    renders: list[str] = []
    template = app.jinja_env.get_template("_site_header.html")
    original = template.render
    monkeypatch.setattr(template, "render", lambda *a, **k: renders.append("header") or original(*a, **k))
    app.jinja_env.kept_parts.clear()
    return renders


def test_the_same_page_for_the_same_kind_of_visitor_renders_the_header_once(client, login_as, header_renders):
    login_as("learner")
    for _ in range(3):
        client.get("/learning")
    assert header_renders == ["header"]
    client.get("/sessions")  # another page: another marked item
    assert header_renders == ["header", "header"]


def test_each_visitor_gets_their_own_csrf_token_and_way_back(app, db, header_renders):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        person = factories.make_user()
        response = client.post("/login", data={"email": person.email, "password": factories.DEFAULT_PASSWORD})
        assert response.status_code == 302
    pages = [client.get("/learning?tab=a&x=<b>").get_data(as_text=True) for client in (first, second)]
    tokens = [set(TOKEN.findall(page)) for page in pages]
    assert all(len(found) == 1 for found in tokens), tokens  # the language menu's and log-out's: the session's one
    assert tokens[0] != tokens[1]
    assert all('name="next" value="/learning?tab=a&amp;x=&lt;b&gt;"' in page for page in pages)
    assert len(header_renders) == 1
    # The token works: the language menu changes the language.
    response = first.post("/language", data={"csrf_token": tokens[0].pop(), "language": "es", "next": "/learning"})
    assert response.status_code == 302
    assert 'lang="es"' in first.get("/learning").get_data(as_text=True)


def test_roles_and_languages_get_their_own_header(client, login_as, header_renders):
    login_as("admin")
    assert "Administration" in client.get("/learning").get_data(as_text=True)
    client.post("/logout", data={})
    login_as("learner")
    learner_page = client.get("/learning").get_data(as_text=True)
    assert "Administration" not in learner_page and 'class="nav-group staff"' not in learner_page
    client.post("/language", data={"language": "es", "next": "/learning"})
    spanish = client.get("/learning").get_data(as_text=True)
    assert "Cambiar idioma" in spanish and "Change language" not in spanish
    assert len(header_renders) == 3  # the administrator's, the learner's in English, and in Spanish


def test_templates_read_their_globals_from_a_plain_dict(app):
    """Jinja walks a template's globals on every render, include and import: a ChainMap over the environment's costs
    about 10 microseconds each time (lms.web.templating.Environment)."""
    template = app.jinja_env.get_template("base.html")
    assert type(template.globals) is dict
    assert template.globals["fixed_url"] is app.jinja_env.globals["fixed_url"]
    assert app.jinja_env.from_string("{{ site_header is defined }}").render() == "True"


def test_outline_links_are_escaped_and_marked_once_for_everyone():
    """The side menu's links are written once per process (lms.web.lessons): what goes into them is still escaped."""
    from lms.web.lessons import _lesson_link

    link = _lesson_link("/courses/c/lessons/a?x=1&y=2", "ko", '<script>alert("x")</script>', True)
    assert link == ('<a href="/courses/c/lessons/a?x=1&amp;y=2" aria-current="page" lang="ko" dir="auto">'
                    "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a>")
    assert _lesson_link("/a", None, "Title", False) == '<a href="/a" dir="auto">Title</a>'


def test_a_lesson_title_is_text_in_the_side_menu_even_when_given_as_markup():
    """The links are kept by their title's value, and Markup("<b>") == "<b>": the menu treats every title as text, so
    a title that arrived as Markup can never hand its unescaped link to a plain title of the same text."""
    from types import SimpleNamespace

    from lms.web.lessons import outline_links

    module = SimpleNamespace(module_key="m1")
    outline = SimpleNamespace(modules=[module], lessons=[SimpleNamespace(key="a", module_key="m1",
                                                                        title=Markup("<b>Bold</b>"))])
    [(_, _, links)] = outline_links(outline, lambda key: f"/l/{key}", None)
    assert "&lt;b&gt;Bold&lt;/b&gt;" in links[0].link


def test_a_lessons_side_menu_entry_is_built_once_per_title_address_and_language():
    """Each lesson's pair of side-menu links is kept whole (lms.web.lessons._outline_link): a second view builds
    nothing, while a lesson read in another language, or with a hostile title, gets its own, escaped."""
    from types import SimpleNamespace

    from lms.web.lessons import outline_links

    module = SimpleNamespace(module_key="m1")
    outline = SimpleNamespace(modules=[module], lessons=[SimpleNamespace(key="a", module_key="m1",
                                                                        title='<i>"Cities"</i> & you')])
    in_korean = SimpleNamespace(content_language=lambda kind, key: "ko")

    [(_, _, [first])] = outline_links(outline, lambda key: f"/l/{key}?x=1&y=2", None)
    [(_, _, [again])] = outline_links(outline, lambda key: f"/l/{key}?x=1&y=2", None)
    [(_, korean_language, [korean])] = outline_links(outline, lambda key: f"/l/{key}?x=1&y=2", in_korean)
    assert again is first
    assert korean is not first and korean_language == "ko"
    title = "&lt;i&gt;&#34;Cities&#34;&lt;/i&gt; &amp; you"
    assert first.link == f'<a href="/l/a?x=1&amp;y=2" dir="auto">{title}</a>'
    assert korean.current_link == f'<a href="/l/a?x=1&amp;y=2" aria-current="page" lang="ko" dir="auto">{title}</a>'


def _render_in(app, language: str, page: str, **values) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(page, **values)


def test_babel_writes_each_value_once_per_language(app, monkeypatch):
    """Dates, percentages, quantities and language names are kept per process once written (lms.web.templating):
    Babel is asked again only for another value, format or language."""
    from babel import dates, numbers, units

    from lms.core import durations

    calls: list[str] = []
    for module, name in ((dates, "format_date"), (numbers, "format_percent"), (units, "format_unit")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k))
    monkeypatch.setattr(durations, "format_unit", units.format_unit)
    page = "{{ when|local_date('long') }} | {{ 37|percent }} | {{ 12.5|hours }}"
    values = {"when": datetime(2031, 1, 5, 9, 30)}  # a value no other test formats: nothing kept yet
    english = [_render_in(app, "en", page, **values) for _ in range(3)]
    assert english == ["January 5, 2031 | 37% | 12.5 hours"] * 3
    assert sorted(calls) == ["format_date", "format_percent", "format_unit"]
    french = _render_in(app, "fr", page, **values)
    assert french == "5 janvier 2031 | 37% | 12,5\u00a0heures"
    assert len(calls) == 6
    assert _render_in(app, "en", "{{ 37.0|percent }} {{ 37|percent(1) }}") == "37% 37.0%"
    assert len(calls) == 8  # a float and another format are values of their own


def test_a_kept_moment_is_the_instant_in_the_readers_zone(app):
    """Moments are kept by their instant in UTC: the two 02:30 of the night Madrid's clocks go back, which compare
    equal as datetimes of one zone, keep their own texts; a naive datetime is UTC. Days are kept by the calendar day
    a datetime shows: the same instant in two zones may be two days."""
    from zoneinfo import ZoneInfo

    from lms.web.templating import _formatted_moment, local_date, local_time

    madrid = ZoneInfo("Europe/Madrid")
    first, second = (datetime(2031, 10, 26, 2, 30, tzinfo=madrid, fold=fold) for fold in (0, 1))
    assert first == second  # what a cache keyed by the datetime itself would take for one value
    with app.test_request_context():
        texts = [local_time(moment, "Europe/Madrid") for moment in (first, second, datetime(2031, 10, 26, 1, 30))]
    assert texts == [f"Oct 26, 2031, 2:30\u202fAM {zone}" for zone in ("CEST", "CET", "CET")]
    assert _formatted_moment.cache_info().currsize >= 2
    bogota = datetime(2031, 1, 5, 23, 30, tzinfo=ZoneInfo("America/Bogota"))
    utc = datetime(2031, 1, 6, 4, 30, tzinfo=UTC)
    assert bogota == utc  # the same instant, on two calendar days
    with app.test_request_context():
        assert [local_date(moment) for moment in (bogota, utc)] == ["Jan 5, 2031", "Jan 6, 2031"]


def test_a_kept_language_name_is_escaped_as_text_for_a_plain_code(app):
    """Language names are kept by their code's value and type: an unknown code comes back as given, and Markup("<b>")
    == "<b>", so a code that once arrived as Markup must not hand its unescaped self to a plain one."""
    from lms.web.templating import localised_language_name

    with app.test_request_context():
        assert localised_language_name(Markup("<b>")) == Markup("<b>")
    page = "{{ code|language_name }}"
    assert _render_in(app, "en", page, code="<b>") == "&lt;b&gt;"
    assert _render_in(app, "en", page, code="es") == 'Spanish (<span lang="es">español</span>)'
    assert _render_in(app, "fr", page, code="es") == 'espagnol (<span lang="es">español</span>)'



def test_a_url_built_once_keeps_its_query_arguments_in_the_order_given(app):
    """fixed_url keeps each URL as url_for writes it: the query arguments in the order of the call."""
    from flask import url_for

    from lms.web.templating import fixed_url

    with app.test_request_context():
        values = {"slug": "c", "place": "lesson", "item": "k&1"}
        assert fixed_url("discussions.board", **values) == url_for("discussions.board", **values)
        assert fixed_url("discussions.board", **values).endswith("?place=lesson&item=k%261")


def test_a_second_view_of_a_lesson_builds_no_url_in_its_templates(client, learner, monkeypatch):
    """The URLs a lesson page links (the next lesson, the completion form, the discussions, the scripts) are the same
    for every visitor: built once per process (fixed_url, and lesson_links and quiz_links for the side menu)."""
    from werkzeug.routing import MapAdapter

    from lms.services import learning
    from tests.factories import EXAMPLE_SLUG

    lesson = learning.course_page(learner, EXAMPLE_SLUG).outline.lessons[1]
    page = f"/courses/{EXAMPLE_SLUG}/lessons/{lesson.key}"
    assert client.get(page).status_code == 200
    built: list[str] = []
    original = MapAdapter.build
    monkeypatch.setattr(MapAdapter, "build", lambda self, endpoint, *a, **k: built.append(endpoint)
                        or original(self, endpoint, *a, **k))
    assert client.get(page).status_code == 200
    assert built == []


KEPT_PART = ('{% call kept("test part", title) %}{% do bodies.append(title) %}<b>{{ title }}</b> '
             '{{ _("completed") }}{% endcall %}')


def test_a_kept_part_is_rendered_once_per_value_and_language(app):
    """{% call kept(...) %} renders its body once per process for each key and page language (lms.web.templating.kept):
    a French page gets its own, and the values are escaped as anywhere else."""
    bodies: list[str] = []
    english = [_render_in(app, "en", KEPT_PART, title="Care & <i>cities</i>", bodies=bodies) for _ in range(3)]
    assert english == ["<b>Care &amp; &lt;i&gt;cities&lt;/i&gt;</b> completed"] * 3
    assert bodies == ["Care & <i>cities</i>"]
    assert _render_in(app, "fr", KEPT_PART, title="Care & <i>cities</i>", bodies=bodies) == (
        "<b>Care &amp; &lt;i&gt;cities&lt;/i&gt;</b> terminée")
    assert _render_in(app, "en", KEPT_PART, title="Another", bodies=bodies) == "<b>Another</b> completed"
    assert len(bodies) == 3


def test_a_kept_part_never_hands_a_markup_values_text_to_a_plain_one(app):
    """Markup("<i>x</i>") == "<i>x</i>": the key holds each value's type, so the plain text is escaped."""
    bodies: list[str] = []
    trusted = _render_in(app, "en", KEPT_PART, title=Markup("<i>x</i>"), bodies=bodies)
    plain = _render_in(app, "en", KEPT_PART, title="<i>x</i>", bodies=bodies)
    assert trusted == "<b><i>x</i></b> completed"
    assert plain == "<b>&lt;i&gt;x&lt;/i&gt;</b> completed"


def test_each_learner_sees_their_own_ticks_in_a_course_outline_kept_for_everyone(app, client, cohort, login_as,
                                                                                 make_user):
    """The course page's outline lines are kept per process (one per lesson and language); the ticks are each
    learner's own."""
    from lms.services import learning
    from tests.cohort_factories import enrol_in_cohort
    from tests.factories import EXAMPLE_SLUG

    done, fresh = make_user(display_name="Done"), make_user(display_name="Fresh")
    for person in (done, fresh):
        enrol_in_cohort(person, cohort)
    first_lesson = learning.course_page(done, EXAMPLE_SLUG).outline.lessons[0]
    learning.complete_lesson(done, EXAMPLE_SLUG, first_lesson.key)
    app.jinja_env.kept_parts.clear()
    pages = {}
    for person in (done, fresh):
        login_as(person)
        pages[person.display_name] = client.get(f"/courses/{EXAMPLE_SLUG}/").get_data(as_text=True)
        client.post("/logout", data={})
    assert pages["Done"].count('class="done"') == pages["Fresh"].count('class="done"') + 1
    assert first_lesson.title in pages["Fresh"]
    outline_lines = [key for key in app.jinja_env.kept_parts if key[0] != "site header"]
    assert len(outline_lines) == len(learning.course_page(done, EXAMPLE_SLUG).outline.lessons)


KEPT_FORM = ('{% call kept_with_token("test form", title) %}{% do bodies.append(title) %}'
             '<input value="{{ csrf_token() }}">{{ csrf_field() }}<b>{{ title }}</b> {{ _("completed") }}{% endcall %}')


def _render_kept_form(app, language: str, title: str, bodies: list[str]) -> tuple[str, str]:
    """The part as a visitor with a session of their own sees it, and that session's token."""
    from lms.web.layout import csrf_token

    with app.test_request_context(headers={"Accept-Language": language}):
        html = render_template_string(KEPT_FORM, title=title, bodies=bodies)
        return html, csrf_token()


def test_a_part_kept_with_a_token_gives_each_session_its_own_token(app):
    """{% call kept_with_token(...) %} renders its body once (lms.web.templating.kept_with_token), with a placeholder
    for the CSRF token: each visitor's page holds their own session's token, and the token is theirs for the rest of
    the page too."""
    from lms.web.layout import CSRF_TOKEN_PLACEHOLDER

    bodies: list[str] = []
    (first, first_token), (second, second_token) = (_render_kept_form(app, "en", "Care", bodies) for _ in range(2))
    assert bodies == ["Care"]
    assert first_token != second_token
    for html, token in ((first, first_token), (second, second_token)):
        assert html == (f'<input value="{token}"><input id="csrf_token" name="csrf_token" type="hidden" '
                        f'value="{token}"><b>Care</b> completed')
    assert CSRF_TOKEN_PLACEHOLDER not in first + second


def test_a_part_kept_with_a_token_is_kept_per_language_and_value_and_escaped(app):
    """A French page and another value get their own; hostile values are escaped, and a Markup value's part is never
    a plain value's."""
    bodies: list[str] = []
    english, _ = _render_kept_form(app, "en", 'Care & <script>"x"</script>', bodies)
    french, _ = _render_kept_form(app, "fr", 'Care & <script>"x"</script>', bodies)
    assert english.endswith("<b>Care &amp; &lt;script&gt;&#34;x&#34;&lt;/script&gt;</b> completed")
    assert french.endswith("<b>Care &amp; &lt;script&gt;&#34;x&#34;&lt;/script&gt;</b> terminée")
    with app.test_request_context():
        trusted = render_template_string(KEPT_FORM, title=Markup("<i>x</i>"), bodies=bodies)
        plain = render_template_string(KEPT_FORM, title="<i>x</i>", bodies=bodies)
    assert trusted.endswith("<b><i>x</i></b> completed") and plain.endswith("<b>&lt;i&gt;x&lt;/i&gt;</b> completed")
    assert len(bodies) == 4
