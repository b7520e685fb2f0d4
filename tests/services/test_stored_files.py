"""Garbage collection of the file store: a file that any version uses stays; an unused one goes once older than the
grace period (LMS_FILE_STORE_GRACE_HOURS); a fresh one stays (an import stores its files before it commits); a dry
run deletes nothing; the CLI and the worker's daily job report counts and bytes."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from lms.extensions import db as _db
from lms.models import VersionFile
from lms.services import publishing, scheduled_jobs, stored_files
from lms.storage import file_store
from tests.factories import EXAMPLE, EXAMPLE_SLUG, copy_package, edit_file, set_version

DAY = timedelta(days=1)


@pytest.fixture
def store(app, tmp_path, monkeypatch):
    """A store of its own: the session's app shares one between tests, full of other tests' files."""
    monkeypatch.setitem(app.config, "FILE_STORE_PATH", str(tmp_path / "files"))
    app.extensions.pop("lms_file_store", None)
    yield file_store()
    app.extensions.pop("lms_file_store", None)


def age(store, sha256: str, by: timedelta) -> None:
    """Make the file look written ``by`` ago."""
    when = (datetime.now(UTC) - by).timestamp()
    os.utime(store.local_path(sha256), (when, when))


def exists(store, sha256: str) -> bool:
    return store.local_path(sha256).exists()


def used_files(db) -> set[str]:
    return set(db.session.execute(db.select(VersionFile.sha256)).scalars())


def test_an_old_unused_file_goes_and_files_in_use_or_fresh_stay(db, store):
    publishing.import_package(None, EXAMPLE, publish=True)
    used = used_files(db)
    for sha256 in used:
        age(store, sha256, 30 * DAY)
    old, fresh = store.put(b"left by an import that failed"), store.put(b"stored by an import still running")
    age(store, old.sha256, DAY + timedelta(minutes=1))
    age(store, fresh.sha256, DAY - timedelta(minutes=5))
    result = stored_files.collect_unused_files()
    assert (result.deleted, result.deleted_bytes, result.in_use, result.recent) == (1, old.size, len(used), 1)
    assert not exists(store, old.sha256) and exists(store, fresh.sha256)
    assert all(exists(store, sha256) for sha256 in used)


def test_a_file_only_an_older_version_uses_stays(db, store, tmp_path):
    first = publishing.import_package(None, EXAMPLE, publish=True).version
    newer = copy_package(tmp_path)
    set_version(newer, "1.1.0")
    edit_file(newer / "extras/01-bonus.md", "# A bonus lesson", "# A bonus lesson, again")
    publishing.import_package(None, newer, publish=True)
    only_first = set(db.session.execute(db.select(VersionFile.sha256).filter_by(version_id=first.id)).scalars()) \
        - set(db.session.execute(db.select(VersionFile.sha256).where(VersionFile.version_id != first.id)).scalars())
    assert len(only_first) == 2  # its course.yaml (version 1.0.0) and the lesson as it was
    for sha256 in used_files(db):
        age(store, sha256, 30 * DAY)
    assert stored_files.collect_unused_files().deleted == 0
    assert all(exists(store, sha256) for sha256 in only_first)


def test_a_deleted_drafts_files_go_after_the_grace_period(db, store, tmp_path):
    publishing.import_package(None, EXAMPLE, publish=True)
    draft = copy_package(tmp_path)
    set_version(draft, "1.1.0")
    (draft / "assets/notes.txt").write_text("Only in the draft.\n", encoding="utf-8")
    publishing.import_package(None, draft)
    notes = db.session.execute(db.select(VersionFile.sha256).filter_by(path="assets/notes.txt")).scalar_one()
    publishing.delete_draft(None, EXAMPLE_SLUG, "1.1.0")
    assert stored_files.collect_unused_files().deleted == 0  # stored today: within the grace period
    age(store, notes, 2 * DAY)
    assert stored_files.collect_unused_files().deleted == 1 and not exists(store, notes)


def test_a_dry_run_counts_and_deletes_nothing(db, store):
    orphan = store.put(b"unused")
    age(store, orphan.sha256, 2 * DAY)
    result = stored_files.collect_unused_files(dry_run=True)
    assert (result.deleted, result.deleted_bytes, result.dry_run) == (1, len(b"unused"), True)
    assert exists(store, orphan.sha256)


def test_an_old_unused_file_that_an_import_stores_again_is_kept(db, store):
    """An import reusing a file stores nothing new, but refreshes its time: until the import commits, the grace
    period protects the file it is about to reference."""
    orphan = store.put(b"a file a new import reuses")
    age(store, orphan.sha256, 2 * DAY)
    store.put(b"a file a new import reuses")
    assert stored_files.collect_unused_files().deleted == 0 and exists(store, orphan.sha256)


def test_a_file_reused_between_the_listing_and_its_deletion_is_kept(db, store):
    orphan = store.put(b"reused at the last moment")
    age(store, orphan.sha256, 2 * DAY)
    [entry] = [entry for entry in store.entries() if entry.sha256 == orphan.sha256]
    store.put(b"reused at the last moment")  # after the collector listed it as old
    assert not store.delete_if_untouched(entry, datetime.now(UTC) - DAY)
    assert exists(store, orphan.sha256)


def test_unfinished_writes_go_once_old_and_other_files_are_never_touched(db, store):
    store.put(b"something")
    dead, growing = store.root / ".incoming-dead", store.root / ".incoming-growing"
    for path in (dead, growing):
        path.write_bytes(b"half a video")
    readme = store.root / "README.txt"
    readme.write_text("the operator's notes", encoding="utf-8")
    when = (datetime.now(UTC) - 2 * DAY).timestamp()
    for path in (dead, readme):
        os.utime(path, (when, when))
    stored_files.collect_unused_files()
    assert not dead.exists() and growing.exists() and readme.exists()


def test_the_command_reports_counts_and_bytes(runner, db, store):
    orphan = store.put(b"12345")
    age(store, orphan.sha256, 2 * DAY)
    result = runner.invoke(args=["lms", "files", "gc", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would delete 1 unused file (5 bytes). Kept 0 in use and 0 unused but newer than the grace period." \
        in result.output
    assert exists(store, orphan.sha256)
    result = runner.invoke(args=["lms", "files", "gc"])
    assert "Deleted 1 unused file (5 bytes)." in result.output and not exists(store, orphan.sha256)


def test_the_workers_daily_job_collects_and_says_what_it_deleted(db, store):
    orphan = store.put(b"x" * (3 * 1024 * 1024))
    age(store, orphan.sha256, 2 * DAY)
    job = scheduled_jobs.JOBS_BY_NAME["collect_unused_files"]
    assert job.every == DAY
    assert str(job.run(datetime.now(UTC))) == "1 unused file deleted from the file store (3.0 MB)."
    assert not exists(store, orphan.sha256)


def test_the_grace_period_is_configuration(app, db, store, monkeypatch):
    orphan = store.put(b"two hours old")
    age(store, orphan.sha256, timedelta(hours=2))
    assert stored_files.collect_unused_files().deleted == 0
    monkeypatch.setitem(app.config, "FILE_STORE_GRACE_HOURS", 1)
    assert stored_files.collect_unused_files().deleted == 1
    _db.session.rollback()
