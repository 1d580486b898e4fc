import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from splitclone.dates import validate_entry_date

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)):
        yield


@pytest.mark.parametrize(
    "date", [datetime.date(1900, 1, 1), TODAY, TODAY + datetime.timedelta(days=366)]
)
def test_dates_from_1900_to_a_year_ahead_are_accepted(date):
    validate_entry_date(date)


@pytest.mark.parametrize(
    ("date", "code"),
    [
        (datetime.date(1899, 12, 31), "too_early"),
        (datetime.date(1000, 1, 1), "too_early"),
        (TODAY + datetime.timedelta(days=367), "too_far_ahead"),
        (datetime.date(2999, 1, 1), "too_far_ahead"),
    ],
)
def test_dates_outside_are_refused(date, code):
    with pytest.raises(ValidationError) as refused:
        validate_entry_date(date)

    assert refused.value.code == code
