from django import forms
from django.utils.translation import gettext, gettext_lazy

from groups.models import NAME_MAX_LENGTH
from imports import services
from imports.detect import MAX_BYTES, available_formats
from imports.parsed import ImportRefused
from splitclone.money import CURRENCIES
from splitclone.translation import translated, translated_currency_choices

AUTOMATIC = ""


class UploadForm(forms.Form):
    """The file, read as soon as it is valid: `parsed` holds what it says."""

    file = forms.FileField(
        label=gettext_lazy("Export file"),
        help_text=gettext_lazy("From Splitwise, IHateMoney, Spliit or Cospend; at most 5 MB."),
    )
    format = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Format"),
        help_text=gettext_lazy("Leave this to recognise the format from the file."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [
            (AUTOMATIC, gettext("Recognise it from the file")),
            *[(name, translated(label)) for name, label in available_formats().items()],
        ]
        self.parsed = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(megabytes)s MB, more than we import at once.")
                % {"megabytes": MAX_BYTES // (1024 * 1024)}
            )
        return upload.read()

    def clean(self):
        cleaned = super().clean()
        if "file" in cleaned:
            try:
                self.parsed = services.read_file(cleaned["file"], cleaned.get("format") or None)
            except ImportRefused as refused:
                self.add_error("file", translated(refused.message))
        return cleaned


class ImportForm(forms.Form):
    """Who each person of the file is, the new group's name and currency, and the go-ahead.

    One choice field per person, `person_<n>` in the file's order: names may hold anything.
    """

    token = forms.CharField(widget=forms.HiddenInput)
    format = forms.ChoiceField(label=gettext_lazy("Read the file as"))

    def __init__(self, *args, parsed, user, group=None, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed, self.group = parsed, group
        self.fields["format"].choices = [
            (name, translated(label)) for name, label in available_formats().items()
        ]
        self.fields["format"].initial = parsed.format
        mapping = services.default_mapping(parsed, user, members)
        others = [
            (str(member.pk), member.display_name)
            for member in members
            if member.is_active and member.user_id != user.pk
        ]
        for number, name in enumerate(parsed.people):
            field = forms.ChoiceField(
                label=name,
                choices=[
                    (services.NEW_GUEST, gettext("A new guest")),
                    (services.ME, gettext("Me (%(name)s)") % {"name": user.display_name}),
                    *([(gettext("Members of the group"), others)] if others else []),
                ],
                initial=str(mapping[name]),
            )
            self.fields[f"person_{number}"] = field
        if group is None:
            self.fields["name"] = forms.CharField(
                label=gettext("Name of the new group"),
                max_length=NAME_MAX_LENGTH,
                initial=parsed.name or gettext("Imported group"),
            )
            if not parsed.currency:
                self.fields["currency"] = forms.ChoiceField(
                    label=gettext("Currency"),
                    help_text=gettext("The file names none; its amounts have two decimals."),
                    choices=[
                        choice
                        for choice in translated_currency_choices()
                        if CURRENCIES[choice[0]].exponent == services.HUNDREDTHS
                    ],
                    initial="EUR",
                )
        elif group.has_ledger_history:
            self.fields["confirm"] = forms.BooleanField(
                required=False,
                label=gettext("Add the file's entries to the expenses and payments already here"),
            )

    def person_fields(self):
        return [self[f"person_{number}"] for number in range(len(self.parsed.people))]

    def mapping(self):
        """Name in the file → `services.ME`, `services.NEW_GUEST` or a member's id."""
        chosen = {}
        for number, name in enumerate(self.parsed.people):
            value = self.cleaned_data[f"person_{number}"]
            chosen[name] = value if value in (services.ME, services.NEW_GUEST) else int(value)
        return chosen

    @property
    def currency(self):
        """The currency amounts are shown in: the file's, or the one chosen for it."""
        if self.parsed.currency:
            return self.parsed.currency
        if self.group is not None:
            return self.group.currency
        chosen = self.data.get("currency") if self.is_bound else None
        offered = dict(self.fields["currency"].choices)
        return chosen if chosen in offered else self.fields["currency"].initial
