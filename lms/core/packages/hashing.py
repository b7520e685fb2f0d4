"""Content hashes: what makes two versions of a lesson, a quiz or a whole package "the same".

All hashes are SHA-256 hex digests over normalised content (text with \\n line endings, no BOM), so a package hashes
the same as a folder or a zip, on Windows or Linux. A quiz's hash covers only what decides grading, because passes are
tied to it: fixing a typo in a prompt must not make learners pass the quiz again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from lms.core.packages.media import MediaFile, file_sha256
from lms.core.packages.model import Question, QuestionType


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package_hash(files: Mapping[str, bytes | MediaFile]) -> str:
    """SHA-256 over the lines "<path> <sha256 of the file>\\n", sorted by path."""
    listing = "".join(f"{path} {file_sha256(files[path])}\n" for path in sorted(files))
    return sha256_hex(listing.encode("utf-8"))


def quiz_hash(pass_mark: float, questions: Iterable[Question]) -> str:
    """SHA-256 of a canonical JSON of the grading: pass mark, and per question its id, type, points and answer key.
    Questions and choices are sorted by id (their order does not change a grade) and numbers are floats, so
    ``points: 1`` and ``points: 1.0`` are the same."""
    grading = {
        "pass_mark": float(pass_mark),
        "questions": sorted((_question_grading(q) for q in questions), key=lambda q: q["id"]),
    }
    canonical = json.dumps(grading, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256_hex(canonical.encode("utf-8"))


def _question_grading(question: Question) -> dict[str, Any]:
    grading: dict[str, Any] = {"id": question.id, "type": question.type.value, "points": float(question.points)}
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        grading["choices"] = sorted([choice.id, choice.correct] for choice in question.choices)
    elif question.type is QuestionType.TRUE_FALSE:
        grading["answer"] = question.correct_bool
    elif question.type is QuestionType.SHORT_ANSWER:
        grading["accepted_answers"] = sorted(question.accepted_answers)
        grading["case_sensitive"] = question.case_sensitive
    elif question.type is QuestionType.NUMERIC:
        grading["answer"] = float(question.numeric_answer or 0.0)
        grading["tolerance"] = float(question.tolerance)
    return grading
