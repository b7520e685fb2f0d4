"""docs/screenshots.md and docs/screenshots/ agree: the table names every image the browser tests take, and every
image it names exists (a renamed screenshot leaves neither a dead link nor an orphan file)."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_screenshot_page_lists_exactly_the_screenshots():
    listed = set(re.findall(r"\(screenshots/([\w-]+\.png)\)", (DOCS / "screenshots.md").read_text(encoding="utf-8")))
    taken = {path.name for path in (DOCS / "screenshots").glob("*.png")}
    assert not listed - taken, f"docs/screenshots.md names images that do not exist: {sorted(listed - taken)}"
    assert not taken - listed, f"docs/screenshots.md does not list: {sorted(taken - listed)}"
