"""Zip archives in and out: what Python's zipfile needs around it to read hostile archives and write stable ones."""

from __future__ import annotations

import io
import shutil
import stat
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lms.core.packages.media import MediaFile

# What reading a damaged archive raises. zipfile is not hardened against hostile input: besides BadZipFile, zlib and
# lzma errors, a mangled header surfaces as IndexError, struct.error, KeyError, UnicodeDecodeError... (the property
# tests find new ones). At this boundary any exception means "this archive cannot be read", so we catch them all, and
# only around zipfile calls.
ZIP_ERRORS: tuple[type[Exception], ...] = (Exception,)

CHUNK = 1 << 20
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no clock in the bytes
_ALREADY_COMPRESSED = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".mp3", ".mp4", ".webm")


@dataclass(frozen=True)
class ZipEntry:
    name: str  # as stored in the archive
    declared_size: int  # what the archive says the file will decompress to
    is_symlink: bool
    is_encrypted: bool
    info: zipfile.ZipInfo


_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_TAIL = 22 + 0xFFFF  # the end record and the longest comment it may have


def declared_entry_count(source: bytes | Path) -> int | None:
    """How many entries the archive's central directory lists, read from its end record alone, before zipfile
    builds an object for each (a hostile listing of millions costs seconds and memory). None when there is no end
    record to read (zipfile then says why the archive is unreadable)."""
    if isinstance(source, bytes):
        tail, size = source[-_TAIL:], len(source)
        read_at = lambda offset, length: source[offset:offset + length]  # noqa: E731
    else:
        with open(source, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - _TAIL))
            tail = handle.read()

        def read_at(offset: int, length: int) -> bytes:
            with open(source, "rb") as handle:
                handle.seek(offset)
                return handle.read(length)
    end = tail.rfind(_END_OF_DIRECTORY)
    if end < 0 or len(tail) < end + 22:
        return None
    count = int.from_bytes(tail[end + 10:end + 12], "little")
    if count != 0xFFFF:
        return count
    # Zip64: the locator, just before the end record, gives the offset of the zip64 end record.
    locator = tail[end - 20:end] if end >= 20 else b""
    if not locator.startswith(_ZIP64_LOCATOR):
        return count
    offset = int.from_bytes(locator[8:16], "little")
    record = read_at(offset, 56) if offset < size else b""
    if not record.startswith(_ZIP64_END) or len(record) < 40:
        return count
    return int.from_bytes(record[32:40], "little")


def open_zip(source: bytes | Path) -> zipfile.ZipFile:
    """Open an archive; raises one of ZIP_ERRORS when it is not a readable zip."""
    return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)


def file_entries(archive: zipfile.ZipFile) -> list[ZipEntry]:
    """The archive's files (folders left out), symlinks marked: zip keeps Unix modes in external_attr's high bits."""
    entries = []
    for info in archive.infolist():
        if info.filename.endswith("/") or not info.filename:  # ZipInfo.is_dir() fails on an empty name
            continue
        mode = info.external_attr >> 16
        entries.append(ZipEntry(
            name=info.filename,
            declared_size=info.file_size,
            is_symlink=stat.S_ISLNK(mode),
            is_encrypted=bool(info.flag_bits & 0x1),
            info=info,
        ))
    return entries


def read_at_most(archive: zipfile.ZipFile, entry: ZipEntry, limit: int) -> bytes | None:
    """The entry's bytes, or None as soon as more than ``limit`` come out: the declared size of a zip bomb lies, so
    we count what the decompressor actually produces and stop early. Raises one of ZIP_ERRORS on damaged data."""
    chunks = []
    size = 0
    with archive.open(entry.info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def entry_opener(source: bytes | Path, entry: ZipEntry) -> Callable[[], BinaryIO]:
    """A function that opens a fresh stream of the entry, usable after the archive it was listed from is closed
    (the stream holds its own handle on the zip, closed with it). Opening may raise one of ZIP_ERRORS."""
    def open_entry() -> BinaryIO:
        stream = open_zip(source).open(entry.info)
        # A video parser seeks over the frames; zipfile seeks in a deflated entry by reading 16 MB at a time.
        stream.MAX_SEEK_READ = CHUNK
        return stream
    return open_entry


def package_zip_bytes(files: Mapping[str, bytes | MediaFile], root: str) -> bytes:
    """The zip of write_package_zip, in memory: for small packages and tests (an export streams to a file)."""
    buffer = io.BytesIO()
    write_package_zip(files, root, buffer)
    return buffer.getvalue()


def write_package_zip(files: Mapping[str, bytes | MediaFile], root: str, out: BinaryIO) -> None:
    """Write a zip of the package's files under the folder ``root`` (no folder when empty) to ``out`` (seekable),
    byte-for-byte the same for the same files: entries sorted, fixed timestamps and permissions. It loads back to the
    same content hash. A MediaFile's bytes are copied in chunks: media and other files already compressed are stored
    as they are, and only those are large (every other file is within the package's limit of files read into
    memory), so a 500 MB video never sits in memory (bench/bench_large_import.py measures it)."""
    if root and ("/" in root or "\\" in root or root in (".", "..")):
        raise ValueError(f"root must be a single folder name, not {root!r}")
    prefix = f"{root}/" if root else ""
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(prefix + path, date_time=_FIXED_TIME)
            info.create_system = 3  # Unix, whatever machine writes it, so the permission bits mean the same
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            compressed = not path.lower().endswith(_ALREADY_COMPRESSED)
            info.compress_type = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
            data = files[path]
            if isinstance(data, bytes) or compressed:
                archive.writestr(info, data if isinstance(data, bytes) else data.read_all(),
                                 compresslevel=9 if compressed else None)
                continue
            info.file_size = data.size  # known before writing: zipfile then decides on zip64 as writestr would
            with data.open() as source, archive.open(info, "w") as entry:
                shutil.copyfileobj(source, entry, CHUNK)
