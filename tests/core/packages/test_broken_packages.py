"""A corpus of broken packages: each is the valid sample package with one mistake, and must give exactly the problems
listed (file:line: message), all of them, sorted by file then line."""

from __future__ import annotations

import pytest

from tests.core.packages.builders import edit, problems, valid_files

V = valid_files()
COURSE = "course.yaml"
MODULE = "basics/module.yaml"
QUIZ = "basics/quiz.yaml"
WHY = "basics/01-why-trees.md"
SPECIES = "basics/02-choosing-species.md"
EXTRAS = "extras/module.yaml"

CASES: dict[str, tuple[dict[str, bytes], list[str]]] = {
    # YAML itself
    "yaml syntax error": (
        edit(V, COURSE, "title: Street trees for cooler cities", "title: Street trees: for cooler cities"),
        ["course.yaml:2: YAML syntax error: the value of 'title' contains ': ', which YAML reads as a new key; a value "
         "containing ': ' must be quoted: title: \"Street trees: for cooler cities\""],
    ),
    "unclosed quote points at where it starts": (
        edit(V, COURSE, "title: Street trees for cooler cities", 'title: "Street trees for cooler cities'),
        ["course.yaml:2: YAML syntax error: the text in quotes that starts with \" on this line is never closed; end "
         "it with \" (inside the text, write a \" as \\\")"],
    ),
    "tab indentation": (
        edit(V, MODULE, "id: basics", "id: basics\n\tx: 1"),
        ["basics/module.yaml:2: YAML syntax error: a tab character; indent with spaces, not tabs"],
    ),
    "duplicate key": (
        edit(V, COURSE, "language: en", "language: en\nlanguage: es"),
        ["course.yaml:6: duplicate key 'language' (first at line 5)"],
    ),
    "python object tag": (
        edit(V, COURSE, "title: Street trees for cooler cities", "title: !!python/object/apply:os.system ['echo hi']"),
        ["course.yaml:2: the YAML tag '!!python/object/apply:os.system' is not allowed; use plain text, numbers, "
         "true/false, lists and mappings"],
    ),
    "alias": (
        edit(edit(V, COURSE, "title: Street trees for cooler cities", "title: &t Street trees"),
             COURSE, "summary: How cities plan, plant and care for street trees that keep neighbourhoods cool.",
             "summary: *t"),
        ["course.yaml:4: YAML aliases (*t) are not allowed; write the value out"],
    ),
    "nesting far too deep": (
        edit(V, COURSE, "title: Street trees for cooler cities", "title: " + "[" * 200 + "]" * 200),
        ["course.yaml:2: values are nested more than 50 deep"],
    ),
    "integer of thousands of digits": (
        edit(V, WHY, "minutes: 10", "minutes: " + "9" * 5000),
        ["basics/01-why-trees.md:4: '" + "9" * 59 + "…' cannot be read as a whole number (at most 4,300 digits)"],
    ),
    # Longer than the database keeps: refused with the limit, never a database error at import
    "course title too long": (
        edit(V, COURSE, "title: Street trees for cooler cities", "title: " + "T" * 301),
        ["course.yaml:2: 'title' must be at most 300 characters long, not 301"],
    ),
    "lesson title too long once its whitespace is collapsed": (
        edit(V, WHY, "title: Why street trees?", "title: '" + "w " * 150 + "w'"),
        ["basics/01-why-trees.md:3: 'title' must be at most 300 characters long, not 301"],
    ),
    "version too long": (
        edit(V, COURSE, "version: 1.0.0", "version: 1.0.0-" + "a" * 60),
        ["course.yaml:3: 'version' must be at most 64 characters long, not 66"],
    ),
    "language code too long": (
        edit(V, COURSE, "language: en", "language: en-abcdefgh-abcdefgh"),
        ["course.yaml:5: 'language' must be at most 16 characters long, not 20"],
    ),
    "empty course.yaml": (
        {**V, COURSE: b"# nothing yet\n"},
        ["course.yaml:1: course is empty; it needs at least slug, title, version, summary, language or languages, "
         "authors, licence, estimated_hours, modules"],
    ),
    "no course.yaml": (
        {path: data for path, data in V.items() if path != COURSE},
        ["course.yaml: missing: the package root must contain course.yaml"],
    ),
    # Fields
    "unknown key with did-you-mean": (
        edit(V, MODULE, "title: The basics", "titel: The basics"),
        ["basics/module.yaml:1: module is missing required key 'title'",
         "basics/module.yaml:2: unknown key 'titel' in module; did you mean 'title'?"],
    ),
    "unknown key without a near match lists the keys": (
        edit(V, EXTRAS, "required: false", "required: false\nfavourite_colour: green"),
        ["extras/module.yaml:4: unknown key 'favourite_colour' in module; the keys are: id, lessons, required, "
         "summary, title"],
    ),
    "missing required field": (
        edit(V, COURSE, "licence: CC-BY-4.0\n", ""),
        ["course.yaml:1: course is missing required key 'licence'"],
    ),
    "wrong type: text for a whole number": (
        edit(V, WHY, "minutes: 10", "minutes: ten"),
        ["basics/01-why-trees.md:4: 'minutes' must be a whole number, not text ('ten')"],
    ),
    "wrong type: text for a list": (
        edit(V, COURSE, "modules:\n  - basics\n  - extras", "modules: basics"),
        ["course.yaml:14: 'modules' must be a list, not text ('basics')"],
    ),
    "wrong type: a number where text belongs": (
        edit(V, COURSE, "title: Street trees for cooler cities", "title: 2030"),
        ['course.yaml:2: \'title\' must be text; put the value in quotes: "2030"'],
    ),
    "empty value": (
        edit(V, MODULE, "summary: Why street trees matter and how to choose them.", "summary:"),
        ["basics/module.yaml:3: 'summary' has no value; give it one or remove the key"],
    ),
    "bad enum value": (
        edit(V, COURSE, "enrolment: application", "enrolment: applications"),
        ["course.yaml:11: 'enrolment' must be open, application or invite, not 'applications'; "
         "did you mean 'application'?"],
    ),
    "number out of range": (
        edit(V, QUIZ, "pass_mark: 60", "pass_mark: 160"),
        ["basics/quiz.yaml:3: 'pass_mark' must be between 0 and 100, not 160"],
    ),
    "zero minutes": (
        edit(V, WHY, "minutes: 10", "minutes: 0"),
        ["basics/01-why-trees.md:4: 'minutes' must be greater than 0, not 0"],
    ),
    "version not semver": (
        edit(V, COURSE, "version: 1.0.0", "version: v1.0"),
        ["course.yaml:3: 'version' must be a semantic version such as 1.2.0 (MAJOR.MINOR.PATCH), not 'v1.0'"],
    ),
    "version read as a number": (
        edit(V, COURSE, "version: 1.0.0", "version: 1.0"),
        ["course.yaml:3: 'version' must be a semantic version such as 1.2.0 (MAJOR.MINOR.PATCH), not '1.0'"],
    ),
    "bad id": (
        edit(V, MODULE, "id: basics", "id: The Basics"),
        ["basics/module.yaml:1: 'id' must be lowercase letters, digits and '-' (at most 64, such as 'module-1'), "
         "not 'The Basics'"],
    ),
    "bad date": (
        edit(V, COURSE, "starts_on: 2030-03-04", "starts_on: 2030-02-30"),
        ["course.yaml:44: 'starts_on' must be a date such as 2030-03-04 (YYYY-MM-DD), not '2030-02-30'"],
    ),
    "bad local date-time": (
        edit(V, COURSE, "starts_at: 2030-03-04T16:00", "starts_at: 2030-03-04 4pm"),
        ["course.yaml:49: 'starts_at' must be a local date and time such as 2030-03-04T16:00 (YYYY-MM-DDTHH:MM), "
         "not '2030-03-04 4pm'"],
    ),
    "unknown time zone": (
        edit(V, COURSE, "timezone: Europe/Madrid", "timezone: Europe/Madird"),
        ["course.yaml:41: 'timezone' must be an IANA time zone name such as Europe/Madrid, not 'Europe/Madird'; "
         "did you mean 'Europe/Madrid'?"],
    ),
    "key of another question type": (
        edit(V, QUIZ, "feedback_correct: Right.", "feedback_correct: Right.\n    tolerance: 1"),
        ["basics/quiz.yaml:38: 'tolerance' is not used by true_false questions (it belongs to numeric questions); "
         "remove it"],
    ),
    # Ids and answers
    "duplicate lesson id": (
        edit(V, SPECIES, "id: choosing-species", "id: why-trees"),
        ["basics/02-choosing-species.md:2: duplicate lesson id 'why-trees' (first used at basics/01-why-trees.md:2); "
         "ids must be unique"],
    ),
    "duplicate module id": (
        edit(V, EXTRAS, "id: extras", "id: basics"),
        ["extras/module.yaml:1: duplicate module id 'basics' (first used at basics/module.yaml:1); ids must be unique"],
    ),
    "duplicate question id": (
        edit(V, QUIZ, "id: benefits", "id: shade"),
        ["basics/quiz.yaml:21: duplicate question id 'shade' (first used at line 9); ids must be unique"],
    ),
    "duplicate choice id": (
        edit(V, QUIZ, "id: asphalt", "id: trees"),
        ["basics/quiz.yaml:17: duplicate choice id 'trees' (first used at line 13); ids must be unique"],
    ),
    "duplicate session template and cohort ids": (
        edit(edit(V, COURSE, "live_sessions:\n", "live_sessions:\n  - id: kick-off\n    title: Again\n"),
             COURSE, "cohorts:\n", "cohorts:\n  - id: spring-2030\n    name: Twin\n    timezone: UTC\n"
                                   "    starts_on: 2030-01-01\n    ends_on: 2030-01-02\n"),
        ["course.yaml:36: duplicate live session id 'kick-off' (first used at line 34); ids must be unique",
         "course.yaml:46: duplicate cohort id 'spring-2030' (first used at line 41); ids must be unique"],
    ),
    "answer not among the choices": (
        edit(V, QUIZ, "answer: [shade, quiet]", "answer: [shade, quite]"),
        ["basics/quiz.yaml:32: answer 'quite' is not among the choices of multiple_choice question 'benefits'; "
         "did you mean 'quiet'?"],
    ),
    "single_choice with two correct choices": (
        edit(V, QUIZ, "text: Dark `asphalt`", "text: Dark `asphalt`\n        correct: true"),
        ["basics/quiz.yaml:12: single_choice question 'shade' has 2 correct choices; mark exactly one with "
         "'correct: true', or make it a multiple_choice question"],
    ),
    "single_choice with no correct choice": (
        edit(V, QUIZ, "        correct: true\n", ""),
        ["basics/quiz.yaml:12: single_choice question 'shade' has no correct choice; mark exactly one with "
         "'correct: true'"],
    ),
    "multiple_choice with no correct choice": (
        edit(V, QUIZ, "    answer: [shade, quiet]\n", ""),
        ["basics/quiz.yaml:25: multiple_choice question 'benefits' has no correct choice; mark at least one with "
         "'correct: true'"],
    ),
    "answer given twice": (
        edit(V, QUIZ, "text: Shade\n", "text: Shade\n        correct: true\n"),
        ["basics/quiz.yaml:33: multiple_choice question 'benefits' gives its answer both with 'answer' and with "
         "'correct: true' on choices; keep one of the two"],
    ),
    "true_false answer that is not a boolean": (
        edit(V, QUIZ, "answer: true", 'answer: "yes"'),
        ["basics/quiz.yaml:36: 'answer' must be true or false, not the text 'yes'; write true"],
    ),
    # Issue 20: YAML 1.2 values, answers written as positions, syntax errors said as what to do
    "numeric answer written as a time is text, not the sexagesimal 90": (
        edit(V, QUIZ, "answer: 10", "answer: 1:30"),
        ["basics/quiz.yaml:48: 'answer' must be a number, not the text '1:30': a time such as 1:30 is not a "
         "number; write it in one unit (90 for 1 hour 30 minutes)"],
    ),
    "a decimal comma in a package file": (
        edit(V, QUIZ, "tolerance: 2", "tolerance: 1,5"),
        ["basics/quiz.yaml:49: 'tolerance' must be a number, not the text '1,5'; write decimals with a point: "
         "1.5 (learners may type a decimal comma in their answers, package files may not)"],
    ),
    "yes is text, not a boolean": (
        edit(V, QUIZ, "shuffle_choices: true", "shuffle_choices: yes"),
        ["basics/quiz.yaml:6: 'shuffle_choices' must be true or false, not the text 'yes'; write true"],
    ),
    "multiple_choice answer written as positions from 0": (
        edit(V, QUIZ, "answer: [shade, quiet]", "answer: [0, 1]"),
        ["basics/quiz.yaml:32: 'answer' lists choice ids, not positions; the ids are: shade, quiet, parking "
         "(as positions counting from 0, [0, 1] would be: answer: [shade, quiet])"],
    ),
    "single_choice answer written as a position from 1": (
        edit(edit(V, QUIZ, "        correct: true\n", ""), QUIZ, "feedback: No. Asphalt stores heat.",
             "feedback: No. Asphalt stores heat.\n    answer: 1"),
        ["basics/quiz.yaml:19: 'answer' names a choice id, not a position; the ids are: trees, asphalt (as "
         "positions counting from 1, 1 would be: answer: trees)"],
    ),
    "a key indented to no level": (
        edit(V, MODULE, "title: The basics", "  title: The basics"),
        ["basics/module.yaml:2: YAML syntax error: 'title' is indented more than 'id' at line 1, whose value "
         "is already given there; indent 'title' like 'id' (0 spaces), or if the text above goes on here, put "
         "it in quotes"],
    ),
    "a list item indented to no level": (
        edit(V, MODULE, "  - 02-choosing-species.md", " - 02-choosing-species.md"),
        ["basics/module.yaml:6: YAML syntax error: the indentation of this list item (1 space) matches no key "
         "or list above it; indent it by 2 spaces like the list item at line 5, or by 0 spaces like 'lessons' "
         "at line 4, whichever it belongs with"],
    ),
    "text that goes on over two lines": (
        edit(V, MODULE, "summary: Why street trees matter and how to choose them.",
             "summary: Why street trees matter\nand how to choose them."),
        ["basics/module.yaml:4: YAML syntax error: 'and how to choose them.' is not a 'key: value' line; if "
         "it goes on from the text above, put that text in quotes or write it as a block (key: | and the text "
         "indented below it); otherwise add ': ' and a value after the key"],
    ),
    "a required key with no value is not to be removed": (
        edit(V, MODULE, "title: The basics", "title:"),
        ["basics/module.yaml:2: 'title' has no value; give it one (it is required)"],
    ),
    # Files and folders
    "missing lesson file": (
        edit(V, MODULE, "  - 02-choosing-species.md", "  - 02-choosing-species.md\n  - 03-missing.md"),
        ["basics/module.yaml:7: lesson file '03-missing.md' does not exist in basics/"],
    ),
    "missing module folder": (
        edit(V, COURSE, "  - extras\n", "  - extras\n  - advanced\n"),
        ["course.yaml:17: module folder 'advanced' does not exist; create it with a module.yaml, or remove it here"],
    ),
    "module folder without module.yaml": (
        {path: data for path, data in V.items() if path != EXTRAS},
        ["course.yaml:16: module folder 'extras' has no module.yaml"],
    ),
    "module with no lessons": (
        edit(V, EXTRAS, "lessons:\n  - 01-further-reading.md", "lessons: []"),
        ["extras/01-further-reading.md: lesson file is not listed in extras/module.yaml's lessons; add it there or "
         "remove the file",
         "extras/module.yaml:4: 'lessons' must list at least one lesson file"],
    ),
    "lesson file not listed": (
        {**V, "basics/03-extra.md": b"---\nid: extra\ntitle: Extra\nminutes: 3\n---\nText\n"},
        ["basics/03-extra.md: lesson file is not listed in basics/module.yaml's lessons; add it there or remove "
         "the file"],
    ),
    "module folder not listed": (
        {**V, "drafts/module.yaml": b"id: drafts\n"},
        ["drafts/module.yaml: folder 'drafts' is not listed in course.yaml's modules; add it there or remove the "
         "folder"],
    ),
    "unknown file type outside assets": (
        {**V, "basics/notes.docx": b"PK"},
        ["basics/notes.docx: files of type '.docx' are not allowed outside assets/; put images and documents in "
         "assets/"],
    ),
    "asset type not allowed": (
        {**V, "assets/run.exe": b"MZ"},
        ["assets/run.exe: assets of type '.exe' are not allowed; an asset may be: csv, gif, jpeg, jpg, mp3, mp4, "
         "pdf, png, svg, txt, vtt, webm, webp"],
    ),
    "file name with a space": (
        {**V, "assets/street map.png": V["assets/tree.png"]},
        ["assets/street map.png: the name 'street map.png' may only use letters, digits, '-', '_' and '.'; "
         "rename it"],
    ),
    "path longer than the engine stores": (
        {**V, "assets/" + "d" * 200 + "/" + "e" * 200 + "/" + "f" * 100 + ".png": V["assets/tree.png"]},
        ["assets/" + "d" * 53 + "…: the path is 513 characters long, more than the limit of 500; use shorter folder "
         "and file names"],
    ),
    "non-UTF-8 lesson": (
        {**V, SPECIES: V[SPECIES].replace(b"Pick species", b"Pick sp\xe9cies")},
        ["basics/02-choosing-species.md:9: file is not valid UTF-8 (byte 113); save it as UTF-8"],
    ),
    "lesson without front matter": (
        edit(V, WHY, "---\nid: why-trees\ntitle: Why street trees?\nminutes: 10\n---\n", ""),
        ["basics/01-why-trees.md:1: the lesson has no front matter; start the file with a line '---', then id, "
         "title and minutes, then a line '---'"],
    ),
    "front matter never closed": (
        edit(V, WHY, "minutes: 10\n---\n", "minutes: 10\n"),
        ["basics/01-why-trees.md:1: front matter is not closed; end it with a line '---'"],
    ),
    # Links and images
    "link to a missing lesson": (
        edit(V, WHY, "(02-choosing-species.md)", "(02-choosing.md)"),
        ["basics/01-why-trees.md:16: link to missing lesson '02-choosing.md': basics/02-choosing.md is not in the "
         "package"],
    ),
    "link to a missing asset": (
        edit(V, WHY, "(../assets/planting-guide.pdf)", "(../assets/planting.pdf)"),
        ["basics/01-why-trees.md:16: link to missing asset '../assets/planting.pdf': assets/planting.pdf is not in "
         "the package"],
    ),
    "link out of the package": (
        edit(V, WHY, "(../assets/planting-guide.pdf)", "(../../secret.pdf)"),
        ["basics/01-why-trees.md:16: link to '../../secret.pdf' points outside the package"],
    ),
    "link with an unsupported scheme": (
        edit(V, WHY, "(https://example.org/trees)", "(ftp://example.org/trees)"),
        ["basics/01-why-trees.md:17: link to 'ftp://example.org/trees' uses the unsupported scheme 'ftp:'; use "
         "http://, https://, mailto: or a relative path"],
    ),
    "external image": (
        edit(V, WHY, "(../assets/tree.png", "(https://example.org/tree.png"),
        ["basics/01-why-trees.md:10: image 'https://example.org/tree.png' is not in the package; images must come "
         "from the package's assets/ folder: save it there and link to it by relative path"],
    ),
    "image outside assets": (
        edit(V, WHY, "(../assets/tree.png", "(tree.png"),
        ["basics/01-why-trees.md:10: image 'tree.png' is not in assets/; images must come from the package's "
         "assets/ folder"],
    ),
    "image that is a PDF": (
        edit(V, WHY, "(../assets/tree.png", "(../assets/planting-guide.pdf"),
        ["basics/01-why-trees.md:10: image '../assets/planting-guide.pdf' is not an image file; images may be gif, "
         "jpeg, jpg, png, svg, webp"],
    ),
    "link in a quiz prompt": (
        edit(V, QUIZ, "prompt: What cools a street **most**?",
             "prompt: What cools a street **most**? See [the lesson](01-nope.md)."),
        ["basics/quiz.yaml:11: link to missing lesson '01-nope.md': basics/01-nope.md is not in the package"],
    ),
    # Course rules
    "required module that does not exist": (
        edit(V, COURSE, "    - basics\n  min", "    - basic\n  min"),
        ["course.yaml:19: completion.required_modules names unknown module 'basic'; did you mean 'basics'?"],
    ),
    "certificate without issuers": (
        edit(V, COURSE, "  issuers:\n    - name: Example City Council\n      url: https://example.org/council\n",
             "  issuers: []\n"),
        ["course.yaml:23: the certificate is enabled but has no issuers; add at least one {name, url} under "
         "certificate.issuers, or set enabled: false"],
    ),
    "resource asset missing": (
        edit(V, COURSE, "    url: assets/planting-guide.pdf\n    description",
             "    url: assets/guide.pdf\n    description"),
        ["course.yaml:29: resource 'Planting guide' links to assets/guide.pdf, which is not in the package; add "
         "the file or fix the path"],
    ),
    "cohort session template not declared": (
        edit(V, COURSE, "template: kick-off", "template: kickoff"),
        ["course.yaml:48: cohort 'spring-2030': session template 'kickoff' is not a live_sessions id; did you mean "
         "'kick-off'?"],
    ),
    "cohort ends before it starts": (
        edit(V, COURSE, "ends_on: 2030-03-29", "ends_on: 2030-03-01"),
        ["course.yaml:45: cohort 'spring-2030': ends_on 2030-03-01 is before starts_on 2030-03-04"],
    ),
    "application deadline after the start": (
        edit(V, COURSE, "application_deadline: 2030-02-28T18:00", "application_deadline: 2030-03-05T18:00"),
        ["course.yaml:43: cohort 'spring-2030': application_deadline 2030-03-05T18:00 is after the cohort starts on "
         "2030-03-04; applications must close by the first day"],
    ),
    "session outside the cohort's dates": (
        edit(edit(V, COURSE, "starts_at: 2030-03-04T16:00", "starts_at: 2030-04-04T16:00"),
             COURSE, "ends_at: 2030-03-04T17:00", "ends_at: 2030-04-04T17:00"),
        ["course.yaml:49: cohort 'spring-2030': session starts_at 2030-04-04T16:00 is outside the cohort's dates "
         "(2030-03-04 to 2030-03-29)",
         "course.yaml:50: cohort 'spring-2030': session ends_at 2030-04-04T17:00 is outside the cohort's dates "
         "(2030-03-04 to 2030-03-29)"],
    ),
    "session time skipped by daylight saving": (
        edit(edit(edit(V, COURSE, "ends_on: 2030-03-29", "ends_on: 2030-04-10"),
                  COURSE, "starts_at: 2030-03-04T16:00", "starts_at: 2030-03-31T02:30"),
             COURSE, "ends_at: 2030-03-04T17:00", "ends_at: 2030-03-31T03:30"),
        ["course.yaml:49: cohort 'spring-2030': 2030-03-31T02:30 does not exist in Europe/Madrid (the clocks go "
         "forward then); choose another time"],
    ),
    "fewer sessions than completion needs": (
        edit(V, COURSE, "min_sessions_attended: 1", "min_sessions_attended: 2"),
        ["course.yaml:47: cohort 'spring-2030': schedules 1 live session but completion.min_sessions_attended is "
         "2; add sessions or lower the minimum"],
    ),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_broken_package_reports_exactly(files, expected):
    assert problems(files) == expected


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_every_problem_is_reported_in_one_pass_sorted_by_file_then_line():
    files = edit(V, COURSE, "version: 1.0.0", "version: one")
    files = edit(files, QUIZ, "answer: true", "answer: maybe")
    files = edit(files, WHY, "(02-choosing-species.md)", "(02-nope.md)")
    files = edit(files, MODULE, "title: The basics", "tile: The basics")
    assert problems(files) == [
        "basics/01-why-trees.md:16: link to missing lesson '02-nope.md': basics/02-nope.md is not in the package",
        "basics/module.yaml:1: module is missing required key 'title'",
        "basics/module.yaml:2: unknown key 'tile' in module; did you mean 'title'?",
        "basics/quiz.yaml:36: 'answer' must be true or false, not text ('maybe')",
        "course.yaml:3: 'version' must be a semantic version such as 1.2.0 (MAJOR.MINOR.PATCH), not 'one'",
    ]


def test_front_matter_lines_are_counted_from_the_top_of_the_file():
    files = edit(V, SPECIES, "minutes: 15", "minutes: [15]")
    assert problems(files) == ["basics/02-choosing-species.md:4: 'minutes' must be a whole number, not a list"]


# Issue 20, defects 5 and 6: a package zipped one folder too deep; names that differ only in case.

def test_a_zip_one_folder_too_deep_says_where_course_yaml_is_and_what_to_zip():
    from lms.core.packages import load_package
    from tests.core.packages.builders import zip_bytes

    nested = {f"street-trees/{path}": data for path, data in V.items()}
    result = load_package(zip_bytes(nested, root="my-courses"), name="upload.zip")
    assert [str(p) for p in result.problems] == [
        "upload.zip: course.yaml is not at the top of the package but at my-courses/street-trees/course.yaml: the "
        "package is one folder too deep. Zip the folder 'street-trees' itself (or the files inside it), or point at "
        "that folder"]


def test_a_folder_one_level_too_high_says_which_folder_to_use(tmp_path):
    from lms.core.packages import load_package
    from tests.core.packages.builders import write_folder

    write_folder({f"street-trees/{path}": data for path, data in V.items()}, tmp_path / "work")
    [problem] = load_package(tmp_path / "work").problems
    assert "but at street-trees/course.yaml: the package is one folder too deep" in str(problem)


@pytest.mark.parametrize("files, expected", [
    (edit(V, MODULE, "  - 01-why-trees.md", "  - 01-Why-Trees.md"),
     "basics/module.yaml:5: lesson file '01-Why-Trees.md' does not exist in basics/; it differs only in case from "
     "'basics/01-why-trees.md'"),
    (edit(V, WHY, "(../assets/tree.png", "(../assets/Tree.png"),
     "basics/01-why-trees.md:10: image '../assets/Tree.png' does not exist: assets/Tree.png is not in the package; "
     "it differs only in case from 'assets/tree.png'"),
    (edit(V, COURSE, "  - extras", "  - Extras"),
     "course.yaml:16: module folder 'Extras' does not exist; it differs only in case from 'extras'"),
])
def test_names_that_differ_only_in_case_say_so(files, expected):
    assert [expected] == [p.removesuffix(" (the same on macOS and Windows, not on the server): write it exactly as "
                                       "the file is named") for p in problems(files)]
