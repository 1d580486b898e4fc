"""Form widgets that pages with many of them can afford."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class CompactSelect(forms.Select):
    """A `Select` that writes its options itself, the same markup without a template each.

    Django renders every option through two templates of its own: a select of a 50-member
    group's people took a few milliseconds, the better part of the pages that show two or three
    of them. Choices in named groups (optgroups) are left to Django.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        # Straight from the choices: `get_context` would first build a dict of attributes for
        # every option (some 50 people, twice on the settle-up page).
        values = ["" if option_value is None else str(option_value) for option_value, _ in choices]
        # The first option with the value is the one selected, as Django's.
        wanted = self.format_value(value)
        chosen = next((n for n, option_value in enumerate(values) if option_value in wanted), None)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, " selected" if n == chosen else "", label)
                for n, (option_value, (_, label)) in enumerate(zip(values, choices, strict=True))
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class CompactInput:
    """An input that writes itself: the markup of Django's `input.html`, which renders every
    input through two templates (some 0.2 ms each, four or five times on a form)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        given = {} if widget["value"] is None else {"value": widget["value"]}
        # In the template's order, not `flatatt`'s sorted one: the same bytes either way.
        attributes = format_html_join(
            "",
            "{}",
            (
                (format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value),)
                for key, value in (given | widget["attrs"]).items()
                if value is not False
            ),
        )
        return format_html('<input type="{}" name="{}"{}>', widget["type"], name, attributes)


class CompactTextInput(CompactInput, forms.TextInput):
    pass


class CompactHiddenInput(CompactInput, forms.HiddenInput):
    pass


class DatePicker(CompactInput, forms.DateInput):
    """The browser's date picker. Its value is always ISO 8601 ("2026-11-29"), whatever the
    page's language: Django would otherwise write the language's own format ("29.11.2026" in
    German), which a date input reads as no date at all. DateField reads ISO in every language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
