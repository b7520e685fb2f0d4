"""Issue 20, "Done when": an instructor starts a course with `flask lms new-course`, previews it live while editing a
file, fixes a problem the page shows, then imports and publishes it. Also: a right-aligned Markdown column is
right-aligned in the browser."""

from __future__ import annotations

import shutil
import threading

from playwright.sync_api import expect
from werkzeug.serving import make_server

import config
from lms import create_app
from lms.extensions import db
from lms.web.preview import enable_live_preview
from tests.e2e.steps import INSTRUCTOR, STAFF_PASSWORD, log_in


def _preview_server(live_server, folder):
    """What `flask lms preview FOLDER` runs: the app with the preview enabled, on its own loopback port."""
    main = live_server.app.config

    class PreviewConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = main["SQLALCHEMY_DATABASE_URI"]
        INSTANCE_PATH = main["INSTANCE_PATH"]
        TESTING = False

    app = create_app(PreviewConfig)
    enable_live_preview(app, folder)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-preview", daemon=True)
    thread.start()
    return app, server, thread, f"http://127.0.0.1:{server.server_port}"


def _save(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_new_course_live_preview_fix_a_problem_then_import_and_publish(live_server, browser, new_page, tmp_path,
                                                                        check_accessibility, screenshot):
    folder = tmp_path / "safe-streets"
    output = live_server.cli("lms", "new-course", "safe-streets", "--directory", str(folder))
    assert "Next: flask lms preview" in output

    app, server, thread, url = _preview_server(live_server, folder)
    try:
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto("/preview/lessons/welcome")
        expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
        expect(page.locator(".live-preview")).to_contain_text("Live preview of")
        minutes = page.locator(".lesson-body td").nth(1)  # the '| ---: |' column
        assert minutes.evaluate("cell => getComputedStyle(cell).textAlign") == "right"
        check_accessibility(page, "live preview: lesson")

        # A title with ': ' saved without quotes: the page reloads by itself and says what to do.
        module_yaml = folder / "module-1" / "module.yaml"
        _save(module_yaml, "title: Getting started", "title: Safety: the basics")
        problems = page.locator("#preview-problems")
        expect(problems).to_contain_text("The package has 1 problem; fix it and save:")
        expect(problems).to_contain_text(
            "module-1/module.yaml:3: YAML syntax error: the value of 'title' contains ': '")
        expect(problems).to_contain_text('must be quoted: title: "Safety: the basics"')
        check_accessibility(page, "live preview: a problem")
        screenshot(page, "live-preview-problem")

        # Fixed as the page says: the problem goes, the lesson is back, under the new module title.
        _save(module_yaml, "title: Safety: the basics", 'title: "Safety: the basics"')
        expect(problems).to_have_count(0)
        expect(page.locator(".lesson-outline")).to_contain_text("Safety: the basics")
        expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
        context.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()

    # Import (upload the zipped folder) and publish.
    instructor = new_page()
    log_in(instructor, INSTRUCTOR, STAFF_PASSWORD)
    instructor.goto("/author/")
    package_zip = shutil.make_archive(str(tmp_path / "safe-streets"), "zip", root_dir=folder.parent,
                                      base_dir=folder.name)
    instructor.get_by_label("Course package (.zip)").set_input_files(package_zip)
    instructor.get_by_role("button", name="Validate and import as a draft").click()
    expect(instructor.get_by_text("Imported version 0.1.0 as a draft")).to_be_visible()
    instructor.get_by_role("link", name="Publish this version…").click()
    instructor.get_by_role("button", name="Yes, publish this version").click()
    expect(instructor.get_by_text("Version 0.1.0 is now published")).to_be_visible()
    history = instructor.get_by_role("region", name="History of published versions")
    expect(history).to_contain_text("The first published version: everything in it was new.")
    instructor.goto("/courses/safe-streets/")
    expect(instructor.get_by_role("heading", level=1)).to_contain_text("Safe streets")
