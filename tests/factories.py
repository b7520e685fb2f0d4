"""Builders for test data. Each goes through the same service a real user would, so rules are never bypassed."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from lms.core import clock
from lms.models import Role, User
from lms.services import accounts

DEFAULT_PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def make_user(role: str | Role = Role.LEARNER, email: str | None = None, password: str = DEFAULT_PASSWORD,
              **profile: str) -> User:
    number = next(_sequence)
    profile.setdefault("display_name", f"Test {Role(role).value} {number}")
    return accounts.create_user(email or f"{Role(role).value}{number}@example.org", password,
                                accounts.Profile(**profile), Role(role))


def make_learners(count: int) -> list[User]:
    """Many learners at once, for tests about volume: one password hash shared by all (hashing is slow on purpose,
    and 50 hashes would be most of such a test's time). They log in with DEFAULT_PASSWORD like any other."""
    from lms.extensions import db

    shared_hash = accounts.hash_password(DEFAULT_PASSWORD)
    verified_at = clock.now()  # as accounts made by staff are
    users = []
    for _ in range(count):
        number = next(_sequence)
        users.append(User(email=f"learner{number}@example.org", display_name=f"Test learner {number}",
                          password_hash=shared_hash, role=Role.LEARNER.value, email_verified_at=verified_at))
    db.session.add_all(users)
    db.session.commit()
    return users


class Outbox:
    """The messages the "file" mail backend wrote to instance/outbox/, oldest first. Reading them first delivers
    whatever the outbox holds that is due, synchronously (what the worker would do)."""

    def __init__(self, folder: Path, drain: Callable[[], object]) -> None:
        self.folder = folder
        self.drain = drain

    def clear(self) -> None:
        if self.folder.exists():
            for path in self.folder.glob("*.eml"):
                path.unlink()

    @property
    def messages(self) -> list[EmailMessage]:
        self.drain()
        if not self.folder.exists():
            return []
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.folder.glob("*.eml"))]

    def __len__(self) -> int:
        return len(self.messages)

    def last_body(self) -> str:
        return self.messages[-1].get_body(preferencelist=("plain",)).get_content()


# Course packages.

COURSES = Path(__file__).resolve().parent.parent / "courses"
EXAMPLE = COURSES / "example-all-features"
EXAMPLE_SLUG = "example-all-features"
# The right answers to the example package's quiz "basics-quiz", as a form posts them (the numeric one with a decimal
# comma, which the grader accepts like a point).
EXAMPLE_RIGHT_ANSWERS = {"q-single": ["assets"], "q-multiple": ["numeric", "short-answer", "true-false"],
                         "q-true-false": ["false"], "q-short": ["reset_progress"], "q-numeric": ["2,5"]}
# Wrong answers to every question of the same quiz.
EXAMPLE_WRONG_ANSWERS = {"q-single": ["web"], "q-multiple": ["essay"], "q-true-false": ["true"], "q-short": ["nope"],
                         "q-numeric": ["7"]}


def copy_package(destination: Path, source: Path = EXAMPLE) -> Path:
    """A writable copy of a package, to change and re-import as a new version."""
    import shutil

    target = destination / source.name
    shutil.copytree(source, target)
    return target


def set_version(package: Path, version: str) -> None:
    import re

    course_yaml = package / "course.yaml"
    text = course_yaml.read_text(encoding="utf-8")
    course_yaml.write_text(re.sub(r"(?m)^version:.*$", f"version: {version}", text, count=1), encoding="utf-8")


def edit_file(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def completable_online(package: Path) -> Path:
    """The example package completed by its lessons and quiz alone: no live session and no reflection required (the
    tests of those requirements keep them)."""
    edit_file(package / "course.yaml", "min_sessions_attended: 1", "min_sessions_attended: 0")
    edit_file(package / "course.yaml", "min_reflections: 1", "min_reflections: 0")
    return package


def make_course(destination: Path, *, lessons: int = 5, slug: str = "synthetic", publish: bool = True, **options):
    """Generate a synthetic package with this many lessons, import it, and return its version row."""
    from lms.demo.synthetic import write_synthetic_package
    from lms.services import publishing

    folder = write_synthetic_package(destination / f"{slug}-{lessons}", lessons=lessons, slug=slug, **options)
    return publishing.import_package(None, folder, publish=publish).version


def table_counts(db) -> dict[str, int]:
    """Rows per table: compare before and after to prove that nothing was written."""
    return {table.name: db.session.execute(db.select(db.func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables}


def make_instructor(*course_slugs: str, **profile: str) -> User:
    """An instructor who is staff of these courses, assigned as an administrator would (lms.authz.is_course_staff)."""
    from lms.services import staffing

    user = make_user(Role.INSTRUCTOR, **profile)
    for slug in course_slugs:
        staffing.assign_instructor(None, slug, user.email)
    return user
