import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ledger.forms import ConvertedAmountForm
from settlements.across import record_transfer
from settlements.algorithm import Transfer
from settlements.models import Payment
from splitclone import fx
from splitclone.dates import validate_entry_date
from splitclone.formats import localized_amount
from splitclone.money import MoneyError
from splitclone.translation import translated
from splitclone.widgets import CompactHiddenInput, CompactSelect, CompactTextInput, DatePicker

NOTE_MAX_LENGTH = 200


class PaymentForm(ConvertedAmountForm):
    """A payment between two members: one of the plan's suggestions, or any other.

    The amount may be typed in another currency than the group's, converted like an expense's
    (`ledger.forms.ConvertedAmountForm`): `total` is what the ledger moves, `conversion` how.

    A suggestion carries the fingerprint of the plan it came from, so `Payment.objects.record`
    can refuse it if the balances changed meanwhile. A payment larger than what the sender owes
    or the receiver is owed turns their balance around: allowed, after a second, confirmed step.
    """

    from_member = forms.TypedChoiceField(
        coerce=int,
        label=_("Who paid"),
        error_messages={"invalid_choice": _("Choose a member.")},
        widget=CompactSelect,
    )
    to_member = forms.TypedChoiceField(
        coerce=int,
        label=_("Who received it"),
        error_messages={"invalid_choice": _("Choose a member.")},
        widget=CompactSelect,
    )
    date = forms.DateField(
        label=_("Date"),
        widget=DatePicker(),
        validators=[validate_entry_date],
    )
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=CompactTextInput
    )
    submission_id = forms.UUIDField(widget=CompactHiddenInput)
    fingerprint = forms.CharField(max_length=64, required=False, widget=CompactHiddenInput)
    confirm = forms.BooleanField(required=False, label=_("Yes, record it anyway"))

    def __init__(self, *args, settle_up, **kwargs):
        self.group = settle_up.group
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("submission_id", uuid.uuid4())
        kwargs["initial"].setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        # Rendering reads each label several times (`label_tag`, the field group), a catalog
        # lookup each while it is lazy: translated once here.
        for field in self.fields.values():
            if field.label is not None:
                field.label = str(field.label)
        self.planned = settle_up.plan.transfers
        # In a group with balances open in other currencies, those converted at today's rates.
        self.balances = settle_up.balances
        self.members = {member.pk: member for member in settle_up.members if member.is_active}
        people = [(pk, member.display_name) for pk, member in self.members.items()]
        self.fields["from_member"].choices = [("", gettext("Choose who paid")), *people]
        self.fields["to_member"].choices = [("", gettext("Choose who received it")), *people]
        self.needs_confirmation = False

    @property
    def is_suggestion(self):
        return bool(self["fingerprint"].value())

    def record(self, actor, typed_rates=None):
        """Records the payment of a valid form (`PaymentManager.record`): the page and the API
        both come here. `typed_rates` are today's rates typed on the settle-up page for the
        currencies the ECB does not publish (a group that converts at settlement)."""
        data = self.cleaned_data
        return Payment.objects.record(
            group_id=self.group.pk,
            from_member_id=data["from_member"],
            to_member_id=data["to_member"],
            amount=self.total,
            currency=self.group.currency,
            date=data["date"],
            note=data["note"],
            actor=actor,
            submission_id=data["submission_id"],
            expected_fingerprint=data["fingerprint"] or None,
            conversion=self.conversion,
            typed_rates=typed_rates,
        )

    def clean_amount(self):
        amount = super().clean_amount()
        if amount == 0:
            raise forms.ValidationError(gettext("Enter an amount above zero."), code="zero")
        return amount

    def clean(self):
        cleaned = super().clean()
        sender, receiver = cleaned.get("from_member"), cleaned.get("to_member")
        if cleaned.get("amount") is None:
            return cleaned
        # What the ledger moves: the amount converted to the group's currency.
        amount = self.convert(cleaned["amount"], cleaned.get("date"))
        if sender is None or receiver is None or amount is None:
            return cleaned
        if sender == receiver:
            self.add_error(
                None, gettext("Someone can't pay themselves. Choose two different people.")
            )
        elif not cleaned.get("confirm"):
            warning = self.turnaround_warning(self.members[sender], self.members[receiver], amount)
            if warning:
                self.needs_confirmation = True
                self.add_error("confirm", warning)
        return cleaned

    def turnaround_warning(self, sender, receiver, amount):
        """What a payment larger than the debt would do, or None if it only pays debt down.

        A payment the plan asks for is never questioned: with "simplify debts" off, paying one
        pair's debt can turn someone's balance around until the other pairs are paid too.
        """
        sender_balance = self.balances.get(sender.pk, 0)
        receiver_balance = self.balances.get(receiver.pk, 0)
        owes, is_owed = max(0, -sender_balance), max(0, receiver_balance)
        if amount <= owes and amount <= is_owed:
            return None
        if any(
            (debtor, creditor) == (sender.pk, receiver.pk) and amount <= planned
            for debtor, creditor, planned in self.planned
        ):
            return None

        def money(value):
            return localized_amount(value, self.currency)

        words = {
            "amount": money(amount),
            "sender": sender.display_name,
            "owes": money(owes),
            "receiver": receiver.display_name,
            "is_owed": money(is_owed),
            "sender_after": money(sender_balance + amount),
            "receiver_after": money(receiver_balance - amount),
        }
        if amount > owes and amount > is_owed:
            warning = gettext(
                "%(amount)s is more than %(sender)s owes (%(owes)s) and more than %(receiver)s "
                "is owed (%(is_owed)s): afterwards %(sender)s's balance would be "
                "%(sender_after)s and %(receiver)s's %(receiver_after)s. Tick “Yes, record it "
                "anyway” if that is right."
            )
        elif amount > owes:
            warning = gettext(
                "%(amount)s is more than %(sender)s owes (%(owes)s): afterwards %(sender)s's "
                "balance would be %(sender_after)s and %(receiver)s's %(receiver_after)s. Tick "
                "“Yes, record it anyway” if that is right."
            )
        else:
            warning = gettext(
                "%(amount)s is more than %(receiver)s is owed (%(is_owed)s): afterwards "
                "%(sender)s's balance would be %(sender_after)s and %(receiver)s's "
                "%(receiver_after)s. Tick “Yes, record it anyway” if that is right."
            )
        return warning % words


class HouseholdPaymentForm(forms.Form):
    """One of the plan's payments that a household makes or receives as one, recorded in full
    (`PaymentManager.record_unit`): its place among the plan's unit transfers, from 1."""

    unit = forms.IntegerField(min_value=1)
    date = forms.DateField(validators=[validate_entry_date])
    submission_id = forms.UUIDField()
    fingerprint = forms.CharField(max_length=64)

    def __init__(self, *args, settle_up, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = settle_up.group

    def record(self, actor, typed_rates=None):
        """Books the household's payment: the page and the API both come here."""
        data = self.cleaned_data
        return Payment.objects.record_unit(
            group_id=self.group.pk,
            unit=data["unit"] - 1,
            date=data["date"],
            actor=actor,
            submission_id=data["submission_id"],
            expected_fingerprint=data["fingerprint"],
            typed_rates=typed_rates,
        )


class RatesForm(forms.Form):
    """Today's rate for each open currency the ECB does not publish, typed by the person
    settling up: one `rate_<code>` field per currency. Sent with the settle-up page (GET) and
    with each "Record as paid" form, whose payment converts at these rates."""

    def __init__(self, *args, group, currencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = group.currency
        for code in sorted(currencies):
            self.fields[f"rate_{code}"] = forms.CharField(
                max_length=40,
                label=f"1 {code} =",
                help_text=gettext("%(currency)s for 1 %(code)s today.")
                % {"currency": group.currency, "code": code},
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def clean(self):
        cleaned = super().clean()
        for name, text in list(cleaned.items()):
            try:
                cleaned[name] = fx.check_rate(Decimal(text.strip().replace(",", ".")))
            # Before ValueError, which MoneyError is: a number out of bounds says which bound.
            except MoneyError as error:
                self.add_error(name, translated(error.message))
            except (InvalidOperation, ValueError):
                self.add_error(name, gettext("Enter the rate as a number, such as 2.79."))
        return cleaned

    @property
    def rates(self):
        """{currency: Decimal}; empty unless the form is valid."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name.removeprefix("rate_"): rate for name, rate in self.cleaned_data.items()}


class AcrossForm(forms.Form):
    """Which of the user's groups to settle together; they must share a currency."""

    groups = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label=_("Groups to settle together"),
        error_messages={
            "invalid_choice": _("Choose among your own groups."),
            "required": _("Choose at least two groups to settle together."),
        },
    )

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.states = {state.group.pk: state for state in states}
        self.fields["groups"].choices = [
            (pk, f"{state.group.name} ({state.group.currency})")
            for pk, state in self.states.items()
        ]

    def clean_groups(self):
        chosen = self.cleaned_data["groups"]
        if len(chosen) < 2:
            raise forms.ValidationError(gettext("Choose at least two groups to settle together."))
        if len({self.states[pk].group.currency for pk in chosen}) > 1:
            raise forms.ValidationError(
                gettext(
                    "Choose groups with the same currency: amounts in different currencies "
                    "can't be netted."
                )
            )
        problems = [self.states[pk].problem for pk in chosen if self.states[pk].problem]
        if problems:
            raise forms.ValidationError(problems)
        return chosen

    def chosen_states(self):
        return [self.states[pk] for pk in self.cleaned_data["groups"]]


class AcrossRecordForm(forms.Form):
    """One transfer of a cross-group plan, exactly as it was shown."""

    groups = forms.TypedMultipleChoiceField(coerce=int)
    # All three empty: book the netting alone (a plan without payments left).
    debtor = forms.IntegerField(required=False)
    creditor = forms.IntegerField(required=False)
    amount = forms.IntegerField(min_value=1, required=False)
    fingerprint = forms.CharField(max_length=64)
    submission_id = forms.UUIDField()

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(state.group.pk, "") for state in states]

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(name) for name in ("debtor", "creditor", "amount")]
        if all(part is None for part in parts):
            cleaned["transfer"] = None
        elif any(part is None for part in parts):
            raise forms.ValidationError(gettext("Incomplete payment."))
        else:
            cleaned["transfer"] = Transfer(*parts)
        return cleaned

    def record(self, user):
        """Books the transfer for `user` (`settlements.across.record_transfer`, same answer)."""
        data = self.cleaned_data
        return record_transfer(
            user=user,
            group_ids=data["groups"],
            transfer=data["transfer"],
            expected_fingerprint=data["fingerprint"],
            submission_id=data["submission_id"],
        )
