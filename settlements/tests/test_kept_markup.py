"""Markup the settle-up page keeps once rendered (`settlements.templatetags.kept_markup`)."""

from django.template import Context, Template
from django.utils import translation

KEPT = Template(
    "{% load i18n kept_markup %}{% kept_for count=payments %}{% translate 'Settle up' %}: "
    "{{ count }} {{ group }}{% endkept_for %}"
)


def rendered(payments, language="en"):
    with translation.override(language):
        return KEPT.render(Context({"payments": payments, "group": "Ski week"}))


def test_kept_markup_is_rendered_once_for_each_value_and_language():
    assert rendered(1) == "Settle up: 1 "
    assert rendered(2) == "Settle up: 2 "
    assert rendered(2, "de") == "Abrechnen: 2 "
    assert rendered(1) == "Settle up: 1 "


def test_kept_markup_is_rendered_with_its_values_only():
    # Anything else about the page would be kept for every page: it renders empty, always.
    assert "Ski week" not in rendered(3)
