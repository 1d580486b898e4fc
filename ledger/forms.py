"""The form part every ledger row shares: an amount in any currency and how it is converted.

The expense form and the payment form both read an amount typed in the currency chosen beside it
and, for a currency other than the group's, the rate it is converted at (the ECB reference rate
of the date, a typed rate, or the amount charged in the group's currency). `ledger.books.
require_conversion` holds the result to the same rule again for every caller.
"""

import functools
from decimal import Decimal, InvalidOperation
from html import escape

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

from ledger.models import RateSource
from splitclone import fx
from splitclone.formats import localized_amount
from splitclone.money import MoneyError, get_currency, parse_amount
from splitclone.phrases import When
from splitclone.translation import translated, translated_currency_choices
from splitclone.widgets import CompactTextInput

RATE_MODES = [
    (RateSource.REFERENCE, gettext_lazy("ECB reference rate of the date")),
    (RateSource.ENTERED, gettext_lazy("Enter the rate")),
    (RateSource.CHARGED, gettext_lazy("Enter what the card charged")),
]


def ordered_currency_choices(group_currency, last_currency=""):
    """Every currency, the group's first and the person's last used other one second."""
    first = [code for code in (group_currency, last_currency) if code]
    choices = dict(translated_currency_choices())
    return [(code, choices[code]) for code in dict.fromkeys(first) if code in choices] + [
        (code, label) for code, label in choices.items() if code not in first
    ]


@functools.lru_cache(maxsize=256)
def currency_options(codes):
    """`<option>EUR</option>…` for the currency codes `codes`: an option's text is its value.
    Written once per process for each list offered (every currency, or a group's few) rather
    than by a template loop of some 160 options, with the chosen one marked by `chosen_in`."""
    return "".join(f"<option>{escape(code)}</option>" for code in codes)


def chosen_in(options, code):
    """`options` (`currency_options`) with `code`'s option selected, as the template marked it."""
    if not isinstance(code, str):
        return mark_safe(options)
    option = f"<option>{escape(code)}</option>"
    return mark_safe(options.replace(option, f"<option selected>{escape(code)}</option>"))


class CurrencyField(forms.ChoiceField):
    """A select of the currencies a form offers that accepts any the app knows.

    A page may offer only a few (the settle-up page: the group's own); one sent from a longer
    list, or by a client that lists none, is read all the same, and an unknown one is refused.
    """

    def validate(self, value):
        forms.Field.validate(self, value)
        if value:
            try:
                get_currency(value)
            except MoneyError as error:
                raise forms.ValidationError(translated(error.message), code=error.code) from None


class ConvertedAmountForm(forms.Form):
    """An amount in the currency chosen beside it, converted to the group's currency.

    After `clean`, `total` is the amount in minor units of the group's currency and
    `conversion` the `fx.Conversion` it came from (None for the group's own currency). A
    subclass has a `date` field (the reference rate is the one of that date) and sets `group`
    before calling this `__init__`.
    """

    # Before the amount: the amount is read in the currency chosen here.
    # Left out (a client that predates currencies), it is the group's.
    original_currency = CurrencyField(label=gettext_lazy("Currency"), required=False)
    amount = forms.CharField(
        label=gettext_lazy("Amount"),
        max_length=40,
        widget=CompactTextInput(attrs={"inputmode": "decimal"}),
    )
    rate_mode = forms.ChoiceField(
        choices=RATE_MODES,
        initial=RateSource.REFERENCE,
        widget=forms.RadioSelect,
        label=gettext_lazy("Convert with"),
        required=False,
    )
    rate = forms.CharField(
        max_length=40,
        required=False,
        widget=CompactTextInput(attrs={"inputmode": "decimal"}),
        label=gettext_lazy("Rate"),
    )
    charged = forms.CharField(
        max_length=40,
        required=False,
        widget=CompactTextInput(attrs={"inputmode": "decimal"}),
        label=gettext_lazy("Amount charged"),
    )

    def __init__(self, *args, last_currency="", currencies=None, **kwargs):
        """`last_currency`: the currency the person last spent in other than a group's own,
        offered second (`accounts.User.last_currency`). `currencies`: the others to offer after
        those two, or None for every currency; any known one is accepted either way."""
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("original_currency", self.group.currency)
        super().__init__(*args, **kwargs)
        choices = ordered_currency_choices(self.group.currency, last_currency)
        self.lists_every_currency = currencies is None
        if currencies is not None:
            # The one sent back stays chosen, even if it came from the longer list.
            offered = {self.group.currency, last_currency, *currencies}
            offered.add(self["original_currency"].value() if self.is_bound else "")
            choices = [choice for choice in choices if choice[0] in offered]
        self.fields["original_currency"].choices = choices
        self.fields["charged"].label = gettext("Amount charged in %(currency)s") % {
            "currency": self.group.currency
        }
        self.fields["rate"].help_text = gettext(
            "%(currency)s for 1 unit of the currency spent."
        ) % {"currency": self.group.currency}
        self.conversion = None
        # The amount in the group's currency, once the amount and its rate are read.
        self.total = None

    @property
    def currency(self):
        """The group's currency: what the ledger moves."""
        return self.group.currency

    @property
    def typed_currency(self):
        """The currency the amounts are typed in (the group's until a valid one is chosen)."""
        return getattr(self, "cleaned_data", {}).get("original_currency") or self.currency

    @property
    def is_foreign(self):
        """Whether the form shows (or was sent) another currency than the group's: the
        conversion section then starts unfolded."""
        return (self["original_currency"].value() or self.currency) != self.currency

    @property
    def currency_options(self):
        """The currency select's options, the one sent back or given first selected."""
        codes = tuple(code for code, _ in self.fields["original_currency"].choices)
        return chosen_in(currency_options(codes), self["original_currency"].value())

    @property
    def offers_other_currency(self):
        """Whether the currency select holds any but the group's: only then is there an
        amount to convert."""
        return any(code != self.currency for code, _ in self.fields["original_currency"].choices)

    def clean_original_currency(self):
        return self.cleaned_data["original_currency"] or self.currency

    def clean_amount(self):
        if "original_currency" not in self.cleaned_data:
            return None  # the currency's own error says what is wrong
        try:
            return parse_amount(
                self.cleaned_data["amount"], self.typed_currency, language=get_language()
            )
        except MoneyError as error:
            raise forms.ValidationError(translated(error.message), code=error.code) from None

    def convert(self, original, date):
        """The amount in the group's currency, setting `conversion` and `total`; None after an
        error, which is added beside the field it is about."""
        currency, mode = self.typed_currency, self.cleaned_data.get("rate_mode")
        if currency == self.currency:
            self.total = original
            return original
        if date is None:
            return None  # the date's own error says why
        field = {RateSource.CHARGED: "charged", RateSource.ENTERED: "rate"}.get(
            mode, "original_currency"
        )
        try:
            if mode == RateSource.CHARGED:
                total = parse_amount(
                    self.cleaned_data.get("charged") or "", self.currency, language=get_language()
                )
                rate, rate_date = fx.derived_rate(original, currency, total, self.currency), None
            else:
                if mode == RateSource.ENTERED:
                    rate, rate_date = fx.check_rate(self._typed_rate()), None
                else:
                    mode = RateSource.REFERENCE
                    rate, rate_date = fx.rate(currency, self.currency, date)
                field = "amount"
                total = fx.convert(original, currency, self.currency, rate)
                if total <= 0:
                    raise MoneyError(
                        gettext("Converted, that is less than %(smallest)s.")
                        % {"smallest": localized_amount(1, self.currency)},
                        "small",
                    )
        except MoneyError as error:
            self.add_error(self._rate_error_field(error, field), translated(error.message))
            return None
        self.conversion = fx.Conversion(original, currency, rate, mode, rate_date)
        self.total = total
        return total

    @staticmethod
    def _rate_error_field(error, field):
        # A date before the first rate is the date's fault; a currency without rates, the
        # currency's, with the way out ("enter the rate") in the message.
        if getattr(error, "code", None) == "too_early":
            return "date"
        return field

    def _typed_rate(self):
        text = (self.cleaned_data.get("rate") or "").strip().replace(",", ".")
        if not text:
            raise fx.RateError(gettext("Enter the rate."), "rate")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise fx.RateError(
                gettext("Enter the rate as a number, like 1.0842."), "rate"
            ) from None

    def rate_note(self):
        """ "123.45 USD = 104.73 EUR at 1 USD = 0.8483922966 EUR (ECB of 24 Dec 2025)"."""
        conversion = self.conversion
        if conversion is None:
            return ""
        rate = f"{conversion.rate.normalize():f}"
        source = dict(RATE_MODES)[conversion.source]
        if conversion.rate_date:
            source = gettext("ECB reference rate of %(date)s") % {
                "date": translated(When(conversion.rate_date, "d M Y"))
            }
        return gettext("%(original)s = %(converted)s at 1 %(currency)s = %(rate)s (%(source)s)") % {
            "original": localized_amount(conversion.original_amount, conversion.original_currency),
            "converted": localized_amount(self.total, self.currency),
            "currency": conversion.original_currency,
            "rate": f"{rate} {self.currency}",
            "source": source,
        }

    @staticmethod
    def conversion_initial(row):
        """The form's currency fields filled in from a row as it was entered."""
        currency = row.original_currency
        return {
            "original_currency": currency,
            "amount": localized_amount(
                row.original_amount, currency, with_code=False, grouping=False
            ),
            "rate_mode": row.rate_source if row.is_converted else RateSource.REFERENCE,
            "rate": f"{row.rate.normalize():f}" if row.rate_source == RateSource.ENTERED else "",
            "charged": localized_amount(row.amount, row.currency, with_code=False, grouping=False)
            if row.rate_source == RateSource.CHARGED
            else "",
        }
