"""The full-text index of discussion posts (lms.services.discussion_search): objects of one database only, made by
the migration 20261130_0750 discussion_search, outside the models' metadata.

- PostgreSQL: the tsvector column ``discussion_posts.search_vector`` and its GIN index, written by the service.
- SQLite: the FTS5 table ``discussion_posts_fts`` over ``discussion_posts.search_text`` (external content), kept in
  step by three triggers. A batch migration that rebuilds ``discussion_posts`` ("move and copy") drops the
  triggers with the old table; ``restore_sqlite_triggers`` (run by migrations/env.py after every upgrade or
  downgrade) puts them back and rebuilds the index, so no later migration needs to know about them.

Schema comparison (autogenerate, tests/test_migrations.py) leaves these objects alone: ``include_in_schema_comparison``.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

SEARCH_VECTOR_COLUMN = "search_vector"
SEARCH_VECTOR_INDEX = "ix_discussion_posts_search_vector"
FTS_TABLE = "discussion_posts_fts"
FTS_TRIGGERS = {  # an external-content FTS5 table is told of each change, the old text with a 'delete'
    "discussion_posts_fts_insert": """AFTER INSERT ON discussion_posts BEGIN
        INSERT INTO discussion_posts_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    "discussion_posts_fts_delete": """AFTER DELETE ON discussion_posts BEGIN
        INSERT INTO discussion_posts_fts(discussion_posts_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text); END""",
    "discussion_posts_fts_update": """AFTER UPDATE OF search_text ON discussion_posts BEGIN
        INSERT INTO discussion_posts_fts(discussion_posts_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO discussion_posts_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
}
REBUILD_FTS = "INSERT INTO discussion_posts_fts(discussion_posts_fts) VALUES ('rebuild')"


def is_search_index(name: str | None, type_: str, parent_names: dict) -> bool:
    if type_ == "table":
        return name == FTS_TABLE or (name or "").startswith(FTS_TABLE + "_")
    if type_ == "column":
        return name == SEARCH_VECTOR_COLUMN and parent_names.get("table_name") == "discussion_posts"
    return type_ == "index" and name == SEARCH_VECTOR_INDEX


def include_in_schema_comparison(name: str | None, type_: str, parent_names: dict) -> bool:
    """alembic's ``include_name``: everything but the search index."""
    return not is_search_index(name, type_, parent_names)


def sqlite_has_fts5(connection: Connection) -> bool:
    return bool(connection.exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar())


def create_sqlite_index(connection: Connection) -> None:
    connection.exec_driver_sql(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='discussion_posts', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')")
    restore_sqlite_triggers(connection)


def drop_sqlite_index(connection: Connection) -> None:
    for name in FTS_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def restore_sqlite_triggers(connection: Connection) -> list[str]:
    """Create the FTS5 table's missing triggers and rebuild the index from ``search_text``; the names created.
    Nothing on PostgreSQL, or where there is no FTS5 table."""
    if connection.dialect.name != "sqlite":
        return []
    present = set(connection.execute(text(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE :prefix"),
        {"prefix": f"{FTS_TABLE}%"}).scalars())
    if FTS_TABLE not in present:
        return []
    missing = [name for name in FTS_TRIGGERS if name not in present]
    for name in missing:
        connection.exec_driver_sql(f"CREATE TRIGGER {name} {FTS_TRIGGERS[name]}")
    if missing:
        connection.exec_driver_sql(REBUILD_FTS)
    return missing
