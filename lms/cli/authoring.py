"""`flask lms new-course|preview|gift-import|gift-export`: the tools an instructor writing a package at the command line
uses, thin over lms.services.authoring_tools (and lms.web.preview for the live preview)."""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.cli.group import fail, lms_cli
from lms.services import authoring_tools


@lms_cli.command("new-course")
@click.argument("slug")
@click.option("--directory", "directory", type=click.Path(file_okay=False), default=None,
              help="Where to write the package (default: ./SLUG).")
def new_course(slug: str, directory: str | None) -> None:
    """Write a small, valid, commented course package to start from."""
    target = Path(directory) if directory else Path(slug)
    written = authoring_tools.write_new_course(slug, target)
    click.echo(_("Wrote a new course package in %(folder)s (%(count)d files).", folder=target, count=len(written)))
    click.echo(_("Next: flask lms preview %(folder)s   (see it as learners will while you edit)", folder=target))
    click.echo(_("Then: flask lms import %(folder)s --publish --instructor EMAIL", folder=target))


@lms_cli.command("gift-import")
@click.argument("gift_file", type=click.Path(dir_okay=False, exists=True))
@click.argument("quiz_yaml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite QUIZ_YAML if it exists.")
def gift_import(gift_file: str, quiz_yaml: str, force: bool) -> None:
    """Convert a Moodle GIFT file into a quiz.yaml (MODULE/quiz.yaml), reporting what GIFT features it cannot carry."""
    destination = Path(quiz_yaml)
    if destination.exists() and not force:
        fail(_("%(path)s exists already; give --force to overwrite it", path=quiz_yaml))
    outcome = authoring_tools.gift_to_quiz_file(Path(gift_file), destination)
    for note in outcome.notes:
        click.echo(f"{gift_file}:{note.line}: {note.message}", err=True)
    click.echo(ngettext("Wrote %(path)s with %(num)d question.", "Wrote %(path)s with %(num)d questions.",
                        outcome.questions, path=quiz_yaml))
    if outcome.notes:
        click.echo(ngettext("%(num)d thing could not be carried over; see above.",
                            "%(num)d things could not be carried over; see above.", len(outcome.notes)), err=True)


@lms_cli.command("gift-export")
@click.argument("quiz_yaml", type=click.Path(dir_okay=False, exists=True))
@click.argument("gift_file", type=click.Path(dir_okay=False))
def gift_export(quiz_yaml: str, gift_file: str) -> None:
    """Write a quiz.yaml's questions as a Moodle GIFT file (to import into a Moodle question bank)."""
    outcome = authoring_tools.quiz_file_to_gift(Path(quiz_yaml), Path(gift_file))
    for note in outcome.notes:
        click.echo(f"{quiz_yaml}:{note.line}: {note.message}", err=True)
    click.echo(ngettext("Wrote %(path)s with %(num)d question.", "Wrote %(path)s with %(num)d questions.",
                        outcome.questions, path=gift_file))


@lms_cli.command("preview")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to serve on (this machine only).")
@click.option("--port", default=5050, show_default=True, type=int)
def preview(path: str, host: str, port: int) -> None:
    """Serve the package folder PATH as learners will see it, with its problems, reloading when a file changes.
    Nothing is imported and nothing is recorded."""
    from flask import current_app
    from werkzeug.serving import run_simple

    from lms.web.preview import enable_live_preview

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    enable_live_preview(app, Path(path))
    click.echo(_("Live preview of %(folder)s at http://%(host)s:%(port)d/preview/ (Ctrl+C stops it)",
                 folder=path, host=host, port=port))
    run_simple(host, port, app, threaded=True, use_reloader=False)
