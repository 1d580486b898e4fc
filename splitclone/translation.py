"""The pure modules' phrases (`splitclone.phrases`) and currency names in the reader's
language, and phrases kept as JSON in a row to be written in each reader's language when shown
(the group history)."""

import datetime
import json
from functools import lru_cache

from django.utils import formats, translation
from django.utils.translation import pgettext_lazy

from splitclone.money import Amount, currency_choices
from splitclone.phrases import Joined, Phrase, When
from splitclone.templatetags.money import money

# The date formats phrases use, as each language writes them ("j. F" in German for "29 February").
DATE_FORMATS = {
    "l": pgettext_lazy("date format: weekday", "l"),
    "j F": pgettext_lazy("date format: day and month", "j F"),
    "j M Y": pgettext_lazy("date format: day, short month and year", "j M Y"),
    "d M Y": pgettext_lazy("date format: day (two digits), short month and year", "d M Y"),
}


def translated(text):
    """`text` in the active language when it is a `Phrase`; any other text as it is."""
    if isinstance(text, When):
        return formats.date_format(text.date, str(DATE_FORMATS.get(text.format, text.format)))
    if isinstance(text, Joined):
        return str(translated(text.separator)).join(str(translated(item)) for item in text.items)
    if isinstance(text, Amount):
        return money(text.minor, text.currency)
    if not isinstance(text, Phrase):
        return text
    if text.plural is None:
        template = translation.gettext(text.template)
    else:
        template = translation.ngettext(text.template, text.plural, text.count)
    if not text.params:
        return template
    return template % {name: translated(value) for name, value in text.params.items()}


def to_json(text):
    """`text`, a phrase with the values it holds, as JSON data that `from_json` reads back.

    Only what `translated` knows how to write is kept: a value that is neither one of those nor
    a plain string or number (a lazy label, a model) is refused here, at write time, rather than
    stored in the language that happened to be active.
    """
    if isinstance(text, Phrase):
        phrase = {
            "template": text.template,
            "params": {name: to_json(value) for name, value in text.params.items()},
        }
        if text.plural is not None:
            phrase["plural"], phrase["count"] = text.plural, text.count
        return {"phrase": phrase}
    if isinstance(text, When):
        return {"date": text.date.isoformat(), "format": text.format}
    if isinstance(text, Joined):
        return {
            "joined": [to_json(item) for item in text.items],
            "separator": to_json(text.separator),
        }
    if isinstance(text, Amount):
        return {"amount": text.minor, "currency": text.currency}
    if isinstance(text, (str, int)) and not isinstance(text, bool):
        return str(text) if isinstance(text, str) else text
    raise TypeError(f"{type(text).__name__} cannot be kept in a phrase: {text!r}")


def from_json(data):
    """The phrase (or value) that `to_json` kept."""
    if not isinstance(data, dict):
        return data
    if "phrase" in data:
        phrase = data["phrase"]
        params = {name: from_json(value) for name, value in phrase["params"].items()}
        return Phrase(phrase["template"], params, phrase.get("plural"), phrase.get("count"))
    if "date" in data:
        return When(datetime.date.fromisoformat(data["date"]), data["format"])
    if "joined" in data:
        return Joined([from_json(item) for item in data["joined"]], from_json(data["separator"]))
    return Amount(data["amount"], data["currency"])


def translated_json(kept):
    """`translated(from_json(json.loads(kept)))`, worked out once per process for each phrase
    (`kept`, the JSON text of what `to_json` kept) and language: the group page and the history
    write the same lines on every view, and rebuilding a line's phrase and translating each of
    its values cost more than the rest of the line. The catalogs, the date formats and the
    amounts' formats are all the result depends on, and they do not change while the process
    runs."""
    return _translated_json(kept, translation.get_language())


@lru_cache(maxsize=4096)
def _translated_json(kept, language):
    # `language` is in the key only: `translated` reads the active language itself.
    return translated(from_json(json.loads(kept)))


def translated_currency_choices():
    """Every currency as ``(code, "USD — US-Dollar")``, named in the active language; a form's
    ``choices`` takes the function itself, so a page is named in the language it is served in."""
    return currency_choices(translation.get_language())
