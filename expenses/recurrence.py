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

MAX_INTERVAL = 99
MAX_COUNT = 1000


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


UNIT_NAMES = {
    Frequency.DAILY: ("day", "days"),
    Frequency.WEEKLY: ("week", "weeks"),
    Frequency.MONTHLY: ("month", "months"),
    Frequency.YEARLY: ("year", "years"),
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
            raise ScheduleError("frequency", "Choose how often it repeats.")
        if not 1 <= self.interval <= MAX_INTERVAL:
            unit = UNIT_NAMES[Frequency(self.frequency)][1]
            raise ScheduleError(
                "interval", f"Repeat every 1 to {MAX_INTERVAL} {unit}, not {self.interval}."
            )
        if self.month_day is not None and not 1 <= self.month_day <= 31:
            raise ScheduleError(
                "month_day", f"A day of the month is 1 to 31, not {self.month_day}."
            )
        if self.end_date is not None and self.count is not None:
            raise ScheduleError("ends", "End on a date or after a number of times, not both.")
        if self.end_date is not None and self.end_date < self.start:
            raise ScheduleError("end_date", "The end date is before the first date.")
        if self.count is not None and not 1 <= self.count <= MAX_COUNT:
            raise ScheduleError("count", f"Repeat 1 to {MAX_COUNT:,} times, not {self.count:,}.")

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
        """ "every 2 weeks", "monthly on day 31 (or the month's last day)"..."""
        singular, plural = UNIT_NAMES[Frequency(self.frequency)]
        text = f"every {singular}" if self.interval == 1 else f"every {self.interval} {plural}"
        if self.frequency == Frequency.WEEKLY:
            text += f" on {self.start:%A}"
        elif self.frequency == Frequency.MONTHLY:
            text += f" on day {self.day_of_month}"
            if self.day_of_month > 28:
                text += " (or the month's last day)"
        elif self.frequency == Frequency.YEARLY:
            text += f" on {self.start.day} {self.start:%B}"
        if self.end_date is not None:
            text += f", until {self.end_date.day} {self.end_date:%b %Y}"
        elif self.count is not None:
            text += f", {self.count} times"
        return text
