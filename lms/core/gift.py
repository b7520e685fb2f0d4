"""Moodle's GIFT question format, to and from our quiz questions (plain data as quiz.yaml holds them).

GIFT (docs.moodle.org/en/GIFT_format) writes one question per paragraph: an optional ``::title::``, an optional
``[format]``, the question text and, in braces, its answers. What maps to our types:

| GIFT | ours |
| --- | --- |
| ``{T}`` / ``{FALSE#wrong#right}`` | true_false (feedback for a wrong answer first, then for a right one) |
| ``{=right ~wrong#feedback}`` | single_choice |
| ``{~%50%a ~%50%b ~%-100%c}`` | multiple_choice: choices with a positive weight are correct |
| ``{=answer =other answer}`` | short_answer |
| ``{#3.5:0.5}``, ``{#1..5}`` | numeric (a range becomes its middle with half its width as tolerance) |
| ``####text`` in the braces | the question's explanation |

What cannot be carried is reported as a note with its line, never silently dropped: essay ``{}``, matching
(``=a -> b``), descriptions (no braces), partial credit other than all-or-nothing, several numeric answers, HTML text,
categories, and from our side points and case-sensitive short answers. Question and choice ids are derived from the
title or text (lowercase letters, digits, '-'), unique within their quiz or question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

SPECIAL = "~=#{}:"
_ESCAPES = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n", "\\": "\\"}


@dataclass(frozen=True)
class Note:
    line: int  # in the GIFT file (import) or 0 (export, by question)
    message: str


@dataclass
class GiftQuiz:
    questions: list[dict[str, Any]] = field(default_factory=list)  # as quiz.yaml's `questions` holds them
    notes: list[Note] = field(default_factory=list)
    category: str = ""


# Reading GIFT

def parse_gift(text: str) -> GiftQuiz:
    quiz = GiftQuiz()
    used_ids: set[str] = set()
    for line, block in _blocks(text):
        if block.startswith("$CATEGORY:"):
            quiz.category = block.removeprefix("$CATEGORY:").strip().rsplit("/", 1)[-1]
            quiz.notes.append(Note(line, f"category '{quiz.category}' is not carried (a quiz has no categories); "
                                         "its questions are"))
            continue
        question = _question(block, line, quiz.notes)
        if question is not None:
            question["id"] = _unique(id_from_text(question.pop("_title") or question["prompt"]) or "question", used_ids)
            quiz.questions.append(_ordered(question))
    return quiz


_KEY_ORDER = ("id", "type", "prompt", "choices", "answer", "accepted_answers", "tolerance", "feedback_correct",
              "feedback_incorrect", "explanation")


def _ordered(question: dict[str, Any]) -> dict[str, Any]:
    return {key: question[key] for key in _KEY_ORDER if key in question and question[key] not in ("", None)}


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraphs without comment lines, with the line each starts on; a paragraph whose braces are not closed yet
    goes on over a blank line."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if raw.lstrip().startswith("//"):
            continue
        if not raw.strip() and current and _balance("\n".join(current)) <= 0:
            blocks.append((start, "\n".join(current).strip()))
            current = []
            continue
        if raw.strip() or current:
            if not current:
                start = number
            current.append(raw)
    if current and "\n".join(current).strip():
        blocks.append((start, "\n".join(current).strip()))
    return blocks


def _balance(text: str) -> int:
    plain = re.sub(r"\\.", "", text)
    return plain.count("{") - plain.count("}")


def _unescaped(text: str, char: str, start: int = 0) -> int:
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == char:
            return index
        index += 1
    return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def _question(block: str, line: int, notes: list[Note]) -> dict[str, Any] | None:
    title = ""
    body = block
    if body.startswith("::"):
        end = body.find("::", 2)
        if end != -1:
            title, body = _unescape(body[2:end]).strip(), body[end + 2:].lstrip()
    text_format = ""
    if match := re.match(r"\[(html|moodle|plain|markdown)\]", body):
        text_format, body = match.group(1), body[match.end():]
    opening = _unescaped(body, "{")
    closing = _unescaped(body, "}", opening + 1) if opening != -1 else -1
    shown = title or _unescape(body).strip()[:40]
    if opening == -1 or closing == -1:
        notes.append(Note(line, f"'{shown}' has no answers in braces (a description, not a question); left out"))
        return None
    before, answers, after = body[:opening], body[opening + 1:closing].strip(), body[closing + 1:]
    prompt = _unescape(before).strip()
    if after.strip():
        prompt = f"{prompt} _____ {_unescape(after).strip()}".strip()
        notes.append(Note(line, f"'{shown}': the answers sit inside the text (a missing-word question); the "
                                "prompt shows _____ where they were"))
    if text_format == "html":
        notes.append(Note(line, f"'{shown}': the text is HTML, which lessons and quizzes show as text; rewrite "
                                "its markup as Markdown"))
    question: dict[str, Any] = {"_title": title, "prompt": prompt}
    explanation_at = answers.find("####")
    if explanation_at != -1:
        question["explanation"] = _unescape(answers[explanation_at + 4:]).strip()
        answers = answers[:explanation_at].strip()
    return _answers(question, answers, line, shown, notes)


def _answers(question: dict[str, Any], answers: str, line: int, shown: str,
             notes: list[Note]) -> dict[str, Any] | None:
    if not answers:
        notes.append(Note(line, f"'{shown}' is an essay question, which has no automatic grading here; left out"))
        return None
    if answers.startswith("#"):
        return _numeric(question, answers[1:].strip(), line, shown, notes)
    if match := re.fullmatch(r"(T|F|TRUE|FALSE)((?:#[^#]*){0,2})", answers, re.S):
        feedback = [_unescape(part).strip() for part in match.group(2).split("#")[1:]]
        question.update(type="true_false", answer=match.group(1).startswith("T"))
        question["feedback_incorrect"], question["feedback_correct"] = ([*feedback, "", ""])[:2]
        return question
    items = _items(answers)
    if any("->" in item["text"] for item in items):
        notes.append(Note(line, f"'{shown}' is a matching question, which has no equivalent here; left out"))
        return None
    if all(item["mark"] == "=" for item in items):
        accepted = [item["text"] for item in items if item["weight"] in (None, 100.0)]
        dropped = [item["text"] for item in items if item["weight"] not in (None, 100.0)]
        if dropped:
            notes.append(Note(line, f"'{shown}': answers with partial credit are not carried ({', '.join(dropped)}); "
                                    "an answer is accepted or not"))
        if not accepted:
            return None
        question.update(type="short_answer", accepted_answers=accepted)
        feedback = next((item["feedback"] for item in items if item["feedback"]), "")
        if feedback:
            question["feedback_correct"] = feedback
        return question
    return _choices(question, items, line, shown, notes)


def _items(answers: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    starts = [i for i in range(len(answers)) if answers[i] in "=~" and (i == 0 or answers[i - 1] != "\\")]
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(answers)
        raw = answers[start + 1:end].strip()
        weight = None
        if match := re.match(r"%(-?[0-9.]+)%", raw):
            weight, raw = float(match.group(1)), raw[match.end():]
        split = _unescaped(raw, "#")
        text, feedback = (raw, "") if split == -1 else (raw[:split], raw[split + 1:])
        items.append({"mark": answers[start], "weight": weight, "text": _unescape(text).strip(),
                      "feedback": _unescape(feedback).strip()})
    return items


def _choices(question: dict[str, Any], items: list[dict[str, Any]], line: int, shown: str,
             notes: list[Note]) -> dict[str, Any]:
    used: set[str] = set()
    choices = []
    for number, item in enumerate(items, start=1):
        correct = item["mark"] == "=" or (item["weight"] is not None and item["weight"] > 0)
        choice = {"id": _unique(id_from_text(item["text"]) or f"choice-{number}", used), "text": item["text"]}
        if item["feedback"]:
            choice["feedback"] = item["feedback"]
        choices.append((choice, correct, item))
    correct_ids = [choice["id"] for choice, correct, _item in choices if correct]
    multiple = any(item["weight"] is not None for _c, _k, item in choices) and (
        len(correct_ids) != 1 or any(item["mark"] == "~" and item["weight"] for _c, _k, item in choices))
    if multiple:
        expected = 100.0 / max(len(correct_ids), 1)
        if any(item["weight"] is not None and item["weight"] > 0 and abs(item["weight"] - expected) > 0.01
               for _c, _k, item in choices):
            notes.append(Note(line, f"'{shown}': unequal weights are not carried; each correct choice is worth the "
                                    "same, and each wrong one picked takes as much away"))
        question.update(type="multiple_choice", choices=[choice for choice, _k, _i in choices], answer=correct_ids)
    else:
        question.update(type="single_choice", choices=[choice for choice, _k, _i in choices],
                        answer=correct_ids[0] if correct_ids else "")
    return question


def _numeric(question: dict[str, Any], answers: str, line: int, shown: str,
             notes: list[Note]) -> dict[str, Any] | None:
    if answers.startswith("="):
        items = _items(answers)
        chosen = next((item for item in items if item["weight"] in (None, 100.0)), items[0] if items else None)
        if chosen is None:
            return None
        if len(items) > 1:
            notes.append(Note(line, f"'{shown}': only the fully correct numeric answer is carried ({chosen['text']});"
                                    " other answers and partial credit are not"))
        value, feedback = chosen["text"], chosen["feedback"]
    else:
        split = _unescaped(answers, "#")
        value, feedback = (answers, "") if split == -1 else (answers[:split], _unescape(answers[split + 1:]).strip())
    value = _unescape(value).strip()
    try:
        if ".." in value:
            low, high = (float(part) for part in value.split("..", 1))
            answer, tolerance = (low + high) / 2, (high - low) / 2
        elif ":" in value:
            answer_text, tolerance_text = value.split(":", 1)
            answer, tolerance = float(answer_text), float(tolerance_text)
        else:
            answer, tolerance = float(value), 0.0
    except ValueError:
        notes.append(Note(line, f"'{shown}': '{value}' is not a number; left out"))
        return None
    question.update(type="numeric", answer=_number(answer), tolerance=_number(abs(tolerance)))
    if feedback:
        question["feedback_correct"] = feedback
    return question


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def id_from_text(text: str, limit: int = 40) -> str:
    """An id (lowercase letters, digits, '-') made of the first words of ``text``, at most ``limit`` long."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "-".join(words)[:limit].strip("-")


def _unique(base: str, used: set[str]) -> str:
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base[:60]}-{number}"
    used.add(candidate)
    return candidate


# Writing GIFT

def to_gift(questions: list[dict[str, Any]], title: str = "") -> tuple[str, list[Note]]:
    """Our questions (as quiz.yaml holds them, with `correct: true` flags or `answer`) as GIFT text, and notes on
    what GIFT cannot carry."""
    notes: list[Note] = []
    parts = [f"// {title}" if title else "// Exported from LMS-lite", ""]
    for question in questions:
        parts.append(_gift_question(question, notes))
        parts.append("")
    return "\n".join(parts), notes


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _feedback(text: str) -> str:
    return f"#{_escape(text)}" if text else ""


def _gift_question(question: dict[str, Any], notes: list[Note]) -> str:
    qid = question["id"]
    kind = question["type"]
    head = f"::{_escape(qid)}::[markdown]{_escape(question['prompt'].strip())}"
    if float(question.get("points", 1)) != 1:
        notes.append(Note(0, f"question '{qid}': points ({question['points']}) are not carried; GIFT has none"))
    explanation = question.get("explanation", "")
    tail = f" ####{_escape(explanation)}" if explanation else ""
    if kind == "true_false":
        word = "TRUE" if question["answer"] else "FALSE"
        wrong, right = question.get("feedback_incorrect", ""), question.get("feedback_correct", "")
        feedback = f"#{_escape(wrong)}#{_escape(right)}" if wrong or right else ""
        return f"{head} {{{word}{feedback}{tail}}}"
    if kind in ("single_choice", "multiple_choice"):
        answer = question.get("answer")
        keyed = {answer} if isinstance(answer, str) else set(answer or ())
        choices = question["choices"]
        correct = [c for c in choices if c.get("correct") or c["id"] in keyed]
        lines = []
        for choice in choices:
            is_correct = choice in correct
            text = _escape(str(choice["text"]).strip()) + _feedback(choice.get("feedback", ""))
            if kind == "single_choice":
                lines.append(("=" if is_correct else "~") + text)
            else:
                share = 100.0 / len(correct)
                lines.append(f"~%{_weight(share if is_correct else -share)}%{text}")
        return head + " {\n" + "\n".join(f"  {line}" for line in lines) + (f"\n {tail}" if tail else "") + "\n}"
    if kind == "short_answer":
        if question.get("case_sensitive"):
            notes.append(Note(0, f"question '{qid}': case-sensitive comparison is not carried; GIFT short answers "
                                 "ignore case"))
        if question.get("feedback_incorrect"):
            notes.append(Note(0, f"question '{qid}': feedback for a wrong answer is not carried"))
        accepted = question["accepted_answers"]
        feedback = _feedback(question.get("feedback_correct", ""))
        return head + " {" + " ".join(f"={_escape(a)}{feedback}" for a in accepted) + tail + "}"
    if kind == "numeric":
        if question.get("feedback_incorrect"):
            notes.append(Note(0, f"question '{qid}': feedback for a wrong answer is not carried"))
        value = f"{_plain(question['answer'])}:{_plain(question.get('tolerance', 0))}"
        return f"{head} {{#{value}{_feedback(question.get('feedback_correct', ''))}{tail}}}"
    raise ValueError(kind)


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _plain(value: float) -> str:
    return str(_number(float(value)))
