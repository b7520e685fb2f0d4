"""The schema the migrations build is exactly the one the models describe, on whichever database the suite runs."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from lms.extensions import db as _db
from lms.models.discussion_index import include_in_schema_comparison


def test_migrations_match_the_models(app, db):
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                 "include_name": include_in_schema_comparison})
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


def test_package_files_move_out_to_the_file_store_and_back_without_loss(app, db, tmp_path):
    import shutil

    from flask_migrate import downgrade, upgrade

    from lms.models import VersionFile
    from lms.services import publishing
    from lms.storage import file_store, store_root
    from tests.factories import copy_package

    publishing.import_package(None, copy_package(tmp_path), publish=True)
    store = file_store()
    contents = {row.path: store.read(row.sha256) for row in _db.session.execute(_db.select(VersionFile)).scalars()}
    assert "assets/handout.pdf" in contents
    _db.session.commit()
    _db.session.remove()
    try:
        downgrade(revision="53f7c2cf1516")  # the files back into the database
        with _db.engine.connect() as connection:
            rows = connection.execute(_db.text("SELECT path, data FROM version_files")).all()
        assert {path: bytes(data) for path, data in rows} == contents
        shutil.rmtree(store_root(app.config))  # nothing left outside the database
        upgrade()  # and out again
        assert {row.path: store.read(row.sha256)
                for row in _db.session.execute(_db.select(VersionFile)).scalars()} == contents
    finally:
        upgrade()


def test_discussion_search_indexes_earlier_posts_and_goes_away_cleanly(app, db, tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from lms.services import discussion_posts, discussion_search
    from lms.services.discussion_posts import Draft
    from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort
    from tests.factories import EXAMPLE_SLUG, make_user

    learner = make_user()
    enrol_in_cohort(learner, example_with_open_cohort(tmp_path))
    discussion_posts.start_thread(learner, EXAMPLE_SLUG, Draft(title="Lighthouses", body="Written *before* search"))
    learner_id = learner.id
    _db.session.commit()
    _db.session.remove()
    try:
        downgrade(revision="7c3e9a1d52f4")  # the revision before discussion_search
        inspector = inspect(_db.engine)
        assert "search_text" not in {column["name"] for column in inspector.get_columns("discussion_posts")}
        assert not [name for name in inspector.get_table_names() if name.startswith("discussion_posts_fts")]
        upgrade()
        learner = _db.session.get(type(learner), learner_id)
        [hit] = discussion_search.search(learner, EXAMPLE_SLUG, "written").hits.items  # "before" is a stop word
        assert hit.thread.title == "Lighthouses" and "<mark>Written</mark>" in str(hit.highlight)
        assert discussion_search.search(learner, EXAMPLE_SLUG, "lighthouses").hits.total == 1
    finally:
        upgrade()


def test_a_migration_rebuilding_the_posts_table_leaves_search_working(app, db, tmp_path):
    """SQLite drops a table's triggers when a batch migration rebuilds it ("move and copy"): migrations/env.py puts
    the search index's back after every migration run, so a later migration never has to know about them."""
    from alembic.operations import Operations
    from flask_migrate import upgrade
    from sqlalchemy import text

    from lms.models.discussion_index import FTS_TRIGGERS, restore_sqlite_triggers
    from lms.services import discussion_posts, discussion_search
    from lms.services.discussion_posts import Draft
    from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort
    from tests.factories import EXAMPLE_SLUG, make_user

    learner = make_user()
    enrol_in_cohort(learner, example_with_open_cohort(tmp_path))
    discussion_posts.start_thread(learner, EXAMPLE_SLUG, Draft(title="Before", body="Written before the rebuild"))
    learner_id, sqlite = learner.id, _db.engine.dialect.name == "sqlite"
    _db.session.remove()
    if sqlite:
        with _db.engine.begin() as connection:
            with Operations(MigrationContext.configure(connection)).batch_alter_table(
                    "discussion_posts", recreate="always"):
                pass
            triggers = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
            assert not set(FTS_TRIGGERS) & set(triggers)  # what the rebuild did
    upgrade()
    with _db.engine.begin() as connection:
        assert restore_sqlite_triggers(connection) == []  # all there again (and never anything to do on PostgreSQL)
    learner = _db.session.get(type(learner), learner_id)
    discussion_posts.start_thread(learner, EXAMPLE_SLUG, Draft(title="After", body="Written after the rebuild"))
    found = discussion_search.search(learner, EXAMPLE_SLUG, "written rebuild").hits.items
    assert sorted(hit.thread.title for hit in found) == ["After", "Before"]


def test_rebuilding_discussion_tables_keeps_the_rows_that_refer_to_them(app, db, tmp_path):
    """On SQLite a migration rebuilds a table to alter it; with foreign keys on, dropping the old table deleted every
    post of the threads table and every report and revision of the posts table (ON DELETE CASCADE)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import func, select

    from lms.models import DiscussionPost, DiscussionReport, DiscussionRevision, DiscussionThread
    from lms.services import discussion_moderation, discussion_posts
    from lms.services.discussion_posts import Draft
    from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort
    from tests.factories import EXAMPLE_SLUG, make_user

    cohort = example_with_open_cohort(tmp_path)
    ana, ben = make_user(), make_user()
    enrol_in_cohort(ana, cohort)
    enrol_in_cohort(ben, cohort)
    thread = discussion_posts.start_thread(ana, EXAMPLE_SLUG, Draft(title="Care maps", body="How do you map care?"))
    reply = discussion_posts.reply(ben, thread.id, "We survey first")
    discussion_posts.edit_post(ben, reply.id, "We survey households first")
    discussion_moderation.report_post(ana, reply.id, "Off topic")
    _db.session.commit()

    def counts():
        return [_db.session.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (DiscussionThread, DiscussionPost, DiscussionRevision, DiscussionReport)]

    before = counts()
    _db.session.remove()
    try:
        downgrade(revision="7c3e9a1d52f4")  # through every later discussion migration, each rebuilding a table
        upgrade()
        assert counts() == before == [1, 2, 1, 1]
        if _db.engine.dialect.name == "sqlite":  # and the app's connections cascade again after migrating
            from sqlalchemy import text

            assert _db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        upgrade()
