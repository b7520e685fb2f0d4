"""Lesson links and package assets, shared by the learner's pages, the author's preview and the live preview."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple, Protocol
from urllib.parse import quote

from flask import Response, current_app, request, send_file, url_for
from markupsafe import Markup

from lms.models import VersionFile
from lms.services.catalog import LessonRef, ModuleRef, VersionOutline
from lms.services.course_languages import CourseReading
from lms.storage import file_store, store_root
from lms.web.downloads import set_media_type

# Files that a browser could run as a page from our origin are sandboxed.
_SANDBOXED = ("image/svg+xml", "text/html")


class PackagedFile(Protocol):
    """A file of a package as the store (VersionFile) and the live preview (lms.core.packages.Asset) describe it."""

    @property
    def path(self) -> str: ...

    @property
    def media_type(self) -> str: ...

    @property
    def sha256(self) -> str: ...


_STORED_CACHING = "private, max-age=3600"


def asset_response(asset: VersionFile) -> Response:
    """The file sent from the store (send_asset), with private caching. Call it after the access check: it only
    sends."""
    store = file_store()
    path = store.local_path(asset.sha256)
    accel_prefix = current_app.config.get("FILE_STORE_ACCEL_PREFIX")
    if accel_prefix and path is not None:
        # nginx sends the file from an `internal` location over the store's directory, and answers ranges and
        # conditional requests itself; the headers set here are kept.
        response = Response(mimetype=asset.media_type)
        response.headers["X-Accel-Redirect"] = (accel_prefix.rstrip("/") + "/"
                                                + path.relative_to(store_root(current_app.config)).as_posix())
        response.set_etag(asset.sha256)
        return _with_asset_headers(response, asset.media_type, _STORED_CACHING)
    return send_asset(path if path is not None else store.open(asset.sha256), asset, caching=_STORED_CACHING)


def send_asset(source: Path | BinaryIO, asset: PackagedFile, *, caching: str) -> Response:
    """``asset`` streamed from ``source`` (its file, or a stream of its bytes), with HTTP range requests (RFC 9110
    section 14: 206 with Content-Range, If-Range, 416 for a range past the end; several ranges in one request are
    answered 416, which the RFC allows, rather than as multipart/byteranges, which no media player asks for) and
    conditional requests against a strong ETag (the content's SHA-256); ``caching`` is its Cache-Control. Ranges need
    the length, which a path or a BytesIO gives: another stream is sent whole."""
    # Named as in the package: the store names files by their hash, and a video saved from the page must keep its
    # name and extension.
    response = send_file(source, mimetype=asset.media_type, conditional=True, etag=asset.sha256, max_age=None,
                         download_name=PurePosixPath(asset.path).name)
    return _with_asset_headers(response, asset.media_type, caching)


def _with_asset_headers(response: Response, media_type: str, caching: str) -> Response:
    set_media_type(response, media_type)
    response.headers["Cache-Control"] = caching
    if media_type in _SANDBOXED:
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


def lesson_links(endpoint: str, **values: str) -> Callable[[str], str]:
    """lesson key -> the URL of ``endpoint`` for that lesson. A lesson page links to every lesson of the course, so the
    route is built once per process and each key (a package id) is put in its place: building a URL costs more than
    the rest of the outline."""
    return _links(endpoint, "lesson_key", values)


def quiz_links(endpoint: str, **values: str) -> Callable[[str], str]:
    """quiz key -> the URL of ``endpoint`` for that quiz: the lesson page's side menu links each module's quiz."""
    return _links(endpoint, "quiz_key", values)


def _links(endpoint: str, key_argument: str, values: dict[str, str]) -> Callable[[str], str]:
    head, tail = _link_parts(request.script_root, endpoint, key_argument, tuple(values.items()))
    return lambda key: head + quote(key, safe="") + tail


@lru_cache(maxsize=1024)  # the same for every visitor: one per course, route and path the site is served under
def _link_parts(root: str, endpoint: str, key_argument: str, values: tuple) -> tuple[str, str]:
    placeholder = "item-key-placeholder"
    head, tail = url_for(endpoint, **{key_argument: placeholder}, **dict(values)).rsplit(placeholder, 1)
    return head, tail


class OutlineLink(NamedTuple):
    key: str
    link: Markup  # <a> to the lesson
    current_link: Markup  # the same, marked as the page being read


class OutlineModule(NamedTuple):
    module: ModuleRef
    language: str | None  # its title's, when the page shows the course in a chosen language
    links: tuple[OutlineLink, ...]


@lru_cache(maxsize=8192)
def _lesson_link(url: str, language: str | None, title: str, current: bool) -> Markup:
    marked = Markup(' aria-current="page"') if current else ""
    language_attribute = Markup(' lang="{}"').format(language) if language else ""
    return Markup('<a href="{}"{}{} dir="auto">{}</a>').format(url, marked, language_attribute, title)


def outline_links(outline: VersionOutline, lesson_url: Callable[[str], str],
                  reading: CourseReading | None) -> list[OutlineModule]:
    """A lesson page's side menu, ready to print: the menu was a third of the lesson page's rendering, a dozen
    template calls and escapes for each lesson. Each link is the same for every learner who reads the course in the
    same language, so it is written once per process; the page only picks the current one and adds the ticks."""
    def language(kind: str, key: str) -> str | None:
        return reading.content_language(kind, key) if reading else None

    def link(lesson: LessonRef) -> OutlineLink:
        # Plain text: the cache must never hold a Markup title's unescaped link for a str's.
        return _outline_link(lesson.key, lesson_url(lesson.key), language("lesson", lesson.key), str(lesson.title))

    return [OutlineModule(module, language("module", module.module_key),
                          tuple(link(lesson) for lesson in outline.lessons if lesson.module_key == module.module_key))
            for module in outline.modules]


@lru_cache(maxsize=4096)
def _outline_link(key: str, url: str, language: str | None, title: str) -> OutlineLink:
    """Both of a lesson's links in one lookup: the menu asked the cache twice for each lesson and built the pair."""
    return OutlineLink(key, _lesson_link(url, language, title, False), _lesson_link(url, language, title, True))
