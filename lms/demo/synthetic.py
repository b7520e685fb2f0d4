"""Large synthetic course packages, for benchmarks and tests.

``write_synthetic_package(dest, lessons=500)`` writes a valid package in the format of docs/course-packages.md into the
folder ``dest``: ``course.yaml``, one folder per module with ``module.yaml``, lesson ``.md`` files with front matter and
a ``quiz.yaml`` mixing every question type, and ``assets/figure.png`` shown by lessons. The same arguments (and seed)
always give byte-identical files.

From the shell::

    python -m lms.demo.synthetic /tmp/big-course --lessons 2000 --modules 40 --seed 7

Pure (no Flask, no database): it writes files only inside the folder it is given.
"""

from __future__ import annotations

import argparse
import random
import re
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SEMVER = re.compile(r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)(?:[-+][0-9A-Za-z.-]+)?$")
FIGURE = "assets/figure.png"
QUESTION_TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer", "numeric")

_VOCABULARY = (
    "care city street service district neighbour budget plan council transport housing school clinic park market "
    "library water energy waste data map survey resident worker volunteer network policy agreement mobility "
    "proximity safety lighting bench shade square bus route walk bicycle ramp elevator childcare elderly health "
    "community centre programme report indicator target meeting workshop training official mayor department "
    "partnership evaluation pilot scale time trip chain public space design tool method practice lesson example "
    "ciudad cuidado barrio plaza 돌봄 도시 서울 Bogotá Seoul Madrid Barcelona Montréal"
)
_WORDS = tuple(_VOCABULARY.split())


def write_synthetic_package(
    dest: Path,
    *,
    lessons: int = 500,
    modules: int | None = None,
    words_per_lesson: int = 300,
    questions_per_quiz: int = 6,
    slug: str = "synthetic",
    version: str = "1.0.0",
    seed: int = 0,
) -> Path:
    """Write a valid course package into ``dest`` (created; must be empty if it exists) and return ``dest``.

    ``modules`` defaults to one per ten lessons; lessons are spread evenly, every module gets at least one. Each module
    has a quiz of ``questions_per_quiz`` questions (none when 0) cycling through every question type.
    """
    modules = -(-lessons // 10) if modules is None else modules
    if lessons < 1:
        raise ValueError("lessons must be at least 1")
    if not 1 <= modules <= lessons:
        raise ValueError("modules must be between 1 and the number of lessons (a module needs a lesson)")
    if words_per_lesson < 1 or questions_per_quiz < 0:
        raise ValueError("words_per_lesson must be at least 1 and questions_per_quiz at least 0")
    if not _ID.match(slug):
        raise ValueError(f"slug {slug!r} is not an id (lowercase letters, digits and '-')")
    if not _SEMVER.match(version):
        raise ValueError(f"version {version!r} is not a semantic version such as 1.2.0")
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise FileExistsError(f"{dest} exists and is not an empty folder")

    rng = random.Random(seed)  # noqa: S311 - reproducible content, not secrets
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "assets").mkdir()
    (dest / FIGURE).write_bytes(_png(24, 16, rng))

    lesson_width = max(3, len(str(lessons)))
    module_width = max(3, len(str(modules)))
    layout = [list(range(lessons * m // modules, lessons * (m + 1) // modules)) for m in range(modules)]
    folders = [f"module-{m + 1:0{module_width}d}" for m in range(modules)]
    file_names = {}
    for m, numbers in enumerate(layout):
        for position, n in enumerate(numbers, start=1):
            file_names[n] = (folders[m], f"{position:02d}-{_slugify(_pick(rng, 2))}.md")

    total_minutes = 0
    for m, numbers in enumerate(layout):
        folder = dest / folders[m]
        folder.mkdir()
        for n in numbers:
            minutes, text = _lesson(rng, n, lesson_width, words_per_lesson, file_names, folders[m])
            total_minutes += minutes
            _write_text(folder / file_names[n][1], text)
        module: dict[str, Any] = {
            "id": folders[m],
            "title": f"Module {m + 1}: {_capitalised(_pick(rng, 3))}",
            "summary": _sentence(rng, 12),
            "required": m % 5 != 4 or modules == 1,  # every fifth module is optional
            "lessons": [file_names[n][1] for n in numbers],
        }
        _write_yaml(folder / "module.yaml", module)
        if questions_per_quiz:
            _write_yaml(folder / "quiz.yaml", _quiz(rng, m, folders[m], questions_per_quiz))

    course = {
        "slug": slug,
        "title": f"Synthetic course {slug} ({lessons} lessons)",
        "version": version,
        "summary": f"A generated course with {lessons} lessons in {modules} modules, for benchmarks and tests.",
        "language": "en",
        "authors": [{"name": "LMS-lite generator", "organisation": "LMS-lite"}],
        "licence": "CC0-1.0",
        "estimated_hours": max(0.1, round(total_minutes / 60, 1)),
        "enrolment": "open",
        "eligibility": "Anyone may take this **generated** course.",
        "modules": folders,
        "completion": {"min_sessions_attended": 0},
        "certificate": {
            "enabled": True,
            "issuers": [{"name": "LMS-lite generator", "url": "https://example.org/lms-lite"}],
        },
        "resources": [
            {"title": "The figure", "url": FIGURE, "description": "The image shown in the lessons."},
            {"title": "Example site", "url": "https://example.org/", "description": "An external link."},
        ],
        "live_sessions": [
            {"id": "kick-off", "title": "Kick-off", "description": "Meet the group.", "duration_minutes": 60},
        ],
    }
    _write_yaml(dest / "course.yaml", course)
    return dest


def _lesson(
    rng: random.Random, n: int, width: int, words: int, file_names: dict[int, tuple[str, str]], folder: str
) -> tuple[int, str]:
    minutes = max(1, round(words / 200)) + rng.randint(0, 5)
    front: dict[str, Any] = {"id": f"lesson-{n + 1:0{width}d}", "title": f"Lesson {n + 1}: {_pick(rng, 3)}",
                             "minutes": minutes}
    if n % 7 == 6:
        front["required"] = False
    if n % 11 == 10:
        front["reset_progress"] = True
    body = [f"# {front['title']}", ""]
    if n % 10 == 0:
        body += [f"![Figure for lesson {n + 1}](../{FIGURE} \"A figure\")", ""]
    remaining = words
    paragraph = 0
    while remaining > 0:
        size = min(remaining, rng.randint(40, 80))
        remaining -= size
        paragraph += 1
        if paragraph % 3 == 0:
            body += [f"## {_capitalised(_pick(rng, 2))}", ""]
        if paragraph % 4 == 0:
            words_of_list = _pick(rng, size).split(" ")
            body += [f"- {' '.join(words_of_list[i:i + 8])}" for i in range(0, size, 8)] + [""]
            continue
        sentence = _sentence(rng, size).split(" ")
        if paragraph == 1 and len(sentence) > 2:
            sentence[1] = f"**{sentence[1]}**"
        if paragraph == 2 and len(sentence) > 3:
            sentence[2] = f"*{sentence[2]}*"
        body += [" ".join(sentence), ""]
    if n % 5 == 2:
        body += ["| item | value |", "| --- | --- |", *(f"| {_pick(rng, 1)} | {rng.randint(1, 99)} |"
                                                        for _ in range(3)), ""]
    if n + 1 in file_names:
        next_folder, next_file = file_names[n + 1]
        target = next_file if next_folder == folder else f"../{next_folder}/{next_file}"
        body += [f"Next: [lesson {n + 2}]({target}). More at [example.org](https://example.org/).", ""]
    front_matter = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    return minutes, f"---\n{front_matter}---\n" + "\n".join(body)


def _quiz(rng: random.Random, m: int, module_id: str, count: int) -> dict[str, Any]:
    quiz: dict[str, Any] = {"id": f"{module_id}-quiz", "title": f"Quiz {m + 1}", "pass_mark": (70, 60, 80)[m % 3]}
    if m % 2:
        quiz["max_attempts"] = 3
    quiz["shuffle_questions"] = m % 2 == 0
    quiz["shuffle_choices"] = m % 3 != 2
    quiz["score_policy"] = "best" if m % 4 != 3 else "last"
    quiz["questions"] = [_question(rng, i, QUESTION_TYPES[(m + i) % len(QUESTION_TYPES)]) for i in range(count)]
    return quiz


def _question(rng: random.Random, i: int, kind: str) -> dict[str, Any]:
    question: dict[str, Any] = {"id": f"q{i + 1}", "type": kind, "prompt": f"{_sentence(rng, 10)[:-1]}?",
                                "points": (1, 2, 0.5)[i % 3]}
    if kind in ("single_choice", "multiple_choice"):
        size = 3 + i % 3
        if kind == "single_choice":
            correct = {rng.randrange(size)}
        else:
            correct = set(rng.sample(range(size), rng.randint(1, size - 1)))
        question["choices"] = [
            {"id": "abcdef"[c], "text": _pick(rng, 3), "correct": c in correct,
             "feedback": "Yes, that is right." if c in correct else f"No: {_pick(rng, 4)}."}
            for c in range(size)
        ]
    elif kind == "true_false":
        question["answer"] = rng.random() < 0.5
        question["feedback_correct"] = "Correct."
        question["feedback_incorrect"] = "Not quite."
    elif kind == "short_answer":
        word = _pick(rng, 1)
        question["accepted_answers"] = [word, f"the {word}"]
        question["case_sensitive"] = i % 4 == 3
    else:
        question["answer"] = rng.randint(1, 500) / 4
        question["tolerance"] = (0, 0.5, 1)[i % 3]
    question["explanation"] = _sentence(rng, 12)
    return question


def _pick(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(rng: random.Random, count: int) -> str:
    return _capitalised(_pick(rng, count)) + "."


def _slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).lower()
    ascii_words = ["".join(ch for ch in word if "a" <= ch <= "z") for word in plain.split()]
    return "-".join(word for word in ascii_words if word) or "lesson"


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    _write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110))


def _write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))  # UTF-8 and \n on every platform


def _png(width: int, height: int, rng: random.Random) -> bytes:
    """A small valid RGB PNG: two colours in stripes."""
    first = bytes(rng.randrange(256) for _ in range(3))
    second = bytes(rng.randrange(256) for _ in range(3))
    rows = b"".join(b"\x00" + b"".join(first if (x // 4 + y // 4) % 2 else second for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lms.demo.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--lessons", type=int, default=500)
    parser.add_argument("--modules", type=int, default=None, help="default: one per ten lessons")
    parser.add_argument("--words", type=int, default=300, help="words per lesson")
    parser.add_argument("--questions", type=int, default=6, help="questions per module quiz (0: no quizzes)")
    parser.add_argument("--slug", default="synthetic")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        path = write_synthetic_package(
            args.dest, lessons=args.lessons, modules=args.modules, words_per_lesson=args.words,
            questions_per_quiz=args.questions, slug=args.slug, version=args.version, seed=args.seed,
        )
    except (ValueError, FileExistsError) as error:
        parser.error(str(error))
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
