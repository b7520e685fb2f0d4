"""Translations beside their sources: layout, structure checks as file:line, freshness, coverage, the model."""

from __future__ import annotations

import pytest

from lms.core.packages.source_hashes import stamp_text
from lms.core.packages.translations import translation_name
from tests.core.packages.builders import edit, load, problems, valid_files

COURSE_ES = """title: Árboles urbanos para ciudades más frescas
summary: Cómo planifican, plantan y cuidan las ciudades el arbolado urbano.
eligibility: |
  Abierto al **personal de gobiernos locales**. Lea primero la [guía](assets/planting-guide.pdf).
"""

MODULE_ES = """title: Lo básico
summary: Por qué importa el arbolado y cómo elegirlo.
"""

LESSON_ES = """---
title: ¿Por qué árboles en la calle?
---
# ¿Por qué árboles en la calle?

Los árboles dan sombra y refrescan el aire.

![Una calle con árboles](../assets/tree.png "Árboles")
"""

QUIZ_ES = """title: Compruebe lo aprendido
questions:
  - id: shade
    prompt: ¿Qué refresca **más** una calle?
    choices:
      - id: trees
        text: Una hilera de árboles grandes
        feedback: Sí. La sombra y la evaporación enfrían el aire.
      - id: asphalt
        text: El `asfalto` oscuro
    explanation: Las hojas dan sombra a la calle.
  - id: benefits
    prompt: ¿Cuáles son beneficios del arbolado? Seleccione **todos** los que correspondan.
    choices:
      - id: shade
        text: Sombra
      - id: quiet
        text: Menos ruido del tráfico
      - id: parking
        text: Más plazas de aparcamiento
  - id: watering
    prompt: Los árboles jóvenes necesitan riego en sus primeros veranos.
    feedback_correct: Correcto.
  - id: oak-family
    prompt: ¿A qué familia de plantas pertenecen los robles?
    accepted_answers:
      - fagáceas
  - id: spacing
    prompt: ¿A cuántos metros deben plantarse los árboles grandes?
"""


def translated(**extra: str) -> dict[str, bytes]:
    files = edit(valid_files(), "course.yaml", "language: en\n", "languages: [en, es, fr]\n")
    texts = {"course.es.yaml": COURSE_ES, "basics/module.es.yaml": MODULE_ES, "basics/01-why-trees.es.md": LESSON_ES,
             "basics/quiz.es.yaml": QUIZ_ES, **extra}
    return {**files, **{path: text.encode("utf-8") for path, text in texts.items()}}


def stamped(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files with every translation stamped against the current source, as `translations stamp` does."""
    result = load(files)
    files = dict(files)
    for file in result.translation_files:
        kind = translation_name(file.path).kind
        files[file.path] = stamp_text(files[file.path].decode(), kind, file.current_hash).encode()
    return files


def test_a_package_with_translations_loads_them_with_the_source_structure():
    result = load(stamped(translated()))
    assert result.ok, result.problems
    package = result.package
    assert package.language == "en" and package.languages == ("en", "es", "fr")
    lesson = package.translation("es", "lesson", "why-trees")
    assert lesson.title == "¿Por qué árboles en la calle?" and "refrescan el aire" in lesson.html
    assert 'src="assets/tree.png"' in lesson.html  # links rewritten as the source's
    assert package.translation("es", "module", "basics").title == "Lo básico"
    course = package.translation("es", "course")
    assert "personal de gobiernos locales" in course.html
    assert [r.url for r in course.resources] == [r.url for r in package.resources]  # urls are never translated
    quiz = package.quiz_in(package.quizzes[0], "es")
    source = package.quizzes[0]
    assert quiz.title == "Compruebe lo aprendido"
    assert [q.id for q in quiz.questions] == [q.id for q in source.questions]
    assert [c.correct for c in quiz.questions[0].choices] == [c.correct for c in source.questions[0].choices]
    assert quiz.content_hash == source.content_hash  # passes do not depend on the language
    assert quiz.questions[3].accepted_answers == ("fagáceas", "beech family", "Fagaceae")
    assert quiz.questions[1].explanation == source.questions[1].explanation  # left out: the source's text
    assert package.quiz_in(source, "fr") is source and package.quiz_in(source, None) is source
    assert result.warnings == ()


def test_coverage_says_how_complete_each_language_is():
    result = load(stamped(translated()))
    es, fr = result.coverage
    assert (es.language, es.translated, es.total, es.stale) == ("es", 4, 7, ())
    assert es.missing == ("basics/02-choosing-species.md", "extras/module.yaml", "extras/01-further-reading.md")
    assert (fr.translated, fr.complete) == (0, False)


def test_unstamped_and_outdated_translations_are_stale_warnings_not_errors():
    files = stamped(translated())
    files = {**files, "basics/module.es.yaml": MODULE_ES.encode()}  # never stamped
    files = edit(files, "basics/01-why-trees.md", "cool the air around them.", "cool the air.")
    result = load(files)
    assert result.ok
    warnings = [str(w) for w in result.warnings]
    assert warnings == [
        "basics/01-why-trees.es.md:2: stale translation: basics/01-why-trees.md changed since it was translated; "
        "update the translation, then run: flask lms translations stamp PACKAGE_DIR",
        "basics/module.es.yaml:1: stale translation: it has no source_hash, so nothing says which text of "
        "basics/module.yaml it translates; once it matches the source, run: flask lms translations stamp "
        "PACKAGE_DIR",
    ]
    assert result.package.translation("es", "lesson", "why-trees").stale
    assert set(result.coverage[0].stale) == {"basics/01-why-trees.es.md", "basics/module.es.yaml"}


def test_a_change_outside_the_texts_does_not_make_a_translation_stale():
    files = stamped(translated())
    files = edit(files, "basics/01-why-trees.md", "minutes: 10", "minutes: 12")
    files = edit(files, "basics/quiz.yaml", "pass_mark: 60", "pass_mark: 70")
    assert load(files).warnings == ()


def test_translation_into_an_undeclared_language_is_an_error():
    files = {**translated(), "basics/01-why-trees.de.md": LESSON_ES.encode()}
    assert "basics/01-why-trees.de.md: translation into 'de', a language course.yaml does not declare (its " \
           "translation languages: es, fr); add it to languages, or remove the file" in problems(files)


def test_translation_of_a_missing_source_is_an_error():
    files = {**translated(), "basics/03-pruning.es.md": LESSON_ES.encode()}
    assert "basics/03-pruning.es.md: translation of basics/03-pruning.md, which is not in the package; rename it " \
           "after its source, or remove it" in problems(files)


def test_translation_into_the_source_language_is_an_error():
    files = {**translated(), "basics/module.en.yaml": MODULE_ES.encode()}
    assert any(p.startswith("basics/module.en.yaml: 'en' is the source language") for p in problems(files))


def test_a_quiz_translation_that_reorders_or_drops_questions_is_an_error_at_its_line():
    quiz = QUIZ_ES.replace("  - id: shade\n    prompt: ¿Qué", "  - id: shade-x\n    prompt: ¿Qué", 1)
    found = problems(translated(**{"basics/quiz.es.yaml": quiz}))
    assert "basics/quiz.es.yaml:3: question 'shade-x' is not in the source quiz (its questions are shade, " \
           "benefits, watering, oak-family, spacing); a translation keeps the source's ids, never adds a question" \
           in found
    assert "basics/quiz.es.yaml:2: the translation drops question 'shade' of the source quiz; translate every " \
           "question" in found


def test_a_quiz_translation_that_reorders_choices_is_an_error():
    quiz = QUIZ_ES.replace("      - id: trees\n", "      - id: asphaltX\n").replace(
        "      - id: asphalt\n", "      - id: trees\n").replace("      - id: asphaltX\n", "      - id: asphalt\n")
    found = problems(translated(**{"basics/quiz.es.yaml": quiz}))
    assert "basics/quiz.es.yaml:6: choice 'asphalt' is choice 1 here but choice 2 in the source's question " \
           "'shade'; keep the source's order" in found


def test_a_quiz_translation_may_not_add_a_choice():
    quiz = QUIZ_ES.replace("        text: Más plazas de aparcamiento\n",
                           "        text: Más plazas de aparcamiento\n      - id: birds\n        text: Pájaros\n")
    found = problems(translated(**{"basics/quiz.es.yaml": quiz}))
    assert any(p.startswith("basics/quiz.es.yaml:21: choice 'birds' is not in the source's question 'benefits'")
               for p in found), found


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("        feedback: Sí. La sombra", "        correct: true\n        feedback: Sí. La sombra",
     "basics/quiz.es.yaml:8: 'correct' is not translated: a translation holds only texts, and the source gives "
     "'correct'; remove it"),
    ("  - id: spacing\n", "  - id: spacing\n    answer: 12\n",
     "basics/quiz.es.yaml:29: 'answer' is not translated: a translation holds only texts, and the source gives "
     "'answer'; remove it"),
    ("  - id: watering\n", "  - id: watering\n    points: 3\n",
     "basics/quiz.es.yaml:22: 'points' is not translated: a translation holds only texts, and the source gives "
     "'points'; remove it"),
    ("    prompt: ¿A cuántos metros deben plantarse los árboles grandes?\n",
     "    prompt: ¿A cuántos metros deben plantarse los árboles grandes?\n    accepted_answers: [diez]\n",
     "basics/quiz.es.yaml:30: 'accepted_answers' of question 'spacing' (numeric in the source): a numeric "
     "question's answer and tolerance are the source's, the same in every language; remove it"),
])
def test_structure_in_a_quiz_translation_is_an_error(old, new, expected):
    assert expected in problems(translated(**{"basics/quiz.es.yaml": QUIZ_ES.replace(old, new, 1)}))


def test_structure_in_a_lesson_translation_is_an_error():
    lesson = LESSON_ES.replace("---\ntitle:", "---\nminutes: 5\ntitle:", 1)
    assert "basics/01-why-trees.es.md:2: 'minutes' is not translated: a translation holds only texts, and the " \
           "source gives 'minutes'; remove it" in problems(translated(**{"basics/01-why-trees.es.md": lesson}))


def test_a_broken_link_in_a_translation_is_an_error_at_its_line():
    lesson = LESSON_ES.replace("../assets/tree.png", "../assets/arbol.png")
    assert "basics/01-why-trees.es.md:8: image '../assets/arbol.png' does not exist: assets/arbol.png is not in " \
           "the package" in problems(translated(**{"basics/01-why-trees.es.md": lesson}))


def test_a_course_translation_must_translate_every_resource_in_order():
    course = COURSE_ES + "resources:\n  - title: Guía\n"
    found = problems(translated(**{"course.es.yaml": course}))
    assert any(p.startswith("course.es.yaml:5: lists 1 resource but the source lists") for p in found), found


def test_a_course_translation_names_live_sessions_by_the_source_ids():
    course = COURSE_ES + "live_sessions:\n  kickoff:\n    title: Inicio\n"
    found = problems(translated(**{"course.es.yaml": course}))
    assert any(p.startswith("course.es.yaml:6: live session 'kickoff' is not in the source") for p in found), found


def test_language_and_languages_must_agree():
    files = edit(valid_files(), "course.yaml", "language: en\n", "language: es\nlanguages: [en, es, es]\n")
    found = problems(files)
    assert "course.yaml:5: language 'es' is not the first of languages (en), which is the source language; remove " \
           "'language' or make them agree" in found
    assert "course.yaml:6: language 'es' is listed twice (first at line 6)" in found


def test_a_course_without_any_language_is_an_error():
    files = edit(valid_files(), "course.yaml", "language: en\n", "")
    assert "course.yaml:1: course is missing required key 'language' (or 'languages')" in problems(files)


def test_stamp_changes_only_the_source_hash_line():
    yaml_text = "# Notes for translators\ntitle: Lo básico  # keep short\nsource_hash: sha256:old\nsummary: x\n"
    assert stamp_text(yaml_text, "module", "sha256:new") == \
        "# Notes for translators\ntitle: Lo básico  # keep short\nsource_hash: sha256:new\nsummary: x\n"
    assert stamp_text("# Notes\n\ntitle: A\n", "module", "sha256:new") == \
        "# Notes\n\nsource_hash: sha256:new\ntitle: A\n"
    lesson = "---\ntitle: A\n---\nsource_hash: in the body stays\n"
    assert stamp_text(lesson, "lesson", "sha256:new") == "---\nsource_hash: sha256:new\ntitle: A\n---\n" \
                                                         "source_hash: in the body stays\n"
    assert stamp_text("---\r\nsource_hash: x\r\ntitle: A\r\n---\r\nBody\r\n", "lesson", "sha256:n") == \
        "---\r\nsource_hash: sha256:n\r\ntitle: A\r\n---\r\nBody\r\n"
    assert stamp_text("No front matter\n", "lesson", "sha256:n") is None


def test_the_example_package_exercises_translations():
    from pathlib import Path

    from lms.core.packages import load_package

    result = load_package(Path(__file__).resolve().parents[3] / "courses" / "example-all-features")
    assert result.ok and result.warnings == ()
    assert {t.kind for t in result.package.translations} == {"course", "module", "lesson", "quiz"}


def test_the_diff_counts_translation_changes_and_stale_translations_per_language():
    from lms.core.packages.diff import translation_changes

    old = load(stamped(translated())).package
    files = stamped(translated())
    files = edit(files, "basics/01-why-trees.md", "cool the air around them.", "cool the air.")  # es now stale
    files = edit(files, "basics/module.es.yaml", "title: Lo básico", "title: Lo esencial")
    files.pop("basics/quiz.es.yaml")
    new = load(files).package
    [spanish] = translation_changes(old, new)  # French has no translation and no change: left out
    assert (spanish.added, spanish.removed, spanish.changed) == ((), ("quiz:basics-quiz",), ("module:basics",))
    assert spanish.stale == ("lesson:why-trees",)  # the module's translation changed, its source did not
    assert spanish.summary_line() == ("es: 1 quiz removed, 1 module changed, 1 translation stale.")
