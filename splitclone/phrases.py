"""Text for people written by the pure modules, which import no Django and so cannot translate.

A `Phrase` is the English text itself (a `str`, so tests, logs and f-strings read it as before)
that also keeps how it was written: the template, its values and, for a count, the plural form.
Where the text is shown, `splitclone.translation.translated` writes it again in the reader's
language. The constructors are named after gettext's own so that `makemessages` extracts the
templates into the catalogs without extra keywords.

Values are written into templates with Python's ``%(name)s``; a value that is itself a Phrase is
translated too, so is each of the items of a `Joined`, and a `When` is a date written in the
reader's language.
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple


class When(NamedTuple):
    """A date inside a phrase, written with one of Django's date formats ("j M Y", "l")."""

    date: datetime.date
    format: str

    def __str__(self) -> str:
        # The English of the few formats phrases use; a translation uses Django's date_format.
        return " ".join(
            self.date.strftime(_STRFTIME[letter]) if letter in _STRFTIME else str(self.date.day)
            for letter in self.format.split()
        )


class Joined(NamedTuple):
    """Several phrases (or names) written one after the other, as a list inside a phrase; the
    separator may itself be a phrase (`AND`)."""

    items: Sequence[Any]
    separator: str = ", "

    def __str__(self) -> str:
        return self.separator.join(str(item) for item in self.items)


_STRFTIME = {"d": "%d", "l": "%A", "F": "%B", "M": "%b", "Y": "%Y"}


class Phrase(str):
    template: str
    plural: str | None
    count: int | None
    params: Mapping[str, Any]

    def __new__(
        cls,
        template: str,
        params: Mapping[str, Any],
        plural: str | None = None,
        count: int | None = None,
    ) -> "Phrase":
        chosen = template if plural is None or count == 1 else plural
        english = (
            chosen % {name: str(value) for name, value in params.items()} if params else chosen
        )
        phrase = super().__new__(cls, english)
        phrase.template, phrase.plural, phrase.count = template, plural, count
        phrase.params = params
        return phrase

    def __reduce__(self):
        return (Phrase, (self.template, dict(self.params), self.plural, self.count))


def gettext_noop(template: str, /, **params: Any) -> Phrase:
    """The phrase ``template % params``, marked for translation where it is shown."""
    return Phrase(template, params)


def ngettext(singular: str, plural: str, count: int, /, **params: Any) -> Phrase:
    """The singular or plural phrase for ``count`` (a value of the template as ``count``)."""
    return Phrase(singular, {"count": count, **params}, plural, count)


# The separator of a list of names that ends "Ann and Bob" in English.
AND = gettext_noop(" and ")
