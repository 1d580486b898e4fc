"""Form widgets that pages with many of them can afford."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


def escaped(value):
    """Django's `conditional_escape`, without the check for lazy text it makes on every call
    (`keep_lazy`): a few µs each time, some hundred times on a page with a form."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


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
        wanted = self.format_value(value)
        options = []
        chosen = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            # The first option with the value is the one selected, as Django's.
            selected = not chosen and text in wanted
            chosen = chosen or selected
            options.append(
                f'<option value="{escaped(text)}"{" selected" if selected else ""}>'
                f"{escaped(label)}</option>"
            )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escaped(name)}"{attributes}>{"".join(options)}</select>')


class CompactInput:
    """An input that writes itself: the markup of Django's `input.html`, which renders every
    input through two templates (some 0.2 ms each, four or five times on a form)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        given = {} if widget["value"] is None else {"value": widget["value"]}
        # In the template's order, not `flatatt`'s sorted one: the same bytes either way.
        attributes = "".join(
            f" {escaped(key)}" if value is True else f' {escaped(key)}="{escaped(value)}"'
            for key, value in (given | widget["attrs"]).items()
            if value is not False
        )
        return mark_safe(
            f'<input type="{escaped(widget["type"])}" name="{escaped(name)}"{attributes}>'
        )


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
