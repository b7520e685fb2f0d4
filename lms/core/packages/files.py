"""Gather a package's files, refusing what a hostile or broken upload may contain.

A package arrives as a folder, a .zip file or zip bytes; either way the rest of the loader sees one thing: every file
by its relative path (forward slashes), as bytes, text files with \\n line endings and no BOM; audio and video files
as a MediaFile (media.py), a reference read in chunks, so that a large video never sits in memory. Paths that could
escape the package, symlinks, files of unknown types and anything over the limits are problems, never exceptions.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lms.core.packages import zipio
from lms.core.packages.media import MEDIA_EXTENSIONS, MediaFile, digest_at_most
from lms.core.packages.model import Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_files: int = 2000
    # Files read into memory (all but audio and video): each, and all together.
    max_file_bytes: int = 20 * MB
    max_total_bytes: int = 200 * MB
    # Audio and video files, streamed from the upload to the file store: each, and all together (disk, not memory).
    max_media_bytes: int = 1024 * MB
    # YAML and Markdown are parsed in Python; a long real lesson is 20 KB, a crafted megabyte takes seconds.
    max_source_bytes: int = 1 * MB
    # HTML elements all the package's Markdown may make. Parsing, rendering and sanitising cost about 50-100 µs per
    # element, and crafted Markdown makes one every few bytes; a real lesson makes about 80 (so 2,000 lessons fit).
    max_markdown_elements: int = 200_000
    # Work the package's text files ask of the parsers before any is parsed (markdown_cost: roughly microseconds
    # on the reference machine, see bench/bench_hostile_packages.py), so that no package within the limits takes
    # more than seconds to validate. Caring Cities costs 0.5 million, a generated 500-lesson course 5, a 500-lesson
    # course with a table, a link and an image in every section 13.6.
    max_markdown_cost: int = 15_000_000
    # Entries the zip's central directory may list (files and folders), read before the listing is loaded.
    max_zip_entries: int = 4000


# The longest path a package file may have (the size of the column that stores it).
MAX_PATH_LENGTH = 500

SOURCE_EXTENSIONS = frozenset({".yaml", ".yml", ".md"})
TEXT_EXTENSIONS = SOURCE_EXTENSIONS | {".txt", ".csv", ".vtt"}
ASSET_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".vtt": "text/vtt; charset=utf-8",
}
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
ASSETS = "assets/"
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
_DRIVE = re.compile(r"[A-Za-z]:")

PackageSource = str | os.PathLike[str] | bytes | bytearray | memoryview
PackageFile = bytes | MediaFile


# Characters that open inline or block markup (emphasis, links, code, HTML, entities, tables, quotes): each can cost
# the parser and the sanitiser tens of microseconds, and crafted text is made of nothing else.
_MARKUP = re.compile(r"[*_\[\]`<>!&\\~|#>-]")
MARKUP_COST, LINE_COST, BYTE_COST = 80, 100, 1


def markdown_cost(text: str) -> int:
    """An upper estimate of what parsing, rendering and sanitising this text costs (microseconds, measured), by
    counting what drives the cost: markup characters, lines (each may start a block) and length."""
    return int(len(_MARKUP.findall(text)) * MARKUP_COST + text.count("\n") * LINE_COST + len(text) * BYTE_COST)


def source_cost_problem(files: dict[str, PackageFile], limits: Limits) -> Problem | None:
    cost = sum(markdown_cost(data.decode("utf-8", "replace")) for path, data in files.items()
               if extension(path) in SOURCE_EXTENSIONS and isinstance(data, bytes))
    if cost <= limits.max_markdown_cost:
        return None
    return Problem("package", 0, f"the text of the package (Markdown and YAML) is too large or has too much markup to "
                                 f"check in reasonable time (cost {cost:,} of at most {limits.max_markdown_cost:,}, "
                                 "Limits.max_markdown_cost); split the course into several")


def extension(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


def media_type(path: str) -> str:
    return ASSET_MEDIA_TYPES.get(extension(path), "application/octet-stream")


def _human(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0") + " MB" if size >= MB else f"{size} bytes"


@dataclass
class CollectedFiles:
    files: dict[str, PackageFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # present, but unusable; a problem says why
    stopped: bool = False  # a package-wide limit or an unreadable archive: nothing else is worth checking


@dataclass(frozen=True)
class _Candidate:
    path: str  # relative to the package root
    declared_size: int
    read: Callable[[int], bytes | None]  # at most n bytes, or None when there are more; may raise zipio.ZIP_ERRORS
    open: Callable[[], BinaryIO]  # a stream of the file, for media files; may raise zipio.ZIP_ERRORS


def collect_files(source: PackageSource, limits: Limits, name: str | None = None) -> CollectedFiles:
    """``name``: what to call a zip in problems (the uploaded file's name) instead of its path's name."""
    if isinstance(source, bytes | bytearray | memoryview):
        return _collect_zip(bytes(source), name or "package.zip", limits)
    path = Path(source)
    try:
        if path.is_dir():
            return _collect_folder(path, limits)
        if path.is_file():
            return _collect_zip(path, name or path.name, limits)
    except (OSError, ValueError):  # a name too long, or with a NUL byte, for the file system
        pass
    result = CollectedFiles(stopped=True)
    result.problems.append(Problem(str(source), 0, "no such file or folder"))
    return result


def _collect_zip(source: bytes | Path, label: str, limits: Limits) -> CollectedFiles:
    result = CollectedFiles()
    try:
        listed = zipio.declared_entry_count(source)
    except OSError as error:
        result.problems.append(Problem(label, 0, f"not a readable zip file ({error})"))
        result.stopped = True
        return result
    if listed is not None and listed > limits.max_zip_entries:
        result.problems.append(Problem(label, 0, f"the zip lists {listed:,} entries; a package may have at most "
                                                 f"{limits.max_files:,} files (Limits.max_zip_entries: "
                                                 f"{limits.max_zip_entries:,} entries with folders)"))
        result.stopped = True
        return result
    try:
        archive = zipio.open_zip(source)
    except zipio.ZIP_ERRORS as error:
        result.problems.append(Problem(label, 0, f"not a readable zip file ({error})"))
        result.stopped = True
        return result
    with archive:
        entries = zipio.file_entries(archive)  # the listing was read, and checked, when the archive opened
        safe = [(path, entry) for entry in entries
                if (path := _safe_zip_path(entry, result)) is not None and not _is_ignored(path)]
        root = _single_root_folder(path for path, _ in safe)
        by_path: dict[str, zipio.ZipEntry] = {}
        for path, entry in safe:
            relative = path.removeprefix(root)
            if relative in by_path:
                result.problems.append(Problem(relative, 0, "appears twice in the zip; keep one copy"))
                result.refused.add(relative)
                continue
            by_path[relative] = entry

        def reader(entry: zipio.ZipEntry) -> Callable[[int], bytes | None]:
            return lambda limit: zipio.read_at_most(archive, entry, limit)

        candidates = [_Candidate(path, entry.declared_size, reader(entry), zipio.entry_opener(source, entry))
                      for path, entry in sorted(by_path.items())]
        _Collector(result, limits, label, shown_root=root).collect(candidates)
    return result


def _safe_zip_path(entry: zipio.ZipEntry, result: CollectedFiles) -> str | None:
    """The entry's path when it is safe to use as a package path; otherwise a problem and None."""
    name = entry.name

    def refuse(message: str) -> None:
        result.problems.append(Problem(name, 0, message))

    if entry.is_symlink:
        refuse("symbolic link refused; put the file itself in the package")
    elif "\\" in name:
        refuse("path refused: it contains '\\'; zip paths separate folders with '/'")
    elif name.startswith("/") or _DRIVE.match(name):
        refuse("absolute path refused; paths in a package are relative to its root")
    elif ".." in name.split("/"):
        refuse("path refused: '..' would point outside the package")
    elif entry.is_encrypted:
        refuse("encrypted zip entries are not supported; zip the package without a password")
    else:
        parts = [part for part in name.split("/") if part not in ("", ".")]
        return "/".join(parts) if parts else None
    return None


def _is_ignored(path: str) -> bool:
    # What operating systems and version control leave in folders and zips: .DS_Store, .git/, __MACOSX/.
    return any(part.startswith(".") or part == "__MACOSX" for part in path.split("/"))


def _single_root_folder(entries: Iterable[str]) -> str:
    """'name/' when every file sits in one top-level folder (a zip of the package folder), else '' (the files are
    at the top). A lone assets/ folder is the package's own, not a package folder."""
    paths = set(entries)
    first = {path.split("/", 1)[0] for path in paths}
    if len(first) == 1 and all("/" in path for path in paths) and first != {ASSETS.rstrip("/")}:
        return first.pop() + "/"
    return ""


def _collect_folder(folder: Path, limits: Limits) -> CollectedFiles:
    result = CollectedFiles()
    candidates: list[_Candidate] = []
    _walk(folder, "", result, candidates)
    _Collector(result, limits, folder.resolve().name + "/").collect(sorted(candidates, key=lambda c: c.path))
    return result


def _walk(folder: Path, prefix: str, result: CollectedFiles, candidates: list[_Candidate]) -> None:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as error:
        result.problems.append(Problem(prefix or "./", 0, f"folder cannot be read ({error.strerror})"))
        return
    for entry in entries:
        path = prefix + entry.name
        if _is_ignored(entry.name):
            continue
        if entry.is_symlink():
            result.problems.append(Problem(path, 0, "symbolic link refused; put the file itself in the package"))
            continue
        if entry.is_dir(follow_symlinks=False):
            _walk(Path(entry.path), path + "/", result, candidates)
            continue
        info = entry.stat(follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode):
            result.problems.append(Problem(path, 0, "not a regular file; refused"))
            continue
        candidates.append(_Candidate(path, info.st_size, _file_reader(Path(entry.path)),
                                     lambda file=Path(entry.path): file.open("rb")))


def _file_reader(path: Path) -> Callable[[int], bytes | None]:
    def read(limit: int) -> bytes | None:
        chunks = []
        size = 0
        with path.open("rb") as stream:
            while chunk := stream.read(zipio.CHUNK):
                size += len(chunk)
                if size > limit:  # the file grew since we looked at its size
                    return None
                chunks.append(chunk)
        return b"".join(chunks)

    return read


class _Collector:
    """The checks shared by folders and zips: names, counts, sizes (declared and actual), encoding, file types."""

    def __init__(self, result: CollectedFiles, limits: Limits, label: str, shown_root: str = "") -> None:
        self.result = result
        self.limits = limits
        self.label = label
        self.shown_root = shown_root  # the zip's top folder, stripped from the paths: said when naming a place in it

    def _problem(self, path: str, message: str, line: int = 0) -> None:
        self.result.problems.append(Problem(path, line, message))
        self.result.refused.add(path)

    def _stop(self, message: str) -> None:
        self.result.problems.append(Problem(self.label, 0, message))
        self.result.stopped = True

    def collect(self, candidates: list[_Candidate]) -> None:
        limits = self.limits
        if len(candidates) > limits.max_files:
            self._stop(f"the package has {len(candidates)} files, more than the limit of {limits.max_files}")
            return
        if (too_deep := self._too_deep(candidates)) is not None:
            self._stop(too_deep)
            return
        usable = [c for c in candidates if self._acceptable(c)]
        media = [c for c in usable if is_media(c.path)]
        if sum(c.declared_size for c in usable if not is_media(c.path)) > limits.max_total_bytes:
            self._stop(f"the package is larger than the limit of {_human(limits.max_total_bytes)}")
            return
        if sum(c.declared_size for c in media) > limits.max_media_bytes:
            self._stop(f"the package's audio and video files are larger than the limit of "
                       f"{_human(limits.max_media_bytes)} in all")
            return
        if not self._collect_media(media):
            return
        total = 0
        for candidate in usable:
            if is_media(candidate.path):
                continue
            file_limit = self._size_limit(candidate.path)
            room = limits.max_total_bytes - total
            try:
                data = candidate.read(min(file_limit, room))
            except zipio.ZIP_ERRORS as error:
                self._problem(candidate.path, f"cannot be read ({error})")
                continue
            if data is None:
                if room < file_limit:
                    self._stop(f"the package is larger than the limit of {_human(limits.max_total_bytes)} "
                               "once decompressed")
                    return
                self._problem(candidate.path, f"file is larger than the limit of {_human(file_limit)} "
                                              "once decompressed")
                continue
            total += len(data)
            self._store(candidate.path, data)

    def _collect_media(self, media: list[_Candidate]) -> bool:
        """Hash each audio and video file by streaming it, counting what actually comes out against the limits.
        False when the package-wide media limit stopped the collection."""
        limits, total = self.limits, 0
        for candidate in media:
            room = limits.max_media_bytes - total
            try:
                stored = digest_at_most(candidate.open, room)
            except zipio.ZIP_ERRORS as error:
                self._problem(candidate.path, f"cannot be read ({error})")
                continue
            if stored is None:
                self._stop(f"the package's audio and video files are larger than the limit of "
                           f"{_human(limits.max_media_bytes)} in all once decompressed")
                return False
            total += stored.size
            self.result.files[candidate.path] = stored
        return True

    def _too_deep(self, candidates: list[_Candidate]) -> str | None:
        """A package zipped (or pointed at) one folder too high: course.yaml is in a subfolder, and every other path
        would be reported as misplaced. Say where course.yaml is and what to zip instead."""
        paths = [c.path for c in candidates]
        if "course.yaml" in paths:
            return None
        nested = sorted((p for p in paths if p.endswith("/course.yaml")), key=lambda p: (p.count("/"), p))
        if not nested:
            return None
        folder = nested[0].removesuffix("/course.yaml")
        found = self.shown_root + nested[0]
        depth = folder.count("/") + 1
        levels = "one folder" if depth == 1 else f"{depth} folders"
        return (f"course.yaml is not at the top of the package but at {found}: the package is {levels} too deep. "
                f"Zip the folder '{folder.rsplit('/', 1)[-1]}' itself (or the files inside it), or point at that "
                "folder")

    def _size_limit(self, path: str) -> int:
        if is_media(path):
            return self.limits.max_media_bytes
        if extension(path) in SOURCE_EXTENSIONS:
            return min(self.limits.max_source_bytes, self.limits.max_file_bytes)
        return self.limits.max_file_bytes

    def _acceptable(self, candidate: _Candidate) -> bool:
        path = candidate.path
        bad = next((part for part in path.split("/") if not _NAME.fullmatch(part)), None)
        if bad is not None:
            self._problem(path, f"the name '{bad}' may only use letters, digits, '-', '_' and '.'; rename it")
            return False
        if len(path) > MAX_PATH_LENGTH:
            self._problem(path[:60] + "…", f"the path is {len(path)} characters long, more than the limit of "
                                           f"{MAX_PATH_LENGTH}; use shorter folder and file names")
            return False
        ext = extension(path)
        if path.startswith(ASSETS):
            if ext not in ASSET_MEDIA_TYPES:
                allowed = ", ".join(sorted(e.lstrip(".") for e in ASSET_MEDIA_TYPES))
                self._problem(path, f"assets of type '{ext or '(none)'}' are not allowed; an asset may be: {allowed}")
                return False
        elif ext not in SOURCE_EXTENSIONS:
            kind = f"files of type '{ext}'" if ext else "files without an extension"
            self._problem(path, f"{kind} are not allowed outside assets/; put images and documents in assets/")
            return False
        limit = self._size_limit(path)
        if candidate.declared_size > limit:
            self._problem(path, f"file is larger than the limit of {_human(limit)} ({_human(candidate.declared_size)})")
            return False
        return True

    def _store(self, path: str, data: bytes) -> None:
        if extension(path) in TEXT_EXTENSIONS:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                line = data.count(b"\n", 0, error.start) + 1
                self._problem(path, f"file is not valid UTF-8 (byte {error.start}); save it as UTF-8", line)
                return
            data = normalise_text(data)
        self.result.files[path] = data


def is_media(path: str) -> bool:
    return path.startswith(ASSETS) and extension(path) in MEDIA_EXTENSIONS


def case_hint(wanted: str, existing: Iterable[str]) -> str:
    """'; it differs only in case from …' when a missing path (or folder name) matches one that exists but for
    upper and lower case: it works on the author's macOS or Windows disk, whose names ignore case, and nowhere
    else. Empty otherwise."""
    folded = wanted.casefold()
    match = next((path for path in sorted(set(existing)) if path.casefold() == folded and path != wanted), None)
    if match is None:
        return ""
    return (f"; it differs only in case from '{match}' (the same on macOS and Windows, not on the server): write "
            "it exactly as the file is named")


def normalise_text(data: bytes) -> bytes:
    """UTF-8 text as stored and hashed: no byte-order mark, \\n line endings."""
    return data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
