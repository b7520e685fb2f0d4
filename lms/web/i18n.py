"""The interface language and time zone of each request, and the gettext catalogues (Flask-Babel).

The language is, in this order: the logged-in person's profile language when the interface speaks it; otherwise the
choice made with the language menu (kept in the session); otherwise the best match of the browser's
Accept-Language; otherwise the site default (LMS_DEFAULT_LANGUAGE). Catalogues live in lms/translations/<code>/ and
are compiled by `make` (`make messages` extracts and updates them; see docs/translating.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from lms.core import locales
from lms.core.locales import interface_language  # the rule lives in the pure core: mail uses it too

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SESSION_KEY = "language"
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})


@lru_cache(maxsize=64)  # the interface's languages and the site default: a handful
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def select_locale() -> Locale:
    """The request's language, as Babel's Locale: Flask-Babel would parse the code anew for every request (8
    microseconds), and a Locale is the same for every request in its language."""
    return _locale(_language_code())


def _language_code() -> str:
    if not has_request_context():  # CLI and worker: a caller that knows the recipient uses force_locale
        return current_app.config["DEFAULT_LANGUAGE"]
    if current_user.is_authenticated:
        chosen = interface_language(getattr(current_user, "preferred_language", None))
        if chosen:
            return chosen
    chosen = interface_language(session.get(SESSION_KEY))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(locales.INTERFACE_LANGUAGES)
    return best or current_app.config["DEFAULT_LANGUAGE"]


def page_language() -> str:
    """The interface language of this request (what select_locale chose), e.g. for the language a course is read in."""
    return str(get_locale() or current_app.config["DEFAULT_LANGUAGE"])


def select_timezone() -> str:
    if has_request_context() and current_user.is_authenticated:
        return getattr(current_user, "timezone", None) or "UTC"
    return "UTC"


def text_direction(code: str | None = None) -> str:
    """"rtl" for a right-to-left language (the current one when none is given), else "ltr"."""
    if code is None:
        code = str(get_locale() or "en")
    return "rtl" if code.split("-")[0].split("_")[0].lower() in RIGHT_TO_LEFT else "ltr"


def current_translations():
    """Flask-Babel's get_translations(), kept beside the locale it is for: Flask-Babel finds the catalogue again on
    every call (about 12 microseconds), and the macros that templates import call it for each of their strings (a
    discussion thread has 17). Flask-Babel keeps the locale in force on ``g._flask_babel.babel_locale`` and replaces
    that object when the locale changes (force_locale, refresh), so the catalogue kept beside it is reused only while
    that same locale object is in force; tests/web/test_i18n.py checks this against Flask-Babel."""
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    kept = getattr(state, "lms_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.lms_translations = (getattr(state, "babel_locale", None), translations)
    return translations


def template_gettext(translations) -> dict:
    """gettext and ngettext for one template render, bound to the catalogue of the request's language.

    Flask-Babel's own template callables find the catalogue again for every string (three context-local lookups
    each, about 8 % of a lesson page's CPU); a render never changes language, so it is looked up once."""
    return _gettext_callables(lambda: translations)


def _gettext_callables(catalogue: Callable[[], Any]) -> dict:
    """gettext, ngettext and `_` for templates, from the catalogue ``catalogue()`` gives. Same behaviour as Jinja's
    new-style gettext: the result is autoescaped and always %-formatted with the variables. The message comes from our
    own catalogues, which may hold markup (as Jinja trusts them); the variables are escaped by Markup's % formatting.

    They take the evaluation context (whether the template autoescapes), not the whole context as Jinja's own do:
    Jinja copies the context for each call of a callable that takes it from inside a loop or a block that set a
    variable, about 5 microseconds for each translated string there."""

    @pass_eval_context
    def gettext(eval_context, message: str, **variables):
        text = catalogue().ugettext(message)
        if eval_context.autoescape:
            text = Markup(text)  # noqa: S704 (see above)
        # Formatting a text without a "%" in it changes nothing: most of a page's strings are such.
        return text % variables if variables or "%" in text else text

    @pass_eval_context
    def ngettext(eval_context, singular: str, plural: str, num: int, **variables):
        variables.setdefault("num", num)
        text = catalogue().ungettext(singular, plural, num)
        return (Markup(text) if eval_context.autoescape else text) % variables  # noqa: S704 (see above)

    # `_` is the i18n extension's alias, which looks gettext up again on every call: named directly, it costs less.
    return {"gettext": gettext, "ngettext": ngettext, "_": gettext}


def init_app(app: Flask) -> None:
    app.config.setdefault("DEFAULT_LANGUAGE", "en")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Macros imported by templates see only the environment's gettext (not the page's, from the context processor
    # below): the same as Flask-Babel's, through the kept catalogue.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True)
    # The extension's own callables take the whole context: ours take the evaluation context (_gettext_callables).
    app.jinja_env.globals.update(_gettext_callables(current_translations))
    # {% trans %} blocks are written across lines; the catalogue holds them on one (babel.cfg extracts them so too).
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def language() -> dict:
        code = str(get_locale() or app.config["DEFAULT_LANGUAGE"])
        return {"current_language": code, "text_direction": text_direction(code),
                "interface_languages": locales.interface_language_names(), **template_gettext(get_translations())}
