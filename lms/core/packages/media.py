"""Audio and video files of a package: kept as references to where they are (a zip entry, a file in a folder), never
as bytes in memory. They are read twice, in chunks: once while the package is gathered (to count their real size
against the limit and hash them), once when a version is stored (copied into the file store). A 500 MB video thus
costs the import a chunk of memory, not 500 MB (bench/bench_large_import.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1 << 20
MEDIA_EXTENSIONS = frozenset({".mp3", ".mp4", ".webm"})
# Enough of a video for its container's header to give its length (mutagen and enzyme seek within it).
HEADER_BYTES = 1 << 20


@dataclass(frozen=True)
class MediaFile:
    size: int
    sha256: str
    open: Callable[[], BinaryIO]  # a fresh stream of the file's bytes each time; may raise zipio.ZIP_ERRORS

    def head(self, length: int = HEADER_BYTES) -> bytes:
        with self.open() as stream:
            return stream.read(length)

    def read_all(self) -> bytes:
        """Every byte: only for the author's local preview, or a file small enough to be read (an export's text),
        never on import."""
        with self.open() as stream:
            return stream.read()


def digest_at_most(open_stream: Callable[[], BinaryIO], limit: int) -> MediaFile | None:
    """The file's size and SHA-256, counted from what the stream actually yields (a zip's declared size may lie), or
    None as soon as more than ``limit`` bytes come out. Raises what reading the stream raises."""
    digest, size = hashlib.sha256(), 0
    with open_stream() as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                return None
            digest.update(chunk)
    return MediaFile(size, digest.hexdigest(), open_stream)


def file_sha256(data: bytes | MediaFile) -> str:
    return data.sha256 if isinstance(data, MediaFile) else hashlib.sha256(data).hexdigest()


def file_size(data: bytes | MediaFile) -> int:
    return data.size if isinstance(data, MediaFile) else len(data)
