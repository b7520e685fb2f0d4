"""Packages for tests: the valid sample package in tests/data/packages/valid, as a dict of files to mutate."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lms.core.packages import Limits, LoadResult, load_package

VALID = Path(__file__).resolve().parents[2] / "data" / "packages" / "valid"


def valid_files() -> dict[str, bytes]:
    return {path.relative_to(VALID).as_posix(): path.read_bytes()
            for path in sorted(VALID.rglob("*")) if path.is_file()}


def zip_bytes(files: dict[str, bytes], root: str = "street-trees") -> bytes:
    """A plain zip of the files under ``root/`` (written here, not by the code under test)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(f"{root}/{path}" if root else path, data)
    return buffer.getvalue()


def write_folder(files: dict[str, bytes], folder: Path) -> Path:
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def edit(files: dict[str, bytes], path: str, old: str, new: str) -> dict[str, bytes]:
    """A copy of ``files`` with ``old`` replaced by ``new`` in one file; ``old`` must occur exactly once."""
    text = files[path].decode("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    return {**files, path: text.replace(old, new).encode("utf-8")}


def load(files: dict[str, bytes], limits: Limits | None = None) -> LoadResult:
    return load_package(zip_bytes(files), limits=limits or Limits())


def problems(files: dict[str, bytes], limits: Limits | None = None) -> list[str]:
    return [str(problem) for problem in load(files, limits).problems]
