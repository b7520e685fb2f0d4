"""The `flask lms ...` commands: thin wrappers that parse arguments, call one service and print the outcome."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.core.packages import json_schemas
from lms.models import Role
from lms.services import accounts, publishing
from lms.services.errors import ServiceError

lms_cli = AppGroup("lms", help="Manage the LMS-lite engine: accounts, courses and demo data.")

DEMO_PASSWORD = "demo-password-123"  # noqa: S105  (printed on purpose: demo accounts for a local trial)
DEMO_ACCOUNTS = (
    ("admin@example.org", "Ada Admin", Role.ADMIN, "Programme staff", "Barcelona", "ES"),
    ("instructor@example.org", "María José Núñez", Role.INSTRUCTOR, "UCLG Learning", "Bogotá", "CO"),
    ("learner@example.org", "김민수", Role.LEARNER, "Seoul Metropolitan Government", "Seoul", "KR"),
)


def fail(message: str) -> None:
    """Stop with a message and exit status 1, never a traceback."""
    raise click.ClickException(message)


@lms_cli.command("create-user")
@click.option("--email", required=True, help="E-mail address; it is the log-in name.")
@click.option("--name", "display_name", help="Full name as it appears on certificates (default: the e-mail).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value, show_default=True)
@click.option("--organisation", default="", help="City, local government or organisation.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given; prefer the prompt, which keeps it out of the shell history.")
def create_user(email: str, display_name: str | None, role: str, organisation: str, password: str) -> None:
    """Create an account."""
    profile = accounts.Profile(display_name=display_name or email, organisation=organisation)
    try:
        user = accounts.create_user(email, password, profile, Role(role))
    except ServiceError as error:
        fail(error.message)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@lms_cli.command("demo")
def demo() -> None:
    """Create the demo admin, instructor and learner (if missing), print their log-ins, make the instructor an
    instructor of every imported course, and open a demo cohort."""
    for email, name, role, organisation, city, country in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            profile = accounts.Profile(display_name=name, organisation=organisation, city=city, country=country)
            accounts.create_user(email, DEMO_PASSWORD, profile, role)
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD})")
    for email, name, role, *_ in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<10} {email:<26} {name}")
    _demo_instructor()
    _demo_cohort()


def _demo_instructor() -> None:
    from lms.services import demo_population

    email = next(email for email, _, role, *_ in DEMO_ACCOUNTS if role == Role.INSTRUCTOR)
    slugs = demo_population.make_demo_instructor_staff(email)
    if slugs:
        click.echo(f"The demo instructor teaches {', '.join(slugs)}: authoring, attendance and reports.")


def _demo_cohort() -> None:
    """An open call for applications dated from today, so the learner can apply and the admin can accept."""
    from datetime import date

    from lms.services import cohorts

    cohort = cohorts.ensure_demo_cohort("caring-cities", date.today())
    if cohort is not None:
        click.echo(f"Demo cohort: {cohort.name}, {cohort.starts_on} to {cohort.ends_on}. Apply as the learner at "
                   f"/programmes/cohorts/{cohort.id}/apply, then accept as the admin at "
                   f"/staff/cohorts/{cohort.id}/applications")


# Course packages.

COURSES_DIR = Path(__file__).resolve().parent.parent / "courses"


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


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
        result = publishing.validate(_package_path(path))
        if result.ok:
            package = result.package
            click.echo(f"{path}: OK — {package.slug} {package.version}, {len(package.modules)} modules, "
                       f"{len(package.lessons)} lessons, {len(package.quizzes)} quizzes")
        else:
            failed += 1
            click.echo(f"{path}: {len(result.problems)} problem(s)", err=True)
            _print_problems(result.problems)
    if failed:
        raise SystemExit(1)


def _import_one(path: Path, publish: bool) -> None:
    try:
        outcome = publishing.import_package(None, path, publish=publish)
    except publishing.PackageRejected as error:
        click.echo(f"{path}: {len(error.problems)} problem(s); nothing was imported", err=True)
        _print_problems(error.problems)
        raise SystemExit(1) from None
    except ServiceError as error:
        fail(f"{path}: {error.message}")
    version = outcome.version
    state = "imported" if outcome.created else "already imported, unchanged"
    published = "; published" if outcome.published else ("" if version.is_current else "; draft (not published)")
    click.echo(f"{path}: {state} {version.title} {version.version}{published}")


@lms_cli.command("import")
@click.argument("path")
@click.option("--publish", is_flag=True, help="Publish the version right after importing it.")
def import_command(path: str, publish: bool) -> None:
    """Import a course package as a new version (a draft unless --publish)."""
    _import_one(_package_path(path), publish)


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
    try:
        row = publishing.publish_version(None, slug, version)
    except ServiceError as error:
        fail(error.message)
    click.echo(f"Published {slug} {row.version}.")


@lms_cli.command("diff")
@click.argument("path")
def diff_command(path: str) -> None:
    """Show what a package changes against the published version, and which completions learners would lose."""
    try:
        report = publishing.diff_against_current(_package_path(path))
    except publishing.PackageRejected as error:
        _print_problems(error.problems)
        raise SystemExit(1) from None
    package = report.package
    for plan in report.cohort_changes:
        for line in plan.summary_lines():
            click.echo(f"  {line}")
    if report.diff is None:
        click.echo(f"{package.slug} has no published version yet: everything in {package.version} is new.")
        return
    click.echo(f"{package.slug}: {report.current.version} (published) → {package.version}")
    for line in report.diff.summary_lines():
        click.echo(f"  {line}")
    lost = {key: n for key, n in report.lessons_lost.items() if n}
    passes = {key: n for key, n in report.quiz_passes_lost.items() if n}
    if not lost and not passes:
        click.echo("No learner loses any completion.")
    for key, count in sorted(lost.items()):
        click.echo(f"  {count} learner(s) would lose the completion of lesson {key}")
    for key, count in sorted(passes.items()):
        click.echo(f"  {count} learner(s) would have to pass quiz {key} again")


@lms_cli.command("courses")
def courses_command() -> None:
    """List courses and their versions."""
    rows = publishing.list_courses(None)  # the operator sees every course
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
    try:
        data = publishing.export_version(None, slug, version)
    except ServiceError as error:
        fail(error.message)
    Path(destination).write_bytes(data)
    click.echo(f"Wrote {destination} ({len(data)} bytes).")


@lms_cli.command("schema")
@click.argument("directory", type=click.Path(file_okay=False), default="docs/schemas")
def schema_command(directory: str) -> None:
    """Write JSON Schemas of course.yaml, module.yaml, quiz.yaml and lesson front matter, for editors."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (folder / name).write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"Wrote {folder / name}")


import lms.cli_certificates  # noqa: E402  (adds `flask lms verify-credential` and `flask lms signing-key`)
import lms.cli_cohorts  # noqa: E402  (adds `flask lms cohort …` and `flask lms send-reminders`)
import lms.cli_reports  # noqa: E402, F401  (adds `flask lms seed-demo` and `flask lms assign-instructor`)
