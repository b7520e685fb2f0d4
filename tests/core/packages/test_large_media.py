"""Audio and video files are streamed, never held in memory: a video larger than the per-file limit of files read
into memory loads, its bytes hashed in chunks, within its own limit (Limits.max_media_bytes)."""

from __future__ import annotations

import hashlib
import struct
import tracemalloc

from bench.bench_large_import import package_with_video, zip_folder
from lms.core.packages import Limits, MediaFile, load_package

MB = 1024 * 1024
VIDEO = "assets/large.mp4"
SIZE = 40 * MB  # twice the 20 MB limit of files read into memory


def chunked_sha256(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(MB):
            digest.update(chunk)
    return digest.hexdigest()


def load_measured(source, **options):
    """The load's result and the peak of Python's allocations while loading."""
    tracemalloc.start()
    try:
        result = load_package(source, **options)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_video_in_a_folder_loads_by_reference_without_reading_it_into_memory(tmp_path):
    folder = package_with_video(tmp_path, SIZE)
    result, peak = load_measured(folder)
    assert result.ok, result.problems
    video = result.package.files[VIDEO]
    assert isinstance(video, MediaFile)
    assert (video.size, video.sha256) == (SIZE, chunked_sha256(folder / VIDEO))
    asset = next(asset for asset in result.package.assets if asset.path == VIDEO)
    assert (asset.size, asset.sha256) == (SIZE, video.sha256)
    assert peak < 8 * MB, f"loading a {SIZE // MB} MB video allocated {peak / MB:.1f} MB"


def test_a_large_deflated_video_in_a_zip_is_streamed_too(tmp_path):
    folder = package_with_video(tmp_path, SIZE)
    upload = zip_folder(folder, tmp_path / "upload.zip")
    result, peak = load_measured(upload)
    assert result.ok, result.problems
    assert result.package.files[VIDEO].sha256 == chunked_sha256(folder / VIDEO)
    assert peak < 8 * MB, f"loading a {SIZE // MB} MB video from a zip allocated {peak / MB:.1f} MB"
    with result.package.files[VIDEO].open() as stream:  # readable again after the load closed the archive
        assert stream.read(12)[4:8] == b"ftyp"


def test_audio_and_video_have_their_own_configurable_limit(tmp_path):
    folder = package_with_video(tmp_path, 3 * MB)
    assert load_package(folder, limits=Limits(max_file_bytes=1 * MB)).ok  # not the limit of files read into memory
    found = [str(p) for p in load_package(folder, limits=Limits(max_media_bytes=2 * MB)).problems]
    assert found == [f"{VIDEO}: file is larger than the limit of 2 MB (3 MB)"]


def test_a_video_that_inflates_past_its_declared_size_is_refused(tmp_path):
    folder = package_with_video(tmp_path, 3 * MB)
    data = bytearray(zip_folder(folder, tmp_path / "upload.zip").read_bytes())
    name = f"{folder.name}/{VIDEO}".encode()
    # Declare 10 bytes in the local header and in the central directory; the entry inflates to 3 MB.
    struct.pack_into("<I", data, data.find(name) - 30 + 22, 10)
    struct.pack_into("<I", data, data.rfind(name) - 46 + 24, 10)
    found = [str(p) for p in load_package(bytes(data)).problems]
    assert f"{VIDEO}: cannot be read (Bad CRC-32 for file '{name.decode()}')" in found
