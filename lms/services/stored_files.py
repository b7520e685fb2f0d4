"""Garbage collection of the file store: files that no version of any course uses any more (a draft deleted, an
import that failed after storing its files) are deleted, but only once the grace period (LMS_FILE_STORE_GRACE_HOURS)
has passed since they were written or last reused.

The grace period is what keeps an import in progress safe: it stores its files before its transaction commits the
rows that reference them, so for a while a file it needs looks unused. A file written, or reused (put refreshes its
time), within the grace period is never deleted, and the store checks the time again as it deletes
(FileStore.delete_if_untouched), so an import that reuses an old unused file while the collection runs keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from lms.core import clock
from lms.extensions import db
from lms.models import VersionFile
from lms.storage import file_store


@dataclass(frozen=True)
class FileCollection:
    deleted: int  # files deleted (or, in a dry run, that would be)
    deleted_bytes: int
    in_use: int  # files some version uses
    recent: int  # unused, but written or reused within the grace period: kept for now
    dry_run: bool


def collect_unused_files(now: datetime | None = None, *, dry_run: bool = False) -> FileCollection:
    """Delete the store's files that no version references and that are older than the grace period; with
    ``dry_run``, only count them. Called by the worker's daily job and `flask lms files gc` (the operator)."""
    now = now or clock.now()
    cutoff = now - timedelta(hours=current_app.config["FILE_STORE_GRACE_HOURS"])
    store = file_store()
    # Listed before the references are read: a file stored after the listing is no candidate, and a listed file that
    # an import references in rows committed after the query below was written or reused within the grace period.
    entries = list(store.entries())
    referenced = set(db.session.execute(select(VersionFile.sha256).distinct()).scalars())
    deleted = deleted_bytes = in_use = recent = 0
    for entry in entries:
        if entry.sha256 and entry.sha256 in referenced:
            in_use += 1
        elif entry.modified > cutoff:
            recent += 1
        elif dry_run or store.delete_if_untouched(entry, cutoff):
            deleted += 1
            deleted_bytes += entry.size
        else:
            recent += 1  # reused while the collection ran
    return FileCollection(deleted, deleted_bytes, in_use, recent, dry_run)
