"""Sentences translated once and filled in per line (splitclone.sentences)."""

from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from splitclone.sentences import filled, per_language


def test_filled_escapes_values_unless_they_are_marked_safe():
    assert filled("%(a)s %(b)s", a="<i>", b=mark_safe("<b>")) == "&lt;i&gt; <b>"


def test_messages_per_language_are_in_the_active_language_and_built_once_each():
    built = []

    @per_language
    def words():
        built.append(translation.get_language())
        return gettext("Log out")

    with translation.override("en"):
        assert words() == "Log out"
        assert words() == "Log out"
    with translation.override("de"):
        assert words() == "Abmelden"
    with translation.override("en"):
        assert words() == "Log out"

    assert built == ["en", "de"]
