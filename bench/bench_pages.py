"""CPU per request of every page a learner opens more than once, as a ratio of a bare Flask hello-world.

Each page is served by gunicorn (2 sync workers, LMS_ENV=production: sessions with timeouts, CSRF, rate limiting,
security headers, access log and request ids all on) to a logged-in learner of Caring Cities who has done a bit of
everything: lessons read, a quiz submitted, a live session attended, a certificate, a discussion thread with
replies. The figure that matters is the CPU time the server's processes spent (gunicorn master and workers, plus the
PostgreSQL backends of the database when it runs here), divided by the requests answered: far steadier than
throughput on a machine shared with other work.
Throughput and p50/p99 latency are printed beside it, and the machine's load and busy share, to read them by.

Every target (hello-world, each page; with --compare, each page of the BASE commit too) runs once per round, rounds
interleaved, and the table shows medians; a page's ratio is taken to the hello-world of the same round. The query
count of each page is counted in-process (the test suite pins the same counts: tests/web/test_page_queries.py).

Run: `.venv/bin/python bench/bench_pages.py [--rounds 5] [--seconds 4] [--clients 4] [--compare BASE]`, on
PostgreSQL with LMS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lms_bench (its tables are dropped and
recreated). --compare BASE serves a git worktree of BASE (a commit, branch or tag) on the same database beside this
checkout, so a change's effect is read as a ratio of the same run; both must share the schema.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402
from bench.common import bench_app, bench_cohort, quiz_answers  # noqa: E402

EMAIL, PASSWORD = "bench.learner@example.org", "bench password 123"
KOREAN_EMAIL = "bench.korean@example.org"  # --korean: the same pages for a learner reading Korean (issue 15)
KOREAN = "Korean learner"
SLUG = "caring-cities"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    name: str
    path: str


def prepare(folder: Path, database_url: str | None) -> tuple[str, list[Page], dict[str, int]]:
    """Migrate, publish Caring Cities, and give one learner a bit of everything: a cohort with a past and a coming
    live session (the past one attended), three lessons done, a quiz submitted, a certificate, a thread with three
    replies. Returns the database
    URL, the pages to measure and each page's query count (the second of two views, measured in-process)."""
    from lms.core import clock
    from lms.extensions import db
    from lms.models import Course, Role
    from lms.services import (
        accounts,
        attendance,
        certificates,
        course_versions,
        discussion_posts,
        enrolments,
        learning,
        live_sessions,
        publishing,
        quizzes,
    )

    with bench_app(folder, database_url) as app:
        version = publishing.import_package(None, ROOT / "courses" / SLUG, publish=True).version
        admin = accounts.create_user("bench.admin@example.org", PASSWORD, accounts.Profile(display_name="Admin"),
                                     Role.ADMIN)
        user = accounts.create_user(EMAIL, PASSWORD, accounts.Profile(display_name="Bench Learner"))
        today = clock.now().date()
        cohort = bench_cohort(SLUG)
        for days in (-3, 4):
            day = datetime.combine(today + timedelta(days=days), datetime.min.time())
            live_sessions.add_session(None, cohort.id, live_sessions.SessionData(
                title=f"Session {days}", starts_at=day.replace(hour=9), ends_at=day.replace(hour=11),
                timezone="Europe/Madrid", join_url="https://zoom.us/j/999000"))
        enrolments.enrol_user(user, db.session.get(Course, version.course_id), cohort_id=cohort.id)
        korean = accounts.create_user(KOREAN_EMAIL, PASSWORD, accounts.Profile(display_name="벤치 학습자",
                                                                                preferred_language="ko"))
        enrolments.enrol_user(korean, db.session.get(Course, version.course_id), cohort_id=cohort.id)
        db.session.commit()
        past = live_sessions.sessions_of(cohort.id)[0]
        attendance.mark_attendance(admin, past.id, {user.id})
        package = course_versions.version_package(version)
        for done in package.lessons[:3]:
            learning.complete_lesson(user, SLUG, done.id)
        quiz = package.quizzes[0]
        attempt = quizzes.quiz_page(user, SLUG, quiz.id).attempt
        quizzes.submit_attempt(user, SLUG, quiz.id, attempt.id, quiz_answers(quiz, correct=True))
        certificates.issue_by_admin(admin, user.id, SLUG, "Benchmark data")
        thread = discussion_posts.start_thread(user, SLUG, discussion_posts.Draft(
            title="Care strategies in small towns", body="How do small towns fund neighbourhood care?"))
        for number in range(3):
            discussion_posts.reply(user, thread.id, f"Reply {number + 1}: a first idea, then a second one.")
        lesson = package.lessons[len(package.lessons) // 2]
        pages = [Page("home", "/"), Page("dashboard", "/learning"), Page("course page", f"/courses/{SLUG}/"),
                 Page("lesson", f"/courses/{SLUG}/lessons/{lesson.id}"),
                 Page("quiz", f"/courses/{SLUG}/quizzes/{package.quizzes[1].id}"),
                 Page("quiz result", f"/courses/{SLUG}/attempts/{attempt.id}"),
                 Page("live sessions", "/programmes/sessions"), Page("certificates", "/certificates"),
                 Page("discussions", f"/courses/{SLUG}/discussions/"),
                 Page("thread", f"/discussions/{thread.id}")]
        return app.config["SQLALCHEMY_DATABASE_URI"], pages, query_counts(app, pages)


def query_counts(app, pages: list[Page]) -> dict[str, int]:
    from sqlalchemy import event

    from lms.extensions import db

    client = app.test_client()

    def get(path: str):
        with app.app_context():  # a fresh app context, hence database session, per request: as on a server
            return client.get(path)

    token = CSRF.search(get("/login").get_data(as_text=True)).group(1)
    with app.app_context():
        client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    counts = {}
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    for page in pages:
        get(page.path)  # the first view may fill per-process caches or start an attempt
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            status = get(page.path).status_code
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        if status != 200:
            raise RuntimeError(f"{page.path} answered {status} in-process")
        counts[page.name], statements[:] = len(statements), []
    return counts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app_spec: str, port: int, env: dict[str, str], log_file: Path, cwd: Path = ROOT) -> subprocess.Popen:
    """gunicorn in its own process group; its output (the app's access log, one line per request) goes to a file."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
            cwd=cwd, env={**env, "PYTHONPATH": str(cwd)}, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} in {cwd} exited: {log_file.read_text()[-3000:]}") from None
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError(f"gunicorn {app_spec} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def log_in(port: int, email: str = EMAIL) -> str:
    """Log in through the real form (with its CSRF token); return the Cookie header to send."""
    def request(method: str, path: str, body: str | None = None, cookie: str = "") -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie, "User-Agent": "bench"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        return connection.getresponse()

    page = request("GET", "/login")
    cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
    token = CSRF.search(page.read().decode()).group(1)
    response = request("POST", "/login", urlencode({"csrf_token": token, "email": email, "password": PASSWORD}), cookie)
    response.read()
    if response.status != 302:
        raise RuntimeError(f"log-in on port {port} failed with {response.status}")
    return response.getheader("Set-Cookie", "").split(";", 1)[0]


def _client(port: int, path: str, cookie: str, seconds: float, results) -> None:
    latencies = []
    errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "User-Agent": "bench"})
            response = connection.getresponse()
            response.read()
            errors += response.status != 200
            # As a browser does: send back the session cookie the server last set. The log-in's cookie, sent for
            # minutes, would have the idle clock (moved once a minute) re-written and signed on every request.
            for set_cookie in response.msg.get_all("Set-Cookie") or ():
                if set_cookie.startswith("session="):
                    cookie = set_cookie.split(";", 1)[0]
        except OSError:
            errors += 1
        finally:
            connection.close()
        latencies.append(time.perf_counter() - start)
    results.put((latencies, errors))


@dataclass(frozen=True)
class Server:
    label: str  # "this checkout" or the BASE named
    process: subprocess.Popen
    port: int
    cookie: str = ""


@dataclass(frozen=True)
class Run:
    cpu_ms: float  # server CPU per request: gunicorn processes plus database backends
    database_cpu_ms: float
    rate: float
    p50: float
    p99: float
    requests: int
    errors: int
    machine_busy: float


def load(server: Server, path: str, seconds: float, clients: int, backends) -> Run:
    results: multiprocessing.Queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_client, args=(server.port, path, server.cookie, seconds, results))
               for _ in range(clients)]
    machine, app_cpu = measure.MachineReading.now(), measure.tree_cpu_seconds(server.process.pid)
    database = backends.cpu_seconds() if backends else {}
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
    app_spent = measure.tree_cpu_seconds(server.process.pid) - app_cpu
    database_spent = measure.spent_between(database, backends.cpu_seconds()) if backends else 0.0
    busy = measure.machine_busy_share(machine, measure.MachineReading.now())
    latencies.sort()
    count = len(latencies)
    return Run(cpu_ms=(app_spent + database_spent) * 1000 / count, database_cpu_ms=database_spent * 1000 / count,
               rate=count / seconds, p50=statistics.median(latencies) * 1000,
               p99=latencies[max(int(count * 0.99) - 1, 0)] * 1000, requests=count, errors=errors,
               machine_busy=busy)


@contextmanager
def worktree_of(base: str, folder: Path) -> Iterator[Path]:
    """A detached git worktree of BASE, removed afterwards."""
    path = folder / "base"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), base], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False,
                       capture_output=True)


def median_of(runs: list[Run], name: str) -> float:
    return statistics.median(getattr(run, name) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the table shows medians")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one target's run in a round")
    parser.add_argument("--clients", type=int, default=4, help="client processes (one connection each)")
    parser.add_argument("--compare", metavar="BASE", help="also serve this commit (a git worktree of it)")
    parser.add_argument("--pages", help="comma-separated page names to measure (default: all)")
    parser.add_argument("--korean", action="store_true",
                        help="also each page for a learner reading Korean (target: CPU within 10%% of English's)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as cleanup:
        folder = Path(tmp)
        database_url, pages, queries = prepare(folder, os.environ.get("LMS_BENCH_DATABASE_URL"))
        if args.pages:
            pages = [page for page in pages if page.name in args.pages.split(",")]
        # Production settings, logging included: the access log writes its line for every request.
        env = {**os.environ, "LMS_ENV": "production", "LMS_SECRET_KEY": "benchmark-secret",
               "LMS_SECURE_COOKIES": "false", "LMS_DATABASE_URL": database_url,
               "LMS_INSTANCE_PATH": str(folder / "instance"), "LMS_LOG_LEVEL": "INFO"}
        checkouts = [("this checkout", ROOT)]
        if args.compare:
            checkouts.append((args.compare, cleanup.enter_context(worktree_of(args.compare, folder))))
        port = free_port()
        hello = Server("hello", start_gunicorn("bench.hello:app", port, env, folder / "hello.log"), port)
        cleanup.callback(stop, hello.process)
        servers = []
        for number, (label, path) in enumerate(checkouts):
            port = free_port()
            process = start_gunicorn("wsgi:app", port, env, folder / f"app-{number}.log", cwd=path)
            cleanup.callback(stop, process)
            servers.append(Server(label, process, port, log_in(port)))
        if args.korean:  # the same app, another learner: her pages in Korean, in the same rounds
            servers.append(Server(KOREAN, servers[0].process, servers[0].port, log_in(servers[0].port, KOREAN_EMAIL)))
        backends = measure.PostgresBackends(database_url) if database_url.startswith("postgresql") else None
        if backends is not None:
            cleanup.callback(backends.close)
        targets = [(hello, Page("hello world", "/"))] + [(server, page) for page in pages for server in servers]
        for server, page in targets:  # warm up: imports, template compilation, per-process caches
            load(server, page.path, 0.5, args.clients, None)
        runs: dict[tuple[str, str], list[Run]] = {}
        ratios: dict[tuple[str, str], list[float]] = {}
        loads = [measure.load_average()]
        for number in range(args.rounds):
            order = targets[number % len(targets):] + targets[:number % len(targets)]  # rotate who goes first
            round_runs = {(server.label, page.name): load(server, page.path, args.seconds, args.clients, backends)
                          for server, page in order}
            floor = round_runs[("hello", "hello world")].cpu_ms
            for key, run in round_runs.items():
                runs.setdefault(key, []).append(run)
                ratios.setdefault(key, []).append(run.cpu_ms / floor)
            loads.append(measure.load_average())
    print_table(args, database_url, pages, targets, runs, ratios, queries, loads, backends is not None)


def print_table(args, database_url, pages, targets, runs, ratios, queries, loads, with_database: bool) -> None:
    database = database_url.split("@")[-1] if "@" in database_url else "SQLite"
    print(f"database: {database}; gunicorn 2 sync workers per app, LMS_ENV=production; {args.clients} clients; "
          f"{args.rounds} interleaved rounds of {args.seconds:.0f} s per target; medians")
    print("CPU/req: server CPU time per request (gunicorn master and workers"
          f"{' + PostgreSQL backends' if with_database else ''}); x hello: ratio to hello-world in the same round")
    print(f"{'page':<15} {'app':<15} {'queries':>7} {'CPU/req ms':>10} {'x hello':>8} "
          f"{'db ms':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'busy':>5}")
    for server, page in targets:
        key = (server.label, page.name)
        found = runs[key]
        print(f"{page.name:<15} {server.label[:15]:<15} {queries.get(page.name, 0):>7} "
              f"{median_of(found, 'cpu_ms'):>10.2f} {statistics.median(ratios[key]):>8.1f} "
              f"{median_of(found, 'database_cpu_ms'):>6.2f} {median_of(found, 'rate'):>7.0f} "
              f"{median_of(found, 'p50'):>7.1f} {median_of(found, 'p99'):>7.1f} "
              f"{sum(run.errors for run in found):>6} {median_of(found, 'machine_busy'):>5.0%}")
    if args.compare:
        print(f"this checkout / {args.compare}, CPU per request (median of per-round ratios):")
        for page in pages:
            head = [run.cpu_ms for run in runs[("this checkout", page.name)]]
            base = [run.cpu_ms for run in runs[(args.compare, page.name)]]
            print(f"  {page.name:<15} {statistics.median(h / b for h, b in zip(head, base, strict=True)):.2f}")
    if args.korean:
        print("Korean learner / English learner, CPU per request (median of per-round ratios; target ≤ 1.10):")
        for page in pages:
            korean = [run.cpu_ms for run in runs[(KOREAN, page.name)]]
            english = [run.cpu_ms for run in runs[("this checkout", page.name)]]
            print(f"  {page.name:<15} {statistics.median(k / e for k, e in zip(korean, english, strict=True)):.2f}")
    print("targets: lesson ≤ 8x hello on SQLite, ≤ 16x on PostgreSQL; home ≤ 5x")
    print("machine: " + "; ".join(loads[:1] + loads[-1:]) + " (before the first round; after the last)")


if __name__ == "__main__":
    main()
