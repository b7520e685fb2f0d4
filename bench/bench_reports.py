"""Progress reports with 10,000 learners on Caring Cities.

Seeds a realistic population (`lms.demo.population`, what `flask lms seed-demo` runs), then, logged in as an
administrator through the test client, measures the median time of the overview page and of the learner-table page
with 100 learners (the baseline, same run) and with 10,000; the number of SQL queries of each report page at both
sizes (it must not grow); and the peak memory growth (tracemalloc) while the CSV export of all learners is streamed.

Targets at 10,000 learners: overview < 500 ms, learner table < 300 ms, query counts unchanged, CSV peak growth < 50 MB.

Run: `.venv/bin/python bench/bench_reports.py` (SQLite), or with
`LMS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test` (that database's public schema is dropped).
Options: `--learners N` (default 10000), `--runs N` (default 7).
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_app

COURSE = "caring-cities"
PAGES = {
    "overview": f"/reports/{COURSE}/",
    "learner table": f"/reports/{COURSE}/learners",
    "learner table by progress": f"/reports/{COURSE}/learners?sort=-progress",
    "places": f"/reports/{COURSE}/places",
    "quiz analytics": f"/reports/{COURSE}/quizzes/m1-quiz",
}
TARGETS_MS = {"overview": 500, "learner table": 300, "learner table by progress": 300}
PASSWORD = "benchmark password 123"  # noqa: S105


def median_ms(client, url: str, runs: int) -> float:
    client.get(url)  # warm-up: caches, first-use compilation
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def query_count(app, client, url: str) -> int:
    from sqlalchemy import event

    from lms.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def csv_peak_mb(client) -> tuple[float, int, float]:
    """Stream the CSV of every learner; peak memory growth while consuming it, lines read, seconds."""
    start = time.perf_counter()
    tracemalloc.start()
    baseline, _ = tracemalloc.get_traced_memory()
    response = client.get(f"/reports/{COURSE}/export/learners.csv", buffered=False)
    lines = 0
    for chunk in response.response:
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    response.close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak - baseline) / 2**20, lines, time.perf_counter() - start


def measure(app, client, runs: int) -> dict[str, tuple[float, int]]:
    return {name: (median_ms(client, url, runs), query_count(app, client, url)) for name, url in PAGES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    url = os.environ.get("LMS_BENCH_DATABASE_URL")
    from lms.demo import population as demo_population
    from lms.models import Role
    from lms.services import accounts, publishing

    with tempfile.TemporaryDirectory() as tmp, bench_app(Path(tmp), url) as app:
        app.config["WTF_CSRF_ENABLED"] = False
        database = "PostgreSQL" if url else "SQLite"
        publishing.import_package(None, Path(__file__).resolve().parent.parent / "courses" / COURSE, publish=True)
        accounts.create_user("bench-admin@example.org", PASSWORD, accounts.Profile(display_name="Bench Admin"),
                             Role.ADMIN)
        client = app.test_client()
        assert client.post("/login", data={"email": "bench-admin@example.org", "password": PASSWORD}).status_code == 302
        trivial = median_ms(client, "/reports/", args.runs)

        demo_population.seed_demo_population(COURSE, 100, seed=1)
        small = measure(app, client, args.runs)
        started = time.perf_counter()
        demo_population.seed_demo_population(COURSE, args.learners - 100, seed=2)
        seeding = time.perf_counter() - started
        large = measure(app, client, args.runs)
        peak, lines, seconds = csv_peak_mb(client)

    print(f"Reports benchmark on {database}; seeded {args.learners - 100:,} learners in {seeding:.1f} s")
    print(f"baseline: the reports index page, {trivial:.1f} ms")
    print(f"{'page':28} {'100 learners':>14} {f'{args.learners:,} learners':>17} {'target':>9}   queries (100 / "
          f"{args.learners:,})")
    for name in PAGES:
        (small_ms, small_q), (large_ms, large_q) = small[name], large[name]
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else ("ok" if large_ms < target else "MISSED")
        print(f"{name:28} {small_ms:11.1f} ms {large_ms:14.1f} ms {f'< {target} ms' if target else '':>9} {verdict:6}"
              f" {small_q:3d} / {large_q:3d} {'same' if small_q == large_q else 'GROWS'}")
    print(f"CSV export of all learners: {lines - 1:,} rows in {seconds:.1f} s (under tracemalloc), peak memory growth "
          f"{peak:.1f} MB (target < 50 MB: {'ok' if peak < 50 else 'MISSED'})")


if __name__ == "__main__":
    main()
