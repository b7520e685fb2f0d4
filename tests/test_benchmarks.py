"""The benchmarks whose figures docs/benchmarks.md and the issues quote still run: each at its smallest size, on a
temporary SQLite file, checking only that it finishes and prints its figures (how fast is for the benchmark to say,
never a test). The outbox benchmark once stopped at its setup when applications lost their typed e-mail address,
unnoticed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script, arguments, figures", [
    ("bench_outbox.py", ["--applications", "2", "--messages", "3"],
     ["sending directly:", "Worker throughput: 3 messages"]),
    ("bench_certificates.py", ["--repeat", "1", "--certificates", "2"], ["PDF with a CJK name:"]),
    ("profile_page.py", ["lesson", "--requests", "20", "--limit", "5"], ["ms CPU per request", "cumulative"]),
    ("bench_large_import.py", ["--megabytes", "2"],
     ["peak memory growth importing a 2 MB video:", "peak memory growth exporting a 2 MB video:"]),
    ("bench_discussions.py", ["--learners", "3", "--posts", "40", "--threads", "4", "--thread-replies", "12",
                              "--rounds", "1", "--seconds", "0.3", "--clients", "1", "--searches", "1"],
     ["thread p1", "search page", "median search time:", "machine: load average"]),
])
def test_the_benchmark_runs_and_prints_its_figures(script, arguments, figures):
    # Never the bench database of a developer's shell: a benchmark drops and recreates its tables.
    env = {key: value for key, value in os.environ.items() if key != "LMS_BENCH_DATABASE_URL"}
    run = subprocess.run([sys.executable, str(ROOT / "bench" / script), *arguments], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    for figure in figures:
        assert figure in run.stdout, run.stdout


def test_the_load_test_reports_every_kind_of_failure_in_one_place(capsys):
    """Both runs of bench_instances.py (the learners' run that CI runs and --plan L) judge a run with the same
    report: a request with no answer is a failure of its own beside a 5xx, and a clean run reports nothing."""
    from bench.bench_instances import Traffic, report_failures

    clean = Traffic("run")
    clean.record("lesson page", 0, 200, 0.01, "run-000001")
    assert report_failures(clean, [], [], logged=1, server_errors=[]) == []

    broken = Traffic("run")
    broken.record("lesson page", 0, 502, 0.01, "run-000001")
    broken.record("quiz", 1, 0, 30.0, "run-000002")
    broken.transport_errors.append("quiz GET /quiz: TimeoutError()")
    failures = report_failures(broken, ["attempts submitted"], ["a@x: quiz answered 409"], logged=1,
                               server_errors=["run-000001 GET /lesson 502"])
    assert failures == [
        "the database differs from what was acknowledged: attempts submitted",
        "1 response(s) with a 5xx status",
        "1 request(s) failed: ['quiz GET /quiz: TimeoutError()']",
        "1 unexpected answer(s): ['a@x: quiz answered 409']",
        "errors in the instances' logs: ['run-000001 GET /lesson 502']",
        "the access logs show 1 of the 2 requests sent",
    ]
    assert capsys.readouterr().err.count("FAILED: ") == 6


def test_a_benchmark_creates_its_postgresql_database_when_the_server_has_none_of_that_name(app):
    """LMS_BENCH_DATABASE_URL may name a database nobody created yet: it was a psycopg traceback."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs the PostgreSQL server of LMS_TEST_DATABASE_URL")
    import secrets

    import psycopg
    from sqlalchemy.engine import make_url

    from bench.common import reset_postgres

    server = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    name = f"bench_check_{secrets.token_hex(4)}"
    try:
        reset_postgres(server.set(database=name).render_as_string(hide_password=False))
        with psycopg.connect(server.set(database=name).render_as_string(hide_password=False)) as connection:
            assert connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
    finally:
        with psycopg.connect(server.set(database="postgres").render_as_string(hide_password=False),
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_the_load_test_sends_what_hashes_a_password_where_production_does(app):
    """bench_instances.py stands where docs/production.md's proxy stands: the requests that hash a password go to the
    log-in instance, the rest to the page instances. The same paths in both places, each a form that exists."""
    import re

    from bench.bench_instances import HASHING_PATHS, HASHING_PREFIXES, hashes_a_password

    production = (ROOT / "docs" / "production.md").read_text(encoding="utf-8")
    routed = re.findall(r'^\s*"(~\^)?POST (/[^"]*)"\s+lms_logins;', production, flags=re.MULTILINE)
    assert sorted(path for regex, path in routed if not regex) == sorted(HASHING_PATHS)
    assert sorted(path for regex, path in routed if regex) == sorted(HASHING_PREFIXES)
    urls = app.url_map.bind("localhost")
    hashing = [*HASHING_PATHS, *(prefix + "a-token" for prefix in HASHING_PREFIXES)]
    assert [urls.match(path, method="POST")[0] for path in hashing] == [
        "auth.login", "auth.register", "auth.change_password", "auth.reset_password"]
    assert all(hashes_a_password("POST", path) for path in hashing)
    assert not hashes_a_password("GET", "/login")  # the form itself is a page
    assert not hashes_a_password("POST", "/reset-password")  # asks for the link: no password yet
