import uuid
from dataclasses import dataclass
from decimal import InvalidOperation

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy

from expenses.models import (
    RECURRING_RATE,
    RECURRING_UNPUBLISHED,
    SPLIT_KIND_LABELS,
    Category,
    ExpenseEntry,
)
from expenses.recurrence import Frequency, Schedule, ScheduleError
from expenses.splitting import (
    SplitError,
    SplitKind,
    read_value,
    split,
    split_in_proportion,
    validate_payers,
)
from ledger.forms import ConvertedAmountForm
from ledger.models import RateSource
from splitclone import fx
from splitclone.dates import validate_entry_date
from splitclone.formats import localized_amount
from splitclone.money import MoneyError, parse_amount
from splitclone.translation import translated
from splitclone.widgets import DatePicker

RECEIPT_MAX_BYTES = 10 * 1024 * 1024
# File signatures: the type is decided by the content, never by the name a browser sends.
RECEIPT_SIGNATURES = {
    "JPG": (b"\xff\xd8\xff",),
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "PDF": (b"%PDF-",),
}


def receipt_kind(upload):
    head = upload.read(16)
    upload.seek(0)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    for kind, signatures in RECEIPT_SIGNATURES.items():
        if head.startswith(signatures):
            return kind
    return None


def check_receipt(upload):
    """The uploaded receipt, renamed after its content; refused when too large or of a type
    receipts cannot be. Used by the expense form and `ReceiptForm`."""
    if upload.size > RECEIPT_MAX_BYTES:
        raise forms.ValidationError(gettext("The receipt is larger than 10 MB."))
    kind = receipt_kind(upload)
    if kind is None:
        raise forms.ValidationError(
            gettext("The receipt must be a JPEG, PNG or WebP image or a PDF.")
        )
    # The stored name, and so the type it is served with, follows the content: a PNG named
    # "page.html" must never come back as HTML.
    upload.name = f"receipt.{kind.lower()}"
    return upload


RECEIPT_HELP = gettext_lazy("A photo or PDF of the receipt: JPEG, PNG, WebP or PDF, up to 10 MB.")


class ReceiptForm(forms.Form):
    """A receipt on its own, for an expense that is already there."""

    receipt = forms.FileField(label=gettext_lazy("Receipt"), help_text=RECEIPT_HELP)

    def clean_receipt(self):
        return check_receipt(self.cleaned_data["receipt"])


@dataclass
class MemberRow:
    """One line of the form's people table: the fields for a member and their share."""

    member: object
    include: forms.BoundField
    value: forms.BoundField
    paid: forms.BoundField
    share: int | None = None
    gets_leftover: bool = False
    # The share in the currency the expense was typed in, when that is not the group's.
    original_share: int | None = None


class ExpenseForm(ConvertedAmountForm):
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200)
    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=DatePicker(),
        validators=[validate_entry_date],
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"), choices=Category.choices, initial=Category.GENERAL
    )
    # Empty is "Several people": the amounts each one paid are then in the paid_<id> fields.
    paid_by = forms.TypedChoiceField(
        coerce=int, label=gettext_lazy("Paid by"), required=False, empty_value=None
    )
    split_kind = forms.ChoiceField(
        choices=list(SPLIT_KIND_LABELS.items()),
        initial=SplitKind.EQUAL,
        widget=forms.RadioSelect,
        label=gettext_lazy("Split"),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    receipt = forms.FileField(label=gettext_lazy("Receipt"), required=False, help_text=RECEIPT_HELP)
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, group, members, expense=None, **kwargs):
        """`members` are the people who can take part: the group's active members, plus, when
        editing, anyone already on the expense."""
        self.group = group
        self.members = list(members)
        self.expense = expense
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("submission_id", uuid.uuid4())
        kwargs["initial"].setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["paid_by"].choices = [("", gettext("Several people"))] + [
            (member.pk, member.display_name) for member in self.members
        ]
        for member in self.members:
            name = member.display_name
            self.fields[f"include_{member.pk}"] = forms.BooleanField(
                required=False, label=name, initial=True
            )
            self.fields[f"value_{member.pk}"] = forms.CharField(
                required=False,
                max_length=20,
                label=gettext("%(name)s's part") % {"name": name},
            )
            self.fields[f"paid_{member.pk}"] = forms.CharField(
                required=False,
                max_length=40,
                label=gettext("%(name)s paid") % {"name": name},
            )
        self.split_result = None
        self.original_shares = {}
        self.entry = None

    @classmethod
    def for_expense(cls, expense, members, data=None, files=None, last_currency=""):
        """The edit form, filled in from the expense as it was entered."""
        paid, owed = expense.paid_and_owed()
        initial = {
            **cls.conversion_initial(expense),
            "description": expense.description,
            "date": expense.date,
            "category": expense.category,
            "notes": expense.notes,
            "split_kind": expense.split_kind,
            "submission_id": expense.submission_id,
            "version": expense.version,
            "paid_by": next(iter(paid)) if len(paid) == 1 else "",
        }
        entered = {share.member_id: share.entered for share in expense.shares.all()}
        for member in members:
            initial[f"include_{member.pk}"] = member.pk in owed
            initial[f"value_{member.pk}"] = entered.get(member.pk, "")
            if len(paid) > 1 and member.pk in paid:
                # Stored in the group's currency; typed in the original one. For a converted
                # expense the person types them again (the converted parts are not what was
                # typed, and would not add up to the original amount).
                initial[f"paid_{member.pk}"] = (
                    ""
                    if expense.is_converted
                    else localized_amount(
                        paid[member.pk], expense.currency, with_code=False, grouping=False
                    )
                )
        return cls(
            data,
            files,
            group=expense.group,
            members=members,
            expense=expense,
            initial=initial,
            last_currency=last_currency,
        )

    def rows(self):
        shares = self.split_result.shares if self.split_result else {}
        leftover = set(self.split_result.leftover_to) if self.split_result else set()
        return [
            MemberRow(
                member=member,
                include=self[f"include_{member.pk}"],
                value=self[f"value_{member.pk}"],
                paid=self[f"paid_{member.pk}"],
                share=shares.get(member.pk),
                gets_leftover=member.pk in leftover,
                original_share=self.original_shares.get(member.pk),
            )
            for member in self.members
        ]

    def clean_description(self):
        return " ".join(self.cleaned_data["description"].split())

    def clean_receipt(self):
        upload = self.cleaned_data["receipt"]
        return check_receipt(upload) if upload else upload

    def clean(self):
        cleaned = super().clean()
        original = cleaned.get("amount")
        kind = cleaned.get("split_kind")
        if original is None or kind is None or "submission_id" not in cleaned:
            return cleaned
        total = self.convert(original, cleaned.get("date"))
        if total is None:
            return cleaned
        self.total = total
        seed = str(cleaned["submission_id"])
        typed = self.typed_currency
        participants = [m.pk for m in self.members if cleaned.get(f"include_{m.pk}")]
        values = self._split_values(SplitKind(kind), participants)
        paid = self._payments(original)
        if values is None or paid is None:
            return cleaned
        try:
            self.split_result = split(kind, original, values, seed=seed, currency=typed)
        except SplitError as error:
            self._add_split_error(error, "value")
            return cleaned
        try:
            validate_payers(original, paid, currency=typed)
        except SplitError as error:
            self._add_split_error(error, "paid")
            return cleaned
        original_paid = {}
        if self.conversion is not None:
            self.original_shares = dict(self.split_result.shares)
            original_paid = paid
            self.split_result = split_in_proportion(total, self.original_shares, seed=seed)
            paid = dict(split_in_proportion(total, paid, seed=seed).shares)
        if self.errors:
            return cleaned
        self.entry = ExpenseEntry(
            description=cleaned["description"],
            amount=total,
            currency=self.currency,
            conversion=self.conversion,
            date=cleaned["date"],
            category=cleaned["category"],
            notes=cleaned.get("notes", ""),
            split_kind=kind,
            submission_id=cleaned["submission_id"],
            paid=paid,
            owed=dict(self.split_result.shares),
            original_paid=original_paid,
            original_owed=self.original_shares,
            entered={pk: cleaned.get(f"value_{pk}", "") for pk in participants},
            receipt=cleaned.get("receipt"),
        )
        return cleaned

    def _split_values(self, kind, participants):
        """Reads each participant's entry for the split kind; None if any is unreadable."""
        if kind == SplitKind.EQUAL:
            return dict.fromkeys(participants)
        values = {}
        for pk in participants:
            text = (self.cleaned_data.get(f"value_{pk}") or "").strip()
            try:
                values[pk] = read_value(kind, text, self.typed_currency)
            except (MoneyError, InvalidOperation, ValueError) as error:
                message = (
                    translated(error.message)
                    if isinstance(error, MoneyError)
                    else gettext("Enter a number.")
                )
                self.add_error(f"value_{pk}", message)
        return None if self.errors else values

    def _payments(self, total):
        entered = {
            m.pk: (self.cleaned_data.get(f"paid_{m.pk}") or "").strip() for m in self.members
        }
        if not any(entered.values()):
            payer = self.cleaned_data.get("paid_by")
            if payer is None:
                self.add_error(
                    "paid_by", gettext("Enter what each person paid, or choose who paid.")
                )
                return None
            return {payer: total}
        paid = {}
        for pk, text in entered.items():
            if not text:
                continue
            try:
                paid[pk] = parse_amount(text, self.typed_currency, language=get_language())
            except MoneyError as error:
                self.add_error(f"paid_{pk}", translated(error.message))
        return None if self.errors else paid

    def _add_split_error(self, error, prefix):
        fields = [f"{prefix}_{pk}" for pk in error.members if f"{prefix}_{pk}" in self.fields]
        message = translated(error.message)
        for name in fields:
            self.add_error(name, message)
        if not fields:
            self.add_error(None, message)


SCHEDULE_FIELDS = {
    "frequency": "repeat",
    "interval": "repeat_interval",
    "month_day": "repeat_month_day",
    "ends": "repeat_ends",
    "end_date": "repeat_end_date",
    "count": "repeat_count",
    "date": "date",
}


class Ends(models.TextChoices):
    NEVER = "never", pgettext_lazy("a schedule ends", "Never")
    ON_DATE = "on_date", gettext_lazy("On a date")
    AFTER_COUNT = "after_count", gettext_lazy("After a number of times")


FREQUENCY_LABELS = {
    Frequency.DAILY: gettext_lazy("Daily"),
    Frequency.WEEKLY: gettext_lazy("Weekly"),
    Frequency.MONTHLY: gettext_lazy("Monthly"),
    Frequency.YEARLY: gettext_lazy("Yearly"),
}


class RecurringExpenseForm(ExpenseForm):
    """The expense form with a schedule: the date is the first (or, editing, the next) one.

    On the new-expense page repeating is optional ("Does not repeat"); editing a recurring
    expense it is required. The schedule's rules are `Schedule.validate`'s, checked here for the
    form's errors and again by the manager.
    """

    repeat = forms.ChoiceField(
        choices=[("", gettext_lazy("Does not repeat")), *FREQUENCY_LABELS.items()],
        required=False,
        label=gettext_lazy("Repeat"),
    )
    repeat_interval = forms.IntegerField(
        initial=1,
        required=False,
        label=gettext_lazy("Every"),
        help_text=gettext_lazy("days, weeks, months or years"),
    )
    repeat_month_day = forms.IntegerField(
        required=False,
        label=gettext_lazy("On day of the month"),
        help_text=gettext_lazy(
            "Monthly only; empty is the date's day. 29 to 31 fall on the last day of "
            "shorter months."
        ),
    )
    repeat_ends = forms.ChoiceField(
        choices=Ends.choices, initial=Ends.NEVER, required=False, label=gettext_lazy("Ends")
    )
    repeat_end_date = forms.DateField(
        required=False,
        label=gettext_lazy("End date"),
        widget=DatePicker(),
    )
    repeat_count = forms.IntegerField(required=False, label=gettext_lazy("Number of times"))

    def __init__(self, *args, repeat_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repeat"].required = repeat_required
        if repeat_required:
            self.fields["repeat"].choices = self.fields["repeat"].choices[1:]
            self.fields["date"].label = gettext("Next date")
            del self.fields["receipt"]
        self.schedule = None

    @classmethod
    def for_recurring(cls, recurring, members, data=None):
        """The edit form, filled in from the recurring expense as it was entered."""
        payers = {payer.member_id: payer.amount for payer in recurring.payers.all()}
        entered = {share.member_id: share.entered for share in recurring.shares.all()}
        currency = recurring.spent_currency
        initial = {
            "description": recurring.description,
            "original_currency": currency,
            "amount": localized_amount(recurring.amount, currency, with_code=False, grouping=False),
            "date": recurring.next_date,
            "category": recurring.category,
            "notes": recurring.notes,
            "split_kind": recurring.split_kind,
            "paid_by": next(iter(payers)) if len(payers) == 1 else "",
            "repeat": recurring.frequency,
            "repeat_interval": recurring.interval,
            "repeat_month_day": recurring.month_day,
            "repeat_ends": Ends.ON_DATE
            if recurring.end_date
            else (Ends.AFTER_COUNT if recurring.count else Ends.NEVER),
            "repeat_end_date": recurring.end_date,
            "repeat_count": recurring.count,
            "version": recurring.version,
        }
        for member in members:
            initial[f"include_{member.pk}"] = member.pk in entered
            initial[f"value_{member.pk}"] = entered.get(member.pk, "")
            if len(payers) > 1 and member.pk in payers:
                initial[f"paid_{member.pk}"] = localized_amount(
                    payers[member.pk], currency, with_code=False, grouping=False
                )
        return cls(
            data, group=recurring.group, members=members, initial=initial, repeat_required=True
        )

    def clean(self):
        cleaned = super().clean()
        frequency = cleaned.get("repeat")
        if not frequency or cleaned.get("date") is None:
            return cleaned
        ends = cleaned.get("repeat_ends")
        interval = cleaned.get("repeat_interval")
        schedule = Schedule(
            frequency=Frequency(frequency),
            start=cleaned["date"],
            interval=1 if interval is None else interval,
            month_day=cleaned.get("repeat_month_day") if frequency == Frequency.MONTHLY else None,
            end_date=cleaned.get("repeat_end_date") if ends == Ends.ON_DATE else None,
            count=cleaned.get("repeat_count") if ends == Ends.AFTER_COUNT else None,
        )
        if ends == Ends.ON_DATE and schedule.end_date is None:
            self.add_error("repeat_end_date", gettext("Enter the date it ends."))
        elif ends == Ends.AFTER_COUNT and schedule.count is None:
            self.add_error("repeat_count", gettext("Enter how many times it repeats."))
        else:
            try:
                schedule.validate()
            except ScheduleError as error:
                self.add_error(SCHEDULE_FIELDS[error.field], translated(error.message))
            else:
                self.schedule = schedule
        return cleaned

    def convert(self, original, date):
        # A rate typed today cannot stand for the dates to come: each occurrence converts at
        # the reference rate of its own date, which the ECB must publish for the currency.
        currency = self.typed_currency
        if not self.cleaned_data.get("repeat") or currency == self.currency:
            return super().convert(original, date)
        if self.cleaned_data.get("rate_mode") not in (RateSource.REFERENCE, "", None):
            self.add_error("rate_mode", gettext(RECURRING_RATE))
            return None
        if currency not in fx.published_currencies():
            self.add_error("original_currency", RECURRING_UNPUBLISHED % {"currency": currency})
            return None
        return super().convert(original, date)

    def add_recurring_error(self, error):
        """Shows a `RecurringError` from the manager beside the field it is about."""
        self.add_error(SCHEDULE_FIELDS.get(error.field), error.messages[0])


class DateRangeForm(forms.Form):
    """The statistics' period, on the pages and in the API: either end may be left open. An
    unbound form means all time; an invalid one says what to fix and no figures are shown."""

    date_from = forms.DateField(
        required=False,
        label=gettext_lazy("From"),
        widget=DatePicker(),
    )
    date_to = forms.DateField(
        required=False,
        label=gettext_lazy("To"),
        widget=DatePicker(),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                gettext("The start date is after the end date. Swap them to see this period.")
            )
        return data

    @property
    def period(self):
        """(date_from, date_to) of a valid form; (None, None), all time, for an unbound one."""
        if not self.is_bound:
            return None, None
        return self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")

    @property
    def is_filtering(self):
        return any(self.period)
