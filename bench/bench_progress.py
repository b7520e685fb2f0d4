"""Progress computation for a 300-lesson outline, the work reports repeat for every learner.

Prints the median time per call, and the same for a 5-lesson outline as the baseline measured in the same run.
Run: `.venv/bin/python bench/bench_progress.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.core.progress import Outline, OutlineLesson, OutlineModule, OutlineQuiz, course_progress


def outline(modules: int, lessons_per_module: int) -> Outline:
    return Outline(
        modules=tuple(
            OutlineModule(id=f"m{m}", lessons=tuple(OutlineLesson(id=f"l{m}-{n}") for n in range(lessons_per_module)),
                          quiz=OutlineQuiz(id=f"q{m}"))
            for m in range(modules)
        ),
        min_sessions_attended=2,
    )


def per_call(course: Outline, runs: int = 2000, repeats: int = 7) -> float:
    lessons = [lesson.id for module in course.modules for lesson in module.lessons]
    done = set(lessons[::2])
    passed = {module.quiz.id for module in course.modules[::2]}
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(runs):
            course_progress(course, done, passed, 1)
        samples.append((time.perf_counter() - start) / runs)
    return statistics.median(samples)


def main() -> None:
    small, large = per_call(outline(1, 5)), per_call(outline(30, 10))
    print(f"course_progress, 5 lessons:   {small * 1e6:8.1f} µs per call (baseline)")
    print(f"course_progress, 300 lessons: {large * 1e6:8.1f} µs per call ({large / small:.1f}x the baseline)")
    print(f"10,000 learners on 300 lessons: {large * 10_000 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
