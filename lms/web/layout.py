"""The site's header, rendered once per process for each language, role and page.

The header (language menu, main menu, staff menu) was a fifth of the logged-in home page's CPU, and it is the same for
everyone who reads the same language, has the same role and stands on the same page, but for two values: the
visitor's CSRF token and the address the language menu brings them back to. It is rendered with a placeholder for
each, kept per app, and the two are put in per request (escaped, as the template would). The token's placeholder and
the request's token serve the other parts rendered once per process with a token in them (templating.kept_with_token).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

# Random per process, so no text of the page can contain them by chance or design. The token's is also that of
# the other parts kept with a token in them (lms.web.templating.kept_with_token).
CSRF_TOKEN_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
_NEXT_PLACEHOLDER = f"next-{secrets.token_hex(16)}"
# Every part kept per process (the header, and what templates keep with ``kept``): one per language, role and page
# for the header, one per lesson, language and way of showing it for a course outline's lines. A bound all the same.
_MOST_KEPT = 8192
_REQUEST_CSRF_TOKEN = "lms_csrf_token"  # noqa: S105 (the name it is kept under on flask.g, no secret)


def kept_part(key: tuple, render: Callable[[], Markup]) -> Markup:
    """The part of a page kept per process under ``key``, rendered the first time it is asked for."""
    parts = current_app.jinja_env.kept_parts  # type: ignore[attr-defined]
    html = parts.get(key)
    if html is None:
        if len(parts) >= _MOST_KEPT:
            parts.clear()
        html = parts[key] = render()
    return html


def csrf_token() -> str:
    """Flask-WTF's generate_csrf, kept for the request. Flask-WTF keeps the request's token too, but reads its
    configuration again for each call (about 5 microseconds), and a discussion thread asks for it for every post's
    buttons; the first answer is the one it gives for the rest of the request anyway."""
    token = g.get(_REQUEST_CSRF_TOKEN)
    if token is None:
        token = generate_csrf()
        setattr(g, _REQUEST_CSRF_TOKEN, token)
    return token


def with_session_token(html: str) -> str:
    """A part rendered once per process with CSRF_TOKEN_PLACEHOLDER, with this visitor's token put in (escaped, as
    the template would have written it), as plain text: Markup's own replace would escape what it puts in again."""
    return str(html).replace(CSRF_TOKEN_PLACEHOLDER, str(escape(csrf_token())))


def rendered_with_placeholder_token(render: Callable[[], Markup]) -> Markup:
    """What ``render`` writes with CSRF_TOKEN_PLACEHOLDER wherever it asks for the visitor's token."""
    # Made now, so that Flask-WTF keeps it on g too (under its field's name): a template may call Flask-WTF's
    # generate_csrf (its context processor's csrf_token) as well as ours, and neither may write the real token here.
    real_token = csrf_token()
    names = (_REQUEST_CSRF_TOKEN, current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    for name in names:
        setattr(g, name, CSRF_TOKEN_PLACEHOLDER)
    try:
        return render()
    finally:
        for name in names:
            setattr(g, name, real_token)


@pass_context
def site_header(context: Context) -> Markup:
    theme = context["theme"]
    key = (context["current_language"], current_user.is_authenticated, context["is_staff"], context["is_admin"],
           request.endpoint, request.script_root, theme.version, theme.site_name, theme.has_logo)

    def render() -> Markup:
        # With the page's own variables (its translations, theme and roles): no context processor runs again.
        template = current_app.jinja_env.get_template("_site_header.html")
        return Markup(template.render(context.get_all(), current_endpoint=request.endpoint,  # noqa: S704 (Jinja's)
                                      csrf_token_value=CSRF_TOKEN_PLACEHOLDER, next_path=_NEXT_PLACEHOLDER))

    html = kept_part(("site header", key), render)
    here = str(escape(request.full_path.strip("?")))
    return Markup(with_session_token(html).replace(_NEXT_PLACEHOLDER, here))  # noqa: S704 (both escaped)
