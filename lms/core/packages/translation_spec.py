"""The fields of the translations (`<stem>.<language>.<ext>` beside the source, see docs/course-packages.md): only
the texts; everything else (ids, order, answers, points, minutes, urls) comes from the source and may not be
repeated, so each spec names the source's structure keys for a specific message."""

from __future__ import annotations

from lms.core.packages.fields import ID, ONE_LINE, REFLECTION_LENGTH, TITLE_LENGTH, Field, Format, Kind, Spec, text

SOURCE_HASH = Format("source-hash", "'sha256:' and 64 hexadecimal digits, as `flask lms translations stamp` writes it",
                     pattern=r"sha256:[0-9a-f]{64}")


def _source_hash() -> Field:
    return Field("source_hash", Kind.TEXT, "Which version of the source this translates: the hash of the source's "
                 "texts, written by `flask lms translations stamp`, never by hand. Without it, or when the source "
                 "changed since, the translation is reported as stale.", format=SOURCE_HASH)


def _translated(name: str, description: str, *, required: bool = False, one_line: bool = False,
                markdown: bool = False) -> Field:
    if one_line:
        return Field(name, Kind.TEXT, description, required=required, format=ONE_LINE, max_length=TITLE_LENGTH)
    return Field(name, Kind.MARKDOWN if markdown else Kind.TEXT, description, required=required)


RESOURCE_TRANSLATION = Spec("resource_translation", "resource translation",
                            "A resource's texts, in the same position as in the source (its url is not translated).", (
    _translated("title", "The resource's title.", one_line=True),
    _translated("description", "The resource's description."),
), structure_keys=frozenset({"url"}))

SESSION_TRANSLATION = Spec("live_session_translation", "live session translation",
                           "A live session's texts, under the source's live session id.", (
    _translated("title", "The session's title.", one_line=True),
    _translated("description", "What happens in the session."),
), structure_keys=frozenset({"id", "duration_minutes"}))

COURSE_TRANSLATION = Spec("course_translation", "course translation", "The translated texts of course.yaml.",
                          title="course.<language>.yaml", fields=(
    _source_hash(),
    _translated("title", "Title of the course.", required=True, one_line=True),
    _translated("summary", "One or two sentences for the catalogue."),
    _translated("eligibility", "Who may apply (Markdown).", markdown=True),
    Field("resources", Kind.LIST, "The resources' texts: as many as the source has, in the same order.",
          items=RESOURCE_TRANSLATION, item_noun="resource"),
    Field("live_sessions", Kind.MAP, "The live sessions' texts, by the source's live session id.",
          spec=SESSION_TRANSLATION),
), structure_keys=frozenset({"slug", "version", "language", "languages", "authors", "licence", "estimated_hours",
                             "enrolment", "cover", "modules", "completion", "certificate", "cohorts"}))

MODULE_TRANSLATION = Spec("module_translation", "module translation", "The translated texts of a module.yaml.",
                          title="module.<language>.yaml", fields=(
    _source_hash(),
    _translated("title", "Title of the module.", required=True, one_line=True),
    _translated("summary", "One or two sentences about the module."),
), structure_keys=frozenset({"id", "required", "lessons"}))

LESSON_TRANSLATION_FRONT_MATTER = Spec(
    "lesson_translation", "front matter", "The front matter of a lesson's translation; the Markdown body follows.",
    title="Lesson translation front matter", fields=(
        _source_hash(),
        _translated("title", "Title of the lesson.", required=True, one_line=True),
        text("reflection", "The lesson's reflection question, when the source asks one.", format=ONE_LINE,
             max_length=REFLECTION_LENGTH),
    ), structure_keys=frozenset({"id", "minutes", "required", "reset_progress"}))

CHOICE_TRANSLATION = Spec("choice_translation", "choice translation",
                          "A choice's texts: same id and position as in the source, no `correct`.", (
    text("id", "The source choice's id.", required=True, format=ID),
    _translated("text", "The choice (inline Markdown).", required=True, markdown=True),
    _translated("feedback", "Shown next to the choice after submission."),
), structure_keys=frozenset({"correct"}))

QUESTION_TRANSLATION = Spec("question_translation", "question translation",
                            "A question's texts: same id and position as in the source. Its type, points and answer "
                            "come from the source.", (
    text("id", "The source question's id.", required=True, format=ID),
    _translated("prompt", "The question (Markdown).", required=True, markdown=True),
    _translated("explanation", "Shown after submission."),
    Field("choices", Kind.LIST, "single_choice and multiple_choice: the choices' texts, as many as the source has, "
          "in the same order, with the same ids.", items=CHOICE_TRANSLATION, item_noun="choice"),
    Field("accepted_answers", Kind.LIST, "short_answer only: the answers accepted in this language (the source's "
          "are accepted too).", min_items=1, items=text("answer", "An accepted answer."),
          item_noun="accepted answer"),
    _translated("feedback_correct", "true_false, short_answer and numeric: shown when the answer is correct."),
    _translated("feedback_incorrect", "true_false, short_answer and numeric: shown when the answer is wrong."),
), structure_keys=frozenset({"type", "points", "answer", "tolerance", "case_sensitive"}))

QUIZ_TRANSLATION = Spec("quiz_translation", "quiz translation", "The translated texts of a quiz.yaml.",
                        title="quiz.<language>.yaml", fields=(
    _source_hash(),
    _translated("title", "Title of the quiz.", required=True, one_line=True),
    Field("questions", Kind.LIST, "The questions' texts: as many as the source has, in the same order, with the "
          "same ids.", required=True, items=QUESTION_TRANSLATION, min_items=1, item_noun="question"),
), structure_keys=frozenset({"id", "pass_mark", "max_attempts", "shuffle_questions", "shuffle_choices",
                             "score_policy", "review"}))
