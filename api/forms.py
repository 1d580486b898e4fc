from django import forms

from api.models import AccessToken, Scope


class TokenForm(forms.ModelForm):
    scope = forms.ChoiceField(choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect)

    class Meta:
        model = AccessToken
        fields = ["name", "scope"]
        help_texts = {"name": "What the token is for, e.g. “Budget spreadsheet”."}

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
