"""Arrows only go down: the pure core imports nothing of the app; services never touch the request."""

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parent.parent / "lms"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_core_is_pure():
    forbidden = ("flask", "flask_", "sqlalchemy", "werkzeug", "lms.models", "lms.services", "lms.web",
                 "lms.extensions", "lms.cli")
    files = list((LMS / "core").rglob("*.py"))
    assert files
    for path in files:
        for name in imported_modules(path):
            assert not name.startswith(forbidden), f"{path.relative_to(LMS)} imports {name}"


def test_services_do_not_touch_the_request():
    forbidden = {"flask.request", "flask.session", "flask.flash", "flask.abort", "flask.g", "flask_login.current_user"}
    for path in (LMS / "services").rglob("*.py"):
        bad = imported_modules(path) & forbidden
        assert not bad, f"{path.relative_to(LMS)} imports {bad}"
        assert not any(name.startswith("lms.web") for name in imported_modules(path)), path


def test_models_do_not_import_services_or_web():
    for path in (LMS / "models").rglob("*.py"):
        for name in imported_modules(path):
            assert not name.startswith(("lms.services", "lms.web", "flask.current_app")), path


def test_blueprints_do_not_import_each_other():
    web = LMS / "web"
    for blueprint in (p for p in web.iterdir() if p.is_dir() and (p / "routes.py").exists()):
        for path in blueprint.rglob("*.py"):
            for name in imported_modules(path):
                if name.startswith("lms.web.") and name.count(".") >= 2:
                    other = name.split(".")[2]
                    if (web / other).is_dir():
                        assert other == blueprint.name, f"{path.relative_to(LMS)} imports {name}"
