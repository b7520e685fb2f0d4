"""How much memory importing and exporting a package with a large video take (issue 16: "a package with a 500 MB
video imports with peak memory growth under 100 MB"; an export must not hold the video in memory either).

The example course is copied with its lesson video replaced by an MP4 padded to the given size (a `free` box of
zeros: a sparse file in the folder, a few hundred KB once deflated in the zip, generated here, never committed).
Each import (the folder, then the zip as an upload would leave it on disk) runs in a fresh process, which reports the
growth of its peak resident memory (VmHWM, reset through /proc/self/clear_refs just before) and of Python's own
allocations (tracemalloc) across validation and storage (publishing.import_package, a temporary SQLite file and file
store). A third process imports the folder, then measures the export of that version to a zip file (`flask lms
export`; the author's download writes the same zip to a temporary file and streams it). Run:
`.venv/bin/python bench/bench_large_import.py [--megabytes 500]`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
EXAMPLE = ROOT / "courses" / "example-all-features"
SHORT_MP4 = ROOT / "tests" / "data" / "media" / "three-seconds.mp4"
LESSON = "extras/01-bonus.md"
VIDEO = "assets/street-trees.webm"


def write_padded_mp4(target: Path, size: int) -> Path:
    """A playable three-second MP4 followed by a `free` box that brings it to ``size`` bytes: MP4 readers skip the
    box, and the padding is a hole in the file (sparse), so the file costs no disk until it is copied."""
    header = SHORT_MP4.read_bytes()
    padding = size - len(header)
    if padding < 8:
        raise ValueError(f"an MP4 of {size} bytes cannot hold the three-second clip")
    with target.open("wb") as out:
        out.write(header)
        out.write(struct.pack(">I4s", padding, b"free"))
        out.truncate(size)
    return target


def package_with_video(destination: Path, size: int) -> Path:
    """The example course with its lesson video an MP4 of ``size`` bytes."""
    folder = destination / EXAMPLE.name
    shutil.copytree(EXAMPLE, folder)
    (folder / VIDEO).unlink()
    write_padded_mp4(folder / "assets" / "large.mp4", size)
    lesson = folder / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(VIDEO, "assets/large.mp4"), encoding="utf-8")
    for track in ("captions-en", "captions-es", "chapters"):  # cues within the clip's three seconds
        (folder / f"assets/street-trees-{track}.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nTrees\n",
                                                                  encoding="utf-8")
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target


def _status(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def measure_import(source: Path, work: Path) -> dict:
    """In this process: import ``source`` into a fresh app and report what the import added to peak memory."""
    from sqlalchemy import func, select

    from bench.common import bench_app
    from lms.extensions import db
    from lms.models import VersionFile
    from lms.services import publishing

    with bench_app(work, None) as app:
        app.config["PACKAGE_MAX_MEDIA_BYTES"] = 2048 * MB
        Path("/proc/self/clear_refs").write_text("5")  # peak RSS starts again from the current RSS
        before = _status("VmRSS")
        tracemalloc.start()
        start = time.perf_counter()
        outcome = publishing.import_package(None, source, publish=True)
        seconds = time.perf_counter() - start
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        largest = select(func.max(VersionFile.size)).where(VersionFile.version_id == outcome.version.id)
        stored = db.session.scalar(largest)
        return {"rss_growth": _status("VmHWM") - before, "python_peak": python_peak, "seconds": seconds,
                "largest_stored": stored}


def measure_export(source: Path, work: Path) -> dict:
    """In this process: import ``source`` (not measured), then export the version as `flask lms export` does (to a
    file) and report what the export added to peak memory."""
    from bench.common import bench_app
    from lms.extensions import db
    from lms.models import Course
    from lms.services import course_versions, publishing

    with bench_app(work, None) as app:
        app.config["PACKAGE_MAX_MEDIA_BYTES"] = 2048 * MB
        version = publishing.import_package(None, source, publish=True).version
        slug, number = db.session.get(Course, version.course_id).slug, version.version
        target = work / "exported.zip"
        Path("/proc/self/clear_refs").write_text("5")
        before = _status("VmRSS")
        tracemalloc.start()
        start = time.perf_counter()
        with target.open("wb") as out:
            course_versions.export_version(None, slug, number, out)
        seconds = time.perf_counter() - start
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        with zipfile.ZipFile(target) as archive:
            largest = max(info.file_size for info in archive.infolist())
        return {"rss_growth": _status("VmHWM") - before, "python_peak": python_peak, "seconds": seconds,
                "largest_stored": largest}


def _run_child(mode: str, source: Path, work: Path) -> dict:
    run = subprocess.run([sys.executable, __file__, mode, str(source), str(work)], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit(f"{mode} of {source.name} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=500, help="size of the video")
    parser.add_argument("--child", nargs=2, metavar=("SOURCE", "WORK"), help=argparse.SUPPRESS)
    parser.add_argument("--child-export", nargs=2, metavar=("SOURCE", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.child_export:
        measure = measure_import if args.child else measure_export
        source, work = args.child or args.child_export
        print(json.dumps(measure(Path(source), Path(work))))
        return

    size = args.megabytes * MB
    with tempfile.TemporaryDirectory(prefix="bench-large-") as tmp:
        folder = package_with_video(Path(tmp), size)
        upload = zip_folder(folder, Path(tmp) / "upload.zip")
        print(f"video: {size / MB:.0f} MB; zip: {upload.stat().st_size / MB:.1f} MB (deflated)")
        print(f"{'run':<14} {'peak RSS growth':>16} {'Python peak':>12} {'time':>8}")
        worst = {"import": 0, "export": 0}
        for label, mode, source in (("import folder", "--child", folder), ("import zip", "--child", upload),
                                    ("export", "--child-export", folder)):
            work = Path(tmp) / f"work-{label.replace(' ', '-')}"
            work.mkdir()
            figures = _run_child(mode, source, work)
            if figures["largest_stored"] != size:
                sys.exit(f"{label} wrote {figures['largest_stored']} bytes of the video, not {size}")
            kind = label.split()[0]
            worst[kind] = max(worst[kind], figures["rss_growth"])
            print(f"{label:<14} {figures['rss_growth'] / MB:>13.1f} MB {figures['python_peak'] / MB:>9.1f} MB "
                  f"{figures['seconds']:>7.1f}s")
        for kind, growth in worst.items():
            verdict = "OK" if growth < 100 * MB else "MISSED"
            print(f"peak memory growth {kind}ing a {args.megabytes} MB video: {growth / MB:.1f} MB "
                  f"(target < 100 MB): {verdict}")


if __name__ == "__main__":
    main()
