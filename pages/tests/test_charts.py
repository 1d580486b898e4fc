"""Chart geometry: bars on one scale, month labels that stay apart and inside the drawing."""

import datetime

from pages.charts import COLUMN_PLOT_HEIGHT, MAX_COLUMN_LABELS, bar_chart, column_chart


def months(count, total=1000):
    return [
        (datetime.date(2025 + n // 12, n % 12 + 1, 1), total * (n + 1), 1) for n in range(count)
    ]


def test_the_largest_column_fills_the_plot_and_the_others_scale():
    chart = column_chart(months(4), "EUR")

    assert [column.height for column in chart.columns] == [
        COLUMN_PLOT_HEIGHT * share / 4 for share in (1, 2, 3, 4)
    ]
    assert [column.y + column.height for column in chart.columns] == [COLUMN_PLOT_HEIGHT] * 4
    assert chart.columns[-1].text == "40.00 EUR"
    assert chart.summary == (
        "4 months from January 2025 to April 2025; the highest is April 2025 with 40.00 EUR."
    )


def test_month_labels_are_few_and_kept_inside_the_drawing():
    chart = column_chart(months(24), "EUR")

    ticks = [column for column in chart.columns if column.tick]
    assert len(ticks) <= MAX_COLUMN_LABELS
    assert ticks[0].tick == "Jan 2025"
    assert ticks[0].tick_anchor == "start"
    assert all(column.x + column.width <= 100 for column in chart.columns)


def test_a_small_value_stays_visible_and_zero_draws_nothing():
    rows = bar_chart(
        [("Big", "", {"paid": 1_000_000, "share": 0}), ("Small", "", {"paid": 1, "share": 3})]
    )

    assert [bar.width for bar in rows[0].bars] == [100, 0]
    assert [bar.width for bar in rows[1].bars] == [0.5, 0.5]
    assert [bar.y for bar in rows[1].bars] == [0, 16]
    assert rows[1].height == 28


def test_no_months_no_columns():
    chart = column_chart([], "EUR")

    assert chart.columns == []
    assert chart.summary == ""
