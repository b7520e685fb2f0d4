"""Arrows only go down: the pure core imports nothing of the app; services never touch the request; no import circle;
no module over 450 lines."""

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
                 "lms.extensions", "lms.cli", "lms.demo")
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


def test_only_the_outbox_talks_to_the_mail_server():
    """One way to send mail (issue 13): everything else queues with lms.services.mail.enqueue in its transaction.
    Only lms.services.mail speaks SMTP, and only the outbox's delivery opens a transport."""
    for path in LMS.rglob("*.py"):
        where = str(path.relative_to(LMS))
        text = path.read_text(encoding="utf-8")
        if where != "services/mail.py":
            assert not {"smtplib", "aiosmtplib"} & {name.split(".")[0] for name in imported_modules(path)}, where
            assert "SmtpTransport" not in text and "FileTransport" not in text, where
        if where not in ("services/mail.py", "services/outbox.py"):
            assert "open_transport(" not in text, where


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


def module_name(path: Path) -> str:
    parts = ["lms", *path.relative_to(LMS).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def internal_dependencies() -> dict[str, set[str]]:
    """Module → the lms modules it imports (anywhere in the file). `from package import module` depends on the
    module, not on the package's __init__."""
    modules = {module_name(path): path for path in LMS.rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(resolve(alias.name) for alias in node.names if alias.name.startswith("lms"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lms"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else resolve(node.module))
        graph[name] = {target for target in targets if target and target != name}
    return graph


def test_no_import_circle_in_lms():
    graph = internal_dependencies()
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            circle = [*trail[trail.index(module):], module]
            raise AssertionError("import circle: " + " → ".join(circle))
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_cli_is_above_everything_else():
    """Only the application factory attaches the CLI; no service, model, view or core module imports it."""
    for module, targets in internal_dependencies().items():
        if module.startswith("lms.cli") or module == "lms":
            continue
        assert not any(target.startswith("lms.cli") for target in targets), f"{module} imports the CLI"


def test_demo_code_is_used_only_by_the_cli():
    """Demo accounts, the demo cohort, the demo population and synthetic packages are not part of the product:
    only `flask lms demo|seed-demo` (and bench/, tests) import lms.demo."""
    for module, targets in internal_dependencies().items():
        if module.startswith(("lms.demo", "lms.cli")):
            continue
        assert not any(target.startswith("lms.demo") for target in targets), f"{module} imports demo code"


MAX_MODULE_LINES = 450


def test_no_module_is_over_450_lines():
    """A module that grows past this holds more than one subject: split it by subject (issue 14)."""
    long = {str(path.relative_to(LMS)): lines for path in LMS.rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


# The layers, lowest first; a module may import its own layer and those below it, never one above.
LAYERS = (
    ("core", ("lms.core",)),
    ("models", ("lms.models", "lms.extensions", "lms.storage", "lms.authz")),
    ("services", ("lms.services", "lms.demo")),
    ("entry points", ("lms.web", "lms.cli", "lms.worker", "lms")),
)


def layer_of(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes if prefix != "lms"):
            return rank
    return len(LAYERS) - 1  # the package itself (create_app) and anything new at the top level: an entry point


def test_no_module_imports_a_higher_layer():
    for module, targets in internal_dependencies().items():
        for target in targets:
            assert layer_of(target) <= layer_of(module), (
                f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})")
