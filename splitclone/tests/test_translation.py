"""The pure modules' phrases: English as they are, the reader's language where they are shown."""

import datetime
import json
import pickle

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from expenses.recurrence import Frequency, Schedule
from expenses.splitting import SplitError, split
from imports.detect import read
from imports.parsed import ImportRefused
from imports.tests.conftest import data
from splitclone import fx
from splitclone.money import Amount, MoneyError, parse_amount
from splitclone.phrases import AND, Joined, When, gettext_noop, ngettext
from splitclone.translation import from_json, to_json, translated, translated_json


def refusal(function, *args, **kwargs):
    with pytest.raises((MoneyError, SplitError, ImportRefused)) as refused:
        function(*args, **kwargs)
    return refused.value.message


def test_a_phrase_is_its_english_text():
    phrase = gettext_noop("line %(line)s: %(reason)s.", line=3, reason="too long")

    assert phrase == "line 3: too long."
    assert f"{phrase}" == "line 3: too long."
    assert pickle.loads(pickle.dumps(phrase)).params == {"line": 3, "reason": "too long"}


def test_a_count_picks_the_singular_or_the_plural():
    def decimals(count):
        return ngettext("%(count)s decimal", "%(count)s decimals", count)

    assert [decimals(1), decimals(3)] == ["1 decimal", "3 decimals"]


def test_lists_and_dates_inside_phrases_read_in_english():
    phrase = gettext_noop(
        "%(entries)s, until %(date)s",
        entries=Joined([gettext_noop("line %(line)s", line=2), "Ann"], "; "),
        date=When(datetime.date(2030, 3, 1), "j M Y"),
    )

    assert phrase == "line 2; Ann, until 1 Mar 2030"


def test_money_messages_are_translated_where_shown():
    message = refusal(parse_amount, "1.234", "JPY")

    assert message == "JPY amounts have no decimals."
    with translation.override("de"):
        assert translated(message) == "Beträge in JPY haben keine Nachkommastellen."
    with translation.override("fr"):
        assert translated(refusal(parse_amount, "1.2345", "KWD")) == (
            "Les montants en KWD ont au plus 3 décimales."
        )


def test_a_split_refusal_is_translated_with_its_values():
    message = refusal(split, "percent", 1000, {1: "30", 2: "30"}, seed=1)

    assert message == "The percentages add up to 60%, not 100%."
    with translation.override("es"):
        assert translated(message) == "Los porcentajes suman 60 %, no 100 %."


def test_a_missing_rate_keeps_its_reason_apart_from_the_way_out():
    with pytest.raises(fx.RateError) as refused:
        fx.rate("XAF", "EUR", datetime.date(2025, 1, 2))

    assert refused.value.message == "The ECB publishes no reference rate for XAF: enter the rate."
    with translation.override("pt"):
        assert translated(refused.value.reason) == (
            "O BCE não publica taxa de câmbio de referência para XAF"
        )


def test_a_schedule_reads_in_the_readers_language_with_its_dates():
    schedule = Schedule(
        Frequency.YEARLY, datetime.date(2028, 2, 29), end_date=datetime.date(2030, 3, 1)
    )

    with translation.override("de"):
        assert translated(schedule.describe()) == "jedes Jahr am 29. Februar, bis 1. Mär 2030"
    with translation.override("en"):
        assert translated(schedule.describe()) == schedule.describe()


def test_an_import_refusal_names_the_line_in_the_readers_language():
    message = refusal(read, data("splitwise_not_a_number.csv"))

    assert message == "Line 4: Ann's value is “n/a”, which is not an amount written like 1234.50."
    with translation.override("de"):
        assert translated(message) == (
            "Zeile 4: der Wert von Ann ist „n/a“, kein Betrag in der Form 1234.50."
        )


def test_text_that_is_not_a_phrase_is_left_as_it_is():
    assert translated("Olivia") == "Olivia"


@given(
    name=st.text(max_size=40),
    count=st.integers(min_value=0, max_value=10**6),
    minor=st.integers(min_value=-(10**12), max_value=10**12),
    day=st.dates(),
)
def test_a_kept_phrase_reads_back_as_it_was_written(name, count, minor, day):
    phrase = gettext_noop(
        "%(name)s: %(items)s on %(date)s",
        name=name,
        items=Joined(
            [ngettext("%(count)s decimal", "%(count)s decimals", count), Amount(minor, "EUR")],
            AND,
        ),
        date=When(day, "j M Y"),
    )

    kept = from_json(json.loads(json.dumps(to_json(phrase))))

    assert kept == phrase
    with translation.override("de"):
        assert translated(kept) == translated(phrase)


def test_a_kept_phrase_worked_out_once_is_written_anew_in_another_language():
    kept = to_json(
        gettext_noop(
            "%(date)s: %(amount)s",
            date=When(datetime.date(2028, 2, 29), "j F"),
            amount=Amount(123456, "EUR"),
        )
    )

    for language in ["en", "de", "fr", "en", "de"]:
        with translation.override(language):
            assert translated_json(json.dumps(kept)) == translated(from_json(kept))
    with translation.override("de"):
        assert translated_json(json.dumps(kept)) == "29. Februar: 1.234,56\xa0€"


def test_a_value_a_phrase_cannot_keep_is_refused():
    with pytest.raises(TypeError):
        to_json(gettext_noop("%(when)s", when=datetime.date(2030, 1, 1)))
