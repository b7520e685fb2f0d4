"""Filters and globals every template may use. Formatting only: no rules here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError, dates, numbers
from babel.units import format_unit
from flask import Flask, has_request_context, request, url_for
from flask.templating import Environment as FlaskEnvironment
from flask_babel import get_locale
from flask_login import current_user
from jinja2.runtime import Macro
from markupsafe import Markup, escape

from lms import authz
from lms.core import durations, locales
from lms.core.i18n import Listing, Phrase
from lms.core.packages.video_place import lesson_parts
from lms.core.theme import DEFAULT
from lms.services import theme, wording
from lms.web.layout import csrf_token, kept_part, rendered_with_placeholder_token, site_header, with_session_token
from lms.web.lessons import outline_links


def _locale():
    return get_locale() or "en"


# Babel takes tens of microseconds for each date, percentage or language name it writes (it looks the locale's data
# up and applies a parsed pattern every time), and the hot pages write the same few values again and again: a
# thread's post times, a course's study hours, a progress bar. What a value reads as depends only on the value, the
# language and the format, so the text is kept per process for the most recent of them.
_FORMATTED_KEPT = 4096


def local_time(value: datetime | None, tz_name: str | None = None, format: str = "medium") -> str:
    """A moment in the reader's language and in a time zone (the logged-in person's unless one is given): the date
    ("medium": 5 Jan 2031 in the language's own order), the time (short: 24 or 12 hours as the language writes it)
    and the zone. `format` may be "short" or "long" too, or a CLDR pattern ("yyyy-MM-dd HH:mm:ss zzz")."""
    if value is None:
        return ""
    if tz_name is None:
        tz_name = getattr(current_user, "timezone", None) or "UTC"
    # Kept by the instant in UTC: two datetimes of one zone compare by their wall clock, so the two 01:30 of the night
    # the clocks go back would share a text.
    instant = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return _formatted_moment(instant, tz_name, format, _locale())


@lru_cache(maxsize=_FORMATTED_KEPT)
def _formatted_moment(instant: datetime, tz_name: str, format: str, locale) -> str:
    zone = ZoneInfo(tz_name)
    moment = instant.astimezone(zone)
    if format not in ("short", "medium", "long"):
        return dates.format_datetime(moment, format, tzinfo=zone, locale=locale)
    day = dates.format_date(moment, format, locale=locale)
    time = dates.format_time(moment, "short", tzinfo=zone, locale=locale)
    zone_name = moment.strftime("%Z")  # the zone's own abbreviation (CET, KST, -05), the same in every language
    combined = dates.get_datetime_format(format, locale=locale)
    return combined.replace("{1}", day).replace("{0}", f"{time} {zone_name}")


def local_date(value: date | datetime | None, format: str = "medium") -> str:
    """A calendar day (a cohort's start, a deadline's day) in the reader's language: "medium" (5 Jan 2031), "long"
    (5 January 2031) or "full" (with the weekday)."""
    if value is None:
        return ""
    # Kept by the day Babel writes (a datetime's own calendar day): datetimes of different zones at the same instant
    # are equal as keys, yet may fall on different days.
    return _formatted_date(value.date() if isinstance(value, datetime) else value, format, _locale())


@lru_cache(maxsize=_FORMATTED_KEPT)
def _formatted_date(day: date, format: str, locale) -> str:
    return dates.format_date(day, format, locale=locale)


def percent(value: float | int | None, decimals: int = 0) -> str:
    """A percentage given as 0 to 100 (how the reports and grading hold them) in the reader's language: 45 %, ٪45…"""
    if value is None:
        return ""
    return _formatted_percent(value, decimals, _locale())


@lru_cache(maxsize=_FORMATTED_KEPT, typed=True)  # typed: 1 and 1.0 are equal as keys
def _formatted_percent(value: float | int, decimals: int, locale) -> str:
    pattern = "#,##0%" if decimals == 0 else "#,##0." + "0" * decimals + "%"
    return numbers.format_percent(value / 100, pattern, locale=locale)


def number(value: float | int | None, decimals: int = 0) -> str:
    """A count or measure with the language's grouping and decimal signs (1,234.5 / 1 234,5)."""
    if value is None:
        return ""
    return _formatted_number(value, decimals, _locale())


@lru_cache(maxsize=_FORMATTED_KEPT, typed=True)
def _formatted_number(value: float | int, decimals: int, locale) -> str:
    pattern = "#,##0" if decimals == 0 else "#,##0." + "#" * decimals
    return numbers.format_decimal(value, pattern, locale=locale)


def duration(seconds: float) -> str:
    """A length of time in its largest whole unit: "12 minutes", "3 hours", "2 days", in the reader's language."""
    return durations.duration_phrase(seconds, str(_locale()))


def hours(value: float) -> str:
    """A number of study hours: "12 hours", "1.5 hours", "1 hour" (the certificate's and the catalogue's)."""
    return durations.quantity_phrase(value, "duration-hour", str(_locale()))


def minutes(value: float) -> str:
    return durations.quantity_phrase(value, "duration-minute", str(_locale()))


def localised_language_name(code: str) -> Markup | str:
    """A language's name in the reader's language, then in itself when that differs, marked as that language (so
    screen readers say it right): "Spanish (<span lang="es">español</span>)"; the code when CLDR does not know it."""
    return _language_name(code, _locale())


@lru_cache(maxsize=_FORMATTED_KEPT, typed=True)  # typed: a code that arrived as Markup keeps its own entry
def _language_name(code: str, locale) -> Markup | str:
    try:
        language = Locale.parse(code.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    name, own = language.get_display_name(locale) or code, language.get_display_name(language)
    if not own or own.lower() == name.lower():
        return name
    return Markup('{} (<span lang="{}">{}</span>)').format(name, code, own)


def file_size(size: int) -> str:
    """A file's size in the reader's language ("83 byte", "1,5 kB", "2,3 Mo"): CLDR's short digital units, in
    powers of 1000 like Jinja's filesizeformat, which writes English only."""
    for unit, factor in (("digital-megabyte", 1_000_000), ("digital-kilobyte", 1_000)):
        if size >= factor:
            return format_unit(size / factor, unit, length="short", format="#,##0.#", locale=str(_locale()))
    return format_unit(size, "digital-byte", length="short", locale=str(_locale()))


def worded(text: Phrase | Mapping | str) -> str:
    """A sentence the core or a service gave as a Phrase (or stored as a Phrase's data) in the reader's language."""
    return wording.word(Phrase.from_data(text) if isinstance(text, Mapping) else text)


def listed(items: Iterable[str]) -> Markup:
    """Items named one after another ("3 modules, 5 lessons") joined as the reader's language lists things: "و" in
    Arabic, "y" in Spanish (lms.core.i18n.Listing, the one place that rule lives). Text is escaped, markup kept."""
    texts = [str(escape(item)) for item in items]
    return Markup(Listing(texts).join(texts, str(_locale())))  # noqa: S704 (every item escaped above)


def localised_country_name(code: str) -> str:
    """A country's name in the reader's language (Colombia, Colombie, 콜롬비아…)."""
    return Locale.parse(_locale()).territories.get((code or "").upper(), code or "")


def csrf_field() -> Markup:
    """The hidden CSRF field of a one-button form (enrol, complete a lesson, try again), as WTForms' hidden_tag()
    writes it: pages a learner opens again and again need no form object built for one hidden field."""
    return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="{}">').format(csrf_token())


@lru_cache(maxsize=8192)  # the navigation's, and those of the courses, lessons and posts being read
def _url_built_once(root: str, endpoint: str, values: tuple) -> str:
    return url_for(endpoint, **dict(values))


def fixed_url(endpoint: str, **values) -> str:
    """``url_for`` for a URL that is the same for every visitor (the navigation, static files, the theme's files, a
    course's, lesson's or post's pages), built once per process: Werkzeug builds each URL anew (about 10
    microseconds), and the layout alone has a dozen (6 % of the home page's CPU). Keyed by the path the site is served
    under too (a proxy may mount it under a prefix). Not for a URL holding what the visitor typed or where they are
    (a ``next=request.path``): those are url_for's."""
    # In the order given: Werkzeug writes query arguments in that order.
    return _url_built_once(request.script_root, endpoint, tuple(values.items()))


def kept(*key: object, caller: Macro) -> Markup:
    """A repeated part of a page that is the same for every visitor given the same values, rendered once per process:
    ``{% call kept("course outline lesson", url, lesson.title, lesson.minutes) %}…{% endcall %}``. Each Jinja
    expression and translated string costs microseconds, and a course outline writes a dozen for each lesson. The key
    must hold every value the part shows (nothing of the visitor's own beyond those values: no token, no name); the
    page's language and the path the site is served under are added here. Each value is kept with its type:
    Markup("<b>") == "<b>", and a value that once came as Markup must never hand its unescaped text to a plain one."""
    return _kept_fragment(("kept", key), caller)


def kept_with_token(*key: object, caller: Macro) -> Markup:
    """``kept`` for a part that holds the visitor's CSRF token (a lesson's language switch, a form): the part is
    rendered once with a placeholder for the token, as the site header is, and each page puts in its own."""
    html = _kept_fragment(("kept with token", key), lambda: rendered_with_placeholder_token(caller))
    return Markup(with_session_token(html))  # noqa: S704 (the part escaped, the token too)


def _kept_fragment(key: tuple, render: Callable[[], Markup]) -> Markup:
    # Not the page's context, which Jinja would copy for each call from inside a loop: the locale in force is the
    # page's language. Each value with its type (kept's docstring).
    return kept_part((str(_locale()), request.script_root, key, tuple(map(type, key[1]))), render)


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, with each template's globals a plain dict rather than a ChainMap over the
    environment's: Jinja walks them on every render, include and import (a set of every name, and a difference of two
    for each imported macro file), about 10 microseconds each through a ChainMap. Jinja already asks that globals not
    change once templates are loaded; create_app registers them all before the first render.
    It also holds the parts of pages rendered once per process (``kept``, the site header: lms.web.layout.kept_part)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kept_parts: dict[tuple, Markup] = {}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(csrf_field, "csrf_field")
    app.add_template_global(csrf_token, "csrf_token")  # in place of Flask-WTF's generate_csrf, which it calls once
    app.add_template_global(fixed_url, "fixed_url")
    app.add_template_global(kept, "kept")  # a part of a page rendered once per process for the values it shows
    app.add_template_global(kept_with_token, "kept_with_token")  # the same, with the visitor's CSRF token put in
    app.add_template_global(lesson_parts, "lesson_parts")  # a lesson's text above and below its video
    app.add_template_global(outline_links, "outline_links")  # a lesson page's side menu
    app.add_template_global(site_header, "site_header")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(number, "number")
    app.add_template_filter(localised_country_name, "country_name")
    app.add_template_filter(duration, "duration")  # seconds as "12 minutes", "3 hours"
    app.add_template_filter(minutes, "minutes")
    app.add_template_filter(localised_language_name, "language_name")
    app.add_template_filter(worded, "word")
    app.add_template_filter(listed, "listed")  # [a, b]|listed: "a, b", "a و b", "a y b"
    app.add_template_filter(file_size, "file_size")
    app.add_template_filter(hours, "hours")  # "12 hours", "1.5 hours", "1 hour": the same everywhere
    app.add_template_filter(locales.own_language_name, "own_language_name")  # "Español", "한국어": a language switch

    @app.context_processor
    def navigation() -> dict:
        if not has_request_context():  # mail rendered by a CLI command (reminders) has no logged-in user
            return {"is_admin": False, "is_staff": False}
        user = current_user._get_current_object()  # one look-up through Flask-Login's proxy for both questions
        return {"is_admin": authz.is_admin(user), "is_staff": authz.is_staff(user)}

    @app.context_processor
    def site_theme() -> dict:
        try:
            return {"theme": theme.current_theme(), "default_theme": DEFAULT}
        except Exception:  # an error page must still render when the database is what failed
            return {"theme": DEFAULT, "default_theme": DEFAULT}
