from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Group
from notifications.models import Frequency, Preferences


class PreferencesForm(forms.ModelForm):
    frequency = forms.ChoiceField(
        label=_("Email me about expenses and payments that involve me"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
    )
    muted_groups = forms.ModelMultipleChoiceField(
        label=_("Mute these groups"),
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("No emails about a muted group, and no reminders for it."),
    )

    class Meta:
        model = Preferences
        fields = ["frequency", "reminders", "reminder_threshold", "muted_groups"]
        labels = {
            "reminders": _("Remind me once a week of what I owe"),
            "reminder_threshold": _("Only when I owe more than"),
        }
        help_texts = {
            "reminders": _(
                "With the payments that settle it, only in groups where I owe more than the "
                "amount below."
            ),
            "reminder_threshold": _(
                "In whole units of each group’s currency (10 is 10.00 EUR in a group in euros, "
                "10 JPY in one in yen)."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the person's own groups: a group id from elsewhere is refused as a bad choice.
        self.fields["muted_groups"].queryset = Group.objects.filter(
            members__user=user, members__is_active=True
        ).order_by("name", "pk")
