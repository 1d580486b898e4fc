from django import forms


class SignupForm(forms.Form):
    """Extra fields for allauth's signup form: the name other group members will see."""

    display_name = forms.CharField(
        max_length=80,
        label="Your name",
        help_text="Shown to the people in your groups.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self):
        return " ".join(self.cleaned_data["display_name"].split())

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
