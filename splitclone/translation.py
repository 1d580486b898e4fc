"""The pure modules' phrases (`splitclone.phrases`) and currency names in the reader's language."""

from django.utils import formats, translation
from django.utils.translation import pgettext_lazy

from splitclone.money import currency_choices
from splitclone.phrases import Joined, Phrase, When

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
        return text.separator.join(str(translated(item)) for item in text.items)
    if not isinstance(text, Phrase):
        return text
    if text.plural is None:
        template = translation.gettext(text.template)
    else:
        template = translation.ngettext(text.template, text.plural, text.count)
    if not text.params:
        return template
    return template % {name: translated(value) for name, value in text.params.items()}


def translated_currency_choices():
    """Every currency as ``(code, "USD — US-Dollar")``, named in the active language; a form's
    ``choices`` takes the function itself, so a page is named in the language it is served in."""
    return currency_choices(translation.get_language())
