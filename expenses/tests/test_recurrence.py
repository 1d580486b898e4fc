import datetime
from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expenses.recurrence import MAX_COUNT, Frequency, Schedule, ScheduleError

D = datetime.date


def dates(schedule, n):
    """The first `n` dates of a schedule, ignoring its end."""

    def each():
        day = schedule.first_on_or_after(schedule.start)
        while True:
            yield day
            day = schedule.next_after(day)

    return list(islice(each(), n))


def test_daily_and_every_n_days():
    assert dates(Schedule(Frequency.DAILY, D(2026, 2, 27)), 3) == [
        D(2026, 2, 27),
        D(2026, 2, 28),
        D(2026, 3, 1),
    ]
    assert dates(Schedule(Frequency.DAILY, D(2026, 1, 1), interval=10), 3) == [
        D(2026, 1, 1),
        D(2026, 1, 11),
        D(2026, 1, 21),
    ]


def test_every_two_weeks_keeps_the_weekday():
    days = dates(Schedule(Frequency.WEEKLY, D(2026, 12, 24), interval=2), 3)

    assert days == [D(2026, 12, 24), D(2027, 1, 7), D(2027, 1, 21)]
    assert {day.weekday() for day in days} == {D(2026, 12, 24).weekday()}


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months_and_comes_back():
    days = dates(Schedule(Frequency.MONTHLY, D(2027, 1, 31)), 5)

    assert days == [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 31)]


def test_monthly_on_another_day_than_the_start_begins_at_the_first_such_day():
    days = dates(Schedule(Frequency.MONTHLY, D(2028, 1, 15), month_day=1), 3)

    assert days == [D(2028, 2, 1), D(2028, 3, 1), D(2028, 4, 1)]
    assert dates(Schedule(Frequency.MONTHLY, D(2028, 1, 15), month_day=30), 2) == [
        D(2028, 1, 30),
        D(2028, 2, 29),
    ]


def test_every_three_months_across_a_year():
    days = dates(Schedule(Frequency.MONTHLY, D(2026, 11, 30), interval=3), 3)

    assert days == [D(2026, 11, 30), D(2027, 2, 28), D(2027, 5, 30)]


def test_yearly_on_29_february_is_28_february_outside_leap_years():
    days = dates(Schedule(Frequency.YEARLY, D(2028, 2, 29)), 5)

    assert days == [D(2028, 2, 29), D(2029, 2, 28), D(2030, 2, 28), D(2031, 2, 28), D(2032, 2, 29)]


def test_the_next_date_after_a_day_between_two_dates():
    schedule = Schedule(Frequency.MONTHLY, D(2027, 1, 31))

    assert schedule.next_after(D(2027, 3, 15)) == D(2027, 3, 31)
    assert schedule.next_after(D(2027, 3, 31)) == D(2027, 4, 30)
    assert schedule.first_on_or_after(D(2027, 4, 30)) == D(2027, 4, 30)
    assert schedule.next_after(D(2026, 6, 1)) == D(2027, 1, 31)


def test_ends_on_a_date_or_after_a_count():
    until = Schedule(Frequency.DAILY, D(2027, 1, 1), end_date=D(2027, 1, 3))
    times = Schedule(Frequency.DAILY, D(2027, 1, 1), count=2)

    assert not until.is_past_end(D(2027, 1, 3), made=2)
    assert until.is_past_end(D(2027, 1, 4), made=3)
    assert not times.is_past_end(D(2027, 1, 2), made=1)
    assert times.is_past_end(D(2027, 1, 3), made=2)
    assert not Schedule(Frequency.DAILY, D(2027, 1, 1)).is_past_end(D(9999, 1, 1), made=10**6)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"interval": 0}, "interval", "Repeat every 1 to 99 weeks, not 0."),
        ({"interval": 100}, "interval", "Repeat every 1 to 99 weeks, not 100."),
        ({"count": 0}, "count", "Repeat 1 to 1,000 times, not 0."),
        ({"count": MAX_COUNT + 1}, "count", "Repeat 1 to 1,000 times, not 1,001."),
        ({"month_day": 0}, "month_day", "A day of the month is 1 to 31, not 0."),
        ({"month_day": 32}, "month_day", "A day of the month is 1 to 31, not 32."),
        ({"end_date": D(2027, 1, 9)}, "end_date", "The end date is before the first date."),
        (
            {"end_date": D(2027, 2, 1), "count": 3},
            "ends",
            "End on a date or after a number of times, not both.",
        ),
    ],
)
def test_schedules_that_cannot_be_kept_are_refused(changes, field, message):
    schedule = Schedule(Frequency.WEEKLY, D(2027, 1, 10), **changes)

    with pytest.raises(ScheduleError) as refused:
        schedule.validate()

    assert (refused.value.field, refused.value.message) == (field, message)


def test_the_bounds_themselves_are_allowed():
    Schedule(Frequency.WEEKLY, D(2027, 1, 10), interval=99, count=MAX_COUNT).validate()
    Schedule(Frequency.MONTHLY, D(2027, 1, 10), month_day=31, end_date=D(2027, 1, 10)).validate()
    Schedule(Frequency.MONTHLY, D(2027, 1, 10), month_day=1).validate()


def test_descriptions_say_how_often_and_until_when():
    assert Schedule(Frequency.WEEKLY, D(2026, 12, 24), interval=2).describe() == (
        "every 2 weeks on Thursday"
    )
    assert Schedule(Frequency.MONTHLY, D(2027, 1, 31), count=12).describe() == (
        "every month on day 31 (or the month's last day), 12 times"
    )
    assert Schedule(Frequency.YEARLY, D(2028, 2, 29), end_date=D(2030, 3, 1)).describe() == (
        "every year on 29 February, until 1 Mar 2030"
    )


@given(
    frequency=st.sampled_from(list(Frequency)),
    start=st.dates(D(2000, 1, 1), D(2090, 12, 31)),
    interval=st.integers(1, 99),
    month_day=st.one_of(st.none(), st.integers(1, 31)),
    day=st.dates(D(1999, 1, 1), D(2100, 12, 31)),
)
def test_the_next_date_is_later_on_the_schedule_and_none_is_skipped(
    frequency, start, interval, month_day, day
):
    schedule = Schedule(frequency, start, interval=interval, month_day=month_day)

    following = schedule.next_after(day)

    assert following > day
    assert following >= start
    # Nothing between `day` and the date found belongs to the schedule.
    assert schedule.first_on_or_after(day + datetime.timedelta(days=1)) == following
    assert schedule.next_after(following - datetime.timedelta(days=1)) == following
