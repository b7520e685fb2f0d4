"""`flask lms files …`: the file store of package files (docs/file-store.md)."""

from __future__ import annotations

import click

from lms.cli.group import lms_cli
from lms.services import stored_files


@lms_cli.group("files")
def files_cli() -> None:
    """The file store that keeps course packages' files."""


@files_cli.command("gc")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
def collect(dry_run: bool) -> None:
    """Delete the files no course version uses, once older than LMS_FILE_STORE_GRACE_HOURS (the worker does it
    daily)."""
    result = stored_files.collect_unused_files(dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {result.deleted} unused file{'' if result.deleted == 1 else 's'} "
               f"({result.deleted_bytes} bytes). Kept {result.in_use} in use and {result.recent} unused but newer "
               "than the grace period.")
