"""The site's theme: read (cached per process), saved by an administrator or loaded from a file, contrast checked.

Every page shows the theme, so reading it must not cost a query per request: the theme is kept in the application's
extensions and read again from the database after THEME_CACHE_SECONDS (another instance's change shows within that
time; the instance that saves it shows it at once).
"""

from __future__ import annotations

import hashlib
import time
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from lms import authz
from lms.core import contrast
from lms.core import theme as core_theme
from lms.core.theme import DEFAULT, FooterLink, Theme, ThemeError
from lms.extensions import db
from lms.models import SiteTheme, User
from lms.services import audit
from lms.services.errors import Invalid, NotAllowed

_CACHE = "lms.theme"


@dataclass(frozen=True)
class ThemeImage:
    data: bytes
    content_type: str


@dataclass(frozen=True)
class ThemeInput:
    """What an administrator submits. Images: (bytes, file name), or None to keep the current one."""

    site_name: str
    brand_colour: str
    accent_colour: str
    footer_text: str = ""
    footer_links: str = ""   # one "Title | https://address" a line
    logo: tuple[bytes, str] | None = None
    favicon: tuple[bytes, str] | None = None
    remove_logo: bool = False
    remove_favicon: bool = False


def _version(row: SiteTheme) -> str:
    digest = hashlib.sha256()
    for part in (row.site_name, row.brand_colour, row.accent_colour, row.footer_text, repr(row.footer_links),
                 row.logo or b"", row.favicon or b""):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def _theme_of(row: SiteTheme | None) -> Theme:
    if row is None:
        return DEFAULT
    return Theme(site_name=row.site_name, brand_colour=row.brand_colour, accent_colour=row.accent_colour,
                 footer_text=row.footer_text,
                 footer_links=tuple(FooterLink(link["title"], link["url"]) for link in row.footer_links or ()),
                 has_logo=row.logo is not None, has_favicon=row.favicon is not None, version=_version(row))


def current_theme() -> Theme:
    """The theme in force, from this process's cache when it is fresh."""
    cached = current_app.extensions.get(_CACHE)
    now = time.monotonic()
    if cached is not None and now - cached[0] < current_app.config.get("THEME_CACHE_SECONDS", 60):
        return cached[1]
    theme = _theme_of(db.session.get(SiteTheme, 1))
    current_app.extensions[_CACHE] = (now, theme)
    return theme


def forget_cached_theme() -> None:
    current_app.extensions.pop(_CACHE, None)


def assume_theme(known: Theme = DEFAULT) -> None:
    """Tell this process which theme is stored without reading it (the tests, after emptying the database)."""
    current_app.extensions[_CACHE] = (time.monotonic(), known)


def image(kind: str) -> ThemeImage | None:
    """The theme's logo or favicon as stored (already sanitised), or None."""
    row = db.session.get(SiteTheme, 1)
    if row is None or kind not in ("logo", "favicon"):
        return None
    data, content_type = (row.logo, row.logo_type) if kind == "logo" else (row.favicon, row.favicon_type)
    return ThemeImage(data, content_type) if data is not None and content_type else None


def _invalid(error: ThemeError) -> Invalid:
    return Invalid(error.message, field=error.field)


def preview(data: ThemeInput) -> Theme:
    """The theme these settings would give (colours and texts only), for the live preview; Invalid if unusable."""
    try:
        return replace(current_theme(), site_name=core_theme.clean_site_name(data.site_name),
                       brand_colour=core_theme.clean_colour(data.brand_colour, "brand_colour"),
                       accent_colour=core_theme.clean_colour(data.accent_colour, "accent_colour"),
                       footer_text=core_theme.clean_footer_text(data.footer_text),
                       footer_links=core_theme.parse_footer_links(data.footer_links), version="preview")
    except ThemeError as error:
        raise _invalid(error) from None


def contrast_problems(theme: Theme) -> list[contrast.ContrastProblem]:
    return contrast.check_colours(theme.colours())


def save_theme(actor: User | None, data: ThemeInput) -> Theme:
    """Check and store the theme; refuse (Invalid, naming the ratio and the nearest passing colour) a theme whose
    colours fall below WCAG AA. actor None: the operator at the command line."""
    if actor is not None and not authz.is_admin(actor):
        raise NotAllowed(_("Only administrators can change the site's theme."))
    wanted = preview(data)
    problems = contrast_problems(wanted)
    if problems:
        raise Invalid(" ".join(problem.message for problem in problems), field=problems[0].field)
    try:
        logo = core_theme.clean_image(*data.logo, "logo") if data.logo else None
        favicon = core_theme.clean_image(*data.favicon, "favicon") if data.favicon else None
    except ThemeError as error:
        raise _invalid(error) from None
    row = db.session.get(SiteTheme, 1)
    before = _snapshot(row)
    if row is None:
        row = SiteTheme(id=1)
        db.session.add(row)
    row.site_name, row.brand_colour, row.accent_colour = wanted.site_name, wanted.brand_colour, wanted.accent_colour
    row.footer_text = wanted.footer_text
    row.footer_links = [{"title": link.title, "url": link.url} for link in wanted.footer_links]
    if logo or data.remove_logo:
        row.logo, row.logo_type = (logo.data, logo.content_type) if logo else (None, None)
    if favicon or data.remove_favicon:
        row.favicon, row.favicon_type = (favicon.data, favicon.content_type) if favicon else (None, None)
    row.updated_by_id = actor.id if actor is not None else None
    audit.record(actor, "theme.update", "theme", 1, audit.changes(before, _snapshot(row)))
    db.session.commit()
    forget_cached_theme()
    return current_theme()


def reset_theme(actor: User | None) -> Theme:
    """Back to the default theme (the row is removed)."""
    if actor is not None and not authz.is_admin(actor):
        raise NotAllowed(_("Only administrators can change the site's theme."))
    row = db.session.get(SiteTheme, 1)
    if row is not None:
        audit.record(actor, "theme.update", "theme", 1, audit.changes(_snapshot(row), _snapshot(None)))
        db.session.delete(row)
        db.session.commit()
    forget_cached_theme()
    return current_theme()


def _snapshot(row: SiteTheme | None) -> dict[str, object]:
    theme = _theme_of(row)
    return {"site_name": theme.site_name, "brand_colour": theme.brand_colour, "accent_colour": theme.accent_colour,
            "footer_text": theme.footer_text,
            "footer_links": core_theme.footer_links_text(theme.footer_links),
            "logo": hashlib.sha256(row.logo).hexdigest()[:12] if row is not None and row.logo else None,
            "favicon": hashlib.sha256(row.favicon).hexdigest()[:12] if row is not None and row.favicon else None}


def load_theme_file(actor: User | None, path: Path) -> Theme:
    """Apply a theme file (TOML; images named relative to it), as `flask lms theme load` does."""
    try:
        settings = core_theme.theme_from_file(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as error:
        raise Invalid(_("The theme file %(path)s cannot be read: %(error)s.", path=path, error=error)) from None
    except tomllib.TOMLDecodeError as error:
        raise Invalid(_("The theme file %(path)s is not valid TOML: %(error)s.", path=path, error=error)) from None
    except ThemeError as error:
        raise Invalid(_("%(path)s: %(problem)s", path=path, problem=error.message), field=error.field) from None
    images = {}
    for kind in ("logo", "favicon"):
        if settings[kind]:
            image_path = path.parent / settings[kind]
            try:
                images[kind] = (image_path.read_bytes(), image_path.name)
            except OSError:
                raise Invalid(_("%(path)s: the %(kind)s file %(file)s cannot be read.", path=path, kind=kind,
                                  file=settings[kind]), field=kind) from None
    return save_theme(actor, ThemeInput(
        site_name=settings["site_name"], brand_colour=settings["brand_colour"],
        accent_colour=settings["accent_colour"], footer_text=settings["footer_text"],
        footer_links=core_theme.footer_links_text(settings["footer_links"]),
        logo=images.get("logo"), favicon=images.get("favicon"),
        remove_logo="logo" not in images, remove_favicon="favicon" not in images))
