"""Days and amounts in the active language (splitclone.formats)."""

import datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from splitclone.formats import localized_date

MARCH_4 = datetime.date(2026, 3, 4)


@pytest.mark.parametrize("day", [MARCH_4, datetime.date(2025, 12, 31), datetime.date(999, 5, 1)])
@pytest.mark.parametrize("format", ["j M", "Y", "j F Y", "l"])
@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_a_day_is_written_as_the_date_filter_writes_it(day, format, language):
    with translation.override(language):
        assert localized_date(day, format) == date_filter(day, format)


def test_a_day_written_once_is_written_anew_in_another_language():
    with translation.override("en"):
        assert localized_date(MARCH_4, "j F") == "4 March"
    with translation.override("de"):
        assert localized_date(MARCH_4, "j F") == "4 März"
    with translation.override("en"):
        assert localized_date(MARCH_4, "j F") == "4 March"


def test_a_moment_is_refused():
    # The time zone it would be written in is not part of what is kept.
    with pytest.raises(TypeError):
        localized_date(datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC), "j M")


def test_a_day_in_a_language_read_once_is_that_of_the_active_language():
    with translation.override("de"):
        assert localized_date(MARCH_4, "j F", "de") == localized_date(MARCH_4, "j F")
