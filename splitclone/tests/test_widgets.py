import datetime

import pytest
from django import forms
from django.test.html import parse_html
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from splitclone.widgets import CompactHiddenInput, CompactSelect, CompactTextInput, DatePicker

PEOPLE = [("", "Anyone"), (9, "Dana <D>"), (10, "Guest & co")]


def select(widget, value, **attrs):
    class Form(forms.Form):
        person = forms.TypedChoiceField(
            choices=PEOPLE, coerce=int, widget=widget, required=attrs.pop("required", True)
        )

    form = Form({"person": value} if value is not None else None)
    return str(form["person"])


@pytest.mark.parametrize("value", [None, "", "9", "10", "11"])
@pytest.mark.parametrize("required", [True, False])
def test_a_compact_select_is_the_markup_of_djangos(value, required):
    compact = select(CompactSelect, value, required=required)

    assert parse_html(compact) == parse_html(select(forms.Select, value, required=required))
    assert "Dana &lt;D&gt;" in compact


def test_choices_in_groups_are_left_to_django():
    grouped = [("Friends", [(1, "Ana"), (2, "Ben")]), ("Family", [(3, "Cem")])]
    widget = CompactSelect(choices=grouped)

    assert parse_html(widget.render("person", 2)) == parse_html(
        forms.Select(choices=grouped).render("person", 2)
    )


def test_the_first_of_two_options_with_the_value_is_the_one_selected():
    twice = [("x", "X"), ("x", "X again"), (None, "None")]

    for value in ("x", None):
        assert parse_html(CompactSelect(choices=twice).render("f", value)) == parse_html(
            forms.Select(choices=twice).render("f", value)
        )


INPUTS = [
    (CompactTextInput, forms.TextInput, "1,5 <€>"),
    (CompactTextInput, forms.TextInput, ""),
    (CompactTextInput, forms.TextInput, None),
    (CompactHiddenInput, forms.HiddenInput, 0),
    (DatePicker, forms.DateInput, datetime.date(2026, 11, 29)),
]


@pytest.mark.parametrize(("compact", "django", "value"), INPUTS)
def test_a_compact_input_is_the_markup_of_djangos_byte_for_byte(compact, django, value):
    widget = compact(attrs={"inputmode": "decimal", "required": True, "disabled": False})
    given = {"id": "id_amount", "aria-describedby": "id_amount_error", "data-x": "a&b"}

    # The same widget written by Django's templates.
    assert widget.render("amount", value, given) == django.render(widget, "amount", value, given)


def test_a_compact_select_writes_lazy_labels_in_the_language_active_when_it_renders():
    widget = CompactSelect(choices=[("", gettext_lazy("Anyone")), ("x", mark_safe("<b>X</b>"))])

    with translation.override("de"):
        german = widget.render("person", "x")
    english = widget.render("person", "x")

    assert german == (
        '<select name="person"><option value="">Alle</option>'
        '<option value="x" selected><b>X</b></option></select>'
    )
    assert english == german.replace("Alle", "Anyone")
