"""`flask lms translations stamp|status` and what `flask lms validate` says about translations."""

from tests.factories import copy_package, edit_file


def test_status_lists_complete_stale_and_missing_files(runner, tmp_path):
    package = copy_package(tmp_path)
    edit_file(package / "basics" / "01-welcome.md", "most common lesson features", "commonest lesson features")
    result = runner.invoke(args=["lms", "translations", "status", str(package)])
    assert result.exit_code == 0, result.output
    assert "es: 4 of 8 files translated, 1 stale, 4 missing (incomplete)" in result.output
    assert "  stale    basics/01-welcome.es.md (the source changed since)" in result.output
    assert "  missing  extras/01-bonus.md" in result.output


def test_stamp_writes_only_the_source_hash_line_and_makes_the_translation_current(runner, tmp_path):
    package = copy_package(tmp_path)
    edit_file(package / "basics" / "01-welcome.md", "most common lesson features", "commonest lesson features")
    translation = package / "basics" / "01-welcome.es.md"
    before = translation.read_text(encoding="utf-8").splitlines()
    result = runner.invoke(args=["lms", "translations", "stamp", str(package), "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert "stamped basics/01-welcome.es.md" in result.output
    assert "1 file stamped, 3 already current." in result.output
    after = translation.read_text(encoding="utf-8").splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert len(changed) == 1 and changed[0][1].startswith("source_hash: sha256:")
    status = runner.invoke(args=["lms", "translations", "status", str(package)])
    assert "0 stale" in status.output


def test_stamp_inserts_a_missing_source_hash_after_the_comments(runner, tmp_path):
    package = copy_package(tmp_path)
    course = package / "course.es.yaml"
    lines = course.read_text(encoding="utf-8").splitlines(keepends=True)
    course.write_text("".join(line for line in lines if not line.startswith("source_hash:")), encoding="utf-8")
    assert "1 stale" in runner.invoke(args=["lms", "translations", "status", str(package)]).output
    assert runner.invoke(args=["lms", "translations", "stamp", str(package)]).exit_code == 0
    assert course.read_text(encoding="utf-8") == "".join(lines)  # back exactly as it was


def test_stamp_refuses_a_language_the_package_does_not_declare(runner, tmp_path):
    result = runner.invoke(args=["lms", "translations", "stamp", str(copy_package(tmp_path)), "--lang", "de"])
    assert result.exit_code == 1
    assert "Error: 'de' is not a translation language of this package (course.yaml declares: es)" in result.output


def test_stamp_refuses_a_folder_that_is_not_a_package(runner, tmp_path):
    result = runner.invoke(args=["lms", "translations", "stamp", str(tmp_path)])
    assert result.exit_code == 1 and "no course.yaml in this folder" in result.output


def test_validate_prints_coverage_and_stale_warnings_but_succeeds(runner, tmp_path):
    package = copy_package(tmp_path)
    edit_file(package / "basics" / "module.yaml", "title: The basics", "title: The very basics")
    result = runner.invoke(args=["lms", "validate", str(package)])
    assert result.exit_code == 0, result.output
    assert "  es: 4 of 8 files translated, 1 stale (basics/module.es.yaml), 4 missing" in result.output
    assert "basics/module.es.yaml:1: warning: stale translation: basics/module.yaml changed since it was " \
           "translated" in result.output


def test_diff_says_what_changed_in_each_translation(runner, db, tmp_path):
    from tests.factories import EXAMPLE, set_version

    assert runner.invoke(args=["lms", "import", str(EXAMPLE), "--publish"]).exit_code == 0
    package = copy_package(tmp_path)
    set_version(package, "1.1.0")
    edit_file(package / "basics" / "01-welcome.md", "most common lesson features", "commonest lesson features")
    result = runner.invoke(args=["lms", "diff", str(package)])
    assert result.exit_code == 0, result.output
    assert "  Translation es: 1 translation stale." in result.output
