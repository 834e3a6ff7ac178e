"""Bar charts as geometry: where each bar, label and tick goes in an SVG viewBox.

The template only draws what this computes, so a chart needs no JavaScript and no
library at run time, and its layout is tested as plain function calls.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.domain.reports import Kind, Section, display

WIDTH = 720
LABEL_WIDTH = 240
VALUE_GAP = 8
RIGHT_MARGIN = 70
ROW_HEIGHT = 26
BAR_GAP = 6
TOP = 28  # room for the legend
BOTTOM = 24  # room for the axis ticks
LABEL_CHARS = 36
SERIES = 6  # colours in the stylesheet: .series-0 .. .series-5


@dataclass(frozen=True)
class Bar:
    series: int
    x: float
    y: float
    width: float
    height: float
    text: str  # the value, for the label after the bar and the tooltip


@dataclass(frozen=True)
class ChartRow:
    label: str  # shortened to fit
    full_label: str
    y: float  # the middle of the row
    bars: tuple[Bar, ...]
    total_text: str
    total_x: float


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class LegendItem:
    series: int
    x: float
    text: str


@dataclass(frozen=True)
class Layout:
    title: str
    palette: str
    width: int
    height: int
    plot_left: int
    plot_width: int
    zero_x: float
    rows: tuple[ChartRow, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendItem, ...]


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `target_ticks` ticks."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power  # pragma: no cover - the loop always returns


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def layout(section: Section) -> Layout | None:
    """The chart of a section, or None when it has none or nothing to draw."""
    chart = section.chart
    if chart is None or not section.rows:
        return None
    label_at = section.column(chart.label)
    value_at = [section.column(key) for key in chart.values]
    kinds = [section.columns[i].kind for i in value_at]
    series_count = len(value_at)
    values = [[_number(row[i]) for i in value_at] for row in section.rows]
    if chart.stacked:
        totals = [sum(v or 0 for v in row) for row in values]
        low, high = 0.0, max(totals, default=0.0)
    else:
        flat = [v for row in values for v in row if v is not None]
        low, high = min([0.0, *flat]), max([0.0, *flat])
    if low == high:
        high = low + 1
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    plot_width = WIDTH - LABEL_WIDTH - VALUE_GAP - RIGHT_MARGIN
    plot_left = LABEL_WIDTH + VALUE_GAP

    def x_of(value: float) -> float:
        return round(plot_left + (value - low) / (high - low) * plot_width, 2)

    zero_x = x_of(0.0)
    band = ROW_HEIGHT if chart.stacked else max(ROW_HEIGHT, 14 * series_count + BAR_GAP)
    rows: list[ChartRow] = []
    for index, (row, row_values) in enumerate(zip(section.rows, values, strict=True)):
        top = TOP + index * band
        bars: list[Bar] = []
        if chart.stacked:
            start = 0.0
            for series, (value, kind) in enumerate(zip(row_values, kinds, strict=True)):
                if not value:
                    continue
                bars.append(
                    Bar(
                        series=series % SERIES,
                        x=x_of(start),
                        y=top + BAR_GAP / 2,
                        width=round(x_of(start + value) - x_of(start), 2),
                        height=band - BAR_GAP,
                        text=f"{section.columns[value_at[series]].label}: {display(value, kind)}",
                    )
                )
                start += value
            total = sum(v or 0 for v in row_values)
            total_text, total_x = display(total, kinds[0]), x_of(total) + 4
        else:
            height = (band - BAR_GAP) / series_count
            for series, (value, kind) in enumerate(zip(row_values, kinds, strict=True)):
                if value is None:
                    continue
                left, right = sorted((x_of(0.0), x_of(value)))
                bars.append(
                    Bar(
                        series=series % SERIES,
                        x=left,
                        y=round(top + BAR_GAP / 2 + series * height, 2),
                        width=round(right - left, 2),
                        height=round(height, 2),
                        text=f"{section.columns[value_at[series]].label}: {display(value, kind)}",
                    )
                )
            total_text = display(row_values[0], kinds[0]) if series_count == 1 and bars else ""
            total_x = max((b.x + b.width for b in bars), default=zero_x) + 4
        label = str(row[label_at])
        rows.append(
            ChartRow(
                label=_short(label),
                full_label=label,
                y=top + band / 2,
                bars=tuple(bars),
                total_text=total_text,
                total_x=round(total_x, 2),
            )
        )
    tick_values = []
    value = low
    while value <= high + step / 1000:
        tick_values.append(value)
        value += step
    tick_kind = kinds[0] if len(set(kinds)) == 1 else Kind.SCORE
    ticks = tuple(Tick(x_of(v), _tick_text(v, tick_kind)) for v in tick_values)
    legend: list[LegendItem] = []
    if series_count > 1:
        x = 0.0
        for series, i in enumerate(value_at):
            text = section.columns[i].label
            legend.append(LegendItem(series % SERIES, x, text))
            x += 16 + 7 * len(text) + 14  # swatch, text at about 7 units a character, gap
    return Layout(
        title=chart.title or section.title,
        palette=chart.palette,
        width=WIDTH,
        height=TOP + band * len(rows) + BOTTOM,
        plot_left=plot_left,
        plot_width=plot_width,
        zero_x=zero_x,
        rows=tuple(rows),
        ticks=ticks,
        legend=tuple(legend),
    )


def _tick_text(value: float, kind: Kind) -> str:
    if kind is Kind.COUNT:
        return f"{value:g}"
    if kind in (Kind.DAYS, Kind.HOURS, Kind.PERCENT):
        return display(value, kind).replace(".0 ", " ")
    return f"{value:g}"


def layouts(sections: Sequence[Section]) -> dict[str, Layout | None]:
    return {s.key: layout(s) for s in sections}
