"""A package's translations made ready to serve: their Markdown rendered (links and images checked as in the source)
and each built into its model, texts resolved against the built source package."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace

from lms.core.packages.model import Choice, Package, Problem, Question, Quiz, Resource, SessionTemplate, Translation
from lms.core.packages.render import MarkdownRenderer
from lms.core.packages.translations import ParsedTranslation
from lms.core.packages.validate import Record
from lms.core.packages.video_place import render_lesson_body


def render_translations(translations: Iterable[ParsedTranslation], renderer: MarkdownRenderer,
                        lessons_with_video: Collection[str], problems: list[Problem]) -> None:
    """Render every translated Markdown text; links and images are checked as in the source (same folder), and a
    lesson's video may be placed in its text where its source lesson (a path in ``lessons_with_video``) has one."""
    for translation in translations:
        record, path = translation.record, translation.name.path
        if translation.name.kind == "lesson":
            translation.html = {"body": render_lesson_body(
                renderer, translation.body, file=path, line=translation.body_line,
                has_video=translation.name.source_path in lessons_with_video, problems=problems)}
        if record is None:
            continue
        if translation.name.kind == "course" and record.get("eligibility"):
            record.html["eligibility"] = renderer.block(record.get("eligibility"), file=path,
                                                        line=record.line_of("eligibility"), problems=problems,
                                                        exact_lines=False)
        for question in record.get("questions", []) if translation.name.kind == "quiz" else []:
            if question.has("prompt"):
                question.html["prompt"] = renderer.block(question.get("prompt"), file=path,
                                                         line=question.line_of("prompt"), problems=problems,
                                                         exact_lines=False)
            for choice in question.get("choices", []):
                if choice.has("text"):
                    choice.html["text"] = renderer.inline(choice.get("text"), file=path, line=choice.line_of("text"),
                                                          problems=problems)


def build_translations(translations: Iterable[ParsedTranslation], package: Package) -> tuple[Translation, ...]:
    """The model of every translation, its texts resolved against the built source (``package``)."""
    modules = {m.id: m for m in package.modules}
    lessons = {lesson.id: lesson for lesson in package.lessons}
    quizzes = {quiz.id: quiz for quiz in package.quizzes}
    built = []
    for t in sorted(translations, key=lambda t: t.name.path):
        record = t.record
        assert record is not None  # an unreadable translation is a problem, and then nothing is built
        common = {"language": t.name.language, "kind": t.name.kind, "key": t.key, "path": t.name.path,
                  "source_path": t.name.source_path, "recorded_hash": t.recorded_hash, "current_hash": t.current_hash,
                  "title": record.get("title")}
        if t.name.kind == "course":
            built.append(Translation(**common, summary=record.get("summary", package.summary),
                                     body=record.get("eligibility", package.eligibility),
                                     html=record.html.get("eligibility", package.eligibility_html),
                                     resources=_resources(record, package.resources),
                                     live_sessions=_sessions(record, package.live_sessions)))
        elif t.name.kind == "module":
            built.append(Translation(**common, summary=record.get("summary", modules[t.key].summary)))
        elif t.name.kind == "lesson":
            assert t.key in lessons and t.html is not None
            built.append(Translation(**common, body=t.body, html=t.html["body"],
                                     reflection=record.get("reflection", lessons[t.key].reflection)))
        else:
            built.append(Translation(**common, quiz=_quiz(record, quizzes[t.key])))
    return tuple(built)


def _resources(record: Record, resources: tuple[Resource, ...]) -> tuple[Resource, ...]:
    texts: list[Record] = record.get("resources") or []
    return tuple(replace(resource, title=texts[i].get("title", resource.title),
                         description=texts[i].get("description", resource.description)) if i < len(texts) else resource
                 for i, resource in enumerate(resources))


def _sessions(record: Record, sessions: tuple[SessionTemplate, ...]) -> tuple[SessionTemplate, ...]:
    texts: dict[str, Record] = record.get("live_sessions") or {}
    return tuple(replace(session, title=texts[session.id].get("title", session.title),
                         description=texts[session.id].get("description", session.description))
                 if session.id in texts else session for session in sessions)


def _quiz(record: Record, quiz: Quiz) -> Quiz:
    texts = {q.get("id"): q for q in record.get("questions", [])}
    return replace(quiz, title=record.get("title"), questions=tuple(_question(texts[q.id], q) for q in quiz.questions))


def _question(text: Record, question: Question) -> Question:
    choices = {c.get("id"): c for c in text.get("choices", [])}
    # Accepted answers: the translation's, then the source's (a proper name or a technical term typed as in the
    # source is right in every language); grading is otherwise the source's (docs/course-packages.md).
    accepted = tuple(dict.fromkeys((*text.get("accepted_answers", []), *question.accepted_answers)))
    return replace(
        question,
        prompt=text.get("prompt"), prompt_html=text.html.get("prompt", ""),
        explanation=text.get("explanation", question.explanation),
        feedback_correct=text.get("feedback_correct", question.feedback_correct),
        feedback_incorrect=text.get("feedback_incorrect", question.feedback_incorrect),
        accepted_answers=accepted,
        choices=tuple(_choice(choices[c.id], c) for c in question.choices),
    )


def _choice(text: Record, choice: Choice) -> Choice:
    return replace(choice, text=text.get("text"), html=text.html.get("text", ""),
                   feedback=text.get("feedback", choice.feedback))
