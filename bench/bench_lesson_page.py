"""Lesson-page throughput of a logged-in learner, as a ratio of a bare Flask "hello world", both under gunicorn.

Target (issue 4): the lesson page serves at least 1/3 of the hello-world rate; p50 and p99 latency are printed.
Target (issue 15): a Korean learner's lesson page (the Korean interface and the course's Korean translation) serves
within 10% of an English learner's, the same lesson, measured in the same run in alternating rounds so that the
machine's noise falls on both alike.
A second baseline, the app's own home page for the same logged-in learner, shows the per-request floor of the app
(session, user lookup, layout) that every page pays.
Both apps run under the same gunicorn settings (2 sync workers) on loopback, in the same run, driven by the same
client (several processes, one connection per request as gunicorn's sync workers close them). The machine is shared
and noisy: read the ratio, and rerun if the two rates look off.

Run: `.venv/bin/python bench/bench_lesson_page.py [--seconds 10]` (SQLite), or with
LMS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test (its tables are dropped and recreated).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app  # noqa: E402

EMAIL, PASSWORD = "bench.learner@example.org", "bench password 123"
KOREAN_EMAIL = "bench.korean@example.org"
ROUNDS = 3  # the two languages' measurements alternate, this many times each


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(folder: Path, database_url: str | None) -> tuple[str, str]:
    """Migrate, import the Caring Cities course, enrol a learner. Returns (database URL, a lesson path)."""
    from lms.extensions import db
    from lms.models import Course
    from lms.services import accounts, course_versions, enrolments, learning, publishing

    with bench_app(folder, database_url) as app:
        version = publishing.import_package(None, ROOT / "courses" / "caring-cities", publish=True).version
        # The programme is by application; for the benchmark the learners are enrolled directly.
        lessons = course_versions.version_package(version).lessons
        lesson = lessons[len(lessons) // 2]
        for email, name, language in ((EMAIL, "Bench Learner", "en"), (KOREAN_EMAIL, "벤치 학습자", "ko")):
            user = accounts.create_user(email, PASSWORD, accounts.Profile(display_name=name,
                                                                          preferred_language=language))
            enrolments.enrol_user(user, db.session.get(Course, version.course_id))
            for done in lessons[:3]:
                learning.complete_lesson(user, "caring-cities", done.id)
        return app.config["SQLALCHEMY_DATABASE_URI"], f"/courses/caring-cities/lessons/{lesson.id}"


def start_gunicorn(app_spec: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited: {process.stderr.read().decode()}") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn {app_spec} did not start")


def log_in(port: int, email: str = EMAIL) -> str:
    """Log in through the real form (with its CSRF token); return the Cookie header to send."""
    def request(method: str, path: str, body: str | None = None, cookie: str = "") -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # a cold worker on a busy machine
        headers = {"Cookie": cookie, "User-Agent": "bench"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        return connection.getresponse()

    page = request("GET", "/login")
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = request("POST", "/login", urlencode({"csrf_token": token, "email": email, "password": PASSWORD}), cookie)
    response.read()
    if response.status != 302:
        raise RuntimeError(f"log-in failed with {response.status}")
    return response.getheader("Set-Cookie", "").split(";", 1)[0]


def _client(port: int, path: str, cookie: str, seconds: float, results) -> None:
    latencies = []
    errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "User-Agent": "bench"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except OSError:
            errors += 1
        finally:
            connection.close()
        latencies.append(time.perf_counter() - start)
    results.put((latencies, errors))


def load(port: int, path: str, cookie: str, seconds: float, clients: int) -> dict[str, float]:
    results: multiprocessing.Queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_client, args=(port, path, cookie, seconds, results))
               for _ in range(clients)]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    errors = 0
    for _ in workers:
        batch, failed = results.get()
        latencies.extend(batch)
        errors += failed
    for worker in workers:
        worker.join()
    latencies.sort()
    return {
        "rate": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "requests": len(latencies),
        "errors": errors,
    }


def _check_korean(port: int, path: str, cookie: str) -> None:
    """The Korean learner really gets the Korean page: the interface and the lesson's translation."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Cookie": cookie, "User-Agent": "bench"})
    html = connection.getresponse().read().decode()
    connection.close()
    if '<html lang="ko"' not in html or 'lang="ko" dir="auto"' not in html:
        raise RuntimeError("the Korean learner's lesson page is not in Korean")


def _combined(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Rounds of equal length as one measurement: their total rate; the rounds' median p50 and worst p99."""
    return {"rate": sum(r["rate"] for r in rounds) / len(rounds),
            "p50": statistics.median(r["p50"] for r in rounds), "p99": max(r["p99"] for r in rounds),
            "requests": sum(r["requests"] for r in rounds), "errors": sum(r["errors"] for r in rounds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database_url, lesson_path = prepare(folder, os.environ.get("LMS_BENCH_DATABASE_URL"))
        env = {**os.environ, "LMS_ENV": "production", "LMS_SECRET_KEY": "benchmark-secret",
               "LMS_SECURE_COOKIES": "false",
               "LMS_DATABASE_URL": database_url, "LMS_INSTANCE_PATH": str(folder / "instance"),
               "LMS_LOG_LEVEL": "WARNING", "LMS_RATELIMIT_ENABLED": "false"}
        lms_port, hello_port = free_port(), free_port()
        servers = [start_gunicorn("wsgi:app", lms_port, env),
                   start_gunicorn("bench.hello:app", hello_port, env)]
        try:
            cookie, korean_cookie = log_in(lms_port), log_in(lms_port, KOREAN_EMAIL)
            _check_korean(lms_port, lesson_path, korean_cookie)
            load(lms_port, lesson_path, cookie, 1.0, args.clients)  # warm up all three
            load(lms_port, lesson_path, korean_cookie, 1.0, args.clients)
            load(hello_port, "/", "", 1.0, args.clients)
            hello = load(hello_port, "/", "", args.seconds, args.clients)
            home = load(lms_port, "/", cookie, args.seconds, args.clients)
            english_rounds, korean_rounds = [], []
            for _ in range(ROUNDS):
                english_rounds.append(load(lms_port, lesson_path, cookie, args.seconds / ROUNDS, args.clients))
                korean_rounds.append(load(lms_port, lesson_path, korean_cookie, args.seconds / ROUNDS, args.clients))
            lesson, korean = _combined(english_rounds), _combined(korean_rounds)
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)

    print(f"database: {database_url.split('@')[-1]}; gunicorn 2 sync workers; {args.clients} client processes; "
          f"{args.seconds:.0f} s each")
    print(f"{'page':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
    rows = (("hello world (bare Flask)", hello), ("this app's home page, logged in", home),
            (f"lesson page {lesson_path[-28:]}", lesson), ("the same, Korean learner", korean))
    for name, figures in rows:
        print(f"{name:<34} {figures['rate']:>8.0f} {figures['p50']:>8.1f} {figures['p99']:>8.1f} "
              f"{figures['requests']:>9} {figures['errors']:>7}")
    ratio = lesson["rate"] / hello["rate"]
    print(f"lesson page / hello world: {ratio:.2f} (target ≥ 0.33): {'OK' if ratio >= 1 / 3 else 'MISSED'}")
    print(f"lesson page / this app's logged-in home page: {lesson['rate'] / home['rate']:.2f} "
          "(what the lesson itself costs beyond the app's per-request floor: session, user, layout)")
    korean_ratio = korean["rate"] / lesson["rate"]
    print(f"Korean lesson page / English lesson page: {korean_ratio:.2f} (target ≥ 0.90): "
          f"{'OK' if korean_ratio >= 0.9 else 'MISSED'}; rounds (req/s, en/ko): "
          + ", ".join(f"{e['rate']:.0f}/{k['rate']:.0f}" for e, k in zip(english_rounds, korean_rounds, strict=True)))


if __name__ == "__main__":
    main()
