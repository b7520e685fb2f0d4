"""The schema the migrations build is exactly the one the models describe, on whichever database the suite runs."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from lms.extensions import db as _db


def test_migrations_match_the_models(app, db):
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, _db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_there_is_a_single_migration_head(app, db):
    migrate: Migrate = app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_every_migration_can_be_downgraded(app, db):
    migrate: Migrate = app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    for revision in script.walk_revisions():
        source = Path(revision.path).read_text(encoding="utf-8")
        body = source.split("def downgrade", 1)[1]
        assert "op." in body, f"{revision.path} has an empty downgrade"
