"""Sentences translated once per list and filled in per line.

`{% blocktranslate %}` looks its sentence up in the active catalog every time it renders, once
a line in a list. Long lists translate each kind of sentence once, with `gettext` on the
template's own message (`{{ name }}` becomes `%(name)s`), and fill it in per line as the tag
would. Used by `pages.templatetags.payment_lines` and `pages.templatetags.home_lines`.
"""

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def filled(sentence, **values):
    """`sentence`, translated, with `values` escaped in its placeholders: what
    `{% blocktranslate %}` writes for the same message and values."""
    return mark_safe(sentence % {name: conditional_escape(value) for name, value in values.items()})
