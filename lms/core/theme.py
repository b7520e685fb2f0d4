"""The site's theme as data: the default, the checks a theme must pass, its stylesheet, and safe logo files.

Pure: no Flask, no database, no files (a theme file's text and images come in as str and bytes). A theme is
configuration, not code: a name, two colours (checked for contrast by lms.core.contrast), an optional footer text and
links, and a logo and favicon that are sanitised before anyone serves them.

Logos: an SVG is parsed with defusedxml (no entities, no external references) and rebuilt from an allow-list of
drawing elements and presentation attributes, so no script, event handler, foreign object, external link or CSS
``url()`` survives; a PNG is decoded and written again by Pillow, which drops every chunk but the pixels. Written by
hand rather than with an SVG sanitiser package because the allow-list is short and the available packages pull in a
native binary for the same result.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree
from PIL import Image, UnidentifiedImageError

from lms.core import contrast

MAX_IMAGE_BYTES = 512 * 1024
MAX_PNG_PIXELS = 2048 * 2048
MAX_FOOTER_LINKS = 6
SVG = "image/svg+xml"
PNG = "image/png"


class ThemeError(ValueError):
    """A theme value that cannot be used, with the sentence to show and the field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class FooterLink:
    title: str
    url: str


@dataclass(frozen=True)
class Theme:
    site_name: str = "LMS-lite"
    brand_colour: str = "#1f3a5f"
    accent_colour: str = "#0f7c8c"
    footer_text: str = "LMS-lite — self-paced training for cities and local governments."
    footer_links: tuple[FooterLink, ...] = ()
    has_logo: bool = False
    has_favicon: bool = False
    version: str = "default"  # changes whenever the theme does: the stylesheet's and logo's cache key

    @property
    def brand_dark(self) -> str:
        return contrast.shade(self.brand_colour, 0.35)

    def colours(self) -> dict[str, str]:
        return {"brand_colour": self.brand_colour, "accent_colour": self.accent_colour}


DEFAULT = Theme()


def stylesheet(theme: Theme) -> str:
    """The CSS that carries the theme's colours into main.css's custom properties (served as /theme.css)."""
    return (":root {\n"
            f"  --brand: {contrast.normalise(theme.brand_colour)};\n"
            f"  --brand-dark: {theme.brand_dark};\n"
            f"  --accent: {contrast.normalise(theme.accent_colour)};\n"
            "}\n")


# Checking what an administrator or a theme file gives.


def clean_site_name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ThemeError("Give the site's name: it is shown in the header and in every page title.", "site_name")
    if len(name) > 80:
        raise ThemeError(f"The site's name must be at most 80 characters long, not {len(name)}.", "site_name")
    return name


def clean_footer_text(value: str | None) -> str:
    text = " ".join((value or "").split())
    if len(text) > 300:
        raise ThemeError(f"The footer text must be at most 300 characters long, not {len(text)}.", "footer_text")
    return text


def clean_colour(value: str | None, field_name: str) -> str:
    try:
        return contrast.normalise(value or "")
    except contrast.ColourError as error:
        raise ThemeError(str(error), field_name) from None


def parse_footer_links(text: str | None) -> tuple[FooterLink, ...]:
    """One link a line, "Title | https://address"; only http(s) addresses (and site-relative paths)."""
    links = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        title, separator, url = line.partition("|")
        title, url = " ".join(title.split()), url.strip()
        if not separator or not title or not url:
            raise ThemeError(f"Footer link on line {number}: write it as “Title | https://address”.", "footer_links")
        links.append(_checked_link(title, url, number))
    if len(links) > MAX_FOOTER_LINKS:
        raise ThemeError(f"Give at most {MAX_FOOTER_LINKS} footer links, not {len(links)}.", "footer_links")
    return tuple(links)


def _checked_link(title: str, url: str, number: int) -> FooterLink:
    parts = urlsplit(url)
    relative = url.startswith("/") and not url.startswith("//")
    if not relative and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ThemeError(f"Footer link on line {number}: the address must start with https:// or http:// "
                         f"(or / for a page of this site), not “{url}”.", "footer_links")
    if len(title) > 80 or len(url) > 500 or any(ord(c) < 32 for c in url):
        raise ThemeError(f"Footer link on line {number} is too long or contains control characters.", "footer_links")
    return FooterLink(title, url)


def footer_links_text(links: tuple[FooterLink, ...] | list[Mapping[str, str]]) -> str:
    """The links back as the form's text, one "Title | address" a line."""
    rows = [(link.title, link.url) if isinstance(link, FooterLink) else (link["title"], link["url"]) for link in links]
    return "\n".join(f"{title} | {url}" for title, url in rows)


def theme_from_file(data: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of a theme file (TOML, read by the caller) checked and normalised; images are named by path."""
    known = {"site_name", "brand_colour", "accent_colour", "footer_text", "footer_links", "logo", "favicon"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ThemeError(f"Unknown theme setting {unknown[0]!r}; the settings are: {', '.join(sorted(known))}.")
    links = data.get("footer_links", [])
    if not isinstance(links, list) or not all(isinstance(item, Mapping) and set(item) == {"title", "url"}
                                              for item in links):
        raise ThemeError("footer_links must be a list of tables with a title and a url.", "footer_links")
    return {
        "site_name": clean_site_name(data.get("site_name")),
        "brand_colour": clean_colour(data.get("brand_colour", DEFAULT.brand_colour), "brand_colour"),
        "accent_colour": clean_colour(data.get("accent_colour", DEFAULT.accent_colour), "accent_colour"),
        "footer_text": clean_footer_text(data.get("footer_text", "")),
        "footer_links": parse_footer_links(footer_links_text(links)),
        "logo": data.get("logo"), "favicon": data.get("favicon"),
    }


# Images.

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_ALLOWED_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "title", "desc",
    "defs", "lineargradient", "radialgradient", "stop", "clippath", "use", "symbol",
}
_ALLOWED_ATTRIBUTES = {
    "viewbox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "opacity", "transform", "id", "class",
    "offset", "stop-color", "stop-opacity", "gradientunits", "gradienttransform", "spreadmethod", "fx", "fy",
    "clip-path", "clip-rule", "font-family", "font-size", "font-weight", "text-anchor", "dominant-baseline",
    "letter-spacing", "preserveaspectratio", "role", "aria-label", "aria-hidden", "href", "version",
}
_URL_REFERENCE = re.compile(r"url\(\s*([^)]*)\)", re.IGNORECASE)


def _local_name(name: str) -> str:
    """The name without its namespace, in its own case (SVG is case-sensitive: viewBox, linearGradient)."""
    return name.rsplit("}", 1)[-1]


def _safe_value(name: str, value: str) -> bool:
    if name == "href":
        return value.startswith("#")  # <use href="#shape">: a reference inside the file, never a URL
    return all(reference.strip("'\" ").startswith("#") for reference in _URL_REFERENCE.findall(value)) and \
        "javascript:" not in value.lower()


def sanitise_svg(data: bytes) -> bytes:
    """The drawing of an SVG with everything that could run, fetch or style the page removed; ThemeError when the
    file is not an SVG."""
    try:
        root = SafeElementTree.fromstring(data)
    except Exception:  # defusedxml's refusals and XML syntax errors alike: the file is not a usable SVG
        raise ThemeError("The logo is not a valid SVG file (or it uses entities or external references, which are "
                         "not allowed).", "logo") from None
    if _local_name(root.tag).lower() != "svg":
        raise ThemeError("The logo file must be an SVG image (its root element is not <svg>).", "logo")

    def rebuilt(element: ElementTree.Element) -> ElementTree.Element | None:
        name = _local_name(element.tag)
        if name.lower() not in _ALLOWED_ELEMENTS:
            return None
        attributes = {}
        for key, value in element.attrib.items():
            local = _local_name(key)
            if local.lower() in _ALLOWED_ATTRIBUTES and _safe_value(local.lower(), value):
                attributes[local] = value
        clean = ElementTree.Element(name, attributes)
        clean.text = element.text if name in ("text", "tspan", "title", "desc") else None
        for child in element:
            kept = rebuilt(child)
            if kept is not None:
                kept.tail = child.tail if name in ("text", "tspan") else None
                clean.append(kept)
        return clean

    clean_root = rebuilt(root)
    assert clean_root is not None
    clean_root.set("xmlns", _SVG_NS)
    return ElementTree.tostring(clean_root, encoding="utf-8", xml_declaration=False)


def sanitise_png(data: bytes, field_name: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise ThemeError("The image must be a PNG or an SVG file.", field_name)
            if image.width * image.height > MAX_PNG_PIXELS:
                raise ThemeError(f"The image is {image.width} by {image.height} pixels; at most 2048 by 2048.",
                                 field_name)
            image.load()
            output = io.BytesIO()
            image.save(output, format="PNG")  # a fresh file: pixels only, no text chunks or trailing data
            return output.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ThemeError("The image could not be read as a PNG or an SVG file.", field_name) from None


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    notes: list[str] = field(default_factory=list)


def clean_image(data: bytes, filename: str, field_name: str) -> CleanImage:
    """A logo or favicon ready to serve: an SVG sanitised or a PNG re-encoded; ThemeError for anything else."""
    if not data:
        raise ThemeError(f"The file {filename} is empty.", field_name)
    if len(data) > MAX_IMAGE_BYTES:
        raise ThemeError(f"The file {filename} is {len(data):,} bytes; an image may be at most "
                         f"{MAX_IMAGE_BYTES // 1024} KB.", field_name)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return CleanImage(sanitise_png(data, field_name), PNG)
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) or b"<svg" in head:
        return CleanImage(sanitise_svg(data), SVG)
    raise ThemeError(f"The file {filename} is neither a PNG nor an SVG image.", field_name)
