"""`flask lms translations stamp|status PACKAGE_DIR`: the translation files of a package folder, thin over
lms.services.package_translations."""

from __future__ import annotations

import click

from lms.cli.group import lms_cli
from lms.core.i18n import counted
from lms.services import package_translations


@lms_cli.group("translations")
def translations_group() -> None:
    """Translations of a course package: which are stale, and recording which source text they translate."""


@translations_group.command("stamp")
@click.argument("package_dir", type=click.Path(file_okay=False))
@click.option("--lang", "language", help="Only this language's translation files (e.g. es).")
def stamp_command(package_dir: str, language: str | None) -> None:
    """Write the current source's hash into each translation file (only its source_hash line changes). Run it once a
    translation matches its source: from then on, a change to the source marks the translation stale."""
    outcome = package_translations.stamp(package_dir, language)
    for file in outcome.stamped:
        click.echo(f"stamped {file.path}")
    for path, why in outcome.skipped:
        click.echo(f"skipped {path}: {why}", err=True)
    click.echo(f"{counted(len(outcome.stamped), 'file')} stamped, {len(outcome.unchanged)} already current.")
    problems = outcome.result.problems
    if problems:
        click.echo(f"The package still has {counted(len(problems), 'problem')}; "
                   f"`flask lms validate {package_dir}` lists them.", err=True)


@translations_group.command("status")
@click.argument("package_dir", type=click.Path(file_okay=False))
def status_command(package_dir: str) -> None:
    """Per language: how complete the translation is, and which files are stale or missing."""
    result = package_translations.status(package_dir)
    if not result.coverage:
        click.echo(f"{package_dir}: one language only (course.yaml declares no translation languages).")
    states = {file.path: file.state for file in result.translation_files}
    for language in result.coverage:
        complete = "complete" if language.complete and not language.stale else "incomplete"
        click.echo(f"{language.language}: {language.translated} of {language.total} files translated, "
                   f"{len(language.stale)} stale, {len(language.missing)} missing ({complete})")
        for path in language.stale:
            why = "no source_hash" if states.get(path) == "unstamped" else "the source changed since"
            click.echo(f"  stale    {path} ({why})")
        for path in language.missing:
            click.echo(f"  missing  {path}")
    if result.problems:
        click.echo(f"The package has {counted(len(result.problems), 'problem')}; "
                   f"`flask lms validate {package_dir}` lists them.", err=True)
