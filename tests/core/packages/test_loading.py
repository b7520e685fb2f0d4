"""A valid package becomes the typed model, with defaults applied, Markdown rendered and links rewritten."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from lms.core.packages import (
    EnrolmentMode,
    QuestionType,
    ScorePolicy,
    load_package,
)
from tests.core.packages.builders import VALID, edit, load, valid_files, zip_bytes

V = valid_files()


def test_valid_package_loads_from_its_folder():
    result = load_package(VALID)
    assert result.ok and result.problems == ()
    package = result.package
    assert (package.slug, package.version, package.language) == ("street-trees", "1.0.0", "en")
    assert package.enrolment is EnrolmentMode.APPLICATION
    assert [m.id for m in package.modules] == ["basics", "extras"]
    assert [lesson.id for lesson in package.lessons] == ["why-trees", "choosing-species", "further-reading"]
    assert [q.id for q in package.quizzes] == ["basics-quiz"]


def test_defaults_are_applied():
    package = load(V).package
    basics, extras = package.modules
    assert basics.required and not extras.required
    assert extras.summary == "" and extras.quiz is None
    why, species = basics.lessons
    assert (why.required, why.reset_progress) == (True, False)
    assert species.reset_progress
    question = basics.quiz.questions[0]
    assert question.points == 1.0 and question.choices[1].correct is False


def test_lesson_fields():
    why = load(V).package.lessons[0]
    assert (why.title, why.minutes, why.path) == ("Why street trees?", 10, "basics/01-why-trees.md")
    assert why.source.startswith("# Why street trees?\n")
    assert why.html.startswith("<h1>Why street trees?</h1>")


def test_quiz_fields_for_every_question_type():
    quiz = load(V).package.quizzes[0]
    assert (quiz.pass_mark, quiz.max_attempts, quiz.score_policy) == (60.0, 3, ScorePolicy.BEST)
    assert quiz.shuffle_questions and quiz.shuffle_choices and quiz.path == "basics/quiz.yaml"
    single, multiple, true_false, short, numeric = quiz.questions
    assert [q.type for q in quiz.questions] == list(QuestionType)
    assert [(c.id, c.correct) for c in single.choices] == [("trees", True), ("asphalt", False)]
    assert single.choices[0].feedback == "Yes. Shade and evaporation cool the air."
    # multiple_choice written with "answer: [ids]" instead of correct flags
    assert [(c.id, c.correct) for c in multiple.choices] == [("shade", True), ("quiet", True), ("parking", False)]
    assert multiple.points == 2.0
    assert true_false.correct_bool is True and true_false.feedback_incorrect.startswith("Young trees")
    assert short.accepted_answers == ("beech family", "Fagaceae") and short.case_sensitive is False
    assert (numeric.numeric_answer, numeric.tolerance) == (10.0, 2.0)


def test_choice_text_renders_inline_and_prompts_as_blocks():
    single = load(V).package.quizzes[0].questions[0]
    assert single.prompt_html == "<p>What cools a street <strong>most</strong>?</p>\n"
    assert single.choices[1].html == "Dark <code>asphalt</code>"


def test_course_rules_resources_sessions_and_cohorts():
    package = load(V).package
    assert package.completion.required_modules == ("basics",)
    assert package.completion.min_sessions_attended == 1
    assert package.certificate.enabled and package.certificate.hours == 2.5
    assert [i.name for i in package.certificate.issuers] == ["Example City Council"]
    assert [r.url for r in package.resources] == ["assets/planting-guide.pdf", "https://example.org/forestry"]
    assert package.resources[1].description == ""
    assert [(s.id, s.duration_minutes) for s in package.live_sessions] == [("kick-off", 60)]
    [cohort] = package.cohorts
    madrid = ZoneInfo("Europe/Madrid")
    assert cohort.starts_on == date(2030, 3, 4) and cohort.ends_on == date(2030, 3, 29)
    assert cohort.applications_open == datetime(2030, 2, 1, 9, 0, tzinfo=madrid)
    assert cohort.sessions[0].starts_at == datetime(2030, 3, 4, 16, 0, tzinfo=madrid)
    assert cohort.capacity == 30


def test_certificate_hours_default_to_the_estimated_hours():
    files = edit(V, "course.yaml", "  hours: 2.5\n", "")
    assert load(files).package.certificate.hours == 2.0


def test_no_certificate_section_means_no_certificate():
    files = edit(V, "course.yaml", "certificate:\n  enabled: true\n  issuers:\n    - name: Example City Council\n"
                                   "      url: https://example.org/council\n  hours: 2.5\n", "")
    certificate = load(files).package.certificate
    assert (certificate.enabled, certificate.issuers, certificate.hours) == (False, (), 2.0)


def test_assets_have_media_types_sizes_and_hashes():
    assets = load(V).package.assets
    assert [(a.path, a.media_type, a.size) for a in assets] == [
        ("assets/planting-guide.pdf", "application/pdf", 77), ("assets/tree.png", "image/png", 69)]
    assert all(len(a.sha256) == 64 for a in assets)


def test_package_keeps_every_file_for_export():
    assert set(load(V).package.files) == set(V)


def test_default_links_are_placeholders():
    package = load(V).package
    why, species = package.modules[0].lessons
    assert '<img src="assets/tree.png" alt="A street lined with trees" title="Street trees">' in why.html
    assert '<a href="#lesson-choosing-species">choose the species</a>' in why.html
    assert '<a href="#lesson-why-trees">why street trees</a>' in species.html
    assert '<a href="assets/planting-guide.pdf">planting guide</a>' in package.eligibility_html


class ServedLinks:
    def lesson_url(self, lesson_id: str) -> str:
        return f"/courses/street-trees/lessons/{lesson_id}"

    def asset_url(self, asset_path: str) -> str:
        return f"/courses/street-trees/{asset_path}"


def test_a_link_builder_decides_the_urls():
    package = load_package(zip_bytes(V), links=ServedLinks()).package
    why, species = package.modules[0].lessons
    assert '<img src="/courses/street-trees/assets/tree.png"' in why.html
    assert '<a href="/courses/street-trees/lessons/choosing-species">' in why.html
    # the fragment of a link is kept when the builder's URL has none
    assert '<a href="/courses/street-trees/lessons/why-trees#why-street-trees">' in species.html


def test_table_alignment_survives_as_an_attribute():
    html = load(V).package.lessons[0].html
    assert '<th align="right">how</th>' in html and "style=" not in html


def test_zip_with_files_at_the_top_loads_too():
    assert load_package(zip_bytes(V, root="")).ok


def test_bom_and_crlf_are_normalised():
    files = {path: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") if path.endswith((".md", ".yaml")) else data
             for path, data in V.items()}
    result = load(files)
    assert result.ok
    assert "\r" not in result.package.lessons[0].source
    assert result.package.files["course.yaml"] == V["course.yaml"]


def test_notes_at_the_root_are_allowed():
    assert load({**V, "README.md": b"# Notes for authors\n"}).ok


def test_yaml_anchors_without_aliases_are_fine():
    assert load(edit(V, "basics/module.yaml", "id: basics", "id: &module basics")).ok


def test_a_choice_question_may_name_its_answer():
    files = edit(V, "basics/quiz.yaml", "        correct: true\n", "")
    files = edit(files, "basics/quiz.yaml", "    explanation: Leaves shade",
                 "    answer: trees\n    explanation: Leaves shade")
    single = load(files).package.quizzes[0].questions[0]
    assert [(c.id, c.correct) for c in single.choices] == [("trees", True), ("asphalt", False)]


def test_five_hundred_lessons_load(tmp_path):
    files = dict(V)
    modules = [f"part-{n:02d}" for n in range(50)]
    files["course.yaml"] = V["course.yaml"].replace(b"  - basics\n  - extras\n", b"  - basics\n  - extras\n" + b"".join(
        f"  - {module}\n".encode() for module in modules))
    body = "\n\n".join(f"## Section {n}\n\nSome **text** with [a link](01-l.md) and ![a tree](../assets/tree.png).\n\n"
                       "| a | b |\n| --- | --- |\n| 1 | 2 |" for n in range(8))
    for m, module in enumerate(modules):
        lessons = [f"{n:02d}-l.md" for n in range(1, 11)]
        files[f"{module}/module.yaml"] = (f"id: {module}\ntitle: Part {m}\nlessons:\n"
                                          + "".join(f"  - {name}\n" for name in lessons)).encode()
        for n, name in enumerate(lessons):
            files[f"{module}/{name}"] = f"---\nid: l-{m}-{n}\ntitle: Lesson {n}\nminutes: 5\n---\n{body}\n".encode()
        files[f"{module}/quiz.yaml"] = V["basics/quiz.yaml"].replace(b"id: basics-quiz", f"id: quiz-{m}".encode())
    result = load(files)  # how fast: bench/bench_import.py
    assert result.ok, result.problems[:3]
    assert len(result.package.lessons) == 503
