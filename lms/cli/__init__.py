"""The `flask lms ...` commands: thin wrappers that parse arguments, call one service and print the outcome.

lms/cli/group.py owns the `lms` group and turns any ServiceError into "Error: <message>" with exit status 1; each
subject adds its commands from its own module (accounts, authoring, courses, cohorts, certificates, reports, demo,
files, worker, theme, translations).
"""

from lms.cli import (  # noqa: F401  (each adds its commands)
    accounts,
    authoring,
    certificates,
    cohorts,
    courses,
    demo,
    files,
    reports,
    theme,
    translations,
    worker,
)
from lms.cli.group import lms_cli

__all__ = ["lms_cli"]
