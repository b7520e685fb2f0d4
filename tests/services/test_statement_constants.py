"""The statements the hot pages run, built once per process, carry their own constants in their SQL; only the values
of each execution are parameters (lms.models.base.constants_in_sql). SQLite prepares a statement again on every
execution when a bound value might change its plan (a column a partial index's condition names, a constant selected
in a UNION's branches): the learner-progress query of every course page spent 250 of its 270 microseconds so."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from lms.services import accounts, course_context, discussions, enrolments, learning, lesson_discussions, quizzes

STATEMENTS = {
    "learner rows": learning._LEARNER_ROWS,
    "learner rows, one course": learning._ONE_COURSE_ROWS,
    "study context": course_context._STUDY_ROWS,
    "study context, to edit": course_context._STUDY_ENTITIES,
    "dashboard rows": learning._DASHBOARD_ROWS,
    "user of a log-in": accounts._USER_OF_LOGIN,
    "thread context": discussions._THREAD_CONTEXT,
    "thread page context": discussions._THREAD_PAGE_CONTEXT,
    "thread page posts": discussions._PAGE_POSTS,
    "pending applications": enrolments._PENDING_APPLICATIONS,
    "quiz attempts": quizzes._ATTEMPTS,
    "others' answers": lesson_discussions._OTHERS_ANSWERS_PAGE,
    **{f"lesson discussions, {reader}": statement
       for reader, statement in lesson_discussions._LESSON_DISCUSSION.items()},
    **{f"lesson with its reflection, {key}": statement
       for key, statement in lesson_discussions._WITH_REFLECTION.items()},
}


@pytest.mark.parametrize("name", sorted(STATEMENTS))
@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()], ids=["sqlite", "postgresql"])
def test_a_statement_built_once_binds_only_the_values_of_each_execution(name, dialect):
    compiled = STATEMENTS[name].compile(dialect=dialect)
    constants = [bind.value for bind in compiled.binds.values() if not bind.required and not bind.literal_execute]
    # What is left is LIMIT's and OFFSET's numbers (SQLAlchemy binds them apart from the statement's expressions).
    assert all(isinstance(value, int) for value in constants), constants


def test_the_constants_are_in_the_sql_and_the_executions_values_are_not():
    statement = learning._LEARNER_ROWS.params(user_id=7, course_ids=[1], version_ids=[2])
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"render_postcompile": True}))
    assert "'lesson' AS" in sql and "'reflection' AS" in sql
    assert "discussion_threads.kind = 'reflection'" in sql and "review_state = 'published'" in sql
    assert "user_id = ?" in sql
