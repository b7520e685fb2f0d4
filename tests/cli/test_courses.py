"""The `flask lms` commands for course packages."""

from tests.factories import EXAMPLE, copy_package, edit_file, set_version, table_counts


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
    result = runner.invoke(args=["lms", "publish", "example-all-features", "1.0.0"])
    assert result.exit_code == 0, result.output

    package = copy_package(tmp_path)
    set_version(package, "1.1.0")
    lesson = package / "extras" / "01-bonus.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "diff", str(package)])
    assert result.exit_code == 0, result.output
    assert "1.0.0 (published) → 1.1.0" in result.output

    listing = runner.invoke(args=["lms", "courses"]).output
    assert "example-all-features" in listing and "* 1.0.0" in listing

    destination = tmp_path / "export.zip"
    result = runner.invoke(args=["lms", "export", "example-all-features", "1.0.0", str(destination)])
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
    assert "caring-cities" in first.output and "example-all-features" in first.output
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
    assert "example-all-features" in client.get("/author/").get_data(as_text=True)


def test_import_with_an_unknown_instructor_imports_nothing(runner, db):
    before = table_counts(db)
    result = runner.invoke(args=["lms", "import", str(EXAMPLE), "--instructor", "nobody@example.org"])
    assert result.exit_code == 1
    assert "No account has the e-mail address nobody@example.org." in result.output
    assert table_counts(db) == before
