from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from groups.models import (
    NAME_MAX_LENGTH,
    ConversionFixed,
    ConvertAt,
    CurrencyFixed,
    Group,
    Member,
    Role,
)
from splitclone.translation import translated_currency_choices


def tidy_name(value):
    """Collapses runs of white space, which are never meaningful in a name."""
    return " ".join(value.split())


class GroupForm(forms.ModelForm):
    currency = forms.ChoiceField(
        label=_("Currency"), choices=translated_currency_choices, initial="EUR"
    )
    # Left out (a client that predates it), it stays as it is.
    convert_at = forms.ChoiceField(
        choices=ConvertAt.choices,
        required=False,
        widget=forms.RadioSelect,
        label=_("Convert other currencies"),
        help_text=_(
            "When an expense or payment in another currency becomes the group's currency. At "
            "settlement, balances are kept in each currency and converted at the rate of the "
            "day the group settles up. Fixed once there is an entry in another currency."
        ),
    )

    class Meta:
        model = Group
        fields = [
            "name",
            "description",
            "currency",
            "simplify_debts",
            "convert_at",
            "pay_only_sharing",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "simplify_debts": _("Simplify debts"),
        }
        help_texts = {
            "simplify_debts": _(
                "Suggest the fewest payments that settle everyone, instead of each pair "
                "settling what they owe each other."
            ),
        }

    def clean_name(self):
        return tidy_name(self.cleaned_data["name"])

    def clean_currency(self):
        currency = self.cleaned_data["currency"]
        group = self.instance
        changed = group.pk and currency != group.currency
        # Amounts are stored in the currency's minor units: switching EUR to JPY would turn
        # every 10.00 into 1,000.
        if changed and group.has_ledger_history:
            raise forms.ValidationError(CurrencyFixed().message)
        return currency

    def clean_convert_at(self):
        convert_at = self.cleaned_data["convert_at"] or self.instance.convert_at
        if convert_at != self.instance.convert_at and self.instance.has_foreign_entries:
            raise forms.ValidationError(ConversionFixed().message)
        return convert_at


class GuestForm(forms.Form):
    guest_name = forms.CharField(
        label=_("Guest's name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Someone without an account. They can claim this name when they join."),
    )

    def clean_guest_name(self):
        return tidy_name(self.cleaned_data["guest_name"])


class AddUserForm(forms.Form):
    """Adds someone the acting user already shares a group with; nobody else can be found."""

    user_id = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user

    def clean_user_id(self):
        user = known_people(self.acting_user).filter(pk=self.cleaned_data["user_id"]).first()
        if user is None:
            raise forms.ValidationError(
                gettext("You can only add people you already share a group with.")
            )
        return user


def known_people(user):
    """Registered people who are active members of a group that `user` is active in."""
    return (
        get_user_model()
        .objects.filter(
            memberships__is_active=True,
            memberships__group__members__user=user,
            memberships__group__members__is_active=True,
        )
        .exclude(pk=user.pk)
        .distinct()
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find people or add a guest"), max_length=NAME_MAX_LENGTH, required=False
    )

    def clean_q(self):
        return tidy_name(self.cleaned_data["q"])

    def email_address(self):
        """The query when it is an email address (someone to invite), else None."""
        query = self.cleaned_data["q"]
        try:
            validate_email(query)
        except forms.ValidationError:
            return None
        return query


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InviteForm(forms.Form):
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        choices=[(0, _("Never")), (1, _("In 1 day")), (7, _("In 7 days")), (30, _("In 30 days"))],
        initial=7,
    )
    max_uses = forms.IntegerField(
        label=_("Maximum uses"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Leave empty for no limit."),
    )


class InviteEmailForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))


class JoinForm(forms.Form):
    claim = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        required=False,
        # Without `blank`, a radio list drops the empty choice: joining as oneself must be
        # offered beside the guests.
        blank=True,
        empty_label=_("None of these, join as myself"),
        widget=forms.RadioSelect,
        label=_("Are you one of the group's guests?"),
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = group.members.filter(
            user__isnull=True, is_active=True
        ).order_by("name")
        self.fields["claim"].label_from_instance = lambda guest: (
            gettext("I am %(name)s") % {"name": guest.name}
        )


class HouseholdForm(forms.Form):
    """The people of a new household, among the group's active members not in one yet.
    `Group.create_household` checks the rules again under the lock."""

    members = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Who settles up together"),
        error_messages={
            "required": _("Choose at least two people."),
            "invalid_choice": _("Choose people from this group who are not in a household."),
        },
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = group.members.with_people().filter(
            is_active=True, household__isnull=True
        )
        self.fields["members"].label_from_instance = lambda member: member.display_name


class WishesForm(forms.Form):
    """A member's two settle-up wishes; `Group.set_wishes` holds the rules."""

    rather_not_receive = forms.BooleanField(
        required=False,
        label=_("I'd rather not receive payments"),
        help_text=_("Then you are paid only what you are owed, and never asked to pass money on."),
    )
    preferred_payee = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("No preference"),
        label=_("Person I prefer to pay"),
        help_text=_("When I owe money, the plan has me pay them, where it can."),
    )

    def __init__(self, *args, member, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "rather_not_receive": member.rather_not_receive,
                "preferred_payee": member.preferred_payee_id,
            },
        )
        super().__init__(*args, **kwargs)
        payees = member.group.members.with_people().filter(is_active=True).exclude(pk=member.pk)
        if member.household_id is not None:
            payees = payees.exclude(household_id=member.household_id)
        self.fields["preferred_payee"].queryset = payees
        self.fields["preferred_payee"].label_from_instance = lambda other: other.display_name
