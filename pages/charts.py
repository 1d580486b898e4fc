"""Bar charts drawn as inline SVG by the server: geometry here, markup in
`pages/_column_chart.html` and `pages/_bar_chart.html`.

Horizontal positions are percentages of the chart's width and text keeps its pixel size, so a
chart fills a phone or a desktop column without squeezing its labels; colours come from the
page's CSS custom properties, so dark mode applies by itself.
"""

import math
from dataclasses import dataclass

from django.utils.dateformat import format as format_date
from django.utils.translation import ngettext

from splitclone.formats import localized_amount

# Column charts (per month): plot height in px, and at most this many month labels under it so
# that they stay apart at 360 px.
COLUMN_PLOT_HEIGHT = 160
COLUMN_LABEL_SPACE = 24
MAX_COLUMN_LABELS = 4
# Horizontal bar charts: one bar per series under each row's text.
BAR_HEIGHT = 12
BAR_GAP = 4


def share_of(value, largest):
    """`value` as a percentage of `largest`, with a sliver left visible for any non-zero value."""
    if largest <= 0 or value <= 0:
        return 0
    return max(100 * value / largest, 0.5)


@dataclass(frozen=True)
class Column:
    label: str  # the month in full, for the column's tooltip
    text: str  # its amount, formatted
    tick: str  # the short label under the axis, or "" where labels would crowd
    tick_x: float  # percent
    tick_anchor: str  # kept inside the drawing at either end
    x: float  # percent
    width: float  # percent
    y: float  # px
    height: float  # px


@dataclass(frozen=True)
class ColumnChart:
    columns: list
    height: int
    axis_y: int
    tick_y: int
    summary: str  # what the drawing shows, for people who cannot see it


def column_chart(months, currency):
    """Spending per month as columns: `months` holds (first day, total, ...) rows, oldest first."""
    largest = max((row[1] for row in months), default=0)
    slot = 100 / len(months) if months else 100
    every = math.ceil(len(months) / MAX_COLUMN_LABELS) if months else 1
    columns = []
    for index, (month, total, *_) in enumerate(months):
        height = COLUMN_PLOT_HEIGHT * share_of(total, largest) / 100
        x = index * slot + slot * 0.15
        width = slot * 0.7
        centre = index * slot + slot / 2
        if centre < 10:
            tick_x, anchor = x, "start"
        elif centre > 90:
            tick_x, anchor = x + width, "end"
        else:
            tick_x, anchor = centre, "middle"
        columns.append(
            Column(
                label=format_date(month, "F Y"),
                text=localized_amount(total, currency),
                tick=format_date(month, "M Y") if index % every == 0 else "",
                tick_x=tick_x,
                tick_anchor=anchor,
                x=x,
                width=width,
                y=COLUMN_PLOT_HEIGHT - height,
                height=height,
            )
        )
    summary = ""
    if columns:
        highest = max(zip(months, columns, strict=True), key=lambda pair: pair[0][1])[1]
        summary = ngettext(
            "%(count)s month from %(first)s to %(last)s; the highest is %(highest)s with "
            "%(amount)s.",
            "%(count)s months from %(first)s to %(last)s; the highest is %(highest)s with "
            "%(amount)s.",
            len(columns),
        ) % {
            "count": len(columns),
            "first": columns[0].label,
            "last": columns[-1].label,
            "highest": highest.label,
            "amount": highest.text,
        }
    return ColumnChart(
        columns=columns,
        height=COLUMN_PLOT_HEIGHT + COLUMN_LABEL_SPACE,
        axis_y=COLUMN_PLOT_HEIGHT,
        tick_y=COLUMN_PLOT_HEIGHT + 17,
        summary=summary,
    )


@dataclass(frozen=True)
class Bar:
    series: str  # CSS class naming the series ("paid", "share")
    width: float  # percent
    y: int  # px


@dataclass(frozen=True)
class BarRow:
    label: str
    figures: str  # the row's amounts, in words
    bars: list
    height: int  # px


def bar_chart(rows):
    """Horizontal bars, one row per (label, figures, {series: value}); all rows share a scale.

    Each row's label is HTML text above its bars, so that a long name wraps on a phone instead
    of running off a drawing.
    """
    largest = max((value for *_, values in rows for value in values.values()), default=0)
    return [
        BarRow(
            label=label,
            figures=figures,
            bars=[
                Bar(series=series, width=share_of(value, largest), y=index * (BAR_HEIGHT + BAR_GAP))
                for index, (series, value) in enumerate(values.items())
            ],
            height=len(values) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP,
        )
        for label, figures, values in rows
    ]
