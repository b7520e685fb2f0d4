"""Content-addressed file store: a file is kept once under its SHA-256, however many versions and courses use it.

One small interface (``FileStore``) so that another backend (object storage) can be added; the default keeps files
in a directory (``FILE_STORE_PATH``, ``instance/files`` unless configured), which several app instances share through
a shared volume (docs/deployment.md). Files are written to a temporary name in the same directory and renamed into
place, so a reader never sees half a file and two writers of the same content don't disturb each other. A file written
by a transaction that is then rolled back is only an unreferenced file, never a wrong one.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_INCOMING = ".incoming-"  # a write in progress, renamed to its digest when complete
_COLLECTING = ".collecting-"  # a file the garbage collector is deleting


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


@dataclass(frozen=True)
class StoreEntry:
    """A file in the store as the garbage collector sees it. ``sha256`` is "" for a write that never finished (a
    temporary ``.incoming-`` file, growing or left by a process that died) or a deletion that did not, which no row
    can reference."""

    name: str
    sha256: str
    size: int
    modified: datetime  # when it was last written, or last reused by an import (put refreshes it)


class FileStore(Protocol):
    def put(self, data: bytes) -> StoredFile: ...

    def put_stream(self, source: BinaryIO) -> StoredFile:
        """Store what ``source`` yields, reading it in chunks (a large video never sits in memory)."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """FileNotFoundError when the store has no such file."""
        ...

    def read(self, sha256: str) -> bytes: ...

    def local_path(self, sha256: str) -> Path | None:
        """The file on this machine's disk, for sending it without reading it here (None if the backend has none)."""
        ...

    def entries(self) -> Iterator[StoreEntry]:
        """Every file in the store, unfinished writes included."""
        ...

    def delete_if_untouched(self, entry: StoreEntry, cutoff: datetime) -> bool:
        """Delete the file unless it was written or reused after ``cutoff`` (checked again as it goes); whether it
        was deleted."""
        ...


class DirectoryStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        try:
            # Reused: its time is refreshed, so the garbage collector's grace period protects it again until the
            # import that reuses it commits the rows that reference it.
            os.utime(self._path(digest))
            return StoredFile(digest, len(data))
        except FileNotFoundError:
            return self.put_stream(io.BytesIO(data))

    def put_stream(self, source: BinaryIO) -> StoredFile:
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=_INCOMING)
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            target = self._path(digest.hexdigest())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(temporary, 0o644)  # mkstemp makes it private to this user; other app instances read it too
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return StoredFile(digest.hexdigest(), size)

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as stored:
            return stored.read()

    def local_path(self, sha256: str) -> Path | None:
        return self._path(sha256)

    def entries(self) -> Iterator[StoreEntry]:
        if not self.root.is_dir():
            return
        for folder, _subfolders, names in os.walk(self.root):
            for name in names:
                digest = name if _SHA256.fullmatch(name) else ""
                if not digest and not name.startswith((_INCOMING, _COLLECTING)):
                    continue  # not the store's (a README an operator left): never touched
                try:
                    status = os.stat(os.path.join(folder, name))
                except FileNotFoundError:
                    continue  # renamed into place or deleted meanwhile
                yield StoreEntry(os.path.relpath(os.path.join(folder, name), self.root), digest, status.st_size,
                                 datetime.fromtimestamp(status.st_mtime, UTC))

    def delete_if_untouched(self, entry: StoreEntry, cutoff: datetime) -> bool:
        path = self.root / entry.name
        if not entry.sha256:  # a write that died (or a deletion): no one can reuse it, nor reference it
            try:
                if datetime.fromtimestamp(os.stat(path).st_mtime, UTC) > cutoff:
                    return False
                path.unlink()
            except FileNotFoundError:
                return False  # renamed into place meanwhile: a whole file now, seen at the next collection
            return True
        # Moved aside first, then its time read again: a put() that reuses the file between the listing and now
        # either refreshed its time (then it goes back) or finds it gone and writes it again.
        aside = path.with_name(f"{_COLLECTING}{path.name}")
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return False
        if datetime.fromtimestamp(os.stat(aside).st_mtime, UTC) > cutoff:
            os.replace(aside, path)  # the same bytes, if a put() wrote them again meanwhile
            return False
        os.unlink(aside)
        return True


def store_root(config: dict) -> Path:
    return Path(config.get("FILE_STORE_PATH") or Path(config["INSTANCE_PATH"]) / "files")


def file_store() -> FileStore:
    """The application's store (one per app, made on first use)."""
    store = current_app.extensions.get("lms_file_store")
    if store is None:
        store = current_app.extensions["lms_file_store"] = DirectoryStore(store_root(current_app.config))
    return store
