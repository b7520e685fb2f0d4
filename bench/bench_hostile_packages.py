"""How long validating the most expensive packages within the limits takes (issue 12, §9: "no package under the
limits takes more than a few seconds to validate").

For each kind of crafted Markdown that is slow to parse (emphasis, brackets, links, inline code, HTML, entities,
list items, tables, plain text), a package is built whose text costs just under ``Limits.max_markdown_cost``, and
its validation is timed; so is a zip whose central directory lists a million entries (refused before the listing
is read). Run: `.venv/bin/python bench/bench_hostile_packages.py`.
"""

from __future__ import annotations

import io
import struct
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms.core.packages import load_package  # noqa: E402
from lms.core.packages.files import Limits, markdown_cost  # noqa: E402
from lms.demo.synthetic import write_synthetic_package  # noqa: E402

KINDS = {
    "emphasis": "*a **b ",
    "brackets": "[",
    "links": "[a](b) ",
    "inline code": "`a` ",
    "html": "<b>x</b> ",
    "entities": "&amp; ",
    "list items": "- a\n",
    "table rows": "|x|y|\n",
    "plain text": "word ",
}
LESSONS = 20


def hostile_package(folder: Path, unit: str, share: float = 0.98) -> Path:
    package = write_synthetic_package(folder, lessons=LESSONS, words_per_lesson=5, questions_per_quiz=1)
    lessons = sorted(package.rglob("*.md"))
    base = sum(markdown_cost(path.read_text(encoding="utf-8")) for path in package.rglob("*")
               if path.suffix in (".md", ".yaml"))
    per_lesson = (Limits().max_markdown_cost - base) * share / LESSONS
    repeat = max(1, int(per_lesson / max(markdown_cost(unit * 100) / 100, 0.01)))
    prefix = "|a|b|\n|-|-|\n" if unit.startswith("|") else ""
    for path in lessons:
        path.write_text(path.read_text(encoding="utf-8") + "\n" + prefix + unit * repeat + "\n", encoding="utf-8")
    return package


def many_entries_zip(entries: int) -> bytes:
    """A zip whose end-of-central-directory record claims ``entries`` entries (the listing itself is not there)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course.yaml", "slug: x\n")
    data = bytearray(buffer.getvalue())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, entries, entries)  # entries on this disk, and in all
    return bytes(data)


def main() -> None:
    print(f"limit: Limits.max_markdown_cost = {Limits().max_markdown_cost:,}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, unit in KINDS.items():
            package = hostile_package(Path(tmp) / name.replace(" ", "-"), unit)
            cost = sum(markdown_cost(path.read_text(encoding="utf-8")) for path in package.rglob("*")
                       if path.suffix in (".md", ".yaml"))
            # CPU time of this process as well as wall time: on a shared machine the wall time includes the others.
            start, start_cpu = time.perf_counter(), time.process_time()
            result = load_package(package)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            worst = max(worst, cpu)
            outcome = "valid" if result.ok else f"{len(result.problems)} problem(s)"
            print(f"{name:12} cost {cost:>10,}  validated in {elapsed:5.2f} s ({cpu:5.2f} s of CPU)  ({outcome})")
        over = hostile_package(Path(tmp) / "over", KINDS["emphasis"], share=1.2)
        start = time.perf_counter()
        result = load_package(over)
        print(f"{'over limit':12} refused in {time.perf_counter() - start:5.2f} s: {result.problems[0]}")
    start = time.perf_counter()
    result = load_package(many_entries_zip(60_000))
    print(f"{'60,000 zip entries':12} refused in {(time.perf_counter() - start) * 1000:.1f} ms: {result.problems[0]}")
    print(f"slowest package within the limits: {worst:.2f} s of CPU")


if __name__ == "__main__":
    main()
