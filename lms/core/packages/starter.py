"""The package `flask lms new-course SLUG` writes: small, valid, and commented, so an instructor starts from
something that works and reads, next to each key, what it is for (like `mkdocs new`). A test loads it."""

from __future__ import annotations

import re

from lms.core.packages.fields import ID

_COURSE = """\
# course.yaml: the course. Every key is described in the guide to course packages (docs/course-packages.md, also
# served at /author/course-packages). Check your work with: flask lms validate {slug}
# or see it as learners will, reloading as you save: flask lms preview {slug}
slug: {slug}                    # the permanent id, used in addresses; never change it once learners have started
title: {title}
version: 0.1.0                  # raise it for every change you import (0.1.1, 0.2.0, 1.0.0 …)
summary: One or two sentences that tell a learner what this course is about.
language: en
authors:
  - name: Your name
    organisation: Your organisation   # optional
licence: CC-BY-4.0
estimated_hours: 1              # a decimal uses a point: 1.5
enrolment: open                 # open: anyone joins; application: people apply to a cohort; invite: staff add people
modules:                        # the module folders, in order
  - module-1
completion:
  min_sessions_attended: 0
certificate:
  enabled: true
  issuers:
    - name: Your organisation
      url: https://example.org
resources:
  - title: A handout
    url: assets/handout.txt     # a file under assets/, or an https:// address
    description: One page to keep.
# Cohorts are runs of the course with dates. In an open course each one says how learners join it:
#   enrolment: open    every learner who enrols while the cohort takes people joins it, and cannot study before
#                      its starts_on. Give it an application_deadline, or a far-off cohort holds everyone back.
#   enrolment: invite  staff add learners to the cohort; everyone else studies at their own pace.
# Dates are written 2030-03-04; times 2030-03-04T16:00, in the cohort's time zone. Remove the # to use it.
# cohorts:
#   - id: first-run
#     name: First run
#     timezone: Europe/Madrid
#     enrolment: invite
#     starts_on: 2030-03-04
#     ends_on: 2030-03-29
"""

_MODULE = """\
# module.yaml: one module. Its lessons are the .md files of this folder, in the order learners take them.
id: module-1                    # ids use lowercase letters, digits and '-', and stay the same across versions
title: Getting started
summary: What the first module covers.
lessons:
  - 01-welcome.md
  - 02-next-steps.md
"""

_WELCOME = """\
---
id: welcome
title: Welcome
minutes: 5
---
# Welcome

Lessons are Markdown. **Bold**, *italic*, lists and tables work, and so do links to other lessons:
read the [next steps](02-next-steps.md) after this one.

| step | minutes |
| --- | ---: |
| read this lesson | 5 |
| take the quiz | 10 |

A title or any text that contains ': ' must be put in quotes in the YAML files: `title: "Safety: the basics"`.
"""

_NEXT = """\
---
id: next-steps
title: Next steps
minutes: 10
---
# Next steps

Files that learners download go in `assets/`, like the [handout](../assets/handout.txt).
Then take the module's quiz.
"""

_QUIZ = """\
# quiz.yaml: the module's quiz. Question types: single_choice, multiple_choice, true_false, short_answer, numeric.
id: module-1-quiz
title: Check your understanding
pass_mark: 60                   # percent of the points
max_attempts: 3                 # remove it for unlimited attempts
questions:
  - id: format
    type: single_choice
    prompt: What are lessons written in?
    choices:                    # each choice has an id; `answer` names the correct one by its id, not its position
      - id: markdown
        text: Markdown
      - id: word
        text: Word documents
        feedback: Look at the files of a lesson.
    answer: markdown
  - id: ids-stay
    type: true_false
    prompt: An id should stay the same from one version to the next.
    answer: true
  - id: minutes
    type: numeric
    prompt: How many minutes does the first lesson take?
    answer: 5                   # a number: 90, not 1:30; 1.5, not 1,5 (learners may type 1,5)
    tolerance: 0
    explanation: The front matter of 01-welcome.md says minutes 5.
"""

_HANDOUT = """\
A handout of the course {title}.
"""


def title_from_slug(slug: str) -> str:
    words = re.split(r"-+", slug)
    text = " ".join(word for word in words if word)
    return text[:1].upper() + text[1:]


def starter_package(slug: str) -> dict[str, bytes]:
    """The files of a new course, by path. ``slug`` must be an id (lowercase letters, digits and '-')."""
    if not ID.matches(slug):
        raise ValueError(f"'{slug}' is not a valid course id: use {ID.phrase}")
    title = title_from_slug(slug)
    files = {
        "course.yaml": _COURSE.format(slug=slug, title=title),
        "module-1/module.yaml": _MODULE,
        "module-1/01-welcome.md": _WELCOME,
        "module-1/02-next-steps.md": _NEXT,
        "module-1/quiz.yaml": _QUIZ,
        "assets/handout.txt": _HANDOUT.format(title=title),
    }
    return {path: text.encode("utf-8") for path, text in files.items()}
