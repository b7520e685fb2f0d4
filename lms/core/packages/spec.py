"""The fields of every manifest, declared once.

The validator (validate.py) walks these definitions to check a file, and schema.py turns the same definitions into
JSON Schemas for editors, so the two can never disagree. docs/course-packages.md describes the same fields in prose.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from lms.core import session_links


class Kind(Enum):
    TEXT = "text"
    MARKDOWN = "markdown"  # text that is rendered; validated like TEXT
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"
    OBJECT = "object"
    MAP = "map"  # a mapping from ids (the keys) to objects of one spec (``spec``): a translation's live sessions


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _suggest_timezone(value: str) -> str | None:
    matches = difflib.get_close_matches(value, _timezones(), n=1, cutoff=0.8)
    return matches[0] if matches else None


def _parse_timezone(value: str) -> str:
    if value not in _timezones():
        raise ValueError(value)
    return value


def _parse_local_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class Format:
    """A kind of text with a shape: checked by ``pattern`` (anchored) and then by ``parse``, which converts the text
    and raises ValueError when it is not a real value (30 February, an unknown time zone)."""

    name: str
    phrase: str  # completes "must be …"
    pattern: str | None = None  # regex without anchors, valid in Python and in ECMA-262 (JSON Schema)
    json_format: str | None = None  # JSON Schema "format" annotation
    parse: Callable[[str], Any] | None = None
    suggest: Callable[[str], str | None] | None = None

    def matches(self, value: str) -> bool:
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None


_SEMVER_ID = r"(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
# semver.org's regular expression, with [0-9] for \d so that it means the same in Python and in JSON Schema.
SEMVER = Format(
    "semver", "a semantic version such as 1.2.0 (MAJOR.MINOR.PATCH)",
    pattern=(rf"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
             rf"(?:-{_SEMVER_ID}(?:\.{_SEMVER_ID})*)?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?"),
)
ID = Format("id", "lowercase letters, digits and '-' (at most 64, such as 'module-1')",
            pattern=r"[a-z0-9][a-z0-9-]{0,63}")
LANGUAGE = Format("language", "a language code such as en, es or pt-BR", pattern=r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
DATE = Format("date", "a date such as 2030-03-04 (YYYY-MM-DD)", pattern=r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
              json_format="date", parse=date.fromisoformat)
LOCAL_DATETIME = Format(
    "local-datetime", "a local date and time such as 2030-03-04T16:00 (YYYY-MM-DDTHH:MM)",
    pattern=r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?", parse=_parse_local_datetime,
)
TIMEZONE = Format("timezone", "an IANA time zone name such as Europe/Madrid", pattern=r"[A-Za-z0-9_+/-]+",
                  parse=_parse_timezone, suggest=_suggest_timezone)
HTTP_URL = Format("http-url", "an http:// or https:// address", pattern=session_links.HTTP_URL_PATTERN,
                  json_format="uri")
RESOURCE_URL = Format("resource-url", "an http:// or https:// address or a path under assets/",
                      pattern=rf"(?:{session_links.HTTP_URL_PATTERN}|assets/[A-Za-z0-9._/-]+)")
COVER_IMAGE = Format("cover-image", "a PNG, JPEG, SVG or WebP file under assets/, such as assets/cover.jpg",
                     pattern=r"assets/[A-Za-z0-9._/-]+\.(?:png|jpe?g|svg|webp)")
# Titles and names become page titles, headings, certificate lines and e-mail subjects: one line, whitespace collapsed
# as the staff forms collapse it (a line break would make a mail subject, and so the mail, fail).
# Longest values, the sizes of the database columns they are stored in (a test checks that they agree).
TITLE_LENGTH, NAME_LENGTH, URL_LENGTH, VERSION_LENGTH, LANGUAGE_LENGTH = 300, 200, 500, 64, 16

ONE_LINE = Format("one-line", "one line of text", parse=lambda value: " ".join(value.split()))
FOLDER_NAME = Format("folder-name", "a folder name of letters, digits, '-', '_' and '.'",
                     pattern=r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
LESSON_FILE = Format("lesson-file", "a Markdown file name in the module's folder, such as 01-intro.md",
                     pattern=r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.md")


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    description: str
    required: bool = False
    default: Any = None  # used when the key is absent; None means "no default"
    enum: tuple[str, ...] = ()
    format: Format | None = None
    minimum: float | None = None
    exclusive_minimum: float | None = None
    maximum: float | None = None
    min_items: int = 0
    items: Field | Spec | None = None  # LIST: what each item is
    spec: Spec | None = None  # OBJECT
    item_noun: str = "item"  # LIST: used in "must list at least one …"
    non_empty: bool = True  # TEXT: blank text is refused
    max_length: int | None = None  # TEXT: most characters (after the format's clean-up); the database column's size
    names_choices: bool = False  # a choice question's ``answer``: numbers there are positions, which it does not take


@dataclass(frozen=True)
class Variants:
    """Fields that depend on the value of another field (a question's ``type``)."""

    discriminator: str
    cases: dict[str, tuple[Field, ...]]

    def owners(self, key: str) -> list[str]:
        return [case for case, fields in self.cases.items() if any(f.name == key for f in fields)]


@dataclass(frozen=True)
class Spec:
    name: str  # key in the JSON Schema's $defs
    noun: str  # in messages: "<noun> is missing required key 'x'"
    description: str
    fields: tuple[Field, ...]
    variants: Variants | None = None
    title: str = ""  # for the specs of whole documents: the JSON Schema's title
    # Keys of the source that a translation must not repeat (structure is never translated): a specific message.
    structure_keys: frozenset[str] = frozenset()
    # Groups of keys of which at least one must be given (course.yaml: `language` or `languages`).
    one_of_required: tuple[tuple[str, ...], ...] = ()
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    def lookup(self, name: str) -> Field | None:
        return self._by_name.get(name)

    def fields_for(self, case: str | None) -> tuple[Field, ...]:
        if self.variants is None or case not in self.variants.cases:
            return self.fields
        return self.fields + self.variants.cases[case]

    def all_names(self) -> list[str]:
        names = [f.name for f in self.fields]
        if self.variants:
            for fields in self.variants.cases.values():
                names.extend(f.name for f in fields if f.name not in names)
        return names


def _text(name: str, description: str, **options: Any) -> Field:
    return Field(name, Kind.TEXT, description, **options)


def _optional_text(name: str, description: str) -> Field:
    return Field(name, Kind.TEXT, description, default="", non_empty=False)


def _flag(name: str, description: str, default: bool) -> Field:
    return Field(name, Kind.BOOLEAN, description, default=default)


# course.yaml

PERSON = Spec("author", "author", "A person or organisation who wrote the course.", (
    _text("name", "Name of the person or organisation.", required=True, format=ONE_LINE,
          max_length=NAME_LENGTH),
    _optional_text("organisation", "The organisation the author belongs to."),
))

ISSUER = Spec("issuer", "issuer", "An organisation that issues the certificate.", (
    _text("name", "Name of the issuing organisation.", required=True, format=ONE_LINE, max_length=NAME_LENGTH),
    Field("url", Kind.TEXT, "The issuer's web site.", default="", format=HTTP_URL, max_length=URL_LENGTH),
))

RESOURCE = Spec("resource", "resource", "A further resource listed on the course page.", (
    _text("title", "What the learner sees.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    _text("url", "An http(s):// address, or a path under assets/ of a file in the package.", required=True,
          format=RESOURCE_URL, max_length=URL_LENGTH),
    _optional_text("description", "One or two sentences about the resource."),
))

SESSION_TEMPLATE = Spec("live_session", "live session", "A kind of live session; cohorts schedule it.", (
    _text("id", "Stable id; cohort sessions name it in `template`.", required=True, format=ID),
    _text("title", "Title of the session.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    _optional_text("description", "What happens in the session."),
    Field("duration_minutes", Kind.INTEGER, "Usual length in minutes.", default=120, exclusive_minimum=0),
))

COHORT_SESSION = Spec("cohort_session", "cohort session", "One scheduled live session of a cohort.", (
    _text("template", "The `id` of a `live_sessions` entry.", required=True, format=ID),
    _text("starts_at", "Local date and time in the cohort's time zone.", required=True, format=LOCAL_DATETIME),
    _text("ends_at", "Local date and time in the cohort's time zone.", required=True, format=LOCAL_DATETIME),
    Field("join_url", Kind.TEXT, "Address of the video call.", default="", format=HTTP_URL,
          max_length=URL_LENGTH),
))

COHORT_ENROLMENTS = ("open", "application", "invite")
# Which cohort enrolments each course enrolment allows (lms.core.packages.crosscheck checks it).
COHORT_ENROLMENTS_FOR_COURSE = {"open": ("open", "invite"), "application": ("application", "invite"),
                                "invite": ("invite",)}

COHORT = Spec("cohort", "cohort", "A run of the course with dates, declared by the package.", (
    _text("id", "Stable cohort id.", required=True, format=ID),
    _text("name", "Name shown to learners.", required=True, format=ONE_LINE, max_length=NAME_LENGTH),
    _text("timezone", "IANA time zone of the cohort's dates and times.", required=True, format=TIMEZONE),
    _text("applications_open", "When applications open (local date and time).", format=LOCAL_DATETIME),
    _text("application_deadline", "When applications close (local date and time).", format=LOCAL_DATETIME),
    _text("starts_on", "First day of the cohort.", required=True, format=DATE),
    _text("ends_on", "Last day of the cohort.", required=True, format=DATE),
    _text("enrolment", "How learners get into this cohort. open: every learner who enrols in the (open) course "
          "while the cohort takes people (from applications_open, or publishing, until application_deadline, or the "
          "cohort's end) joins it and can study only from starts_on; invite: staff add learners; application: "
          "learners apply. Required in an open course; default: the course's enrolment.",
          enum=COHORT_ENROLMENTS),
    Field("capacity", Kind.INTEGER, "Most learners admitted; no limit when absent.", minimum=1),
    Field("sessions", Kind.LIST, "The cohort's live sessions.", default=(), items=COHORT_SESSION,
          item_noun="session"),
))

COMPLETION = Spec("completion", "completion", "What a learner must do to complete the course.", (
    Field("required_modules", Kind.LIST, "Module ids that must be completed; default: every module with "
          "`required: true`.", items=_text("module", "A module id.", format=ID), item_noun="module id"),
    Field("min_sessions_attended", Kind.INTEGER, "Live sessions a learner must attend.", default=0, minimum=0),
))

CERTIFICATE = Spec("certificate", "certificate", "The certificate learners get when they complete the course.", (
    _flag("enabled", "Whether completing the course earns a certificate.", True),
    Field("issuers", Kind.LIST, "Who issues the certificate; at least one when enabled.", default=(), items=ISSUER,
          item_noun="issuer"),
    Field("hours", Kind.NUMBER, "Hours of training the certificate states; default: `estimated_hours`.",
          exclusive_minimum=0),
))

COVER = Spec("cover", "cover", "The course's picture on its catalogue card and course page.", (
    _text("image", "The picture: a PNG, JPEG, SVG or WebP file under assets/.", required=True, format=COVER_IMAGE),
    _text("alt", "What the picture shows, for people who cannot see it (required: an image without it is an "
          "accessibility failure).", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
))

COURSE = Spec("course", "course", "The course's identity, modules, rules, resources and cohorts.", title="course.yaml",
              fields=(
    _text("slug", "The course's permanent identifier, used in URLs.", required=True, format=ID),
    _text("title", "Title of the course.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    _text("version", "Semantic version; each import of changed content needs a higher one.", required=True,
          format=SEMVER, max_length=VERSION_LENGTH),
    _text("summary", "One or two sentences for the catalogue.", required=True),
    _text("language", "Language of a course in one language, such as en, es or ko (or use `languages`).",
          format=LANGUAGE, max_length=LANGUAGE_LENGTH),
    Field("languages", Kind.LIST, "The course's languages; the first is the source, the others have translation "
          "files (`<stem>.<language>.<ext>`) beside the source files.", min_items=1,
          items=_text("language", "A language code.", format=LANGUAGE, max_length=LANGUAGE_LENGTH),
          item_noun="language"),
    Field("authors", Kind.LIST, "Who wrote the course.", required=True, items=PERSON, min_items=1,
          item_noun="author"),
    _text("licence", "Licence of the content, an SPDX id such as CC-BY-4.0.", required=True),
    Field("estimated_hours", Kind.NUMBER, "Estimated study time in hours.", required=True, exclusive_minimum=0),
    _text("enrolment", "How learners get in.", default="open", enum=("open", "application", "invite")),
    Field("eligibility", Kind.MARKDOWN, "Who may apply (Markdown); shown above the application form.", default="",
          non_empty=False),
    Field("cover", Kind.OBJECT, COVER.description, spec=COVER),
    Field("modules", Kind.LIST, "The module folders, in order.", required=True, min_items=1,
          items=_text("module", "A module folder name.", format=FOLDER_NAME), item_noun="module folder"),
    Field("completion", Kind.OBJECT, COMPLETION.description, spec=COMPLETION),
    Field("certificate", Kind.OBJECT, CERTIFICATE.description, spec=CERTIFICATE),
    Field("resources", Kind.LIST, "Further resources.", default=(), items=RESOURCE, item_noun="resource"),
    Field("live_sessions", Kind.LIST, "Templates of live sessions that cohorts schedule.", default=(),
          items=SESSION_TEMPLATE, item_noun="live session"),
    Field("cohorts", Kind.LIST, "Runs of the course declared by the package.", default=(), items=COHORT,
          item_noun="cohort"),
), one_of_required=(("language", "languages"),))

# module.yaml

MODULE = Spec("module", "module", "A module's id, title and lessons in order.", title="module.yaml", fields=(
    _text("id", "Stable module id.", required=True, format=ID),
    _text("title", "Title of the module.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    _optional_text("summary", "One or two sentences about the module."),
    _flag("required", "Whether the module counts towards course completion.", True),
    Field("lessons", Kind.LIST, "The lesson files in this folder, in order.", required=True, min_items=1,
          items=_text("lesson", "A lesson file name.", format=LESSON_FILE), item_noun="lesson file"),
))

# Lesson front matter

ASSET_PATH = Format("asset-path", "a path under assets/, such as assets/intro.mp4",
                    pattern=r"assets/[A-Za-z0-9._/-]+")
CAPTIONS = Spec("captions", "captions", "Captions of the video in one language (a WebVTT file).", (
    _text("language", "The language of the captions, one of the course's languages.", required=True,
          format=LANGUAGE),
    _text("file", "The WebVTT (.vtt) file under assets/.", required=True, format=ASSET_PATH),
))
VIDEO = Spec("video", "video", "The lesson's video, shown above its text: a file of the package or an external "
              "player on a host the site allows, with captions, chapters and a poster.", (
    _text("file", "An MP4 (H.264/AAC) or WebM video under assets/.", format=ASSET_PATH),
    _text("url", "The address of an external player (https://) on a host the site allows, such as "
          "https://www.youtube-nocookie.com/embed/ID.", format=HTTP_URL, max_length=URL_LENGTH),
    _text("poster", "An image under assets/ shown before the video plays.", format=ASSET_PATH),
    Field("captions", Kind.LIST, "Captions, one WebVTT file per language.", items=CAPTIONS,
          item_noun="captions file"),
    _text("chapters", "A WebVTT file under assets/ whose cues are the video's chapters.", format=ASSET_PATH),
    _optional_text("no_captions_reason", "Why the video needs no captions in the course's language (no speech, "
                   "for instance); without it, those captions are required."),
))

LESSON_FRONT_MATTER = Spec("lesson", "front matter", "The YAML front matter at the top of a lesson file.",
                           title="Lesson front matter", fields=(
    _text("id", "Stable lesson id, unique in the package.", required=True, format=ID),
    _text("title", "Title of the lesson.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    Field("minutes", Kind.INTEGER, "Estimated study time in minutes; required unless the lesson has a video file, "
          "whose length is then used.", exclusive_minimum=0),
    _flag("required", "Whether the lesson counts towards module completion.", True),
    _flag("reset_progress", "When this version is published, learners who completed the lesson in an earlier "
          "version must do it again.", False),
    Field("video", Kind.OBJECT, "The lesson's video.", spec=VIDEO),
))

# quiz.yaml

CHOICE = Spec("choice", "choice", "One choice of a single_choice or multiple_choice question.", (
    _text("id", "Stable choice id, unique in the question.", required=True, format=ID),
    Field("text", Kind.MARKDOWN, "The choice (inline Markdown).", required=True),
    _flag("correct", "Whether this choice is correct.", False),
    _optional_text("feedback", "Shown next to the choice after submission."),
))

_FEEDBACK = (
    _optional_text("feedback_correct", "Shown after submission when the answer is correct."),
    _optional_text("feedback_incorrect", "Shown after submission when the answer is wrong."),
)


def _choices(minimum: int) -> Field:
    return Field("choices", Kind.LIST, "The choices, in order.", required=True, items=CHOICE, min_items=minimum,
                 item_noun="choice")


QUESTION_TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer", "numeric")

QUESTION = Spec(
    "question", "question", "One question of a quiz; the keys after `type` depend on the type.",
    (
        _text("id", "Stable question id, unique in the quiz.", required=True, format=ID),
        _text("type", "The question type.", required=True, enum=QUESTION_TYPES),
        Field("prompt", Kind.MARKDOWN, "The question (Markdown).", required=True),
        Field("points", Kind.NUMBER, "Points the question is worth.", default=1.0, exclusive_minimum=0),
        _optional_text("explanation", "Shown after submission."),
    ),
    Variants("type", {
        "single_choice": (
            _choices(2),
            _text("answer", "The id of the correct choice, instead of `correct: true` on it.", format=ID,
                  names_choices=True),
        ),
        "multiple_choice": (
            _choices(2),
            Field("answer", Kind.LIST, "The ids of the correct choices, instead of `correct: true` on them.",
                  items=_text("choice", "A choice id.", format=ID), min_items=1, item_noun="choice id",
                  names_choices=True),
        ),
        "true_false": (
            Field("answer", Kind.BOOLEAN, "The correct answer: true or false.", required=True),
            *_FEEDBACK,
        ),
        "short_answer": (
            Field("accepted_answers", Kind.LIST, "Answers that are accepted.", required=True, min_items=1,
                  items=_text("answer", "An accepted answer."), item_noun="accepted answer"),
            _flag("case_sensitive", "Whether case matters when comparing answers.", False),
            *_FEEDBACK,
        ),
        "numeric": (
            Field("answer", Kind.NUMBER, "The correct number.", required=True),
            Field("tolerance", Kind.NUMBER, "Largest accepted difference from `answer`.", default=0.0, minimum=0),
            *_FEEDBACK,
        ),
    }),
)

REVIEW_TIMES = ("always", "after_passing", "after_last_attempt", "after_passing_or_last_attempt", "never")


def _review_time(name: str, description: str, default: str) -> Field:
    return _text(name, f"{description} When: always, after_passing (once the learner passed the quiz), "
                       "after_last_attempt (once no attempt remains), after_passing_or_last_attempt, or never.",
                 default=default, enum=REVIEW_TIMES)


REVIEW = Spec("review", "review", "What learners see when they review a submitted attempt, and when. The defaults "
              "never show the answer key while the learner can still try again.", (
    _review_time("score", "The points and percentages of the attempt (passed or not is always shown).", "always"),
    _review_time("correctness", "Which answers were right, partly right or wrong.", "always"),
    _review_time("feedback", "The feedback written for the answers given.", "always"),
    _review_time("correct_answers", "The correct answers.", "after_passing_or_last_attempt"),
    _review_time("explanations", "The questions' explanations (they usually name the answer).",
                 "after_passing_or_last_attempt"),
))

QUIZ = Spec("quiz", "quiz", "A module's quiz: its settings and questions.", title="quiz.yaml", fields=(
    _text("id", "Stable quiz id, unique in the package.", required=True, format=ID),
    _text("title", "Title of the quiz.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    Field("pass_mark", Kind.NUMBER, "Percentage of the points needed to pass.", default=70.0, minimum=0, maximum=100),
    Field("max_attempts", Kind.INTEGER, "Most attempts a learner may make; unlimited when absent.", minimum=1),
    _flag("shuffle_questions", "Show the questions in a random order, stable within an attempt.", False),
    _flag("shuffle_choices", "Show the choices in a random order, stable within an attempt.", False),
    _text("score_policy", "Which attempt's score counts.", default="best", enum=("best", "last")),
    Field("review", Kind.OBJECT, REVIEW.description, spec=REVIEW),
    Field("questions", Kind.LIST, "The questions, in order.", required=True, items=QUESTION, min_items=1,
          item_noun="question"),
))

# Translations (`<stem>.<language>.<ext>` beside the source, see docs/course-packages.md): only the texts; everything
# else (ids, order, answers, points, minutes, urls) comes from the source and may not be repeated.

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
    ), structure_keys=frozenset({"id", "minutes", "required", "reset_progress"}))

CHOICE_TRANSLATION = Spec("choice_translation", "choice translation",
                          "A choice's texts: same id and position as in the source, no `correct`.", (
    _text("id", "The source choice's id.", required=True, format=ID),
    _translated("text", "The choice (inline Markdown).", required=True, markdown=True),
    _translated("feedback", "Shown next to the choice after submission."),
), structure_keys=frozenset({"correct"}))

QUESTION_TRANSLATION = Spec("question_translation", "question translation",
                            "A question's texts: same id and position as in the source. Its type, points and answer "
                            "come from the source.", (
    _text("id", "The source question's id.", required=True, format=ID),
    _translated("prompt", "The question (Markdown).", required=True, markdown=True),
    _translated("explanation", "Shown after submission."),
    Field("choices", Kind.LIST, "single_choice and multiple_choice: the choices' texts, as many as the source has, "
          "in the same order, with the same ids.", items=CHOICE_TRANSLATION, item_noun="choice"),
    Field("accepted_answers", Kind.LIST, "short_answer only: the answers accepted in this language (the source's "
          "are accepted too).", min_items=1, items=_text("answer", "An accepted answer."),
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

# The manifests, by the name of their JSON Schema file.
DOCUMENTS: dict[str, Spec] = {
    "course.schema.json": COURSE,
    "module.schema.json": MODULE,
    "quiz.schema.json": QUIZ,
    "lesson-front-matter.schema.json": LESSON_FRONT_MATTER,
    "course-translation.schema.json": COURSE_TRANSLATION,
    "module-translation.schema.json": MODULE_TRANSLATION,
    "quiz-translation.schema.json": QUIZ_TRANSLATION,
    "lesson-translation-front-matter.schema.json": LESSON_TRANSLATION_FRONT_MATTER,
}
