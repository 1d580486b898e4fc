from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import AccessToken, Scope


class TokenForm(forms.ModelForm):
    scope = forms.ChoiceField(
        label=_("Scope"), choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect
    )

    class Meta:
        model = AccessToken
        fields = ["name", "scope"]
        labels = {"name": _("Name")}
        help_texts = {"name": _("What the token is for, e.g. “Budget spreadsheet”.")}

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
