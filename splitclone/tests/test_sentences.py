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


def test_messages_in_a_language_read_once_are_those_of_that_language():
    @per_language
    def words():
        return gettext("Log out")

    with translation.override("en"):
        # A first build for German while English is active is still in German.
        assert words.in_language("de") == "Abmelden"
        assert words.in_language("en") == words() == "Log out"
    with translation.override("de"):
        assert words() == "Abmelden"
