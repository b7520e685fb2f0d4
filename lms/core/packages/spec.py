"""The fields of every source manifest (course.yaml, module.yaml, a lesson's front matter, quiz.yaml), declared
once, and DOCUMENTS, every manifest by the name of its JSON Schema file.

The validator (validate.py) walks these definitions to check a file, and schema.py turns the same definitions into
JSON Schemas for editors, so the two can never disagree. docs/course-packages.md describes the same fields in prose.
"""

from __future__ import annotations

from lms.core.packages.fields import (
    COVER_IMAGE,
    DATE,
    FOLDER_NAME,
    HTTP_URL,
    ID,
    LANGUAGE,
    LANGUAGE_LENGTH,
    LESSON_FILE,
    LOCAL_DATETIME,
    NAME_LENGTH,
    ONE_LINE,
    REFLECTION_LENGTH,
    RESOURCE_URL,
    SEMVER,
    TIMEZONE,
    TITLE_LENGTH,
    URL_LENGTH,
    VERSION_LENGTH,
    Field,
    Format,
    Kind,
    Spec,
    Variants,
    flag,
    optional_text,
    text,
)
from lms.core.packages.translation_spec import (
    COURSE_TRANSLATION,
    LESSON_TRANSLATION_FRONT_MATTER,
    MODULE_TRANSLATION,
    QUIZ_TRANSLATION,
)

# course.yaml

PERSON = Spec("author", "author", "A person or organisation who wrote the course.", (
    text("name", "Name of the person or organisation.", required=True, format=ONE_LINE,
          max_length=NAME_LENGTH),
    optional_text("organisation", "The organisation the author belongs to."),
))

ISSUER = Spec("issuer", "issuer", "An organisation that issues the certificate.", (
    text("name", "Name of the issuing organisation.", required=True, format=ONE_LINE, max_length=NAME_LENGTH),
    Field("url", Kind.TEXT, "The issuer's web site.", default="", format=HTTP_URL, max_length=URL_LENGTH),
))

RESOURCE = Spec("resource", "resource", "A further resource listed on the course page.", (
    text("title", "What the learner sees.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    text("url", "An http(s):// address, or a path under assets/ of a file in the package.", required=True,
          format=RESOURCE_URL, max_length=URL_LENGTH),
    optional_text("description", "One or two sentences about the resource."),
))

SESSION_TEMPLATE = Spec("live_session", "live session", "A kind of live session; cohorts schedule it.", (
    text("id", "Stable id; cohort sessions name it in `template`.", required=True, format=ID),
    text("title", "Title of the session.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    optional_text("description", "What happens in the session."),
    Field("duration_minutes", Kind.INTEGER, "Usual length in minutes.", default=120, exclusive_minimum=0),
))

COHORT_SESSION = Spec("cohort_session", "cohort session", "One scheduled live session of a cohort.", (
    text("template", "The `id` of a `live_sessions` entry.", required=True, format=ID),
    text("starts_at", "Local date and time in the cohort's time zone.", required=True, format=LOCAL_DATETIME),
    text("ends_at", "Local date and time in the cohort's time zone.", required=True, format=LOCAL_DATETIME),
    Field("join_url", Kind.TEXT, "Address of the video call.", default="", format=HTTP_URL,
          max_length=URL_LENGTH),
))

COHORT_ENROLMENTS = ("open", "application", "invite")
# Which cohort enrolments each course enrolment allows (lms.core.packages.crosscheck checks it).
COHORT_ENROLMENTS_FOR_COURSE = {"open": ("open", "invite"), "application": ("application", "invite"),
                                "invite": ("invite",)}

COHORT = Spec("cohort", "cohort", "A run of the course with dates, declared by the package.", (
    text("id", "Stable cohort id.", required=True, format=ID),
    text("name", "Name shown to learners.", required=True, format=ONE_LINE, max_length=NAME_LENGTH),
    text("timezone", "IANA time zone of the cohort's dates and times.", required=True, format=TIMEZONE),
    text("applications_open", "When applications open (local date and time).", format=LOCAL_DATETIME),
    text("application_deadline", "When applications close (local date and time).", format=LOCAL_DATETIME),
    text("starts_on", "First day of the cohort.", required=True, format=DATE),
    text("ends_on", "Last day of the cohort.", required=True, format=DATE),
    text("enrolment", "How learners get into this cohort. open: every learner who enrols in the (open) course "
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
          "`required: true`.", items=text("module", "A module id.", format=ID), item_noun="module id"),
    Field("min_sessions_attended", Kind.INTEGER, "Live sessions a learner must attend.", default=0, minimum=0),
    Field("min_reflections", Kind.INTEGER, "Reflections (lessons' `reflection` questions) a learner must contribute "
          "to; at most the number of lessons that ask one.", default=0, minimum=0),
))

CERTIFICATE = Spec("certificate", "certificate", "The certificate learners get when they complete the course.", (
    flag("enabled", "Whether completing the course earns a certificate.", True),
    Field("issuers", Kind.LIST, "Who issues the certificate; at least one when enabled.", default=(), items=ISSUER,
          item_noun="issuer"),
    Field("hours", Kind.NUMBER, "Hours of training the certificate states; default: `estimated_hours`.",
          exclusive_minimum=0),
))

COVER = Spec("cover", "cover", "The course's picture on its catalogue card and course page.", (
    text("image", "The picture: a PNG, JPEG, SVG or WebP file under assets/.", required=True, format=COVER_IMAGE),
    text("alt", "What the picture shows, for people who cannot see it (required: an image without it is an "
          "accessibility failure).", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
))

COURSE = Spec("course", "course", "The course's identity, modules, rules, resources and cohorts.", title="course.yaml",
              fields=(
    text("slug", "The course's permanent identifier, used in URLs.", required=True, format=ID),
    text("title", "Title of the course.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    text("version", "Semantic version; each import of changed content needs a higher one.", required=True,
          format=SEMVER, max_length=VERSION_LENGTH),
    text("summary", "One or two sentences for the catalogue.", required=True),
    text("language", "Language of a course in one language, such as en, es or ko (or use `languages`).",
          format=LANGUAGE, max_length=LANGUAGE_LENGTH),
    Field("languages", Kind.LIST, "The course's languages; the first is the source, the others have translation "
          "files (`<stem>.<language>.<ext>`) beside the source files.", min_items=1,
          items=text("language", "A language code.", format=LANGUAGE, max_length=LANGUAGE_LENGTH),
          item_noun="language"),
    Field("authors", Kind.LIST, "Who wrote the course.", required=True, items=PERSON, min_items=1,
          item_noun="author"),
    text("licence", "Licence of the content, an SPDX id such as CC-BY-4.0.", required=True),
    Field("estimated_hours", Kind.NUMBER, "Estimated study time in hours.", required=True, exclusive_minimum=0),
    text("enrolment", "How learners get in.", default="open", enum=("open", "application", "invite")),
    Field("eligibility", Kind.MARKDOWN, "Who may apply (Markdown); shown above the application form.", default="",
          non_empty=False),
    Field("cover", Kind.OBJECT, COVER.description, spec=COVER),
    Field("modules", Kind.LIST, "The module folders, in order.", required=True, min_items=1,
          items=text("module", "A module folder name.", format=FOLDER_NAME), item_noun="module folder"),
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
    text("id", "Stable module id.", required=True, format=ID),
    text("title", "Title of the module.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    optional_text("summary", "One or two sentences about the module."),
    flag("required", "Whether the module counts towards course completion.", True),
    Field("lessons", Kind.LIST, "The lesson files in this folder, in order.", required=True, min_items=1,
          items=text("lesson", "A lesson file name.", format=LESSON_FILE), item_noun="lesson file"),
))

# Lesson front matter

ASSET_PATH = Format("asset-path", "a path under assets/, such as assets/intro.mp4",
                    pattern=r"assets/[A-Za-z0-9._/-]+")
CAPTIONS = Spec("captions", "captions", "Captions of the video in one language (a WebVTT file).", (
    text("language", "The language of the captions, one of the course's languages.", required=True,
         format=LANGUAGE),
    text("file", "The WebVTT (.vtt) file under assets/.", required=True, format=ASSET_PATH),
))
VIDEO = Spec("video", "video", "The lesson's video: a file of the package or an external player on a host the site "
             "allows, with captions, chapters and a poster. It is shown where a line <!-- video --> stands in the "
             "lesson's text (the text above that line above the video, the rest below), else after the text's own "
             "# title.", (
    text("file", "An MP4 (H.264/AAC) or WebM video under assets/.", format=ASSET_PATH),
    text("url", "The address of an external player (https://) on a host the site allows, such as "
         "https://www.youtube-nocookie.com/embed/ID.", format=HTTP_URL, max_length=URL_LENGTH),
    text("poster", "An image under assets/ shown before the video plays.", format=ASSET_PATH),
    Field("captions", Kind.LIST, "Captions, one WebVTT file per language.", items=CAPTIONS,
          item_noun="captions file"),
    text("chapters", "A WebVTT file under assets/ whose cues are the video's chapters.", format=ASSET_PATH),
    optional_text("no_captions_reason", "Why the video needs no captions in the course's language (no speech, "
                  "for instance); without it, those captions are required."),
))

LESSON_FRONT_MATTER = Spec("lesson", "front matter", "The YAML front matter at the top of a lesson file.",
                           title="Lesson front matter", fields=(
    text("id", "Stable lesson id, unique in the package.", required=True, format=ID),
    text("title", "Title of the lesson.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    Field("minutes", Kind.INTEGER, "Estimated study time in minutes; required unless the lesson has a video file, "
          "whose length is then used.", exclusive_minimum=0),
    flag("required", "Whether the lesson counts towards module completion.", True),
    flag("reset_progress", "When this version is published, learners who completed the lesson in an earlier "
          "version must do it again.", False),
    Field("video", Kind.OBJECT, "The lesson's video, placed in the text by a line <!-- video -->.", spec=VIDEO),
    text("reflection", "A question the learner answers under the lesson; the answers are shared with their cohort "
         "in the lesson's reflection thread (plain text, one paragraph).", format=ONE_LINE,
         max_length=REFLECTION_LENGTH),
))

# quiz.yaml

CHOICE = Spec("choice", "choice", "One choice of a single_choice or multiple_choice question.", (
    text("id", "Stable choice id, unique in the question.", required=True, format=ID),
    Field("text", Kind.MARKDOWN, "The choice (inline Markdown).", required=True),
    flag("correct", "Whether this choice is correct.", False),
    optional_text("feedback", "Shown next to the choice after submission."),
))

_FEEDBACK = (
    optional_text("feedback_correct", "Shown after submission when the answer is correct."),
    optional_text("feedback_incorrect", "Shown after submission when the answer is wrong."),
)


def _choices(minimum: int) -> Field:
    return Field("choices", Kind.LIST, "The choices, in order.", required=True, items=CHOICE, min_items=minimum,
                 item_noun="choice")


QUESTION_TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer", "numeric")

QUESTION = Spec(
    "question", "question", "One question of a quiz; the keys after `type` depend on the type.",
    (
        text("id", "Stable question id, unique in the quiz.", required=True, format=ID),
        text("type", "The question type.", required=True, enum=QUESTION_TYPES),
        Field("prompt", Kind.MARKDOWN, "The question (Markdown).", required=True),
        Field("points", Kind.NUMBER, "Points the question is worth.", default=1.0, exclusive_minimum=0),
        optional_text("explanation", "Shown after submission."),
    ),
    Variants("type", {
        "single_choice": (
            _choices(2),
            text("answer", "The id of the correct choice, instead of `correct: true` on it.", format=ID,
                  names_choices=True),
        ),
        "multiple_choice": (
            _choices(2),
            Field("answer", Kind.LIST, "The ids of the correct choices, instead of `correct: true` on them.",
                  items=text("choice", "A choice id.", format=ID), min_items=1, item_noun="choice id",
                  names_choices=True),
        ),
        "true_false": (
            Field("answer", Kind.BOOLEAN, "The correct answer: true or false.", required=True),
            *_FEEDBACK,
        ),
        "short_answer": (
            Field("accepted_answers", Kind.LIST, "Answers that are accepted.", required=True, min_items=1,
                  items=text("answer", "An accepted answer."), item_noun="accepted answer"),
            flag("case_sensitive", "Whether case matters when comparing answers.", False),
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
    return text(name, f"{description} When: always, after_passing (once the learner passed the quiz), "
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
    text("id", "Stable quiz id, unique in the package.", required=True, format=ID),
    text("title", "Title of the quiz.", required=True, format=ONE_LINE, max_length=TITLE_LENGTH),
    Field("pass_mark", Kind.NUMBER, "Percentage of the points needed to pass.", default=70.0, minimum=0, maximum=100),
    Field("max_attempts", Kind.INTEGER, "Most attempts a learner may make; unlimited when absent.", minimum=1),
    flag("shuffle_questions", "Show the questions in a random order, stable within an attempt.", False),
    flag("shuffle_choices", "Show the choices in a random order, stable within an attempt.", False),
    text("score_policy", "Which attempt's score counts.", default="best", enum=("best", "last")),
    Field("review", Kind.OBJECT, REVIEW.description, spec=REVIEW),
    Field("questions", Kind.LIST, "The questions, in order.", required=True, items=QUESTION, min_items=1,
          item_noun="question"),
), elsewhere=(("reflection", "a reflection question goes in a lesson's front matter (`reflection:`), under the "
                              "lesson it follows"),))

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
