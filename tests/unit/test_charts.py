"""Bar chart layout (tracker/domain/charts.py) as plain function calls: the scale, bars,
labels, legend and ticks of small charts whose geometry the tests state."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from tracker.domain import charts
from tracker.domain.charts import (
    LABEL_CHARS,
    LABEL_MAX_WIDTH,
    WIDTH,
    axis_step,
    layout,
    nice_step,
    wrap,
)
from tracker.domain.reports import Chart, Column, Kind, Section

DAY, HOUR = 86400.0, 3600.0


def section(rows, kinds=(Kind.COUNT,), chart="default", label_kind=Kind.TEXT, names=None):
    """A section with a label column and one value column per kind."""
    names = names or [f"Value {i}" for i in range(len(kinds))]
    columns = (
        Column("label", "Label", label_kind),
        *[
            Column(f"v{i}", name, kind)
            for i, (name, kind) in enumerate(zip(names, kinds, strict=True))
        ],
    )
    if chart == "default":
        chart = Chart("label", tuple(f"v{i}" for i in range(len(kinds))), title="A chart")
    return Section("s", "Section title", "", columns, tuple(rows), "Nothing yet.", chart)


def stacked(rows, kinds=(Kind.COUNT, Kind.COUNT)):
    chart = Chart("label", tuple(f"v{i}" for i in range(len(kinds))), stacked=True)
    return section(rows, kinds, chart)


def right(bar) -> float:
    return round(bar.x + bar.width, 2)


@pytest.mark.parametrize(
    ("span", "step"),
    [
        (0, 1.0),
        (-3, 1.0),
        (1, 0.2),
        (3, 1.0),  # 0.6 a tick: the next round step is 1
        (5, 1.0),
        (7, 2.0),
        (10, 2.0),
        (25, 5.0),
        (30, 10.0),
        (100, 20.0),
        (240, 50.0),
        (1000, 200.0),
        (0.3, 0.1),
        (0.06, 0.02),
    ],
)
def test_nice_step(span, step) -> None:
    assert nice_step(span) == pytest.approx(step)


def test_nice_step_takes_a_number_of_ticks() -> None:
    assert nice_step(10, target_ticks=10) == 1.0


@pytest.mark.parametrize(
    ("span", "kind", "step"),
    [
        (1, Kind.COUNT, 1.0),  # never half an application
        (4, Kind.COUNT, 1.0),
        (50, Kind.COUNT, 10.0),
        (10 * DAY, Kind.DAYS, 2 * DAY),  # whole days, not 172,800 seconds
        (3 * DAY, Kind.DAYS, 1 * DAY),
        (24 * HOUR, Kind.HOURS, 5 * HOUR),
        (1.0, Kind.PERCENT, 0.2),  # 20 percentage points
        (3.0, Kind.SCORE, 1.0),
    ],
)
def test_axis_step_counts_in_the_unit_shown(span, kind, step) -> None:
    assert axis_step(span, kind) == pytest.approx(step)


# --- labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", ("",)),
        ("Applied", ("Applied",)),
        ("one two three four", ("one two", "three four")),
        ("one two three four five six", ("one two", "three…")),
        ("abcdefghijklmnop", ("abcdefghij", "klmnop")),  # one long word: cut
        ("abcdefghijklmnopqrstuvwxyz", ("abcdefghij", "klmnopqrs…")),
        ("one two three four fivesixseven", ("one two", "three…")),
        ("one two three fourfive six", ("one two", "three…")),
        ("one two threefourfive six", ("one two", "threefour…")),
        ("Hiring manager", ("Hiring", "manager")),
    ],
)
def test_wrap_in_two_lines_of_ten(text, lines) -> None:
    assert wrap(text, width=10, lines=2) == lines


def test_wrap_never_exceeds_the_width() -> None:
    text = "Leverages security expertise in at least one specialty area, and " * 3
    lines = wrap(text)
    assert len(lines) == 2
    assert all(len(line) <= LABEL_CHARS for line in lines)
    assert lines[-1].endswith("…")


def test_long_labels_wrap_and_shorten_but_keep_the_full_text() -> None:
    long_label = "Perform vulnerability management and be a subject matter expert (SME) " * 2
    chart = layout(section([(long_label, 3), ("Log analysis", 1)]))
    first, second = chart.rows
    assert first.full_label == long_label  # the tooltip and the table have all of it
    assert len(first.lines) == 2
    assert first.lines[0] == "Perform vulnerability management and be a"
    assert first.lines[1].endswith("…")
    assert second.lines == ("Log analysis",)
    # the label column takes no more than its maximum; the plot starts after it
    label_width = LABEL_CHARS * charts.CHAR_WIDTH
    assert label_width <= LABEL_MAX_WIDTH
    assert chart.plot_left == charts.PAD + label_width + charts.VALUE_GAP
    # two-line labels get rows tall enough for two lines
    assert second.y - first.y >= 2 * charts.LINE_HEIGHT + 6


def test_short_labels_leave_the_room_to_the_bars() -> None:
    short = layout(section([("A", 3), ("B", 1)]))
    longer = layout(section([("Director / CISO interview", 3), ("B", 1)]))
    assert short.plot_left == charts.PAD + charts.LABEL_MIN_WIDTH + charts.VALUE_GAP
    assert short.plot_left < longer.plot_left < charts.PAD + LABEL_MAX_WIDTH + charts.VALUE_GAP
    # 25 characters at about 7 units each
    assert longer.plot_left == charts.PAD + 175 + charts.VALUE_GAP
    assert short.plot_width > longer.plot_width


def test_labels_read_as_their_column_does() -> None:
    chart = layout(section([(date(2026, 1, 5), 2), (None, 1)], label_kind=Kind.DATE))
    assert [row.label for row in chart.rows] == ["2026-01-05", "—"]


# --- one series --------------------------------------------------------------------------


def test_bars_are_proportional_to_their_values() -> None:
    chart = layout(section([("Applied", 10), ("Screen", 5), ("Offer", 0)]))
    applied, screen, offer = (row.bars[0] for row in chart.rows)
    # 0..10 in steps of 2: the longest bar spans the plot
    assert [t.text for t in chart.ticks] == ["0", "2", "4", "6", "8", "10"]
    assert applied.x == screen.x == chart.zero_x == chart.plot_left
    assert applied.width == pytest.approx(chart.plot_width)
    assert screen.width == pytest.approx(chart.plot_width / 2)
    assert offer.width == 0
    assert [b.value_text for b in (applied, screen, offer)] == ["10", "5", "0"]
    assert applied.value_x == right(applied) + 4
    assert applied.text == "Value 0: 10"
    assert chart.title == "A chart"
    # rows one under the other, bars inside their row
    assert chart.rows[0].y < chart.rows[1].y < chart.rows[2].y
    assert chart.height >= chart.plot_bottom + charts.BOTTOM


def test_the_scale_rounds_up_to_a_tick() -> None:
    chart = layout(section([("A", 7), ("B", 3)]))
    # 7 rounds up to 8 on a step of 2: the bar of 7 ends at 7/8 of the plot
    assert chart.ticks[-1].text == "8"
    assert chart.rows[0].bars[0].width == pytest.approx(chart.plot_width * 7 / 8, abs=0.02)


def test_negative_values_extend_left_of_the_zero_line() -> None:
    chart = layout(section([("Harsh", -0.5), ("Lenient", 1.0)], kinds=(Kind.DIFFERENCE,)))
    harsh, lenient = (row.bars[0] for row in chart.rows)
    # -0.5 .. 1.0 on a step of 0.5: zero a third of the way along
    assert [t.text for t in chart.ticks] == ["-0.5", "0", "0.5", "1"]
    assert chart.zero_x == pytest.approx(chart.plot_left + chart.plot_width / 3, abs=0.02)
    assert right(harsh) == chart.zero_x
    assert harsh.x == chart.plot_left
    assert lenient.x == chart.zero_x
    assert harsh.width == pytest.approx(lenient.width / 2, abs=0.02)
    assert harsh.value_text == "-0.50"
    assert harsh.value_x == chart.zero_x + 4  # written where the row is free, not over the label
    assert lenient.value_text == "+1.00"


def test_all_negative_values_put_zero_on_the_right() -> None:
    chart = layout(section([("A", -3), ("B", -1)], kinds=(Kind.DIFFERENCE,)))
    assert chart.zero_x == pytest.approx(chart.plot_left + chart.plot_width)
    assert all(right(row.bars[0]) == chart.zero_x for row in chart.rows)


def test_a_missing_value_draws_no_bar() -> None:
    chart = layout(section([("A", 2), ("B", None)]))
    assert len(chart.rows[0].bars) == 1
    assert chart.rows[1].bars == ()


def test_day_ticks_count_in_days() -> None:
    chart = layout(section([("Screen", 2.5 * DAY), ("Offer", 9 * DAY)], kinds=(Kind.DAYS,)))
    assert [t.text for t in chart.ticks] == ["0", "2 d", "4 d", "6 d", "8 d", "10 d"]
    assert chart.rows[0].bars[0].value_text == "2.5 days"


def test_percent_ticks() -> None:
    chart = layout(section([("A", 0.8), ("B", 0.25)], kinds=(Kind.PERCENT,)))
    assert [t.text for t in chart.ticks] == ["0", "20%", "40%", "60%", "80%"]


def test_zero_everywhere_still_has_a_scale() -> None:
    chart = layout(section([("A", 0), ("B", 0)]))
    assert [t.text for t in chart.ticks] == ["0", "1"]  # whole counts, no 0.2 steps
    assert chart.rows[0].bars[0].width == 0


# --- several series ----------------------------------------------------------------------


def test_stacked_bars_add_up_to_the_total() -> None:
    chart = layout(stacked([("Ivy", 2, 3), ("Pete", 1, None), ("Dee", 0, 0)]))
    ivy, pete, dee = chart.rows
    first, second = ivy.bars
    assert (first.series, second.series) == (0, 1)
    assert first.x == chart.zero_x
    assert second.x == right(first)  # end to end
    assert right(second) == pytest.approx(chart.plot_left + chart.plot_width)  # 5 of 0..5
    assert first.width == pytest.approx(chart.plot_width * 2 / 5, abs=0.02)
    assert (ivy.total_text, pete.total_text, dee.total_text) == ("5", "1", "0")
    assert ivy.total_x == right(second) + 4
    assert len(pete.bars) == 1  # nothing drawn for a missing value
    assert dee.bars == ()  # nor for zeros
    assert first.y == second.y and first.height == second.height  # one bar, in pieces
    assert first.text == "Value 0: 2"
    assert all(b.value_text == "" for row in chart.rows for b in row.bars)  # totals only


def test_grouped_bars_sit_one_under_the_other() -> None:
    chart = layout(
        section(
            [("Ivy", 3.5, 3.0), ("Pete", 2.0, None)],
            kinds=(Kind.SCORE, Kind.SCORE),
            names=["Their mean", "Panel mean"],
        )
    )
    ivy, pete = chart.rows
    own, panel = ivy.bars
    assert (own.series, panel.series) == (0, 1)
    assert own.height == panel.height
    assert own.y + own.height <= panel.y  # no overlap
    assert panel.y + panel.height <= pete.bars[0].y  # nor with the next row
    assert own.width == pytest.approx(panel.width * 3.5 / 3.0, abs=0.02)
    assert (own.value_text, panel.value_text) == ("3.50", "3.00")
    assert [item.text for item in chart.legend] == ["Their mean", "Panel mean"]


def test_legend_items_do_not_overlap_and_wrap_within_the_width() -> None:
    names = [f"A rather long series name {i}" for i in range(6)]
    chart = layout(section([("Row", *range(1, 7))], kinds=(Kind.COUNT,) * 6, names=names))
    legend = chart.legend
    assert [item.series for item in legend] == [0, 1, 2, 3, 4, 5]
    lines = sorted({item.y for item in legend})
    assert len(lines) > 1  # too wide for one line
    for y in lines:
        on_line = sorted((i for i in legend if i.y == y), key=lambda i: i.x)
        extents = [(i.x, i.x + 16 + charts.CHAR_WIDTH * len(i.text)) for i in on_line]
        assert all(end <= WIDTH for _, end in extents)
        assert all(a_end < b_start for (_, a_end), (b_start, _) in pairwise(extents))
    # the plot starts below the last line of the legend
    assert chart.plot_top >= lines[-1] + charts.SWATCH
    assert all(bar.y >= chart.plot_top for bar in chart.rows[0].bars)


def test_one_series_has_no_legend() -> None:
    assert layout(section([("A", 1)])).legend == ()


def test_more_series_than_colours_reuse_them() -> None:
    chart = layout(section([("Row", *range(1, 9))], kinds=(Kind.COUNT,) * 8))
    assert [b.series for b in chart.rows[0].bars] == [0, 1, 2, 3, 4, 5, 0, 1]


def test_every_bar_stays_inside_the_plot() -> None:
    rows = [(f"Row {i}", (-1) ** i * i * 1.7, i * 0.9) for i in range(1, 12)]
    chart = layout(section(rows, kinds=(Kind.DIFFERENCE, Kind.DIFFERENCE)))
    for row in chart.rows:
        for bar in row.bars:
            assert bar.x >= chart.plot_left - 0.01
            assert bar.x + bar.width <= chart.plot_left + chart.plot_width + 0.01
            assert chart.plot_top <= bar.y
            assert bar.y + bar.height <= chart.plot_bottom
    assert chart.plot_left + chart.plot_width + charts.RIGHT_MARGIN == WIDTH


# --- no chart ----------------------------------------------------------------------------


def test_no_chart_without_rows_or_without_a_chart() -> None:
    assert layout(section([])) is None
    assert layout(section([("A", 1)], chart=None)) is None
    assert layout(section([("A", None), ("B", None)])) is None  # nothing to draw


def test_layouts_keys_by_section() -> None:
    with_chart = section([("A", 1)])
    assert charts.layouts([with_chart]) == {"s": layout(with_chart)}
