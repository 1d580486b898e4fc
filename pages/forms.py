import functools

from django import forms
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from expenses.models import Category
from splitclone.widgets import CompactSelect, CompactTextInput, DatePicker


def category_choices():
    """The category filter's choices in the active language: translated once per process and
    language rather than label by label on every view of the list."""
    return _category_choices(get_language())


@functools.cache
def _category_choices(language):
    # `language` is the active one, which gettext reads: it is here to be part of the key.
    return [("", gettext("Any")), *((value, str(label)) for value, label in Category.choices)]


class LedgerFilterForm(forms.Form):
    """The filters of a group's list of expenses and payments.

    A payment is "paid by" its sender and "takes part" its sender and receiver; it has no
    category, so asking for one shows expenses only. An unbound or invalid form filters nothing.
    """

    EVERYTHING, EXPENSES, PAYMENTS = "", "expenses", "payments"

    show = forms.ChoiceField(
        choices=[
            (EVERYTHING, _("Everything")),
            (EXPENSES, _("Expenses")),
            (PAYMENTS, _("Payments")),
        ],
        required=False,
        widget=CompactSelect,
    )
    q = forms.CharField(required=False, label=_("Search"), max_length=100, widget=CompactTextInput)
    payer = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=CompactSelect
    )
    participant = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=CompactSelect
    )
    # Its choices are the categories' (`category_choices`), and "Anyone" for a person: the
    # choices meaning "no filter" are short, so that they fit a phone's half-width column under
    # their labels ("Paid by: Anyone").
    category = forms.ChoiceField(required=False, widget=CompactSelect)
    date_from = forms.DateField(required=False, widget=DatePicker())
    date_to = forms.DateField(required=False, widget=DatePicker())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        people = [(member.pk, member.display_name) for member in members]
        self.fields["payer"].choices = [("", gettext("Anyone")), *people]
        self.fields["participant"].choices = [("", gettext("Anyone")), *people]
        self.fields["category"].choices = category_choices()

    @property
    def filters(self):
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    def expenses(self, expenses):
        """The expenses these filters keep, or None when they show payments only."""
        data = self.filters
        if data.get("show") == self.PAYMENTS:
            return None
        expenses = self._dates(expenses).matching(data.get("q", ""))
        if data.get("payer"):
            expenses = expenses.filter(payers__member_id=data["payer"])
        if data.get("participant"):
            expenses = expenses.filter(shares__member_id=data["participant"])
        if data.get("category"):
            expenses = expenses.filter(category=data["category"])
        return expenses

    def payments(self, payments):
        """The payments these filters keep, or None when they show expenses only."""
        data = self.filters
        if data.get("show") == self.EXPENSES or data.get("category"):
            return None
        payments = self._dates(payments).matching(data.get("q", ""))
        if data.get("payer"):
            payments = payments.filter(from_member_id=data["payer"])
        if member := data.get("participant"):
            payments = payments.filter(Q(from_member_id=member) | Q(to_member_id=member))
        return payments

    def _dates(self, rows):
        data = self.filters
        if data.get("date_from"):
            rows = rows.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            rows = rows.filter(date__lte=data["date_to"])
        return rows

    @property
    def is_filtering(self):
        return any(self.filters.values())
