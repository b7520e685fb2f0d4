"""What pages render once per process rather than per view (issue 18): the site header for each language, role and
page (lms.web.layout), with what differs per visitor still theirs (their CSRF token, the page the language menu brings
them back to, their role's menus and their language); a lesson's side-menu links (lms.web.lessons); and templates'
globals kept in a plain dict (lms.web.templating.Environment)."""

from __future__ import annotations

import re

import pytest

from tests import factories

TOKEN = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


@pytest.fixture
def header_renders(app, monkeypatch) -> list[str]:
    """Each time the header template is rendered."""
    renders: list[str] = []
    template = app.jinja_env.get_template("_site_header.html")
    original = template.render
    monkeypatch.setattr(template, "render", lambda *a, **k: renders.append("header") or original(*a, **k))
    app.extensions.pop("lms.site_headers", None)
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

    from markupsafe import Markup

    from lms.web.lessons import outline_links

    module = SimpleNamespace(module_key="m1")
    outline = SimpleNamespace(modules=[module], lessons=[SimpleNamespace(key="a", module_key="m1",
                                                                        title=Markup("<b>Bold</b>"))])
    [(_, _, links)] = outline_links(outline, lambda key: f"/l/{key}", None)
    assert "&lt;b&gt;Bold&lt;/b&gt;" in links[0].link
