from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import PaymentMethod, User


class SignupForm(forms.Form):
    """Extra fields for allauth's signup form: the name other group members will see."""

    display_name = forms.CharField(
        max_length=80,
        label=_("Your name"),
        help_text=_("Shown to the people in your groups."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self):
        return " ".join(self.cleaned_data["display_name"].split())

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class PaymentMethodForm(forms.ModelForm):
    """Adds or changes one way of being paid; the model checks and tidies the value."""

    class Meta:
        model = PaymentMethod
        fields = ["kind", "value", "bic", "holder", "label", "position"]
        labels = {
            "kind": _("Kind"),
            "value": _("IBAN, handle, address or text"),
            "label": _("Label"),
            "position": _("Order"),
        }
        help_texts = {
            "value": _("For PayPal.me, Revolut and Venmo: the handle, not the link."),
            "position": _("Lower numbers are shown first."),
        }
        widgets = {"value": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    def _post_clean(self):
        super()._post_clean()
        # `user` is not a form field, so ModelForm leaves out the constraints that name it (the
        # same method twice); the view sets the user before validating.
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


class ConfirmPaymentsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["confirms_payments"]


class LanguageForm(forms.ModelForm):
    """The person's language on the account page; blank follows the browser."""

    class Meta:
        model = User
        fields = ["language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As my browser asks")), *settings.LANGUAGES]
