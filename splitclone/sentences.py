"""Sentences translated once per list and filled in per line.

`{% blocktranslate %}` looks its sentence up in the active catalog every time it renders, once
a line in a list. Long lists translate each kind of sentence once, with `gettext` on the
template's own message (`{{ name }}` becomes `%(name)s`), and fill it in per line as the tag
would. Used by `pages.templatetags.payment_lines`.
"""

from html import escape

from django.utils.safestring import SafeData, mark_safe


def filled(sentence, **values):
    """`sentence`, translated, with `values` escaped in its placeholders unless marked safe:
    what `{% blocktranslate %}` writes for the same message and values. (Django's
    `conditional_escape`, without the check for lazy text it makes on every call.)"""
    return mark_safe(
        sentence
        % {
            name: value if isinstance(value, SafeData) else escape(str(value))
            for name, value in values.items()
        }
    )
