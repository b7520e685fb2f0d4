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
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


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


class DirectoryStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        if self._path(digest).exists():
            return StoredFile(digest, len(data))
        return self.put_stream(io.BytesIO(data))

    def put_stream(self, source: BinaryIO) -> StoredFile:
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
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


def store_root(config: dict) -> Path:
    return Path(config.get("FILE_STORE_PATH") or Path(config["INSTANCE_PATH"]) / "files")


def file_store() -> FileStore:
    """The application's store (one per app, made on first use)."""
    store = current_app.extensions.get("lms_file_store")
    if store is None:
        store = current_app.extensions["lms_file_store"] = DirectoryStore(store_root(current_app.config))
    return store
