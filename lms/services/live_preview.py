"""The live preview of a working folder (`flask lms preview PATH`): the package as learners will see it, loaded again
whenever a file changes, with its problems and warnings. Nothing is imported and nothing is recorded: the package
lives in this process's memory only.

The folder's fingerprint (every file's path, size and modification time) tells when to load again, and tells the
page when to reload itself.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lms.core.packages import Asset, LoadResult, MediaFile, Package, Problem
from lms.services import package_validation
from lms.services.catalog import LessonRef, ModuleRef
from lms.services.errors import NotFound
from lms.services.video_lessons import video_record


@dataclass(frozen=True)
class PreviewOutline:
    """The package's modules and lessons in the shape the learner's lesson template reads (catalog.VersionOutline)."""

    modules: tuple[ModuleRef, ...]
    lessons: tuple[LessonRef, ...]

    def lessons_of(self, module_key: str) -> tuple[LessonRef, ...]:
        return tuple(lesson for lesson in self.lessons if lesson.module_key == module_key)

    def lesson(self, lesson_key: str) -> LessonRef:
        for lesson in self.lessons:
            if lesson.key == lesson_key:
                return lesson
        raise NotFound("This lesson is not part of the package (any more).")

    def neighbours(self, lesson_key: str) -> tuple[LessonRef | None, LessonRef | None]:
        keys = [lesson.key for lesson in self.lessons]
        index = keys.index(lesson_key)
        return (self.lessons[index - 1] if index > 0 else None,
                self.lessons[index + 1] if index + 1 < len(self.lessons) else None)


@dataclass(frozen=True)
class PreviewVersion:
    """What the lesson template shows of a version: title, version, language and status."""

    title: str
    version: str
    language: str
    status: str = "working folder"


@dataclass(frozen=True)
class PreviewState:
    folder: Path
    fingerprint: str
    result: LoadResult
    warnings: tuple[Problem, ...] = ()
    outline: PreviewOutline | None = None
    version: PreviewVersion | None = None
    html: dict[str, str] = field(default_factory=dict)  # lesson id -> rendered HTML
    videos: dict[str, dict] = field(default_factory=dict)  # lesson id -> its video, as a version stores it

    @property
    def package(self) -> Package | None:
        return self.result.package if self.result.ok else None

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.result.problems


def folder_fingerprint(folder: Path) -> str:
    """Changes whenever a file in the folder is added, removed, renamed or saved."""
    digest = hashlib.sha256()
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = Path(root, name)
            try:
                info = path.stat()
            except OSError:
                continue
            digest.update(f"{path.relative_to(folder).as_posix()} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


_states: dict[Path, PreviewState] = {}
_lock = threading.Lock()


def preview_state(folder: Path) -> PreviewState:
    """The folder's package as of now: loaded again only when its fingerprint changed since the last request."""
    folder = folder.resolve()
    fingerprint = folder_fingerprint(folder)
    with _lock:
        state = _states.get(folder)
        if state is not None and state.fingerprint == fingerprint:
            return state
    state = _load(folder, fingerprint)
    with _lock:
        _states[folder] = state
    return state


def _load(folder: Path, fingerprint: str) -> PreviewState:
    result = package_validation.validate(folder)
    if not result.ok or result.package is None:
        return PreviewState(folder, fingerprint, result)
    package = result.package
    modules = tuple(ModuleRef(module_key=m.id, position=i, title=m.title, summary=m.summary, required=m.required,
                              quiz_key=m.quiz.id if m.quiz else None, quiz_title=m.quiz.title if m.quiz else None,
                              quiz_hash=m.quiz.content_hash if m.quiz else None)
                    for i, m in enumerate(package.modules))
    lessons = tuple(LessonRef(key=lesson.id, title=lesson.title, minutes=lesson.minutes, required=lesson.required,
                              module_key=m.id, module_title=m.title, module_position=i, position=j)
                    for i, m in enumerate(package.modules) for j, lesson in enumerate(m.lessons))
    return PreviewState(folder, fingerprint, result, warnings=tuple(package_validation.package_warnings(package)),
                        outline=PreviewOutline(modules, lessons),
                        version=PreviewVersion(package.title, package.version, package.language),
                        html={lesson.id: lesson.html for lesson in package.lessons},
                        videos={lesson.id: video_record(lesson.video, package) for lesson in package.lessons
                                if lesson.video is not None})


def asset(state: PreviewState, path: str) -> tuple[Asset, Path | BinaryIO]:
    """An asset of the package and where to send it from: an audio or video file from the folder, in ranges and never
    read whole (the package holds only a reference to it); any other from the bytes validated. Only the package's
    assets, and only inside the folder (a link put there since the package was loaded points nowhere)."""
    package = state.package
    found = next((item for item in package.assets if item.path == path), None) if package is not None else None
    if found is not None:
        data = package.files[path]
        if not isinstance(data, MediaFile):
            return found, io.BytesIO(data)
        file = (state.folder / path).resolve()
        if file.is_relative_to(state.folder) and file.is_file():
            return found, file
    raise NotFound("This file is not in the package's assets/ (any more).")
