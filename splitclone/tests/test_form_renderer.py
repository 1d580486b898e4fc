"""The form renderer writes Django's field, label and error-list markup byte for byte.

Each field is rendered twice, through Django's own templates (its `DjangoTemplates` renderer)
and through ours, and the two must be the same string: a made-up form with every feature a field
group has, and every form of the app as its pages show it, unbound and bound with an error on
every field, in English and in German.
"""

import copy
from collections import Counter

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe

from groups.models import Group
from settlements.forms import RatesForm
from splitclone.form_renderer import WRITTEN, FormRenderer
from splitclone.tests.test_translated_pages import crawled
from splitclone.widgets import CompactSelect, CompactTextInput

DJANGOS = DjangoTemplates()
ERROR = "Not <this> & not that"


class Specimen(forms.Form):
    required_css_class = "required"
    error_css_class = "invalid"

    name = forms.CharField(label="Name & <b>nickname</b>", help_text="As <em>friends</em> say it")
    amount = forms.DecimalField(
        label="How much?", widget=CompactTextInput({"inputmode": "decimal"})
    )
    person = forms.TypedChoiceField(
        choices=[("", "Anyone"), (1, "Ana & Ben")], coerce=int, required=False, widget=CompactSelect
    )
    agreed = forms.BooleanField(label="I agree", required=False)
    kind = forms.ChoiceField(choices=[("a", "A <1>"), ("b", "B")], widget=forms.RadioSelect)
    days = forms.MultipleChoiceField(
        choices=[("mo", "Mon"), ("tu", "Tue")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Any of them",
    )
    note = forms.CharField(
        label=mark_safe("Note <abbr>opt.</abbr>"), required=False, widget=forms.Textarea
    )
    described = forms.CharField(widget=forms.TextInput({"aria-describedby": "elsewhere"}))
    own_id = forms.CharField(label="", widget=forms.TextInput({"id": "mine", "data-x": 'a"b'}))
    suffixed = forms.CharField(label_suffix=" →", disabled=True, initial="fixed")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    # A select left to Django (its options in groups), and one whose labels are localized.
    flavour = forms.ChoiceField(choices=[("Sweet", [("c", "Cake")]), ("s", "Salt & <pepper>")])
    size = forms.TypedChoiceField(choices=[(1, 1.5), (2, "Two")], coerce=int, initial=2)

    def clean(self):
        raise forms.ValidationError(ERROR)


def specimens(renderer):
    """The specimen unbound, bound with errors everywhere, and without ids, each in two ways of
    labelling."""
    bound = {"amount": "x", "kind": "z", "hidden": "h", "person": "7"}
    yield Specimen(renderer=renderer)
    yield Specimen(bound, renderer=renderer)
    yield Specimen(bound, renderer=renderer, auto_id=False)
    yield Specimen(bound, renderer=renderer, label_suffix=":", prefix="p")


def written_both_ways(form_of):
    """What each piece of each specimen's fields renders to, by the renderer `form_of` takes."""
    pieces = []
    for form in specimens(form_of):
        pieces.append(str(form.non_field_errors()))
        for field in form:
            pieces += [
                field.as_field_group(),
                field.label_tag(),
                field.legend_tag(attrs={"class": "x", "hidden": True, "off": False}),
                str(field.errors),
                render_to_string("_field.html", {"field": field}),
            ]
    return pieces


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_piece_of_a_field_is_the_markup_of_djangos_templates(language):
    with translation.override(language):
        ours, djangos = written_both_ways(FormRenderer()), written_both_ways(DJANGOS)

    assert ours == djangos
    markup = "".join(ours)
    # What the specimen is there to show, so that the comparison compares it.
    for shown in [
        'aria-invalid="true"',
        'aria-describedby="id_name_helptext id_name_error"',
        '<fieldset aria-describedby="id_days_helptext id_days_error">',
        "<legend",
        'class="required"',
        "Name &amp; &lt;b&gt;nickname&lt;/b&gt;",
        "<abbr>opt.</abbr>",
        'id="id_amount_error"',
        "Not &lt;this&gt; &amp; not that",
        "How much?</label>",
        'for="mine"',
        "p-amount",
        "disabled",
        '<optgroup label="Sweet">',
        '<option value="2" selected>Two</option>',
    ]:
        assert shown in markup, shown


class Compared(FormRenderer):
    """Renders each template we write both ways, and fails at the first difference."""

    def __init__(self):
        self.compared = Counter()
        self.forms = {}  # form class → a form of it the pages showed

    def render(self, template_name, context, request=None):
        written = super().render(template_name, context, request)
        if template_name in WRITTEN:
            # Django's templates reach the pieces inside (a label, the errors) through the
            # form's renderer, this one, which compares those on their own.
            assert written == DJANGOS.render(template_name, context, request), context
            self.compared[template_name] += 1
            if "field" in context:
                self.forms.setdefault(type(context["field"].form), context["field"].form)
        return written


def with_errors_everywhere(form):
    """`form` bound to nothing, every field with an error besides what that leaves."""
    bound = copy.copy(form)
    bound.is_bound, bound.data, bound.files = True, {}, {}
    bound._errors, bound._bound_fields_cache = None, {}
    bound.full_clean()
    for name in bound.fields:
        bound.add_error(name, ERROR)
    return bound


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de"])
def test_every_form_of_the_app_is_the_markup_of_djangos_templates(client, language):
    with override_settings(FORM_RENDERER=f"{__name__}.Compared"):
        compared = get_default_renderer()
        crawled(client, language)
        shown = dict(compared.forms)
        with translation.override(language):
            # Shown only while a balance is open in a currency without a published rate.
            shown[RatesForm] = RatesForm(group=Group.objects.first(), currencies={"ISK", "XAF"})
            for form in shown.values():
                for version in (form, with_errors_everywhere(form)):
                    for field in version:
                        render_to_string("_field.html", {"field": field})

    names = {form_class.__name__ for form_class in shown}
    # The forms of the pages the walk takes that show their fields through _field.html.
    assert names >= {
        "PaymentForm",
        "RatesForm",
        "AcrossForm",
        "ExpenseForm",
        "RecurringExpenseForm",
        "GroupForm",
        "GuestForm",
        "InviteForm",
        "InviteEmailForm",
        "JoinForm",
        "HouseholdForm",
        "WishesForm",
        "LanguageForm",
        "PaymentMethodForm",
        "ConfirmPaymentsForm",
        "PreferencesForm",
        "TokenForm",
        "UploadForm",
        "LoginForm",
        "SignupForm",
    }, ", ".join(sorted(names))
    assert min(compared.compared[name] for name in WRITTEN) > 0, compared.compared
