"""Two app instances on one PostgreSQL and one Redis, under a bounded load of simulated learners.

The script (re)creates the database `lms_load` (through the `postgres` maintenance database), migrates it and imports
the bundled courses with the command line (`flask db upgrade`, `flask lms import-all`), adds an open cohort of
`example-all-features` (the bundled open-enrolment course) with a past live session, creates the accounts, and starts
two gunicorn instances for pages (2 sync workers each, LMS_ENV=production, one generated LMS_SECRET_KEY, rate-limit
counters in Redis under a key prefix of this run) and a third for the requests that hash a password, on loopback ports,
as docs/production.md runs them. Then N simulated learners, each sending its requests to the two page instances in turn
(and those that hash a password to the third, as the proxy of docs/production.md does), do what learners do through
the real forms with their CSRF tokens:

1. register (every fifth, then open the confirmation link the instance queued for them) or log in, and enrol
   (some with a double submit, some with two clicks at once);
2. an administrator marks the live session's attendance for two learners in three;
3. learners read and complete lessons (again with double submits and simultaneous duplicate clicks), answer the
   reflection questions the completion rule needs, take the quiz
   (some fail, press "Try again" and pass, some fail twice and meet the attempt limit, some submit one attempt twice
   at once: the repeat shows the same result and records nothing), and those
   who meet the completion rule get a certificate.

Everything the instances acknowledged is written down, and at the end the database must hold exactly that: users,
enrolments, lesson progress rows and completions, quiz attempts (started, submitted, passed), attendance,
certificates (the same learners) and progress events by kind. The instances' JSON access logs must show every request
by its X-Request-ID. The script prints the figures (requests, req/s, p50/p99 latency per request type, errors) and
exits 1 on any mismatch, any 5xx or any unexpected answer. Rate limits stay on, with limits raised for the run
(every simulated learner comes from 127.0.0.1); the figures say which.

Run: `.venv/bin/python bench/bench_instances.py [--learners 200] [--concurrency 50]`, or `--ci` for 40 learners.

`--plan L` runs Moodle's L load-plan shape instead (admin/tool/generator: 1,000 users ramped up over 100 s, 6 loops):
each learner logs in once, then each loop opens the course page, three lessons, takes a quiz attempt (start, submit,
result), opens the dashboard and the cohort's discussion board, pausing `--think` seconds ± 50 % before each request.
The default pause, 15 s, stands for people reading (docs/scaling.md, "The L plan", says why); a smaller one is a
stress run. The same writes are checked against the database, and the figures add each request type's CPU under load,
the page views' p95/p99 against the targets and the machine's load average.
Needs PostgreSQL (LMS_LOAD_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres, a role that may
create databases) and Redis (LMS_LOAD_REDIS_URL, default redis://127.0.0.1:6379). Loopback only.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402
from bench.common import quiz_answers  # noqa: E402

COURSE = "example-all-features"
COURSE_URL = f"/courses/{COURSE}/"
PASSWORD = "load test password 123"  # noqa: S105
ADMIN_EMAIL = "admin@load.example.org"
TIMEOUT = 120  # seconds for one request: logging in is slow on purpose (scrypt) and requests queue under load
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ATTEMPT = re.compile(r'name="attempt" value="(\d+)"')
TRY_AGAIN = re.compile(r'action="(/courses/[^"]+/quizzes/[^"]+/start)"')
QUESTION = re.compile(r'<fieldset class="question" id="q-([^"]+)"')


class Failure(RuntimeError):
    """The run cannot go on; the message says why."""


# Setup: services reachable, the database, the command line, the accounts.


def check_services(postgres_url: str, redis_url: str) -> None:
    import psycopg
    import redis

    try:
        psycopg.connect(postgres_url, connect_timeout=5).close()
    except psycopg.Error as error:
        raise Failure(f"PostgreSQL is not reachable at {postgres_url}: {error}\nStart it, or point "
                      "LMS_LOAD_POSTGRES_URL at a maintenance database of a server where this role may create "
                      "databases.") from None
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        raise Failure(f"Redis is not reachable at {redis_url}: {error}\nStart it (redis-server), or point "
                      "LMS_LOAD_REDIS_URL at one.") from None


def recreate_database(postgres_url: str, name: str) -> str:
    """Drop and create the load test's own database; returns its URL."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)


def flask_command(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi:app", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise Failure(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare_with_the_command_line(env: dict[str, str]) -> tuple[int, int]:
    """Migrate, import and publish the bundled courses, and add an open cohort running now with a live session that
    took place yesterday. Returns (cohort id, session id)."""
    flask_command(env, "db", "upgrade")
    flask_command(env, "lms", "import-all")
    flask_command(env, "lms", "signing-key")  # made once, before two instances could both want to make it
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    created = flask_command(env, "lms", "cohort", "create", "--course", COURSE, "--name", "Load test run",
                            "--timezone", "UTC", "--starts-on", yesterday.isoformat(),
                            "--ends-on", (today + timedelta(days=30)).isoformat(), "--mode", "open")
    cohort_id = int(re.search(r"^\s*(\d+)\s", created.split("Created:", 1)[1].strip("\n"), re.M).group(1))
    added = flask_command(env, "lms", "cohort", "add-session", str(cohort_id), "--title", "Kick-off",
                          "--starts-at", f"{yesterday}T10:00", "--ends-at", f"{yesterday}T11:00")
    session_id = int(re.search(r"Added session (\d+):", added).group(1))
    return cohort_id, session_id


@contextmanager
def app_on(database_url: str, instance_path: Path) -> Iterator:
    """The app in this process, on the load test's database: to create accounts and to count rows."""
    import config
    from lms import create_app
    from lms.extensions import db

    class LoadConfig(config.DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = config.normalise_database_url(database_url)
        INSTANCE_PATH = str(instance_path)
        SECRET_KEY = "not used: this process serves no requests"  # noqa: S105
        LOG_LEVEL = "WARNING"

    app = create_app(LoadConfig)
    with app.app_context():
        yield db
        db.session.remove()
        db.engine.dispose()


def create_accounts(db, emails: list[str]) -> None:
    """The administrator and the learners who log in (rather than register). One password hash for all: hashing is
    slow on purpose, and what is measured is the instances' log-in, not this setup."""
    from lms.models import Role, User
    from lms.services import accounts

    accounts.create_user(ADMIN_EMAIL, PASSWORD, accounts.Profile(display_name="Load Test Admin"), Role.ADMIN)
    password_hash = accounts.hash_password(PASSWORD)
    confirmed = datetime.now(UTC)  # made by staff, as these are, an account's address counts as confirmed
    db.session.add_all(User(email=email, display_name=f"Learner {email.split('@')[0]}", password_hash=password_hash,
                            email_verified_at=confirmed) for email in emails)
    db.session.commit()


# The instances.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instances(NamedTuple):
    """The ports of one run: the instances that serve pages, taken in turn, and the one for log-ins."""
    pages: list[int]
    logins: int


# What hashes a password (scrypt, ~80 ms of CPU): a log-in, a registration, a new password. docs/production.md's proxy
# sends these to an instance of their own, so that pages never wait for a worker busy hashing; tests/test_benchmarks.py
# keeps the two lists the same.
HASHING_PATHS = ("/login", "/register", "/account/password")
HASHING_PREFIXES = ("/reset-password/",)  # the form a reset link opens; /reset-password itself only sends the mail


def hashes_a_password(method: str, path: str) -> bool:
    return method == "POST" and (path in HASHING_PATHS or path.startswith(HASHING_PREFIXES))


def start_instance(port: int, env: dict[str, str], log_file: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_file.open("ab") as log:
        # Its own process group, so that stopping it reaches its workers too.
        return subprocess.Popen([str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)


def wait_until_healthy(port: int, process: subprocess.Popen, log_file: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failure(f"the instance on port {port} exited:\n{log_file.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            body = response.read()
            connection.close()
            if response.status == 200:
                return
            if response.status == 503:
                raise Failure(f"the instance on port {port} is not healthy: {body.decode()}")
        except OSError:
            pass
        time.sleep(0.2)
    raise Failure(f"the instance on port {port} did not answer /healthz within 60 s")


def instances_env(database_url: str, instance_path: Path, instances: Instances, redis_url: str, run_id: str,
                  limits: dict[str, str]) -> dict[str, str]:
    """The environment of the instances of one run: production settings, one secret key, counters in Redis under the
    run's prefix, JSON logs, and the run's raised ``limits``."""
    return {**os.environ, "LMS_ENV": "production", "LMS_SECRET_KEY": secrets.token_urlsafe(48),
            "LMS_SECURE_COOKIES": "0", "LMS_DATABASE_URL": database_url, "LMS_INSTANCE_PATH": str(instance_path),
            "LMS_BASE_URL": f"http://127.0.0.1:{instances.pages[0]}", "LMS_MAIL_BACKEND": "file",
            "LMS_RATELIMIT_STORAGE_URL": redis_url, "LMS_RATELIMIT_KEY_PREFIX": run_id, **limits,
            "LMS_LOG_JSON": "1", "LMS_LOG_LEVEL": "INFO",
            # The script stands where a load balancer would: the instances keep the request ids it sends.
            "LMS_TRUSTED_PROXIES": "1"}


def instance_logs(folder: Path, instances: Instances) -> list[Path]:
    return [folder / f"instance-{n}.log" for n in range(1, len(instances.pages) + 2)]


@contextmanager
def running_instances(instances: Instances, env: dict[str, str], log_files: list[Path], redis_url: str,
                      run_id: str) -> Iterator[list[subprocess.Popen]]:
    """An instance on each port (the pages' and the log-ins'), healthy when this yields; afterwards every process in
    the list (the caller may add its own, such as a worker) is stopped and the run's rate-limit counters are removed
    from Redis."""
    processes: list[subprocess.Popen] = []
    ports = [*instances.pages, instances.logins]
    try:
        for port, log_file in zip(ports, log_files, strict=True):
            processes.append(start_instance(port, env, log_file))
        for port, process, log_file in zip(ports, processes, log_files, strict=True):
            wait_until_healthy(port, process, log_file)
        yield processes
    finally:
        stop_instances(processes)
        _forget_counters(redis_url, run_id)


def stop_instances(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


# The simulated browsers.


class Answer(NamedTuple):
    status: int
    location: str
    text: str


@dataclass
class Traffic:
    """Every request sent: its type, instance, status and latency, under an X-Request-ID of this run."""

    run_id: str
    samples: list[tuple[str, int, int, float, str]] = field(default_factory=list)  # kind, instance, status, s, id
    transport_errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _count: int = 0

    def next_id(self) -> str:
        with self._lock:
            self._count += 1
            return f"{self.run_id}-{self._count:06d}"

    def record(self, kind: str, instance: int, status: int, seconds: float, request_id: str) -> None:
        with self._lock:
            self.samples.append((kind, instance, status, seconds, request_id))


class Browser:
    """One person's browser: its cookies, and requests sent to the page instances in turn, those that hash a password
    to the log-in instance (as the proxy does)."""

    def __init__(self, instances: Instances, traffic: Traffic, first: int) -> None:
        self.instances = instances
        self.traffic = traffic
        self.turn = first
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def _next_instance(self) -> int:
        with self._lock:
            instance = self.turn % len(self.instances.pages)
            self.turn += 1
            return instance

    def request(self, kind: str, method: str, path: str, form: list[tuple[str, str]] | None = None,
                instance: int | None = None) -> Answer:
        if instance is None:
            instance = len(self.instances.pages) if hashes_a_password(method, path) else self._next_instance()
        port = self.instances.logins if instance == len(self.instances.pages) else self.instances.pages[instance]
        with self._lock:
            cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        request_id = self.traffic.next_id()
        headers = {"Cookie": cookie, "User-Agent": "lms-load-test", "X-Request-ID": request_id}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except OSError as error:
            self.traffic.transport_errors.append(f"{kind} {method} {path}: {error!r}")
            self.traffic.record(kind, instance, 0, time.perf_counter() - started, request_id)
            return Answer(0, "", "")
        finally:
            connection.close()
        self.traffic.record(kind, instance, response.status, time.perf_counter() - started, request_id)
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return Answer(response.status, response.getheader("Location", ""), text)

    def _keep_cookies(self, headers: list[str]) -> None:
        with self._lock:
            for header in headers:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value == "" or morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def form_token(self, kind: str, path: str) -> tuple[Answer, str]:
        page = self.request(kind, "GET", path)
        match = CSRF.search(page.text)
        if page.status != 200 or match is None:
            raise Failure(f"{kind}: GET {path} answered {page.status} without a form")
        return page, match.group(1)

    def twice_at_once(self, kind: str, path: str, form: list[tuple[str, str]]) -> list[Answer]:
        """Two clicks at the same moment, one to each page instance, as a double click through a load balancer."""
        start = threading.Barrier(2)
        answers: list[Answer | None] = [None, None]

        def click(instance: int) -> None:
            start.wait()
            answers[instance] = self.request(kind, "POST", path, form, instance=instance)

        clicks = [threading.Thread(target=click, args=(instance,)) for instance in (0, 1)]
        for thread in clicks:
            thread.start()
        for thread in clicks:
            thread.join()
        return answers  # type: ignore[return-value]


# What the instances acknowledged.


@dataclass
class Ledger:
    registered: set[str] = field(default_factory=set)
    enrolled: set[str] = field(default_factory=set)
    attended: set[str] = field(default_factory=set)
    viewed: set[tuple[str, str]] = field(default_factory=set)
    completed: set[tuple[str, str]] = field(default_factory=set)
    attempts_seen: set[int] = field(default_factory=set)
    submitted: list[int] = field(default_factory=list)  # once per attempt whose submission was acknowledged
    passed: set[int] = field(default_factory=set)
    passed_by: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, problem: str) -> None:
        with self.lock:
            self.problems.append(problem)


@dataclass(frozen=True)
class CourseFacts:
    lessons: tuple[str, ...]  # every lesson, in order
    required: frozenset[str]  # the lessons the completion rule needs
    quiz: str
    reflections: tuple[str, ...]  # the lessons whose reflection question the completion rule needs answered
    right: tuple[tuple[str, str], ...]  # form fields of a full-marks submission
    wrong: tuple[tuple[str, str], ...]  # and of a zero one


def course_facts() -> CourseFacts:
    from lms.services.package_validation import load_valid

    package = load_valid(ROOT / "courses" / COURSE)
    required_modules = set(package.completion.required_modules)
    lessons = tuple(lesson.id for module in package.modules for lesson in module.lessons)
    required = frozenset(lesson.id for module in package.modules if module.id in required_modules
                         for lesson in module.lessons if lesson.required)
    (quiz,) = [module.quiz for module in package.modules if module.quiz is not None]
    asking = [lesson.id for module in package.modules for lesson in module.lessons if lesson.reflection]
    reflections = tuple(asking[:package.completion.min_reflections])

    def answers(correct: bool) -> tuple[tuple[str, str], ...]:
        return tuple((key, value) for key, values in quiz_answers(quiz, correct=correct).items() for value in values)

    return CourseFacts(lessons, required, quiz.id, reflections, answers(True), answers(False))


class Learner:
    """One simulated learner. Learner n's group (n % 3) decides the journey: 0 studies everything, attends and is
    certified; 1 studies but fails the quiz twice and meets the attempt limit; 2 attends and passes the quiz but leaves
    a required lesson undone."""

    def __init__(self, number: int, instances: Instances, traffic: Traffic, ledger: Ledger, facts: CourseFacts,
                 mailbox: Callable[[str], str | None]) -> None:
        self.mailbox = mailbox  # reads the confirmation link a registering learner is mailed
        self.number = number
        self.email = f"learner{number:04d}@load.example.org"
        self.browser = Browser(instances, traffic, first=number)
        self.ledger = ledger
        self.facts = facts

    @property
    def registers(self) -> bool:
        return self.number % 5 == 0

    @property
    def group(self) -> int:
        return self.number % 3

    @property
    def attends(self) -> bool:
        return self.group in (0, 2)

    def expect(self, answer: Answer, status: int, what: str, location: str | None = None) -> bool:
        if answer.status == status and (location is None or location in answer.location):
            return True
        self.ledger.note(f"{self.email}: {what} answered {answer.status} {answer.location}".rstrip())
        return False

    def sign_in_and_enrol(self) -> None:
        browser = self.browser
        if self.registers:
            _page, token = browser.form_token("register page", "/register")
            answer = browser.request("register", "POST", "/register", [
                ("csrf_token", token), ("email", self.email), ("password", PASSWORD), ("confirm", PASSWORD),
                ("display_name", f"Learner {self.number}"), ("organisation", "Load City"), ("job_title", ""),
                ("city", "Seoul"), ("country", "KR"), ("timezone", "Asia/Seoul"), ("preferred_language", "en")])
            if not self.expect(answer, 200, "registration"):
                return
            link = self.mailbox(self.email)
            if link is None:
                self.ledger.note(f"{self.email}: no confirmation link was queued for the address")
                return
            if not self.expect(browser.request("confirm address", "GET", link), 302, "confirmation link"):
                return
            with self.ledger.lock:
                self.ledger.registered.add(self.email)
        else:
            _page, token = browser.form_token("log-in page", "/login")
            form = [("csrf_token", token), ("email", self.email), ("password", PASSWORD)]
            if self.number % 4 == 1:
                form.append(("remember", "y"))
            if not self.expect(browser.request("log in", "POST", "/login", form), 302, "log-in"):
                return
        _page, token = browser.form_token("course page", COURSE_URL)
        form = [("csrf_token", token)]
        path = f"/courses/{COURSE}/enrol"
        if self.number % 6 == 0:
            answers = browser.twice_at_once("enrol", path, form)
        elif self.number % 6 == 3:
            answers = [browser.request("enrol", "POST", path, form) for _ in range(2)]
        else:
            answers = [browser.request("enrol", "POST", path, form)]
        if all(self.expect(answer, 302, "enrolment", COURSE_URL) for answer in answers):
            page = browser.request("course page", "GET", COURSE_URL)
            if self.expect(page, 200, "course page after enrolling") and "You are enrolled" in page.text:
                with self.ledger.lock:
                    self.ledger.enrolled.add(self.email)
            else:
                self.ledger.note(f"{self.email}: the course page does not confirm the enrolment")

    def study(self) -> None:
        if self.email not in self.ledger.enrolled:
            return
        lessons = self.facts.lessons
        plan = {0: lessons, 1: tuple(key for key in lessons if key in self.facts.required) + lessons[-1:],
                2: lessons[:1]}[self.group]
        for index, key in enumerate(plan):
            self.complete_lesson(key, mode=(self.number + index) % 5)
        if self.group == 2:  # opens a required lesson and leaves it undone
            undone = next(key for key in lessons if key in self.facts.required and key not in plan)
            self.open_lesson(undone)
        if self.group == 0:
            for key in self.facts.reflections:
                self.share_reflection(key)
            outcomes = [False, True] if self.number % 2 == 0 else [True]
        elif self.group == 1:
            outcomes = [False, False]
        else:
            outcomes = [True]
        for attempt, passes in enumerate(outcomes):
            at_once = (self.group == 2 and self.number % 4 == 2) or (self.group == 0 and attempt == 1)
            self.take_quiz(passes, at_once=at_once)
        if self.group == 1:
            self.meet_the_attempt_limit()
        self.browser.request("my learning", "GET", "/learning")
        board = self.browser.request("discussion board", "GET", f"/courses/{COURSE}/discussions/")
        self.expect(board, 200, "discussion board")
        if self.group == 0:
            self.browser.request("my certificates", "GET", "/certificates")

    def open_lesson(self, key: str) -> str | None:
        page = self.browser.request("lesson page", "GET", f"/courses/{COURSE}/lessons/{key}")
        if not self.expect(page, 200, f"lesson {key}"):
            return None
        with self.ledger.lock:
            self.ledger.viewed.add((self.email, key))
        match = CSRF.search(page.text)
        return match.group(1) if match else None

    def complete_lesson(self, key: str, mode: int) -> None:
        token = self.open_lesson(key)
        if token is None:
            return
        path = f"/courses/{COURSE}/lessons/{key}/complete"
        form = [("csrf_token", token)]
        if mode == 0:
            answers = self.browser.twice_at_once("complete lesson", path, form)
        elif mode == 1:
            answers = [self.browser.request("complete lesson", "POST", path, form) for _ in range(2)]
        else:
            answers = [self.browser.request("complete lesson", "POST", path, form)]
        if all(self.expect(answer, 302, f"completing {key}", f"/lessons/{key}") for answer in answers):
            with self.ledger.lock:
                self.ledger.completed.add((self.email, key))

    def share_reflection(self, key: str) -> None:
        """The lesson's reflection question answered from its page, as the completion rule asks (issue 17)."""
        token = self.open_lesson(key)
        if token is None:
            return
        answer = self.browser.request("share reflection", "POST", f"/courses/{COURSE}/lessons/{key}/reflection",
                                      [("csrf_token", token), ("body", f"In my city, {self.email} would start here.")])
        self.expect(answer, 302, f"sharing the reflection on {key}", f"/lessons/{key}")

    def quiz_page(self) -> Answer:
        page = self.browser.request("quiz page", "GET", f"/courses/{COURSE}/quizzes/{self.facts.quiz}")
        self.expect(page, 200, "quiz page")
        return page

    def take_quiz(self, passes: bool, at_once: bool) -> None:
        page = self.quiz_page()
        token = CSRF.search(page.text)
        if ATTEMPT.search(page.text) is None and token and TRY_AGAIN.search(page.text):
            # A later attempt starts only when the learner asks for it ("Try again").
            start = self.browser.request("try again", "POST", TRY_AGAIN.search(page.text).group(1),
                                         [("csrf_token", token.group(1))])
            if not self.expect(start, 302, "try again", f"/quizzes/{self.facts.quiz}"):
                return
            page = self.quiz_page()
        attempt, token = ATTEMPT.search(page.text), CSRF.search(page.text)
        if attempt is None or token is None:
            self.ledger.note(f"{self.email}: the quiz page offers no attempt")
            return
        attempt_id = int(attempt.group(1))
        with self.ledger.lock:
            self.ledger.attempts_seen.add(attempt_id)
        shown = set(QUESTION.findall(page.text))
        answers = self.facts.right if passes else self.facts.wrong
        form = [("csrf_token", token.group(1)), ("attempt", str(attempt_id))]
        form += [(question, value) for question, value in answers if question in shown]
        path = f"/courses/{COURSE}/quizzes/{self.facts.quiz}"
        if at_once:
            replies = self.browser.twice_at_once("submit quiz", path, form)
        else:
            replies = [self.browser.request("submit quiz", "POST", path, form)]
        # A repeated submission of the same attempt (a double click, or Back then submit) shows that attempt's result
        # again and records nothing; the database counts then prove it was recorded once.
        result = f"/courses/{COURSE}/attempts/{attempt_id}"
        accepted = [reply for reply in replies if reply.status == 302 and reply.location.endswith(result)]
        refused = [reply for reply in replies if reply.status == 302 and reply.location.endswith(path)]
        if not accepted or len(accepted) + len(refused) != len(replies):
            self.ledger.note(f"{self.email}: submitting attempt {attempt_id} {len(replies)} time(s) answered "
                             f"{[(reply.status, reply.location) for reply in replies]}; each was expected to show "
                             "that attempt's result (or, for a repeat, to be refused)")
        if accepted:
            with self.ledger.lock:
                self.ledger.submitted.append(attempt_id)
                if passes:
                    self.ledger.passed.add(attempt_id)
                    self.ledger.passed_by.add(self.email)
        if accepted:
            review = self.browser.request("attempt review", "GET", accepted[0].location)
            self.expect(review, 200, "attempt review")

    def meet_the_attempt_limit(self) -> None:
        page = self.quiz_page()
        if ATTEMPT.search(page.text) or "You have used all your attempts" not in page.text:
            self.ledger.note(f"{self.email}: a third attempt was offered past max_attempts")


# Moodle's "L" load-test plan shape (admin/tool/generator): 1,000 users ramped up over 100 s, 6 loops each.

PLAN_COURSE = "caring-cities"
PLAN_SIZES = {"L": (1000, 6, 100.0)}  # users, loops, ramp-up seconds
PLAN_THINK = 15.0  # seconds: the documented run's mean pause before each request (docs/scaling.md says why)
PLAN_THREADS, PLAN_REPLIES = 40, 3  # on the cohort's board before the run: more than its first page of 25
PAGE_VIEWS = ("course page", "lesson page", "quiz page", "quiz result", "dashboard", "discussion board")


@dataclass(frozen=True)
class PlanFacts:
    lessons: tuple[str, ...]
    quizzes: tuple[str, ...]
    wrong: dict[str, tuple[tuple[str, str], ...]]  # quiz → the form fields of a zero-score submission


def plan_facts() -> PlanFacts:
    from lms.services.package_validation import load_valid

    package = load_valid(ROOT / "courses" / PLAN_COURSE)
    quizzes = package.quizzes
    return PlanFacts(
        lessons=tuple(lesson.id for lesson in package.lessons), quizzes=tuple(quiz.id for quiz in quizzes),
        wrong={quiz.id: tuple((key, value) for key, values in quiz_answers(quiz, correct=False).items()
                              for value in values) for quiz in quizzes})


def enrol_plan_learners(db, emails: list[str]) -> int:
    """A cohort of Caring Cities running now, every plan learner in it (as accepted applications would do).
    Returns the cohort's id."""
    from lms.core import clock
    from lms.models import Course, User
    from lms.services import cohorts, enrolments

    today = clock.now().date()
    cohort = cohorts.create_cohort(None, PLAN_COURSE, cohorts.CohortData(
        name="Load plan cohort", timezone="UTC", key="load-plan", starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=60), applications_open=datetime.now() - timedelta(days=7),
        application_deadline=datetime.now() + timedelta(days=7), capacity=None, enrolment_mode="application",
        allow_late_attempts=False))
    course = db.session.execute(db.select(Course).filter_by(slug=PLAN_COURSE)).scalar_one()
    for user in db.session.execute(db.select(User).where(User.email.in_(emails))).scalars():
        enrolments.enrol_user(user, course, cohort_id=cohort.id)
    db.session.commit()
    return cohort.id


def start_plan_discussions(db, emails: list[str]) -> None:
    """Threads with replies on the cohort's board before the run, written by its learners: the board the plan opens
    lists a full page of them, with unread counts, as a running cohort's board does (an empty one costs less)."""
    from lms.models import User
    from lms.services import discussion_posts

    authors = emails[:PLAN_THREADS + PLAN_REPLIES]
    users = {user.email: user for user in db.session.execute(db.select(User).where(User.email.in_(authors))).scalars()}
    for number in range(PLAN_THREADS):
        opener = users[authors[number % len(authors)]]
        thread = discussion_posts.start_thread(opener, PLAN_COURSE, discussion_posts.Draft(
            title=f"Question {number + 1} from our neighbourhood", body="How did your city start? " * 20))
        for offset in range(1, PLAN_REPLIES + 1):
            discussion_posts.reply(users[authors[(number + offset) % len(authors)]], thread.id,
                                   "In our city we began with a listening walk. " * 10)


@dataclass
class PlanLedger:
    logged_in: set[str] = field(default_factory=set)
    viewed: set[tuple[str, str]] = field(default_factory=set)
    attempts_seen: set[int] = field(default_factory=set)
    submitted: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class PlanLearner:
    """One learner of the plan: logs in once, then each loop opens the course page, three lessons, takes a quiz
    attempt (start, submit, see the result), opens the dashboard and the discussion board, pausing between requests as
    a reader does."""

    def __init__(self, number: int, instances: Instances, traffic: Traffic, ledger: PlanLedger, facts: PlanFacts,
                 loops: int, think: float) -> None:
        self.email = f"plan{number:05d}@load.example.org"
        self.number = number
        self.browser = Browser(instances, traffic, first=number)
        self.ledger, self.facts, self.loops, self.think = ledger, facts, loops, think
        self.pauses = random.Random(number)

    def get(self, kind: str, path: str, expected: int = 200) -> Answer | None:
        time.sleep(self.think * self.pauses.uniform(0.5, 1.5))
        answer = self.browser.request(kind, "GET", path)
        if answer.status != expected:
            self.note(f"{kind} {path} answered {answer.status}")
            return None
        return answer

    def note(self, problem: str) -> None:
        with self.ledger.lock:
            self.ledger.problems.append(f"{self.email}: {problem}")

    def run(self, start_at: float) -> None:
        time.sleep(max(0.0, start_at - time.perf_counter()))
        page = self.get("log-in page", "/login")
        token = CSRF.search(page.text) if page else None
        if token is None:
            return self.note("the log-in page offers no form")
        answer = self.browser.request("log in", "POST", "/login", [("csrf_token", token.group(1)),
                                                                   ("email", self.email), ("password", PASSWORD)])
        if answer.status != 302:
            return self.note(f"log-in answered {answer.status}")
        with self.ledger.lock:
            self.ledger.logged_in.add(self.email)
        lessons, quizzes = self.facts.lessons, self.facts.quizzes
        for loop in range(self.loops):
            self.get("course page", f"/courses/{PLAN_COURSE}/")
            for step in range(3):
                key = lessons[(self.number + loop * 3 + step) % len(lessons)]
                if self.get("lesson page", f"/courses/{PLAN_COURSE}/lessons/{key}"):
                    with self.ledger.lock:
                        self.ledger.viewed.add((self.email, key))
            self.attempt_quiz(quizzes[loop % len(quizzes)])
            self.get("dashboard", "/learning")
            self.get("discussion board", f"/courses/{PLAN_COURSE}/discussions/")
        return None

    def attempt_quiz(self, quiz: str) -> None:
        """Start an attempt (the first view starts the first one; "Try again" a later one) and submit it, wrong:
        every attempt fails, so that the next loop may try again within the quiz's attempt limit."""
        path = f"/courses/{PLAN_COURSE}/quizzes/{quiz}"
        page = self.get("quiz page", path)
        if page is None:
            return
        again, token = TRY_AGAIN.search(page.text), CSRF.search(page.text)
        if ATTEMPT.search(page.text) is None and again and token:
            start = self.browser.request("quiz start", "POST", again.group(1), [("csrf_token", token.group(1))])
            if start.status != 302:
                return self.note(f"try again answered {start.status}")
            page = self.get("quiz page", path)
            if page is None:
                return None
        attempt, token = ATTEMPT.search(page.text), CSRF.search(page.text)
        if attempt is None or token is None:
            return self.note(f"the quiz {quiz} offers no attempt")
        attempt_id = int(attempt.group(1))
        with self.ledger.lock:
            self.ledger.attempts_seen.add(attempt_id)
        shown = set(QUESTION.findall(page.text))
        form = [("csrf_token", token.group(1)), ("attempt", str(attempt_id))]
        form += [(question, value) for question, value in self.facts.wrong[quiz] if question in shown]
        time.sleep(self.think * self.pauses.uniform(0.5, 1.5))
        reply = self.browser.request("quiz submit", "POST", path, form)
        result = f"/courses/{PLAN_COURSE}/attempts/{attempt_id}"
        if reply.status != 302 or not reply.location.endswith(result):
            return self.note(f"submitting attempt {attempt_id} answered {reply.status} {reply.location}")
        with self.ledger.lock:
            self.ledger.submitted.append(attempt_id)
        self.get("quiz result", result)
        return None


def plan_expected(ledger: PlanLedger, learners: int) -> dict[str, int]:
    return {"enrolments in the cohort": learners, "lesson progress rows": len(ledger.viewed),
            "quiz attempts started": len(ledger.attempts_seen), "quiz attempts submitted": len(ledger.submitted),
            "quiz attempts passed": 0, "events quiz_submitted": len(ledger.submitted)}


def print_plan_costs(traffic: Traffic, cpu_ms: dict[str, float], app_seconds: float, database_seconds: float | None,
                     seconds: float, machine_busy: float) -> dict[str, float]:
    """CPU per request of each request type under load (from the access logs), the page views' latency
    percentiles, and the PostgreSQL share of the servers' CPU. Returns the page views' p95 and p99 (ms)."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, _instance, _status, _latency, request_id in traffic.samples:
        if request_id in cpu_ms:
            by_kind[kind].append(cpu_ms[request_id])
    print(f"{'request type':<18} {'app CPU ms/request (median, mean)':>34}")
    for kind, values in sorted(by_kind.items(), key=lambda item: -statistics.mean(item[1])):
        print(f"{kind:<18} {statistics.median(values):>16.2f} {statistics.mean(values):>16.2f}")
    views = sorted(latency * 1000 for kind, _i, _s, latency, _r in traffic.samples if kind in PAGE_VIEWS)
    p95, p99 = percentile(views, 0.95), percentile(views, 0.99)
    print(f"page views ({', '.join(PAGE_VIEWS)}): {len(views)}; p50 {statistics.median(views):.0f} ms, "
          f"p95 {p95:.0f} ms (target < 500), p99 {p99:.0f} ms (target < 1000); log-ins reported apart above")
    total = app_seconds + (database_seconds or 0.0)
    requests = len(traffic.samples)
    line = (f"server CPU: app instances {app_seconds:.0f} s"
            + (f", PostgreSQL backends {database_seconds:.0f} s ({database_seconds / total:.0%} of the servers' CPU)"
               if database_seconds is not None else ", PostgreSQL backends not readable here")
            + f"; {total * 1000 / requests:.2f} ms per request overall; machine {machine_busy:.0%} busy over "
            f"{seconds:.0f} s; {measure.load_average()}")
    print(line)
    return {"p95": p95, "p99": p99}


def run_plan(args, postgres_url: str, redis_url: str) -> int:
    """Moodle's plan shape with two page instances and a log-in instance, the worker running, and the writes checked
    against the database."""
    users, loops, ramp_up = PLAN_SIZES[args.plan]
    users = args.learners_override or users
    loops = args.loops or loops
    ramp_up = args.ramp_up if args.ramp_up is not None else ramp_up
    database_url = recreate_database(postgres_url, args.database)
    run_id = f"plan-{secrets.token_hex(4)}"
    facts = plan_facts()
    traffic, ledger = Traffic(run_id), PlanLedger()
    generous = f"{users * 10} per minute"
    with tempfile.TemporaryDirectory(prefix="lms-plan-") as tmp:
        folder = Path(tmp)
        instance_path = folder / "instance"
        instances = Instances([free_port(), free_port()], free_port())
        env = instances_env(database_url, instance_path, instances, redis_url, run_id,
                            {"LMS_RATELIMIT_LOGIN": generous})
        offered = (f"about {users / args.think:.0f} requests/s offered once all have started" if args.think > 0
                   else "no pause: as fast as the instances answer")
        print(f"plan {args.plan}: {users} learners ramped up over {ramp_up:.0f} s, {loops} loops of course page, "
              f"3 lessons, a quiz attempt (start, submit, result), the dashboard and the discussion board; think "
              f"time {args.think:.1f} s ± 50 % before each request ({offered}); two instances of 2 gunicorn "
              f"workers for pages, one of 2 for log-ins, and the worker on database {args.database}; rate limits on "
              f"(log-in raised to {generous}); "
              f"{measure.load_average()} at the start")
        prepare_with_the_command_line(env)
        emails = [f"plan{number:05d}@load.example.org" for number in range(users)]
        with app_on(database_url, instance_path) as db:
            create_accounts(db, emails)
            cohort_id = enrol_plan_learners(db, emails)
            start_plan_discussions(db, emails)
        learners = [PlanLearner(number, instances, traffic, ledger, facts, loops, args.think)
                    for number in range(users)]
        log_files = instance_logs(folder, instances)
        with running_instances(instances, env, log_files, redis_url, run_id) as processes:
            with (folder / "worker.log").open("ab") as worker_log:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "wsgi:app", "lms", "worker"], cwd=ROOT, env=env,
                    stdout=worker_log, stderr=worker_log, start_new_session=True))
            backends = measure.PostgresBackends(database_url)
            app_before = sum(measure.tree_cpu_seconds(process.pid) for process in processes)
            database_before, machine_before = backends.cpu_seconds(), measure.MachineReading.now()
            started = time.perf_counter()
            with ThreadPoolExecutor(users) as pool:
                list(pool.map(lambda learner: learner.run(started + ramp_up * learner.number / users), learners))
            seconds = time.perf_counter() - started
            app_seconds = sum(measure.tree_cpu_seconds(process.pid) for process in processes) - app_before
            database_seconds = (measure.spent_between(database_before, backends.cpu_seconds())
                                if backends.available else None)
            machine_busy = measure.machine_busy_share(machine_before, measure.MachineReading.now())
            backends.close()
            if processes[-1].poll() is not None:
                ledger.problems.append(f"the worker exited: {(folder / 'worker.log').read_text()[-2000:]}")
        with app_on(database_url, instance_path) as db:
            found = database_counts(db, cohort_id, PLAN_COURSE)
        cpu_ms: dict[str, float] = {}
        logged, server_errors = access_log_check(log_files, run_id, cpu_ms)
    print_traffic(traffic, seconds)
    latency = print_plan_costs(traffic, cpu_ms, app_seconds, database_seconds, seconds, machine_busy)
    mismatches = compare(plan_expected(ledger, users), found)
    failures = report_failures(traffic, mismatches, ledger.problems, logged, server_errors)
    missed = [name for name, limit in (("p95", 500), ("p99", 1000)) if latency[name] >= limit]
    print(f"{'OK' if not failures else 'ERRORS'}: {len(ledger.logged_in)} of {users} learners logged in; "
          f"latency targets {'met' if not missed else 'MISSED (' + ', '.join(missed) + ')'}")
    return 1 if failures else 0


def mark_attendance(instances: Instances, traffic: Traffic, session_id: int, user_ids: list[int]) -> None:
    admin = Browser(instances, traffic, first=0)
    _page, token = admin.form_token("log-in page", "/login")
    answer = admin.request("log in", "POST", "/login", [("csrf_token", token), ("email", ADMIN_EMAIL),
                                                        ("password", PASSWORD)])
    if answer.status != 302:
        raise Failure(f"the administrator could not log in: {answer.status}")
    path = f"/staff/sessions/{session_id}/attendance"
    _page, token = admin.form_token("attendance page", path)
    answer = admin.request("mark attendance", "POST", path,
                           [("csrf_token", token)] + [("present", str(user_id)) for user_id in user_ids])
    if answer.status != 302:
        raise Failure(f"marking attendance answered {answer.status}")


# Checking and reporting.


def database_counts(db, cohort_id: int, course_slug: str = COURSE) -> dict[str, object]:
    """What the run left in the database; each run compares the counts it expects (the plan, fewer of them)."""
    from sqlalchemy import func, select

    from lms.models import (
        Attendance,
        Certificate,
        Course,
        Enrolment,
        LessonProgress,
        ProgressEvent,
        QuizAttempt,
        User,
    )

    def count(statement) -> int:
        return db.session.execute(statement).scalar_one()

    course_id = db.session.execute(select(Course.id).filter_by(slug=course_slug)).scalar_one()
    events = dict(db.session.execute(select(ProgressEvent.kind, func.count()).group_by(ProgressEvent.kind)).all())
    return {
        "learner accounts": count(select(func.count()).select_from(User).where(User.email.like("learner%"))),
        "enrolments": count(select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course_id)),
        "enrolments in the cohort": count(select(func.count()).select_from(Enrolment)
                                          .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")),
        "lesson progress rows": count(select(func.count()).select_from(LessonProgress)),
        "lessons completed": count(select(func.count()).select_from(LessonProgress)
                                   .where(LessonProgress.completed_at.is_not(None))),
        "quiz attempts started": count(select(func.count()).select_from(QuizAttempt)),
        "quiz attempts submitted": count(select(func.count()).select_from(QuizAttempt)
                                         .where(QuizAttempt.submitted_at.is_not(None))),
        "quiz attempts passed": count(select(func.count()).select_from(QuizAttempt)
                                      .where(QuizAttempt.passed.is_(True))),
        "attendance": count(select(func.count()).select_from(Attendance)),
        "courses completed": count(select(func.count()).select_from(Enrolment)
                                   .where(Enrolment.completed_at.is_not(None))),
        "certificates": count(select(func.count()).select_from(Certificate)),
        "certified learners": frozenset(db.session.execute(
            select(User.email).join(Certificate, Certificate.user_id == User.id)).scalars()),
        "events lesson_completed": events.get("lesson_completed", 0),
        "events quiz_submitted": events.get("quiz_submitted", 0),
        "events course_completed": events.get("course_completed", 0),
        "events of other kinds": sum(n for kind, n in events.items()
                                     if kind not in ("lesson_completed", "quiz_submitted", "course_completed")),
    }


def expected_counts(ledger: Ledger, facts: CourseFacts, precreated: int) -> dict[str, object]:
    """What the database must hold, from what the instances acknowledged."""
    completed_by: dict[str, set[str]] = defaultdict(set)
    for email, key in ledger.completed:
        completed_by[email].add(key)
    certified = frozenset(email for email in ledger.enrolled & ledger.attended & ledger.passed_by
                          if facts.required <= completed_by[email])
    return {
        "learner accounts": precreated + len(ledger.registered),
        "enrolments": len(ledger.enrolled),
        "enrolments in the cohort": len(ledger.enrolled),
        "lesson progress rows": len(ledger.viewed | ledger.completed),
        "lessons completed": len(ledger.completed),
        "quiz attempts started": len(ledger.attempts_seen),
        "quiz attempts submitted": len(ledger.submitted),
        "quiz attempts passed": len(ledger.passed),
        "attendance": len(ledger.attended),
        "courses completed": len(certified),
        "certificates": len(certified),
        "certified learners": certified,
        "events lesson_completed": len(ledger.completed),
        "events quiz_submitted": len(ledger.submitted),
        "events course_completed": len(certified),
        "events of other kinds": 0,
    }


def access_log_check(log_files: list[Path], run_id: str, cpu_ms: dict[str, float] | None = None
                     ) -> tuple[int, list[str]]:
    """The requests of this run found in the instances' JSON access logs, and any 5xx among them; each request's
    CPU time goes into ``cpu_ms`` (by request id) when given."""
    found = 0
    server_errors = []
    for log_file in log_files:
        for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.startswith("{"):
                continue  # gunicorn's own lines
            record = json.loads(line)
            if record.get("logger") == "lms.access" and str(record.get("request_id", "")).startswith(run_id):
                found += 1
                if cpu_ms is not None and record.get("cpu_ms") is not None:
                    cpu_ms[record["request_id"]] = record["cpu_ms"]
                if record["status"] >= 500:
                    server_errors.append(f"{record['request_id']} {record['method']} {record['path']} "
                                         f"{record['status']}")
            elif record.get("level") in ("ERROR", "CRITICAL"):
                server_errors.append(f"{record.get('request_id')} {record.get('message')}")
    return found, server_errors


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]


def print_traffic(traffic: Traffic, seconds: float) -> None:
    by_kind: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    per_instance = Counter()
    for kind, instance, status, latency, _request_id in traffic.samples:
        by_kind[kind].append(latency * 1000)
        statuses[kind][status] += 1
        per_instance[instance] += 1
    total = len(traffic.samples)
    print(f"requests: {total} in {seconds:.1f} s = {total / seconds:.0f} req/s "
          f"(page instance 1: {per_instance[0]}, page instance 2: {per_instance[1]}, log-ins: {per_instance[2]})")
    print(f"{'request type':<18} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses")
    for kind in sorted(by_kind, key=lambda name: -len(by_kind[name])):
        latencies = sorted(by_kind[kind])
        shown = ", ".join(f"{status}: {n}" for status, n in sorted(statuses[kind].items()))
        print(f"{kind:<18} {len(latencies):>6} {statistics.median(latencies):>8.1f} "
              f"{percentile(latencies, 0.95):>8.1f} {percentile(latencies, 0.99):>8.1f} {latencies[-1]:>8.1f}  "
              f"{shown}")


def compare(expected: dict[str, object], found: dict[str, object]) -> list[str]:
    mismatches = []
    print(f"{'in the database':<26} {'expected':>9} {'found':>9}")
    for name, wanted in expected.items():
        got = found[name]
        if isinstance(wanted, frozenset):
            same = wanted == got
            print(f"{name:<26} {len(wanted):>9} {len(got):>9}  {'same learners' if same else 'DIFFERENT learners'}")
        else:
            same = wanted == got
            print(f"{name:<26} {wanted:>9} {got:>9}{'' if same else '  MISMATCH'}")
        if not same:
            mismatches.append(name)
    return mismatches


def user_ids(database_url: str, instance_path: Path) -> dict[str, int]:
    """The ids the administrator ticks on the attendance sheet."""
    from lms.models import User

    with app_on(database_url, instance_path) as db:
        return dict(db.session.execute(db.select(User.email, User.id)).all())


def confirmation_link(database_url: str, email: str) -> str | None:
    """The path of the link that confirms a new account's address, read from the mail queue as the learner's mail
    client would show it (the instances only queue mail; no worker runs during the load test)."""
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        row = connection.execute("SELECT text_body FROM outbox_messages WHERE recipient = %s AND template = "
                                 "'verify_email' ORDER BY id DESC LIMIT 1", (email,)).fetchone()
    found = re.search(r"https?://[^/\s]+(/verify-email/\S+)", row[0]) if row else None
    return found.group(1) if found else None


def simulate(learners: list[Learner], concurrency: int, mark_present) -> None:
    """Everyone signs in and enrols; the administrator marks attendance; everyone studies."""
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(Learner.sign_in_and_enrol, learners))
    ledger = learners[0].ledger
    attendees = [learner.email for learner in learners if learner.attends and learner.email in ledger.enrolled]
    mark_present(attendees)
    ledger.attended.update(attendees)
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(Learner.study, learners))


def report_failures(traffic: Traffic, mismatches: list[str], problems: list[str], logged: int,
                    server_errors: list[str]) -> list[str]:
    """What went wrong in a run (both the learners' run and the plan): writes differing from what was acknowledged,
    5xx answers, requests that got no answer, unexpected answers, errors logged by the instances, requests missing
    from the access logs. Each is printed to standard error as FAILED; none means the run passed."""
    failures = [f"the database differs from what was acknowledged: {', '.join(mismatches)}"] if mismatches else []
    five_hundreds = [sample for sample in traffic.samples if sample[2] >= 500]
    if five_hundreds:
        failures.append(f"{len(five_hundreds)} response(s) with a 5xx status")
    if traffic.transport_errors:
        failures.append(f"{len(traffic.transport_errors)} request(s) failed: {traffic.transport_errors[:3]}")
    if problems:
        failures.append(f"{len(problems)} unexpected answer(s): {problems[:5]}")
    if server_errors:
        failures.append(f"errors in the instances' logs: {server_errors[:5]}")
    if logged != len(traffic.samples):
        failures.append(f"the access logs show {logged} of the {len(traffic.samples)} requests sent")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return failures


def report(traffic: Traffic, seconds: float, expected: dict[str, object], found: dict[str, object],
           ledger: Ledger, logged: int, server_errors: list[str]) -> int:
    print_traffic(traffic, seconds)
    mismatches = compare(expected, found)
    print(f"access logs (JSON): {logged} of {len(traffic.samples)} requests found by their X-Request-ID")
    failures = report_failures(traffic, mismatches, ledger.problems, logged, server_errors)
    if not failures:
        print("OK: every acknowledged action is in the database exactly once; no 5xx")
    return 1 if failures else 0


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50, help="learners in flight at once (default 50)")
    parser.add_argument("--ci", action="store_true", help="the shorter variant for CI: 40 learners")
    parser.add_argument("--database", default="lms_load", help="the database to (re)create for the run")
    parser.add_argument("--plan", choices=sorted(PLAN_SIZES), help="run Moodle's load-plan shape of this size instead")
    parser.add_argument("--plan-learners", dest="learners_override", type=int, help="with --plan: fewer learners")
    parser.add_argument("--loops", type=int, help="with --plan: loops per learner")
    parser.add_argument("--ramp-up", type=float, help="with --plan: seconds over which learners start")
    parser.add_argument("--think", type=float, default=PLAN_THINK,
                        help=f"with --plan: mean pause before each of a learner's requests, in seconds (± 50 %%; "
                             f"default {PLAN_THINK:.0f}: people reading; smaller is a stress run)")
    args = parser.parse_args()
    learner_count = 40 if args.ci else args.learners
    if learner_count < 6:
        parser.error("--learners must be at least 6, so that every journey is taken")
    concurrency = min(args.concurrency, learner_count)
    postgres_url = os.environ.get("LMS_LOAD_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("LMS_LOAD_REDIS_URL", "redis://127.0.0.1:6379")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    check_services(postgres_url, redis_url)
    if args.plan:
        return run_plan(args, postgres_url, redis_url)
    database_url = recreate_database(postgres_url, args.database)
    run_id = f"load-{secrets.token_hex(4)}"
    # Every simulated learner comes from 127.0.0.1: the limits stay on, raised for the run.
    generous = f"{learner_count * 10} per minute"
    facts = course_facts()
    traffic, ledger = Traffic(run_id), Ledger()
    with tempfile.TemporaryDirectory(prefix="lms-load-") as tmp:
        folder = Path(tmp)
        instance_path = folder / "instance"
        instances = Instances([free_port(), free_port()], free_port())
        env = instances_env(database_url, instance_path, instances, redis_url, run_id,
                            {"LMS_RATELIMIT_LOGIN": generous, "LMS_RATELIMIT_REGISTRATION": generous})
        print(f"database {args.database}; Redis {redis_url}, key prefix {run_id}; two instances of 2 gunicorn "
              f"workers for pages on ports {instances.pages[0]} and {instances.pages[1]}, one of 2 for log-ins on "
              f"{instances.logins}; {learner_count} learners, {concurrency} at a time; "
              f"rate limits on, log-in and registration raised to {generous} for the run")
        cohort_id, session_id = prepare_with_the_command_line(env)
        mailbox = functools.partial(confirmation_link, database_url)
        learners = [Learner(number, instances, traffic, ledger, facts, mailbox) for number in range(learner_count)]
        precreated = [learner.email for learner in learners if not learner.registers]
        with app_on(database_url, instance_path) as db:
            create_accounts(db, precreated)

        def mark_present(emails: list[str]) -> None:
            ids = user_ids(database_url, instance_path)
            mark_attendance(instances, traffic, session_id, [ids[email] for email in emails])

        log_files = instance_logs(folder, instances)
        with running_instances(instances, env, log_files, redis_url, run_id):
            started = time.perf_counter()
            simulate(learners, concurrency, mark_present)
            seconds = time.perf_counter() - started
        with app_on(database_url, instance_path) as db:
            found = database_counts(db, cohort_id)
        logged, server_errors = access_log_check(log_files, run_id)
    expected = expected_counts(ledger, facts, len(precreated))
    return report(traffic, seconds, expected, found, ledger, logged, server_errors)


def _forget_counters(redis_url: str, prefix: str) -> None:
    import redis

    connection = redis.Redis.from_url(redis_url)
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as error:
        sys.exit(f"bench_instances: {error}")
    except KeyboardInterrupt:
        sys.exit("bench_instances: interrupted; the instances were stopped")
