"""When a recurring expense falls due: the dates of a schedule, and the rules a schedule obeys.

Pure Python (no Django), so the form, the model and the job agree on one definition. A schedule
starts on its start date and repeats every `interval` days, weeks, months or years. Monthly
dates fall on `month_day`, or on the month's last day when it is shorter (day 31 is 30 April and
28 or 29 February); yearly dates fall on the start's day and month, 29 February becoming
28 February outside leap years. Months are counted from the start's month, so clamping one
month never shifts the next: 31 January, 28 February, 31 March.
"""

import calendar
import datetime
from dataclasses import dataclass
from enum import StrEnum

from splitclone.phrases import When, gettext_noop, ngettext

MAX_INTERVAL = 99
MAX_COUNT = 1000


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


INTERVAL_OUT_OF_RANGE = {
    Frequency.DAILY: gettext_noop("Repeat every 1 to %(most)s days, not %(interval)s."),
    Frequency.WEEKLY: gettext_noop("Repeat every 1 to %(most)s weeks, not %(interval)s."),
    Frequency.MONTHLY: gettext_noop("Repeat every 1 to %(most)s months, not %(interval)s."),
    Frequency.YEARLY: gettext_noop("Repeat every 1 to %(most)s years, not %(interval)s."),
}


class ScheduleError(ValueError):
    """A schedule that cannot be kept; `field` names the input at fault, `message` is for people."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Schedule:
    frequency: Frequency
    start: datetime.date
    interval: int = 1
    # Monthly only: the day of the month (1-31); None means the start's day.
    month_day: int | None = None
    # At most one of the two ends; neither means forever.
    end_date: datetime.date | None = None
    count: int | None = None

    def validate(self):
        """Raises `ScheduleError` for a schedule that repeats never, endlessly fast or backwards."""
        if self.frequency not in Frequency:
            raise ScheduleError("frequency", gettext_noop("Choose how often it repeats."))
        if not 1 <= self.interval <= MAX_INTERVAL:
            template = INTERVAL_OUT_OF_RANGE[Frequency(self.frequency)]
            raise ScheduleError(
                "interval", gettext_noop(template, most=MAX_INTERVAL, interval=self.interval)
            )
        if self.month_day is not None and not 1 <= self.month_day <= 31:
            raise ScheduleError(
                "month_day",
                gettext_noop("A day of the month is 1 to 31, not %(day)s.", day=self.month_day),
            )
        if self.end_date is not None and self.count is not None:
            raise ScheduleError(
                "ends", gettext_noop("End on a date or after a number of times, not both.")
            )
        if self.end_date is not None and self.end_date < self.start:
            raise ScheduleError("end_date", gettext_noop("The end date is before the first date."))
        if self.count is not None and not 1 <= self.count <= MAX_COUNT:
            raise ScheduleError(
                "count",
                gettext_noop(
                    "Repeat 1 to %(most)s times, not %(count)s.",
                    most=f"{MAX_COUNT:,}",
                    count=f"{self.count:,}",
                ),
            )

    def next_after(self, day):
        """The first date of the schedule later than `day`, ignoring its end."""
        if self.frequency in (Frequency.DAILY, Frequency.WEEKLY):
            if day < self.start:
                return self.start
            step = self.interval * (7 if self.frequency == Frequency.WEEKLY else 1)
            steps = (day - self.start).days // step + 1
            return self.start + datetime.timedelta(days=steps * step)
        months = self.interval * (12 if self.frequency == Frequency.YEARLY else 1)
        elapsed = (day.year - self.start.year) * 12 + day.month - self.start.month
        index = max(0, elapsed // months)
        # At most three rounds: the month of `day` (or of the start) may hold its date too early.
        while True:
            candidate = self._in_month(index * months)
            if candidate > day and candidate >= self.start:
                return candidate
            index += 1

    def first_on_or_after(self, day):
        return self.next_after(day - datetime.timedelta(days=1))

    def is_past_end(self, day, made):
        """Whether a date (the `made`+1-th occurrence) falls outside the schedule's end."""
        if self.end_date is not None and day > self.end_date:
            return True
        return self.count is not None and made >= self.count

    def _in_month(self, months_after_start):
        month_index = self.start.month - 1 + months_after_start
        year, month = self.start.year + month_index // 12, month_index % 12 + 1
        wanted = self.start.day if self.frequency == Frequency.YEARLY else self.day_of_month
        return datetime.date(year, month, min(wanted, calendar.monthrange(year, month)[1]))

    @property
    def day_of_month(self):
        return self.month_day or self.start.day

    def describe(self):
        """ "every 2 weeks on Thursday", "every month on day 31 (or the month's last day)"..."""
        every = _every(Frequency(self.frequency), self.interval)
        if self.frequency == Frequency.WEEKLY:
            text = gettext_noop(
                "%(every)s on %(weekday)s", every=every, weekday=When(self.start, "l")
            )
        elif self.frequency == Frequency.MONTHLY and self.day_of_month > 28:
            text = gettext_noop(
                "%(every)s on day %(day)s (or the month's last day)",
                every=every,
                day=self.day_of_month,
            )
        elif self.frequency == Frequency.MONTHLY:
            text = gettext_noop("%(every)s on day %(day)s", every=every, day=self.day_of_month)
        elif self.frequency == Frequency.YEARLY:
            text = gettext_noop("%(every)s on %(date)s", every=every, date=When(self.start, "j F"))
        else:
            text = every
        if self.end_date is not None:
            return gettext_noop(
                "%(schedule)s, until %(date)s", schedule=text, date=When(self.end_date, "j M Y")
            )
        if self.count is not None:
            return ngettext(
                "%(schedule)s, %(count)s time",
                "%(schedule)s, %(count)s times",
                self.count,
                schedule=text,
            )
        return text


def _every(frequency, interval):
    """How often, as "every 2 weeks"; `Schedule.describe` adds the date it falls on."""
    match frequency:
        case Frequency.DAILY:
            return ngettext("every day", "every %(count)s days", interval)
        case Frequency.WEEKLY:
            return ngettext("every week", "every %(count)s weeks", interval)
        case Frequency.MONTHLY:
            return ngettext("every month", "every %(count)s months", interval)
        case Frequency.YEARLY:
            return ngettext("every year", "every %(count)s years", interval)
