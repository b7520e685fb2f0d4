"""What every benchmark needs: an app on a fresh, migrated database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask


def reset_postgres(url: str) -> None:
    """Empty the benchmark's database, creating it first if the server has none of that name."""
    import psycopg
    from psycopg import sql
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    server = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def bench_app(folder: Path, database_url: str | None = None, *, fresh: bool = True) -> Iterator[Flask]:
    """An app in production-like settings on a fresh database (a SQLite file in ``folder`` unless a URL is given);
    ``fresh=False`` opens the database an earlier bench_app left, as it is."""
    from flask_migrate import upgrade

    import config
    from lms import create_app
    from lms.extensions import db

    url = config.normalise_database_url(database_url) if database_url else f"sqlite:///{folder / 'bench.sqlite3'}"
    if url.startswith("postgresql") and fresh:
        reset_postgres(url)

    class BenchConfig(config.DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_PATH = str(folder / "instance")
        SECRET_KEY = "benchmark"  # noqa: S105
        LOG_LEVEL = "WARNING"
        RATELIMIT_ENABLED = False

    app = create_app(BenchConfig)
    with app.app_context():
        logging.disable(logging.INFO)  # alembic's line per migration would bury the figures
        upgrade()
        logging.disable(logging.NOTSET)
        yield app
        db.session.remove()
        db.engine.dispose()


def bench_cohort(slug: str):
    """The course's cohort that every benchmark's learners join: it began a week ago, ends in a month, and takes
    applications until next week."""
    from datetime import datetime, timedelta

    from lms.core import clock
    from lms.services import cohorts

    today = clock.now().date()
    return cohorts.create_cohort(None, slug, cohorts.CohortData(
        name="Bench cohort", timezone="Europe/Madrid", key="bench", starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=30), applications_open=datetime.now() - timedelta(days=14),
        application_deadline=datetime.now() + timedelta(days=7), capacity=None, enrolment_mode="application",
        allow_late_attempts=False))


def quiz_answers(quiz, *, correct: bool) -> dict[str, list[str]]:
    """The form fields of a full-marks (or a zero) submission of a quiz of the package model."""
    from lms.core.packages.model import QuestionType

    fields: dict[str, list[str]] = {}
    for question in quiz.questions:
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            picks = [choice.id for choice in question.choices if choice.correct == correct]
            fields[question.id] = picks[:1] if question.type == QuestionType.SINGLE_CHOICE else picks
        elif question.type == QuestionType.TRUE_FALSE:
            fields[question.id] = [str(question.correct_bool == correct).lower()]
        elif question.type == QuestionType.SHORT_ANSWER:
            fields[question.id] = [question.accepted_answers[0] if correct else "not the answer"]
        else:
            fields[question.id] = [str(question.numeric_answer + (0 if correct else 1000))]
    return fields
