"""Geometry of the reports' bar charts, drawn as server-side SVG by the ``bar_chart`` macro. Pure: no Flask.

Every chart is also given to the page as a data table (the macro prints both), so screen readers and people who
prefer numbers read the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 230
VALUE_WIDTH = 90
COLUMN_HEIGHT = 180
COLUMN_LABEL_HEIGHT = 36


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as printed next to the bar, e.g. "1,234 (61.7%)"
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool
    headers: tuple[str, str]  # the data table's column headings


def horizontal_bars(title: str, description: str, rows: Sequence[tuple[str, float, str]],
                    headers: tuple[str, str] = ("Item", "Value"), maximum: float | None = None) -> Chart:
    """One bar per ``(label, value, shown)``, labels on the left, lengths proportional to ``value / maximum``."""
    top = max([maximum or 0, *(value for _, value, _ in rows)]) or 1
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for i, (label, value, shown) in enumerate(rows):
        y = i * (BAR_HEIGHT + GAP)
        length = track * max(0.0, value) / top
        text_y = round(y + BAR_HEIGHT * 0.7, 1)
        bars.append(Bar(label, value, shown, LABEL_WIDTH, y, round(length, 1), BAR_HEIGHT, LABEL_WIDTH - 8,
                        text_y, round(LABEL_WIDTH + length + 6, 1), text_y))
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP)
    return Chart(title, description, WIDTH, height, tuple(bars), True, headers)


def columns(title: str, description: str, rows: Sequence[tuple[str, float, str]],
            headers: tuple[str, str] = ("Period", "Value")) -> Chart:
    """Vertical columns over time, one per ``(label, value, shown)``, labels under the columns."""
    top = max([0, *(value for _, value, _ in rows)]) or 1
    slot = WIDTH / max(1, len(rows))
    bars = []
    for i, (label, value, shown) in enumerate(rows):
        height = COLUMN_HEIGHT * max(0.0, value) / top
        x = i * slot + slot * 0.15
        bars.append(Bar(label, value, shown, round(x, 1), round(COLUMN_HEIGHT - height + 16, 1), round(slot * 0.7, 1),
                        round(height, 1), round(x + slot * 0.35, 1), COLUMN_HEIGHT + 30, round(x + slot * 0.35, 1),
                        round(COLUMN_HEIGHT - height + 12, 1)))
    return Chart(title, description, WIDTH, COLUMN_HEIGHT + COLUMN_LABEL_HEIGHT + 16, tuple(bars), False, headers)
