"""Sentences translated once per list and filled in per line.

`{% blocktranslate %}` looks its sentence up in the active catalog every time it renders, once
a line in a list. Long lists translate each kind of sentence once, with `gettext` on the
template's own message (`{{ name }}` becomes `%(name)s`), and fill it in per line as the tag
would. Used by `pages.templatetags.payment_lines`; rows written one at a time (the expense lists')
keep their words per language (`per_language`).
"""

import functools
from html import escape

from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language, override


def filled(sentence, **values):
    """`sentence`, translated, with `values` escaped in its placeholders unless marked safe:
    what `{% blocktranslate %}` writes for the same message and values. (Django's
    `conditional_escape`, without the check for lazy text it makes on every call; and the
    filled sentence, always a plain `str`, is made a `SafeString` as `mark_safe` would, without
    its own check for lazy arguments.)"""
    return SafeString(
        sentence
        % {
            name: value if isinstance(value, SafeData) else escape(str(value))
            for name, value in values.items()
        }
    )


def per_language(build):
    """`build()`, the messages a kind of line uses, translated once per language for the life of
    the process (the catalogs do not change while it runs): for lines written one at a time, as
    `{{ row }}` writes the rows of the expense lists, where each would otherwise ask the catalog
    for each of its words."""

    @functools.cache
    def in_language(language):
        with override(language):
            return build()

    @functools.wraps(build)
    def in_active_language():
        return in_language(get_language())

    # For a list that read the active language once for all its lines, rather than asking
    # Django for it again on each.
    in_active_language.in_language = in_language
    return in_active_language
