"""The `flask lms` commands for course packages."""

from lms.core.packages import load_package
from tests.factories import EXAMPLE, EXAMPLE_SLUG, copy_package, edit_file, set_version, table_counts


def test_validate_reports_ok(runner):
    result = runner.invoke(args=["lms", "validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "OK — example-all-features 1.0.0" in result.output


def test_validate_lists_problems_and_exits_1(runner, tmp_path):
    package = copy_package(tmp_path)
    edit_file(package / "course.yaml", "title:", "titel:")
    result = runner.invoke(args=["lms", "validate", str(package)])
    assert result.exit_code == 1
    assert "course.yaml:" in result.output and "titel" in result.output
    assert "Traceback" not in result.output


def test_validate_a_missing_path(runner):
    result = runner.invoke(args=["lms", "validate", "/no/such/package"])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_import_publish_courses_diff_and_export(runner, db, tmp_path):
    result = runner.invoke(args=["lms", "import", str(EXAMPLE)])
    assert result.exit_code == 0 and "draft (not published)" in result.output
    assert "already imported, unchanged" in runner.invoke(args=["lms", "import", str(EXAMPLE)]).output
    result = runner.invoke(args=["lms", "publish", EXAMPLE_SLUG, "1.0.0"])
    assert result.exit_code == 0, result.output

    package = copy_package(tmp_path)
    set_version(package, "1.1.0")
    lesson = package / "extras" / "01-bonus.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "diff", str(package)])
    assert result.exit_code == 0, result.output
    assert "1.0.0 (published) → 1.1.0" in result.output
    bonus = next(item for item in load_package(package).package.lessons if item.path == "extras/01-bonus.md")
    assert f"Lessons changed: “{bonus.title}”." in result.output  # by title, not id (issue 20, defect 7)

    listing = runner.invoke(args=["lms", "courses"]).output
    assert EXAMPLE_SLUG in listing and "* 1.0.0" in listing

    destination = tmp_path / "export.zip"
    result = runner.invoke(args=["lms", "export", EXAMPLE_SLUG, "1.0.0", str(destination)])
    assert result.exit_code == 0 and destination.stat().st_size > 0
    assert runner.invoke(args=["lms", "validate", str(destination)]).exit_code == 0


def test_import_of_a_broken_package_prints_problems_and_changes_nothing(runner, db, tmp_path):
    package = copy_package(tmp_path)
    edit_file(package / "course.yaml", "title:", "titel:")
    before = table_counts(db)
    result = runner.invoke(args=["lms", "import", str(package)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert table_counts(db) == before


def test_publish_an_unknown_version_is_a_clear_error(runner, db):
    result = runner.invoke(args=["lms", "publish", "nope", "1.0.0"])
    assert result.exit_code == 1
    assert "has no version 1.0.0" in result.output


def test_import_all_imports_every_bundled_course_once(runner, db):
    first = runner.invoke(args=["lms", "import-all"])
    assert first.exit_code == 0, first.output
    assert "caring-cities" in first.output and EXAMPLE_SLUG in first.output
    before = table_counts(db)
    second = runner.invoke(args=["lms", "import-all"])
    assert second.exit_code == 0 and table_counts(db) == before


def test_schema_writes_json_schemas(runner, tmp_path):
    result = runner.invoke(args=["lms", "schema", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "course.schema.json").exists()


def test_import_with_instructor_makes_them_staff_so_author_lists_the_course(runner, db, client, login_as):
    """Issue 20, defect 8: an import at the command line made nobody an instructor of a new course."""
    from tests.factories import make_user

    teacher = make_user(role="instructor")
    result = runner.invoke(args=["lms", "import", str(EXAMPLE), "--instructor", teacher.email])
    assert result.exit_code == 0, result.output
    assert f"{teacher.email} is an instructor of example-all-features" in result.output
    login_as(teacher)
    assert EXAMPLE_SLUG in client.get("/author/").get_data(as_text=True)


def test_import_with_an_unknown_instructor_imports_nothing(runner, db):
    before = table_counts(db)
    result = runner.invoke(args=["lms", "import", str(EXAMPLE), "--instructor", "nobody@example.org"])
    assert result.exit_code == 1
    assert "No account has the e-mail address nobody@example.org." in result.output
    assert table_counts(db) == before


def test_new_course_writes_a_package_that_validates(runner, tmp_path):
    target = tmp_path / "safe-streets"
    result = runner.invoke(args=["lms", "new-course", "safe-streets", "--directory", str(target)])
    assert result.exit_code == 0, result.output
    assert "Next: flask lms preview" in result.output
    validated = runner.invoke(args=["lms", "validate", str(target)])
    assert validated.exit_code == 0 and "OK — safe-streets 0.1.0" in validated.output


def test_gift_import_writes_the_quiz_and_reports_what_it_cannot_carry(runner, tmp_path):
    from pathlib import Path

    gift_file = Path(__file__).resolve().parent.parent / "data" / "gift" / "every-type.gift"
    runner.invoke(args=["lms", "new-course", "safe-streets", "--directory", str(tmp_path / "safe-streets")])
    quiz = tmp_path / "safe-streets" / "module-1" / "quiz.yaml"
    refused = runner.invoke(args=["lms", "gift-import", str(gift_file), str(quiz)])
    assert refused.exit_code == 1 and "exists already; give --force" in refused.output
    result = runner.invoke(args=["lms", "gift-import", str(gift_file), str(quiz), "--force"])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "with 7 questions." in result.output
    assert f"{gift_file}:27: 'Essay' is an essay question" in result.output
    assert "id: module-1-quiz" in quiz.read_text(encoding="utf-8")
    assert runner.invoke(args=["lms", "validate", str(tmp_path / "safe-streets")]).exit_code == 0
    exported = tmp_path / "back.gift"
    result = runner.invoke(args=["lms", "gift-export", str(quiz), str(exported)])
    assert result.exit_code == 0 and "with 7 questions." in result.output
    assert "::crossing::[markdown]Where is it **safest** to cross a street?" in exported.read_text(encoding="utf-8")


def test_preview_serves_the_folder_until_stopped(tmp_path):
    """`flask lms preview PATH` as an author runs it: its own server process, on a loopback port, reading the folder
    (the pages themselves are tested in tests/web/test_live_preview.py and tests/e2e/test_live_preview.py)."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from lms.services import authoring_tools

    folder = tmp_path / "safe-streets"
    authoring_tools.write_new_course("safe-streets", folder)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "FLASK_APP": "wsgi", "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
           "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'preview.sqlite3'}"}
    server = subprocess.Popen([sys.executable, "-m", "flask", "lms", "preview", str(folder), "--port", str(port)],
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = ""
        for _ in range(120):  # a loaded two-core machine starts the app in seconds
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/preview/", timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert "Safe streets" in page and "Live preview of safe-streets/" in page
    finally:
        server.terminate()
        server.wait(timeout=10)
