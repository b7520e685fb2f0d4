"""The site navigation: at most five top-level items for learners, a second level for staff, one menu (a <details>
that works without JavaScript) on phones, the current page marked, and the style guide for staff only."""

from __future__ import annotations

import re


def _primary_items(html: str) -> list[str]:
    primary = re.search(r'<ul class="nav-list nav-group primary">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r"<a [^>]*>([^<]+)</a>", primary)


def test_a_learner_sees_at_most_five_top_level_items_and_no_staff_menu(client, db, login_as):
    login_as("learner")
    html = client.get("/learning").get_data(as_text=True)
    assert _primary_items(html) == ["Courses", "My learning", "My sessions", "My certificates", "My applications"]
    assert 'class="nav-group staff"' not in html
    assert '<details class="nav-menu">' in html and "<summary>Menu</summary>" in html
    assert re.search(r'<a href="/learning" aria-current="page">My learning</a>', html)


def test_staff_get_a_second_level_menu_with_the_current_section_marked(client, db, login_as):
    login_as("admin")
    html = client.get("/staff/styleguide").get_data(as_text=True)
    assert len(_primary_items(html)) == 5
    staff = re.search(r'<div class="nav-group staff">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"<a [^>]*>([^<]+)</a>", staff) == ["Authoring", "Cohorts", "Reports", "Certificates",
                                                         "Administration", "Style guide"]
    assert '<a href="/staff/styleguide" aria-current="page">Style guide</a>' in staff
    assert '<a href="/staff/">Cohorts</a>' in staff  # the style guide is not the cohorts' page


def test_the_style_guide_draws_every_component_in_each_state(client, db, login_as):
    login_as("instructor")
    html = client.get("/staff/styleguide?sort=-progress").get_data(as_text=True)
    components = ('class="page-header"', 'class="breadcrumbs"', 'class="button danger"', '<details class="confirm">',
                  'class="alert alert-error" role="alert"', "badge badge-ok", "<progress", 'class="empty-state"',
                  '<details class="filter-bar"', 'role="region" aria-label="Sample learners" tabindex="0"',
                  'aria-sort="descending"', 'class="pager"', 'aria-invalid="true"', 'class="hint"',
                  'class="progress-ring" role="img"')
    for component in components:
        assert component in html, component
    names = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', html)
    assert names == ["Ana Pérez", "김민수", "Siddharth Venkataraman"]  # progress 100, 45, 0


def test_a_page_has_no_inline_style_or_script(client, db, login_as):
    login_as("admin")
    for url in ("/courses/", "/staff/styleguide", "/admin/theme", "/reports/"):
        html = client.get(url).get_data(as_text=True)
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), url


def test_navigation_links_follow_the_prefix_the_site_is_served_under(client, db, login_as):
    """The layout's links are built once per process (templating.fixed_url), per prefix: a site mounted under /lms by
    its proxy links under /lms, even after the same process served it at the root."""
    login_as("learner")
    at_root = client.get("/learning").get_data(as_text=True)
    assert '<a href="/learning" aria-current="page">My learning</a>' in at_root
    mounted = client.get("/learning", base_url="http://localhost/lms/").get_data(as_text=True)
    assert '<a href="/lms/learning" aria-current="page">My learning</a>' in mounted
    assert 'href="/lms/static/css/main.css"' in mounted and 'action="/lms/logout"' in mounted
    assert 'href="/learning"' not in mounted
