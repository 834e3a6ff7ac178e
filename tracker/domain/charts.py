"""Bar charts as geometry: where each bar, label and tick goes in an SVG viewBox.

The template only draws what this computes, so a chart needs no JavaScript and no
library at run time, and its layout is tested as plain function calls.

One horizontal bar per row, labelled on the left. Several value columns are drawn as
grouped bars (one thin bar each, one under the other) or, when the chart says so, stacked
into one bar. Negative values extend left of the zero line. The label column is as wide
as the longest label needs (within limits); a long label wraps onto a second line and is
shortened only beyond that (the full text is in its tooltip and in the data table).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.domain.reports import Kind, Section, display

WIDTH = 720
# Text is 12 user units high (app.css); about 7 units a character is a safe average
# width for labels of mixed case, so estimated widths err on the roomy side.
CHAR_WIDTH = 7.0
LINE_HEIGHT = 14
LABEL_MIN_WIDTH = 60
LABEL_MAX_WIDTH = 290
LABEL_CHARS = int(LABEL_MAX_WIDTH // CHAR_WIDTH)  # per line of a label
LABEL_LINES = 2
VALUE_GAP = 8  # between the labels and the plot
RIGHT_MARGIN = 72  # room for the value after the longest bar
ROW_HEIGHT = 26
BAR_GAP = 6
PAD = 8  # above the legend (or the plot) and at the left
LEGEND_LINE = 20
SWATCH = 12
BOTTOM = 24  # room for the axis ticks
VALUE_MIN_HEIGHT = 10  # a grouped bar lower than this has no value written beside it
SERIES = 6  # colours in the stylesheet: .series-0 .. .series-5


@dataclass(frozen=True)
class Bar:
    series: int
    x: float
    y: float
    width: float
    height: float
    text: str  # "Column: value", for the tooltip
    value_text: str = ""  # written after the bar (grouped and single bars), else ""
    value_x: float = 0.0


@dataclass(frozen=True)
class ChartRow:
    lines: tuple[str, ...]  # the label, wrapped and shortened to fit
    full_label: str
    y: float  # the middle of the row
    label_y: float  # the baseline of the label's first line
    bars: tuple[Bar, ...]
    total_text: str  # stacked bars: the total, written after the bar
    total_x: float

    @property
    def label(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class LegendItem:
    series: int
    x: float
    y: float  # top of the swatch
    text: str


@dataclass(frozen=True)
class Layout:
    title: str
    palette: str
    width: int
    height: int
    plot_left: float
    plot_width: float
    plot_top: float
    plot_bottom: float
    zero_x: float
    rows: tuple[ChartRow, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendItem, ...]

    @property
    def label_x(self) -> float:
        """Where the labels end (they are right-aligned against the plot)."""
        return self.plot_left - VALUE_GAP

    @property
    def tick_y(self) -> float:
        return self.plot_bottom + 16


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `target_ticks` ticks."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power * (1 + 1e-9):
            return multiple * power
    return 10 * power  # pragma: no cover - the loop always returns


# The unit a value axis counts in, per kind: a step of whole days, hours or percentage
# points reads better than one of 172,800 seconds.
UNIT = {Kind.DAYS: 86400.0, Kind.HOURS: 3600.0, Kind.PERCENT: 0.01}
TICK_SUFFIX = {Kind.DAYS: " d", Kind.HOURS: " h", Kind.PERCENT: "%"}


def axis_step(span: float, kind: Kind) -> float:
    """The tick step for values of this kind, in stored units (seconds, fractions)."""
    unit = UNIT.get(kind, 1.0)
    step = nice_step(span / unit)
    if kind is Kind.COUNT:
        step = max(step, 1.0)  # no ticks at half an application
    return step * unit


def wrap(text: str, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> tuple[str, ...]:
    """The text in at most `lines` lines of at most `width` characters, broken between
    words (a word longer than a line is cut); what does not fit ends in an ellipsis."""
    found: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                found.append(current)
                current = ""
            found.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            found.append(current)
            current = word
    if current or not found:
        found.append(current)
    if len(found) <= lines:
        return tuple(found)
    kept = found[:lines]
    last = kept[-1]
    if len(last) >= width:  # make room for the ellipsis, between words where it can
        last = last[: width - 1]
        if " " in last:
            last = last[: last.rindex(" ")]
    kept[-1] = last.rstrip() + "…"
    return tuple(kept)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def layout(section: Section) -> Layout | None:
    """The chart of a section, or None when it has none or nothing to draw."""
    chart = section.chart
    if chart is None or not section.rows:
        return None
    label_at = section.column(chart.label)
    label_kind = section.columns[label_at].kind
    value_at = [section.column(key) for key in chart.values]
    kinds = [section.columns[i].kind for i in value_at]
    names = [section.columns[i].label for i in value_at]
    series_count = len(value_at)
    values = [[_number(row[i]) for i in value_at] for row in section.rows]
    if all(v is None for row in values for v in row):
        return None
    axis_kind = kinds[0] if len(set(kinds)) == 1 else Kind.SCORE

    # The scale: from the lowest to the highest value, zero always on it.
    if chart.stacked:
        totals = [sum(v for v in row if v is not None and v > 0) for row in values]
        low, high = 0.0, max(totals, default=0.0)
    else:
        flat = [v for row in values for v in row if v is not None]
        low, high = min([0.0, *flat]), max([0.0, *flat])
    if low == high:
        high = low + UNIT.get(axis_kind, 1.0)
    step = axis_step(high - low, axis_kind)
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step

    # The legend, wrapped onto as many lines as it needs.
    legend: list[LegendItem] = []
    if series_count > 1:
        x, y = float(PAD), float(PAD)
        for series, text in enumerate(names):
            item_width = SWATCH + 4 + CHAR_WIDTH * len(text)
            if x > PAD and x + item_width > WIDTH - PAD:
                x, y = float(PAD), y + LEGEND_LINE
            legend.append(LegendItem(series % SERIES, round(x, 2), y, text))
            x += item_width + 14
    plot_top = (legend[-1].y + LEGEND_LINE + 4) if legend else float(PAD)

    # The labels: as wide as the longest needs, on one line or two.
    labels = [display(row[label_at], label_kind) for row in section.rows]
    lines = [wrap(text) for text in labels]
    longest = max(len(line) for wrapped in lines for line in wrapped)
    label_width = min(LABEL_MAX_WIDTH, max(LABEL_MIN_WIDTH, math.ceil(longest * CHAR_WIDTH)))
    line_count = max(len(wrapped) for wrapped in lines)
    row_height = max(ROW_HEIGHT, LINE_HEIGHT * line_count + 10)
    band = row_height if chart.stacked else max(row_height, 14 * series_count + BAR_GAP)

    plot_left = float(PAD + label_width + VALUE_GAP)
    plot_width = WIDTH - plot_left - RIGHT_MARGIN

    def x_of(value: float) -> float:
        return round(plot_left + (value - low) / (high - low) * plot_width, 2)

    zero_x = x_of(0.0)
    rows: list[ChartRow] = []
    for index, (label, wrapped, row_values) in enumerate(zip(labels, lines, values, strict=True)):
        top = plot_top + index * band
        middle = top + band / 2
        bars: list[Bar] = []
        total_text, total_x = "", zero_x
        if chart.stacked:
            start = 0.0
            for series, value in enumerate(row_values):
                if value is None or value <= 0:
                    continue
                bars.append(
                    Bar(
                        series=series % SERIES,
                        x=x_of(start),
                        y=top + BAR_GAP / 2,
                        width=round(x_of(start + value) - x_of(start), 2),
                        height=band - BAR_GAP,
                        text=f"{names[series]}: {display(value, kinds[series])}",
                    )
                )
                start += value
            total_text, total_x = display(start, kinds[0]), x_of(start) + 4
        else:
            height = (band - BAR_GAP) / series_count
            for series, value in enumerate(row_values):
                if value is None:
                    continue
                left, right = sorted((zero_x, x_of(value)))
                # after a positive bar; a negative one has the space right of zero free
                written = display(value, kinds[series])
                show = series_count == 1 or height >= VALUE_MIN_HEIGHT
                bars.append(
                    Bar(
                        series=series % SERIES,
                        x=left,
                        y=round(top + BAR_GAP / 2 + series * height, 2),
                        width=round(right - left, 2),
                        height=round(height, 2),
                        text=f"{names[series]}: {written}",
                        value_text=written if show else "",
                        value_x=round((right if value > 0 else zero_x) + 4, 2),
                    )
                )
        rows.append(
            ChartRow(
                lines=wrapped,
                full_label=label,
                y=middle,
                label_y=round(middle + 4 - (len(wrapped) - 1) * LINE_HEIGHT / 2, 2),
                bars=tuple(bars),
                total_text=total_text,
                total_x=round(total_x, 2),
            )
        )

    plot_bottom = plot_top + band * len(rows)
    count = round((high - low) / step)
    ticks = tuple(
        Tick(x_of(low + i * step), _tick_text(low + i * step, axis_kind)) for i in range(count + 1)
    )
    return Layout(
        title=chart.title or section.title,
        palette=chart.palette,
        width=WIDTH,
        height=math.ceil(plot_bottom + BOTTOM),
        plot_left=plot_left,
        plot_width=plot_width,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        zero_x=zero_x,
        rows=tuple(rows),
        ticks=ticks,
        legend=tuple(legend),
    )


def _tick_text(value: float, kind: Kind) -> str:
    """A tick's value in the axis unit: "0", "5 d", "12 h", "40%", "1.5"."""
    scaled = round(value / UNIT.get(kind, 1.0), 6)
    if scaled == 0:
        return "0"
    return f"{scaled:,g}{TICK_SUFFIX.get(kind, '')}"


def layouts(sections: Sequence[Section]) -> dict[str, Layout | None]:
    return {s.key: layout(s) for s in sections}
