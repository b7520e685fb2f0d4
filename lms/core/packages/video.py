"""A lesson's video: the file (or external player), its captions and chapters as WebVTT, its poster and duration.

Checked when the package is loaded, so that every problem is a ``file:line`` the author can fix: a track that is not
WebVTT, a cue whose timings are wrong, cues out of order or overlapping, a cue past the video's end, a language the
course does not declare, and a video without captions in the course's own language (WCAG 2.1 SC 1.2.2) unless the
lesson says why it needs none. WebVTT is read by webvtt-py; the video's duration by mutagen (MP4) and enzyme (WebM),
both pure Python, at import only.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Collection
from typing import BinaryIO
from urllib.parse import urlsplit

import enzyme
import mutagen.mp4
import webvtt
from webvtt.errors import MalformedFileError

from lms.core.packages.files import IMAGE_EXTENSIONS
from lms.core.packages.media import MediaFile
from lms.core.packages.model import Cue, Problem, Track, Video
from lms.core.packages.parsed import ParsedPackage
from lms.core.packages.validate import Record

# enzyme logs an error for every Matroska element newer than its table of them, which current WebM files have; the
# duration it reads is not affected.
logging.getLogger("enzyme").setLevel(logging.CRITICAL)

VIDEO_TYPES = {".mp4": "MP4", ".webm": "WebM"}
# What the first bytes of each kind of file must be: an MP4 has an 'ftyp' box first, a WebM the EBML magic number.
_MAGIC = {".mp4": (4, b"ftyp"), ".webm": (0, b"\x1a\x45\xdf\xa3")}
# Cue timings as WebVTT writes them: [hh:]mm:ss.ttt --> [hh:]mm:ss.ttt, then settings.
_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_TIMINGS = re.compile(rf"{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t].*)?")


def extension(path: str) -> str:
    return path[path.rfind("."):].lower() if "." in path.rsplit("/", 1)[-1] else ""


def media_duration(data: bytes | MediaFile, path: str) -> float | None:
    """The length in seconds that the file's header records; None when it records none. A MediaFile is read as a
    stream (the parsers seek to the atoms and elements they need), not into memory."""
    if isinstance(data, MediaFile):
        with data.open() as stream:
            return _stream_duration(stream, path)
    return _stream_duration(io.BytesIO(data), path)


def _stream_duration(stream: BinaryIO, path: str) -> float | None:
    if extension(path) == ".mp4":
        length = mutagen.mp4.MP4(stream).info.length
        return float(length) if length else None
    duration = enzyme.MKV(stream).info.duration
    return duration.total_seconds() if duration else None


def read_track(path: str, text: str, duration: float | None, problems: list[Problem]) -> tuple[Cue, ...]:
    lines = text.split("\n")
    if not lines[0].startswith("WEBVTT"):
        problems.append(Problem(path, 1, "not a WebVTT file: the first line must be 'WEBVTT'"))
        return ()
    timing_lines = [number for number, line in enumerate(lines, start=1) if "-->" in line]
    bad = [number for number in timing_lines if not _TIMINGS.fullmatch(lines[number - 1].strip())]
    for number in bad:
        problems.append(Problem(path, number, f"bad cue timings '{lines[number - 1].strip()}'; write them as "
                                              "00:01:02.500 --> 00:01:05.000"))
    if bad:
        return ()
    try:
        captions = webvtt.from_string(text).captions
    except MalformedFileError as error:
        problems.append(Problem(path, 1, f"not a readable WebVTT file ({error})"))
        return ()
    if len(captions) != len(timing_lines):
        problems.append(Problem(path, 1, "a cue is not followed by an empty line before the next one"))
        return ()
    cues: list[Cue] = []
    for line, caption in zip(timing_lines, captions, strict=True):
        cue = Cue(caption.start_time.in_milliseconds() / 1000, caption.end_time.in_milliseconds() / 1000,
                  caption.text)
        if cue.end <= cue.start:
            problems.append(Problem(path, line, "the cue ends before it starts"))
        elif cues and cue.start < cues[-1].start:
            problems.append(Problem(path, line, f"the cue starts at {_clock(cue.start)}, before the cue above it "
                                                f"({_clock(cues[-1].start)}); cues must be in order"))
        elif cues and cue.start < cues[-1].end:
            problems.append(Problem(path, line, f"the cue starts at {_clock(cue.start)}, before the cue above it "
                                                f"ends ({_clock(cues[-1].end)}); cues must not overlap"))
        elif duration is not None and cue.end > duration + 0.5:
            problems.append(Problem(path, line, f"the cue ends at {_clock(cue.end)}, after the end of the video "
                                                f"({_clock(duration)})"))
        cues.append(cue)
    return tuple(cues)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{round((seconds - whole) * 1000):03d}"


class VideoReader:
    """Reads the ``video`` of every lesson's front matter against the package's files."""

    def __init__(self, files: dict[str, bytes | MediaFile], present: Collection[str], languages: tuple[str, ...],
                 source_language: str, video_hosts: Collection[str], problems: list[Problem]) -> None:
        self.files = files
        self.present = present
        self.languages = languages
        self.source_language = source_language
        self.video_hosts = video_hosts
        self.problems = problems

    def read(self, lesson_path: str, front: Record) -> Video | None:
        record: Record | None = front.get("video")
        if record is None:
            return None
        report = self._reporter(lesson_path, record, front.line_of("video"))
        file, url = record.get("file"), record.get("url")
        if (file is None) == (url is None):
            report("video", "the video needs either 'file' (a video in assets/) or 'url' (an external player), "
                            "not both and not neither")
            return None
        duration = self._duration(file, report) if file else None
        if url and (host := urlsplit(url).hostname) not in self.video_hosts:
            allowed = ", ".join(sorted(self.video_hosts)) or "none are configured"
            report("url", f"videos from {host} are not allowed on this site (allowed hosts: {allowed}); the site's "
                          "administrator sets them in LMS_VIDEO_HOSTS")
        poster = record.get("poster")
        if poster and extension(poster) not in IMAGE_EXTENSIONS:
            *kinds, last = sorted(kind.lstrip(".") for kind in IMAGE_EXTENSIONS)
            report("poster", f"{poster} is not an image: a poster must be a {', '.join(kinds)} or {last} file")
        elif poster:
            self._exists(poster, "poster", report)
        captions = tuple(self._captions(record, lesson_path, duration, report))
        chapters_path = record.get("chapters")
        chapters = None
        if chapters_path and self._exists(chapters_path, "chapters", report):
            chapters = Track("", chapters_path, read_track(chapters_path, self._text(chapters_path), duration,
                                                           self.problems))
        reason = record.get("no_captions_reason") or ""
        if not reason and not any(track.language == self.source_language for track in captions):
            report("video", f"the video has no captions in the course's language ({self.source_language}): add "
                            f"a WebVTT file under 'captions', or say in 'no_captions_reason' why it needs none "
                            "(no speech, for instance)")
        return Video(file, url, poster, captions, chapters, duration, reason)

    def _reporter(self, lesson_path: str, record: Record, video_line: int):
        def report(key: str, message: str) -> None:
            self.problems.append(Problem(lesson_path, record.line_of(key) if key != "video" else video_line,
                                         message))
        return report

    def _exists(self, path: str, key: str, report) -> bool:
        if path not in self.present:
            report(key, f"{path} is not in the package")
            return False
        return path in self.files  # a refused file has its own problem

    def _text(self, path: str) -> str:
        data = self.files[path]
        # An audio or video file named as a track is no text: read_track then says it is not WebVTT.
        return "" if isinstance(data, MediaFile) else data.decode("utf-8")

    def _duration(self, path: str, report) -> float | None:
        kind = VIDEO_TYPES.get(extension(path))
        if kind is None:
            report("file", f"{path} is not a video: a video file must be MP4 (.mp4) or WebM (.webm)")
            return None
        if not self._exists(path, "file", report):
            return None
        data = self.files[path]
        offset, magic = _MAGIC[extension(path)]
        try:
            first = data.head(offset + len(magic)) if isinstance(data, MediaFile) else data
        except Exception as error:
            self.problems.append(Problem(path, 0, f"the {kind} video cannot be read ({error})"))
            return None
        if first[offset:offset + len(magic)] != magic:
            self.problems.append(Problem(path, 0, f"not an {kind} video (its first bytes are not those of an "
                                                  f"{kind} file)"))
            return None
        try:
            return media_duration(data, path)
        except Exception as error:
            self.problems.append(Problem(path, 0, f"the {kind} video cannot be read ({error})"))
            return None

    def _captions(self, record: Record, lesson_path: str, duration: float | None, report):
        seen: set[str] = set()
        for track in record.get("captions") or []:
            language, path = track.get("language"), track.get("file")
            line = track.line_of("language")
            if language not in self.languages:
                known = ", ".join(self.languages)
                self.problems.append(Problem(lesson_path, line, f"captions in '{language}', which is not a "
                                                                f"language of the course ({known})"))
                continue
            if language in seen:
                self.problems.append(Problem(lesson_path, line, f"captions in '{language}' are listed twice"))
                continue
            seen.add(language)
            if not path.endswith(".vtt"):
                self.problems.append(Problem(lesson_path, track.line_of("file"),
                                             f"{path} is not a WebVTT file (.vtt)"))
                continue
            if self._exists(path, "captions", report):
                yield Track(language, path, read_track(path, self._text(path), duration, self.problems))


def estimated_minutes(video: Video | None) -> int | None:
    """The lesson's study time when the author gives none: the video's length, rounded up to whole minutes."""
    if video is None or video.duration is None:
        return None
    return max(1, math.ceil(video.duration / 60))


def read_videos(parsed: ParsedPackage, files: dict[str, bytes | MediaFile], present: Collection[str],
                video_hosts: Collection[str], problems: list[Problem]) -> None:
    """Read every lesson's video into its ParsedLesson; a lesson without ``minutes`` takes its video's length."""
    source_language = parsed.languages[0] if parsed.languages else ""
    reader = VideoReader(files, present, parsed.languages, source_language, video_hosts, problems)
    for module in parsed.modules:
        for lesson in module.lessons:
            if lesson.front is None:
                continue
            lesson.video = reader.read(lesson.path, lesson.front)
            if "minutes" not in lesson.front.lines and estimated_minutes(lesson.video) is None:
                problems.append(Problem(lesson.path, lesson.front.line, "front matter is missing required key "
                                                                        "'minutes' (only a video file's length can "
                                                                        "stand in for it)"))
