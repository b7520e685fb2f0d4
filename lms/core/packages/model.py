"""The typed form of a course package, as the loader returns it after validation.

Everything here is immutable plain data: the importer stores it, the grader and progress rules read it, the diff
compares two of them. The file format these objects come from is documented in docs/course-packages.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from urllib.parse import urlsplit

from lms.core.packages.media import MediaFile


class EnrolmentMode(StrEnum):
    OPEN = "open"
    APPLICATION = "application"
    INVITE = "invite"


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    NUMERIC = "numeric"


class ScorePolicy(StrEnum):
    BEST = "best"
    LAST = "last"


class ReviewTime(StrEnum):
    """When a part of a submitted attempt's review is shown to the learner (lms.core.attempt_review.review_shown)."""

    ALWAYS = "always"
    AFTER_PASSING = "after_passing"  # once the learner has passed the quiz
    AFTER_LAST_ATTEMPT = "after_last_attempt"  # once no attempt remains (never, when attempts are unlimited)
    AFTER_PASSING_OR_LAST_ATTEMPT = "after_passing_or_last_attempt"
    NEVER = "never"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package, where the author can find it: ``file:line: message``."""

    file: str  # path relative to the package root, with forward slashes
    line: int  # 1-based; 0 when the problem concerns the file (or package) as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass(frozen=True)
class Choice:
    id: str
    text: str  # Markdown, rendered inline into ``html``
    html: str
    correct: bool
    feedback: str = ""  # plain text shown after submission next to this choice


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt: str  # Markdown source
    prompt_html: str  # sanitised HTML
    points: float = 1.0
    choices: tuple[Choice, ...] = ()  # single_choice, multiple_choice
    correct_bool: bool | None = None  # true_false
    accepted_answers: tuple[str, ...] = ()  # short_answer
    case_sensitive: bool = False  # short_answer
    numeric_answer: float | None = None  # numeric
    tolerance: float = 0.0  # numeric: absolute tolerance
    explanation: str = ""  # shown after submission
    feedback_correct: str = ""
    feedback_incorrect: str = ""


@dataclass(frozen=True)
class ReviewOptions:
    """What a learner sees when reviewing a submitted attempt. The defaults never hand out the answer key while the
    learner can still try again: correctness and feedback at once, correct answers and explanations (which usually
    name the answer) after passing or when no attempt remains."""

    score: ReviewTime = ReviewTime.ALWAYS  # points and percentages (passed / not passed is always shown)
    correctness: ReviewTime = ReviewTime.ALWAYS  # which answers were right, partly right or wrong
    feedback: ReviewTime = ReviewTime.ALWAYS  # the author's feedback on the answers given
    correct_answers: ReviewTime = ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT
    explanations: ReviewTime = ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    pass_mark: float  # percent of the points, 0..100
    max_attempts: int | None  # None: unlimited
    shuffle_questions: bool
    shuffle_choices: bool
    score_policy: ScorePolicy
    questions: tuple[Question, ...]
    content_hash: str  # changes when anything that affects grading changes
    path: str  # e.g. "module-1/quiz.yaml"
    review: ReviewOptions = field(default_factory=ReviewOptions)  # not part of the content hash: grading is unchanged


@dataclass(frozen=True)
class Cue:
    """One cue of a WebVTT track (lms.core.packages.video)."""

    start: float  # seconds
    end: float
    text: str  # plain text: WebVTT's tags (<v Speaker>, <b>) removed


@dataclass(frozen=True)
class Track:
    language: str  # "" for chapters
    path: str  # under assets/
    cues: tuple[Cue, ...]


@dataclass(frozen=True)
class Video:
    file: str | None  # a video under assets/, or
    url: str | None  # an external player's address on an allowed host
    poster: str | None
    captions: tuple[Track, ...]
    chapters: Track | None
    duration: float | None  # seconds, read from the file
    no_captions_reason: str

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "") if self.url else ""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    minutes: int
    required: bool
    reset_progress: bool  # the author says: completions of an earlier version do not carry over
    source: str  # Markdown body (front matter removed), line endings normalised to \n
    html: str  # sanitised HTML, links and images rewritten by the importer's URL builders
    content_hash: str
    path: str  # e.g. "module-1/01-intro.md"
    video: Video | None = None
    reflection: str = ""  # the question learners answer under the lesson, shared with their cohort; "" for none


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    summary: str
    required: bool
    lessons: tuple[Lesson, ...]
    quiz: Quiz | None
    path: str  # folder name, e.g. "module-1"


@dataclass(frozen=True)
class Person:
    name: str
    organisation: str = ""


@dataclass(frozen=True)
class Issuer:
    name: str
    url: str = ""


@dataclass(frozen=True)
class Resource:
    title: str
    url: str  # an http(s) URL, or a path under assets/
    description: str = ""


@dataclass(frozen=True)
class SessionTemplate:
    id: str
    title: str
    description: str = ""
    duration_minutes: int = 120


@dataclass(frozen=True)
class CohortSession:
    template: str  # SessionTemplate.id
    starts_at: datetime  # aware, in the cohort's time zone
    ends_at: datetime
    join_url: str = ""


@dataclass(frozen=True)
class CohortSpec:
    id: str
    name: str
    timezone: str  # IANA name
    applications_open: datetime | None
    application_deadline: datetime | None
    starts_on: date
    ends_on: date
    capacity: int | None
    sessions: tuple[CohortSession, ...] = ()
    line: int = field(default=0, compare=False)  # of its ``id`` in course.yaml, for problems found at import
    # How learners get in: OPEN captures every learner who enrols in the open course while the cohort takes people
    # (lms.core.cohort_capture); INVITE only by staff; APPLICATION by applying.
    enrolment: EnrolmentMode = EnrolmentMode.APPLICATION


@dataclass(frozen=True)
class CompletionRule:
    required_modules: tuple[str, ...]  # module ids; empty means every module marked required
    min_sessions_attended: int = 0
    min_reflections: int = 0  # reflections (lessons' questions) a learner must contribute to


@dataclass(frozen=True)
class CertificateRule:
    enabled: bool
    issuers: tuple[Issuer, ...]
    hours: float


@dataclass(frozen=True)
class Asset:
    path: str  # e.g. "assets/figures/care-map.png"
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Cover:
    image: str  # a path under assets/
    alt: str


@dataclass(frozen=True)
class Translation:
    """One translated file (``<stem>.<language>.<ext>`` beside its source), with the texts resolved: a text the
    translation leaves out is the source's. Structure (ids, order, answers, points, urls) is always the source's."""

    language: str
    kind: str  # "course", "module", "lesson" or "quiz"
    key: str  # the id of the module, lesson or quiz; "" for the course
    path: str  # e.g. "module-1/01-intro.es.md"
    source_path: str  # e.g. "module-1/01-intro.md"
    recorded_hash: str | None  # the translation's source_hash: which source texts it translates (None: not stamped)
    current_hash: str  # the hash of the current source's texts
    title: str
    summary: str = ""  # course, module
    body: str = ""  # lesson: Markdown; course: eligibility Markdown
    reflection: str = ""  # lesson: its reflection question (the source's when the translation leaves it out)
    html: str = ""  # lesson: the body; course: the eligibility
    resources: tuple[Resource, ...] = ()  # course: every resource, translated where the translation gives texts
    live_sessions: tuple[SessionTemplate, ...] = ()  # course
    quiz: Quiz | None = None  # quiz: the source quiz with its texts translated (same ids, answers and hash)

    @property
    def stale(self) -> bool:
        return self.recorded_hash != self.current_hash


@dataclass(frozen=True)
class TranslationFile:
    """What `translations status` and `stamp` need of a translation file, known even when the package has problems."""

    path: str
    language: str
    source_path: str
    recorded_hash: str | None
    current_hash: str | None  # None when the source could not be read

    @property
    def state(self) -> str:
        """"current", "stale" (the source changed since it was stamped) or "unstamped" (no source_hash)."""
        if self.recorded_hash is None:
            return "unstamped"
        return "current" if self.recorded_hash == self.current_hash else "stale"


@dataclass(frozen=True)
class LanguageCoverage:
    """How much of the package one language translates: files that have a translation (course.yaml, each
    module.yaml, lesson and quiz.yaml), the ones that are stale, and the source files that have none."""

    language: str
    translated: int
    total: int
    stale: tuple[str, ...]  # translation paths
    missing: tuple[str, ...]  # source paths without a translation

    @property
    def complete(self) -> bool:
        return self.translated == self.total


@dataclass(frozen=True)
class Package:
    slug: str
    title: str
    version: str  # semver
    summary: str
    language: str
    authors: tuple[Person, ...]
    licence: str
    estimated_hours: float
    enrolment: EnrolmentMode
    eligibility: str  # Markdown
    eligibility_html: str
    modules: tuple[Module, ...]
    resources: tuple[Resource, ...]
    live_sessions: tuple[SessionTemplate, ...]
    cohorts: tuple[CohortSpec, ...]
    completion: CompletionRule
    certificate: CertificateRule
    assets: tuple[Asset, ...]
    content_hash: str  # of every file in the package; equal for a folder and its zip, whatever the line endings
    # Every file of the package by relative path, as bytes (text files with \n line endings), so the importer can
    # store the version and export it back to a zip with the same content hash.
    files: dict[str, bytes | MediaFile] = field(repr=False, compare=False, default_factory=dict)  # media: by reference
    cover: Cover | None = None
    languages: tuple[str, ...] = ()  # the first is the source language (``language``); empty means just that one
    translations: tuple[Translation, ...] = ()

    def translation(self, language: str, kind: str, key: str = "") -> Translation | None:
        return next((t for t in self.translations if t.language == language and t.kind == kind and t.key == key),
                    None)

    def quiz_in(self, quiz: Quiz, language: str | None) -> Quiz:
        """The quiz as a learner reading ``language`` takes it: translated texts when there is a translation, the
        same ids, answer key and content hash either way (so grading and passes do not depend on the language)."""
        translation = self.translation(language, "quiz", quiz.id) if language else None
        return translation.quiz if translation is not None and translation.quiz is not None else quiz

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    @property
    def quizzes(self) -> tuple[Quiz, ...]:
        return tuple(module.quiz for module in self.modules if module.quiz is not None)


@dataclass(frozen=True)
class LoadResult:
    """What loading a package gives: the package when it is valid, and every problem found."""

    package: Package | None
    problems: tuple[Problem, ...]
    # Worth knowing but not stopping an import: translations that are stale (or were never stamped).
    warnings: tuple[Problem, ...] = ()
    coverage: tuple[LanguageCoverage, ...] = ()  # per translation language, in course.yaml's order
    translation_files: tuple[TranslationFile, ...] = ()

    @property
    def ok(self) -> bool:
        return self.package is not None and not self.problems
