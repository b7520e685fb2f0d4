"""Cohort discussions at size (issue 17): a cohort of 300 learners with 20,000 posts; the board page and a thread of
500 replies served as a ratio of the lesson page in the same run, and search over the 20,000 posts.

One gunicorn (2 sync workers, LMS_ENV=production) serves a learner of the cohort. Each round runs every page once
(lesson, board, the thread's first and last pages, a search results page), rounds interleaved; the table shows
medians of CPU time per request (gunicorn processes plus the PostgreSQL backends, bench/measure.py), each page's
ratio to the lesson page of the same round, throughput and p50/p99 latency, with the machine's load beside them.
Then search alone, in-process through lms.services.discussion_search.search (the page's three queries and its
highlights): the median time of each query over --searches runs, on whichever database the run uses.

Run: `.venv/bin/python bench/bench_discussions.py [--learners 300] [--posts 20000] [--thread-replies 500]
[--threads 400] [--rounds 5] [--seconds 4] [--clients 4] [--port 5220]`, on PostgreSQL with
LMS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lms_bench (its tables are dropped and recreated).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402
from bench.bench_pages import Page, Server, free_port, load, log_in, median_of, start_gunicorn, stop  # noqa: E402
from bench.common import bench_app, bench_cohort  # noqa: E402

EMAIL, PASSWORD = "bench.learner@example.org", "bench password 123"
SLUG = "caring-cities"
# Posts are made of these words (and a few in the programme's other languages), so searches find some posts, many
# posts or none, as real ones would.
VOCABULARY = ("care", "city", "neighbourhood", "budget", "nurses", "elderly", "children", "housing", "transport",
              "volunteers", "survey", "data", "council", "mayor", "policy", "health", "community", "centre",
              "library", "park", "street", "lighting", "safety", "loneliness", "caregivers", "network", "pilot",
              "evaluation", "training", "workshop", "funding", "partners", "services", "map")
OTHER_WORDS = {"es": ("ciudades", "cuidadoras", "barrio", "presupuesto", "cuidado", "comunidad"),
               "fr": ("villes", "bienveillantes", "quartier", "budget", "soins", "communauté"),
               "ko": ("돌봄", "도시", "지역", "예산", "주민", "공동체")}
SEARCHES = ["care", "neighbourhood budget", '"street lighting"', "loneliness -children", "ciudades", "돌봄",
            "nothingmatchesthis"]


def prepare(folder: Path, database_url: str | None, learners: int, posts: int, thread_replies: int, threads: int):
    """The course, a cohort of ``learners`` (the bench learner among them), ``threads`` threads holding ``posts`` posts,
    one of them with ``thread_replies`` replies (and a comment on every tenth). Returns the database URL, the pages,
    the bench learner's id and the time the bulk load took."""
    from lms.core import clock
    from lms.core.discussion_markdown import PostRenderer
    from lms.core.discussion_search import searched_text
    from lms.extensions import db
    from lms.models import Course, DiscussionPost, DiscussionRead, DiscussionThread, Role, User
    from lms.services import accounts, course_versions, discussion_search, enrolments, publishing

    with bench_app(folder, database_url) as app:
        version = publishing.import_package(None, ROOT / "courses" / SLUG, publish=True).version
        course = db.session.get(Course, version.course_id)
        cohort = bench_cohort(SLUG)
        learner = accounts.create_user(EMAIL, PASSWORD, accounts.Profile(display_name="Bench Learner"))
        others = [User(email=f"learner{number}@example.org", display_name=f"Learner {number}", city="Seoul",
                       country="KR", password_hash=learner.password_hash, role=Role.LEARNER.value,
                       email_verified_at=clock.now()) for number in range(learners - 1)]
        db.session.add_all(others)
        db.session.flush()
        people = [learner, *others]
        for person in people:
            enrolments.enrol_user(person, course, cohort_id=cohort.id)
        db.session.commit()

        started = time.perf_counter()
        randomly = random.Random(17)
        lessons = course_versions.version_package(version).lessons
        now = clock.now()
        thread_count, threads = threads, []
        for number in range(thread_count):
            place = ("lesson", lessons[number % len(lessons)].id) if number % 3 else ("general", "")
            threads.append(DiscussionThread(
                course_id=course.id, cohort_id=cohort.id, place=place[0], item_key=place[1],
                kind="question" if number % 4 == 0 else "discussion", title=" ".join(randomly.sample(VOCABULARY, 5)),
                author_id=randomly.choice(people).id, created_at=now - timedelta(hours=thread_count - number)))
        db.session.add_all(threads)
        db.session.flush()
        big = threads[-1]
        renderer = PostRenderer()

        def post(thread, number: int, *, opening=False, parent_id=None) -> dict:
            language = randomly.choice(("en", "en", "en", "es", "fr", "ko"))
            words = randomly.sample(VOCABULARY, 12) + randomly.sample(OTHER_WORDS.get(language, VOCABULARY), 2)
            body = f"Post {number}: {' '.join(words)}. In our *city* we tried {randomly.choice(VOCABULARY)} first."
            html = renderer.render(body)
            return {"thread_id": thread.id, "parent_id": parent_id, "is_opening": opening,
                    "author_id": randomly.choice(people).id, "body": body, "html": html, "language": language,
                    "created_at": thread.created_at + timedelta(seconds=number),
                    "search_text": searched_text(html, thread.title if opening else None)}

        rows = [post(thread, 0, opening=True) for thread in threads]
        rows += [post(big, number) for number in range(1, thread_replies + 1)]
        for number in range(max(0, posts - len(rows) - thread_replies // 10)):
            rows.append(post(threads[number % (thread_count - 1)], number + 1))
        db.session.execute(DiscussionPost.__table__.insert(), rows)
        replies = db.session.execute(db.select(DiscussionPost.id).where(
            DiscussionPost.thread_id == big.id, DiscussionPost.is_opening.is_(False))
            .order_by(DiscussionPost.id)).scalars().all()
        db.session.execute(DiscussionPost.__table__.insert(),
                           [post(big, number, parent_id=reply) for number, reply in enumerate(replies[::10])])
        counts = db.session.execute(db.select(DiscussionPost.thread_id, db.func.count(), db.func.max(DiscussionPost.id))
                                    .group_by(DiscussionPost.thread_id)).all()
        for thread_id, count, newest in counts:
            db.session.execute(db.update(DiscussionThread).where(DiscussionThread.id == thread_id).values(
                reply_count=count - 1, last_post_id=newest, last_activity_at=now - timedelta(minutes=thread_id)))
        # The learner has read half the threads up to some point: the board has unread counts to work out.
        db.session.execute(DiscussionRead.__table__.insert(), [
            {"user_id": learner.id, "thread_id": thread_id, "last_read_post_id": newest - count // 2}
            for thread_id, count, newest in counts[::2]])
        discussion_search.reindex_all()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # the statistics autovacuum would gather after such a load
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        loaded = time.perf_counter() - started
        total = db.session.execute(db.select(db.func.count(DiscussionPost.id))).scalar_one()
        lesson = lessons[len(lessons) // 2]
        pages = [Page("lesson", f"/courses/{SLUG}/lessons/{lesson.id}"),
                 Page("board", f"/courses/{SLUG}/discussions/"),
                 Page("thread p1", f"/discussions/{big.id}"),
                 Page("thread last", f"/discussions/{big.id}?page={-(-len(replies) // 50)}"),
                 Page("search page", f"/courses/{SLUG}/discussions/search?q=neighbourhood+budget")]
        return app.config["SQLALCHEMY_DATABASE_URI"], pages, learner.id, loaded, total


def time_searches(folder: Path, database_url: str, learner_id: int, repeat: int) -> dict[str, tuple[float, int]]:
    """Each query of SEARCHES through the search service, ``repeat`` times: (median ms, matches)."""
    from lms.extensions import db
    from lms.models import User
    from lms.services import discussion_search

    timings = {}
    with bench_app(folder, database_url, fresh=False) as app, app.test_request_context():
        learner = db.session.get(User, learner_id)
        for query in SEARCHES:
            spent, total = [], 0
            for _ in range(repeat):
                db.session.expire_all()
                start = time.perf_counter()
                total = discussion_search.search(learner, SLUG, query).hits.total
                spent.append((time.perf_counter() - start) * 1000)
            timings[query] = (statistics.median(spent), total)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--thread-replies", type=int, default=500)
    parser.add_argument("--threads", type=int, default=400, help="threads on the board, the big one among them")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the table shows medians")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one page's run in a round")
    parser.add_argument("--clients", type=int, default=4, help="client processes (one connection each)")
    parser.add_argument("--searches", type=int, default=21, help="runs of each search query (median printed)")
    parser.add_argument("--port", type=int, help="the app's port (default: a free one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as cleanup:
        folder = Path(tmp)
        database_url, pages, learner_id, loaded, total = prepare(
            folder, os.environ.get("LMS_BENCH_DATABASE_URL"), args.learners, args.posts, args.thread_replies,
            args.threads)
        loads = [measure.load_average()]
        searches = time_searches(folder, database_url, learner_id, args.searches)
        env = {**os.environ, "LMS_ENV": "production", "LMS_SECRET_KEY": "benchmark-secret",
               "LMS_SECURE_COOKIES": "false", "LMS_DATABASE_URL": database_url,
               "LMS_INSTANCE_PATH": str(folder / "instance"), "LMS_LOG_LEVEL": "INFO"}
        port = args.port or free_port()
        process = start_gunicorn("wsgi:app", port, env, folder / "app.log")
        cleanup.callback(stop, process)
        server = Server("this checkout", process, port, log_in(port, EMAIL))
        backends = measure.PostgresBackends(database_url) if database_url.startswith("postgresql") else None
        if backends is not None:
            cleanup.callback(backends.close)
        for page in pages:  # warm up: imports, template compilation, per-process caches
            load(server, page.path, 0.5, args.clients, None)
        runs: dict[str, list] = {}
        ratios: dict[str, list[float]] = {}
        for number in range(args.rounds):
            order = pages[number % len(pages):] + pages[:number % len(pages)]
            round_runs = {page.name: load(server, page.path, args.seconds, args.clients, backends) for page in order}
            for name, run in round_runs.items():
                runs.setdefault(name, []).append(run)
                ratios.setdefault(name, []).append(run.cpu_ms / round_runs["lesson"].cpu_ms)
            loads.append(measure.load_average())

    database = database_url.split("@")[-1] if "@" in database_url else "SQLite"
    print(f"database: {database}; {args.learners} learners in one cohort, {total} posts in {args.threads} threads "
          f"(bulk load and index {loaded:.1f} s); the big thread: {args.thread_replies} replies")
    print(f"gunicorn 2 sync workers, LMS_ENV=production; {args.clients} clients; {args.rounds} interleaved rounds "
          f"of {args.seconds:g} s per page; medians. x lesson: CPU per request as a ratio of the lesson page's in "
          "the same round; req/s and latency share the machine with whatever else runs")
    print(f"{'page':<12} {'CPU/req ms':>10} {'x lesson':>8} {'db ms':>6} {'req/s':>7} {'x lesson':>8} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'busy':>5}")
    lesson_rate = median_of(runs["lesson"], "rate")
    for page in pages:
        found = runs[page.name]
        print(f"{page.name:<12} {median_of(found, 'cpu_ms'):>10.2f} {statistics.median(ratios[page.name]):>8.2f} "
              f"{median_of(found, 'database_cpu_ms'):>6.2f} {median_of(found, 'rate'):>7.1f} "
              f"{median_of(found, 'rate') / lesson_rate:>8.2f} {median_of(found, 'p50'):>7.1f} "
              f"{median_of(found, 'p99'):>7.1f} {sum(run.errors for run in found):>6} "
              f"{median_of(found, 'machine_busy'):>5.0%}")
    print(f"search over {total} posts ({database}), in-process, median of {args.searches} runs per query:")
    for query, (milliseconds, matches) in searches.items():
        print(f"  {query!r:<26} {milliseconds:>8.1f} ms  {matches:>6} matches")
    print(f"median search time: {statistics.median(ms for ms, _matches in searches.values()):.1f} ms")
    print("machine: " + "; ".join(loads[:1] + loads[-1:]) + " (before the searches; after the last round)")


if __name__ == "__main__":
    main()
