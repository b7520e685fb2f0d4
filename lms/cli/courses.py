"""`flask lms validate|import|import-all|publish|diff|courses|export|schema`: course packages from the command
line, thin over lms.services.publishing."""

from __future__ import annotations

import json
from pathlib import Path

import click

from lms.cli.group import fail, lms_cli
from lms.core.i18n import counted
from lms.core.packages import json_schemas
from lms.services import course_versions, package_validation, publishing, version_diff

COURSES_DIR = Path(__file__).resolve().parent.parent.parent / "courses"


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _print_warnings(warnings) -> None:
    """Each warning as compilers write them, ``file:line: warning: message``, whatever part of the check found it."""
    for warning in warnings:
        where = f"{warning.file}:{warning.line}" if warning.line else warning.file
        click.echo(f"{where}: warning: {warning.message}", err=True)


def _print_translations(result) -> None:
    """How complete each translation language is, then the stale translations (warnings: the import still works)."""
    for language in result.coverage:
        parts = [f"{language.translated} of {language.total} files translated"]
        if language.complete and not language.stale:
            parts.append("complete")
        if language.stale:
            parts.append(f"{len(language.stale)} stale ({', '.join(language.stale)})")
        if language.missing:
            parts.append(f"{len(language.missing)} missing ({', '.join(language.missing)})")
        click.echo(f"  {language.language}: {', '.join(parts)}")
    _print_warnings(result.warnings)


def _package_path(path: str) -> Path:
    source = Path(path)
    if not source.exists():
        fail(f"{path}: no such file or folder")
    return source


@lms_cli.command("validate")
@click.argument("paths", nargs=-1, required=True)
def validate_packages(paths: tuple[str, ...]) -> None:
    """Check course packages (folders or .zip files) and list every problem as file:line: message."""
    failed = 0
    for path in paths:
        result = package_validation.validate(_package_path(path))
        if result.ok:
            package = result.package
            click.echo(f"{path}: OK — {package.slug} {package.version}, {len(package.modules)} modules, "
                       f"{len(package.lessons)} lessons, {len(package.quizzes)} quizzes")
            _print_warnings(package_validation.package_warnings(package))
        else:
            failed += 1
            click.echo(f"{path}: {counted(len(result.problems), 'problem')}", err=True)
            _print_problems(result.problems)
        _print_translations(result)
    if failed:
        raise SystemExit(1)


def _import_one(path: Path, publish: bool, instructor: str | None = None) -> None:
    try:
        outcome = publishing.import_package(None, path, publish=publish, instructor=instructor)
    except package_validation.PackageRejected as error:
        click.echo(f"{path}: {counted(len(error.problems), 'problem')}; nothing was imported", err=True)
        _print_problems(error.problems)
        raise SystemExit(1) from None
    version = outcome.version
    state = "imported" if outcome.created else "already imported, unchanged"
    published = "; published" if outcome.published else ("" if version.is_current else "; draft (not published)")
    click.echo(f"{path}: {state} {version.title} {version.version}{published}")
    if instructor:
        slug = course_versions.get_course_of(version).slug
        click.echo(f"{instructor} is an instructor of {slug}: /author/ lists it.")


@lms_cli.command("import")
@click.argument("path")
@click.option("--publish", is_flag=True, help="Publish the version right after importing it.")
@click.option("--instructor", metavar="EMAIL",
              help="Make this instructor staff of the course, so /author/ lists it and they can upload versions.")
def import_command(path: str, publish: bool, instructor: str | None) -> None:
    """Import a course package as a new version (a draft unless --publish). An import here makes nobody an
    instructor of the course: give --instructor, or run flask lms assign-instructor later."""
    _import_one(_package_path(path), publish, instructor)


@lms_cli.command("import-all")
def import_all() -> None:
    """Import and publish every package under courses/ (unchanged ones are skipped)."""
    folders = sorted(p for p in COURSES_DIR.iterdir() if (p / "course.yaml").is_file())
    for folder in folders:
        _import_one(folder, publish=True)


@lms_cli.command("publish")
@click.argument("slug")
@click.argument("version")
def publish_command(slug: str, version: str) -> None:
    """Make an imported version the current one; learners move to it with their progress carried over."""
    row = publishing.publish_version(None, slug, version)
    click.echo(f"Published {slug} {row.version}.")


@lms_cli.command("diff")
@click.argument("path")
def diff_command(path: str) -> None:
    """Show what a package changes against the published version, and which completions learners would lose."""
    try:
        report = version_diff.diff_against_current(_package_path(path))
    except package_validation.PackageRejected as error:
        _print_problems(error.problems)
        raise SystemExit(1) from None
    package = report.package
    _print_warnings(report.warnings)
    for plan in report.cohort_changes:
        for line in plan.summary_lines():
            click.echo(f"  {line}")
    if report.diff is None:
        click.echo(f"{package.slug} has no published version yet: everything in {package.version} is new.")
        _print_translation_changes(report)
        return
    click.echo(f"{package.slug}: {report.current.version} (published) → {package.version}")
    for line in report.summary_lines():  # items named by title, as on the version page
        click.echo(f"  {line}")
    _print_translation_changes(report)
    lost = {key: n for key, n in report.lessons_lost.items() if n}
    passes = {key: n for key, n in report.quiz_passes_lost.items() if n}
    if not lost and not passes:
        click.echo("No learner loses any completion.")
    for key, count in sorted(lost.items()):
        title = report.titles.get(f"lesson:{key}", key)
        click.echo(f"  {counted(count, 'learner')} would lose the completion of lesson “{title}”")
    for key, count in sorted(passes.items()):
        title = report.titles.get(f"quiz:{key}", key)
        click.echo(f"  {counted(count, 'learner')} would have to pass quiz “{title}” again")


def _print_translation_changes(report: version_diff.DiffReport) -> None:
    for change in report.translations:
        click.echo(f"  Translation {change.summary_line()}")


@lms_cli.command("courses")
def courses_command() -> None:
    """List courses and their versions."""
    rows = course_versions.list_courses(None)  # the operator sees every course
    if not rows:
        click.echo("No courses yet. Import one with: flask lms import PATH --publish")
    for course, versions in rows:
        click.echo(course.slug)
        for version in versions:
            marker = "*" if version.is_current else " "
            click.echo(f"  {marker} {version.version:<12} {version.status:<10} {version.title}  "
                       f"(imported {version.imported_at:%Y-%m-%d %H:%M} UTC)")


@lms_cli.command("export")
@click.argument("slug")
@click.argument("version")
@click.argument("destination", type=click.Path(dir_okay=False, writable=True))
def export_command(slug: str, version: str, destination: str) -> None:
    """Write a stored version back to a .zip package (it re-imports with the same hash)."""
    target = Path(destination)
    partial = target.with_name(f".{target.name}.partial")  # the destination appears only when complete
    try:
        with partial.open("wb") as out:
            course_versions.export_version(None, slug, version, out)
            size = out.tell()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Wrote {destination} ({size} bytes).")


@lms_cli.command("schema")
@click.argument("directory", type=click.Path(file_okay=False), default="docs/schemas")
def schema_command(directory: str) -> None:
    """Write JSON Schemas of course.yaml, module.yaml, quiz.yaml and lesson front matter, for editors."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (folder / name).write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"Wrote {folder / name}")
