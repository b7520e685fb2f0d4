"""Validate and import course packages; print medians and memory.

Targets (issue 3): validate + import `caring-cities` in under 1 s; a generated 500-lesson package in under 10 s, with
memory that grows with the content and not faster. Run: `.venv/bin/python bench/bench_import.py [--repeat 5]`
(database: a temporary SQLite file, or LMS_BENCH_DATABASE_URL, e.g. postgresql://postgres@127.0.0.1:5432/test —
its tables are dropped and recreated).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app  # noqa: E402
from lms.demo.synthetic import write_synthetic_package  # noqa: E402


def timed(function, repeat: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def package_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="100,250,500", help="lesson counts of the generated packages")
    args = parser.parse_args()

    from sqlalchemy import delete

    from lms.extensions import db
    from lms.models import Course
    from lms.services import package_validation, publishing

    with tempfile.TemporaryDirectory() as tmp, bench_app(Path(tmp), os.environ.get("LMS_BENCH_DATABASE_URL")) as app:
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")

        def clear() -> None:
            db.session.execute(delete(Course))
            db.session.commit()

        def import_fresh(folder: Path):
            def run() -> None:
                clear()
                publishing.import_package(None, folder, publish=True)
            return run

        rows = []
        caring = ROOT / "courses" / "caring-cities"
        validate_s, _ = timed(lambda: package_validation.validate(caring), args.repeat)
        import_s, _ = timed(import_fresh(caring), args.repeat)
        rows.append(("caring-cities", len(package_validation.load_valid(caring).lessons), package_bytes(caring),
                     validate_s, import_s, None))

        for size in (int(s) for s in args.sizes.split(",")):
            folder = write_synthetic_package(Path(tmp) / f"synthetic-{size}", lessons=size, slug=f"synthetic-{size}")
            validate_s, _ = timed(lambda folder=folder: package_validation.validate(folder), args.repeat)
            import_s, _ = timed(import_fresh(folder), max(1, args.repeat // 2))
            tracemalloc.start()
            package_validation.validate(folder)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rows.append((f"synthetic-{size}", size, package_bytes(folder), validate_s, import_s, peak))

    print(f"{'package':<18} {'lessons':>7} {'content':>10} {'validate':>10} {'validate+import':>16} "
          f"{'peak memory (validate)':>24}")
    for name, lessons, size, validate_s, import_s, peak in rows:
        memory = f"{peak / 1e6:7.1f} MB = {peak / size:4.1f}x content" if peak else "—"
        print(f"{name:<18} {lessons:>7} {size / 1e6:>8.2f}MB {validate_s * 1000:>8.0f}ms {import_s * 1000:>14.0f}ms "
              f"{memory:>24}")
    caring_total = rows[0][4]
    largest = rows[-1]
    print()
    verdict = "OK" if caring_total < 1 else "MISSED"
    print(f"caring-cities validate+import: {caring_total:.3f} s (target < 1 s): {verdict}")
    print(f"{largest[0]} validate+import: {largest[4]:.2f} s (target < 10 s): {'OK' if largest[4] < 10 else 'MISSED'}")
    synthetic = [row for row in rows if row[5]]
    if len(synthetic) >= 2:
        small, large = synthetic[0], synthetic[-1]
        content_ratio = large[2] / small[2]
        memory_ratio = large[5] / small[5]
        print(f"memory grows {memory_ratio:.2f}x for {content_ratio:.2f}x the content "
              f"({'linear or better' if memory_ratio <= content_ratio * 1.15 else 'faster than the content'})")


if __name__ == "__main__":
    main()
