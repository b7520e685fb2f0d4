"""Where one page's CPU goes: the page served in-process under production settings, profiled.

The same learner and data as bench_pages.py; the app is built as gunicorn builds it (LMS_ENV=production, the access
log written), and each request goes through the whole WSGI pipeline (no test client around it). Prints a cProfile
table sorted by cumulative time, or with --pyinstrument (when installed) a call tree.

Run: `.venv/bin/python bench/profile_page.py lesson [--requests 2000] [--pyinstrument]`, with
LMS_BENCH_DATABASE_URL for PostgreSQL as for bench_pages.py.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_pages  # noqa: E402


def production_app(folder: Path, database_url: str):
    os.environ.update({"LMS_ENV": "production", "LMS_SECRET_KEY": "benchmark-secret", "LMS_SECURE_COOKIES": "false",
                       "LMS_DATABASE_URL": database_url, "LMS_INSTANCE_PATH": str(folder / "instance"),
                       "LMS_LOG_LEVEL": "INFO"})
    import importlib

    import config

    importlib.reload(config)  # it read the environment when first imported
    from lms import create_app

    return create_app()


def logged_in_environ(app, path: str, email: str) -> dict:
    from werkzeug.test import EnvironBuilder

    client = app.test_client()
    # Plain http, as gunicorn serves the benchmark (the test client would take production's https, and CSRF over
    # https wants a Referer).
    # The same User-Agent as the profiled requests: strong session protection binds the log-in to it.
    base, headers = "http://localhost/", {"User-Agent": "bench"}
    login_page = client.get("/login", base_url=base, headers=headers).get_data(as_text=True)
    token = bench_pages.CSRF.search(login_page).group(1)
    response = client.post("/login", base_url=base, headers=headers,
                           data={"csrf_token": token, "email": email, "password": bench_pages.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    # One view first, as a browser would: the session cookie it sends back (now holding the CSRF token) is the one a
    # learner's later views carry. The cookie of the log-in itself would make every profiled view save the session.
    client.get(path, base_url=base, headers=headers)
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    return EnvironBuilder(path=path, headers={"Cookie": cookie, "User-Agent": "bench"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()


def serve(app, environ: dict) -> int:
    status = []
    body = app(dict(environ), lambda s, h, e=None: status.append(f"{s} {dict(h).get('Location', '')}"))
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    if not status[0].startswith("200"):
        raise RuntimeError(status[0])
    return 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="a page name of bench_pages.py (lesson, home, dashboard …)")
    parser.add_argument("--requests", type=int, default=2000, help="profiled requests (0: only the timing)")
    parser.add_argument("--batches", type=int, default=1, help="unprofiled batches of 200 requests, timed")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--limit", type=int, default=60, help="rows of the cProfile table")
    parser.add_argument("--korean", action="store_true", help="as the learner reading Korean")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database_url, pages, _queries = bench_pages.prepare(folder, os.environ.get("LMS_BENCH_DATABASE_URL"))
        page = next(page for page in pages if page.name == args.page)
        app = production_app(folder, database_url)
        import logging

        for handler in logging.getLogger().handlers:  # the access log, written as gunicorn's log file takes it
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
        email = bench_pages.KOREAN_EMAIL if args.korean else bench_pages.EMAIL
        environ = logged_in_environ(app, page.path, email)
        for _ in range(50):
            assert serve(app, environ) == 200, environ
        batches = []
        for _ in range(args.batches):
            started = time.process_time()
            for _ in range(200):
                serve(app, environ)
            batches.append((time.process_time() - started) / 200 * 1000)
        print(f"{page.name}: {min(batches):.3f} ms CPU per request unprofiled (best of {args.batches} batches of 200; "
              f"median {statistics.median(batches):.3f})")
        if not args.requests:
            return
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
            for _ in range(args.requests):
                serve(app, environ)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            return
        profile = cProfile.Profile(time.process_time)  # CPU time: wall time on a busy machine counts the waits
        profile.enable()
        for _ in range(args.requests):
            serve(app, environ)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.limit)
        print(out.getvalue())


if __name__ == "__main__":
    main()
