"""The currency select's options, written once per list of codes and marked per form."""

import pytest
from django.template import engines

from ledger.forms import chosen_in, currency_options

# The loop `templates/_amount_currency.html` had, the reference for the markup.
LOOP = (
    "{% for code in codes %}<option{% if code == chosen %} selected{% endif %}>{{ code }}"
    "</option>{% endfor %}"
)


@pytest.mark.parametrize(
    ("codes", "chosen"),
    [
        (("EUR", "USD", "JPY"), "USD"),
        (("EUR", "USD", "JPY"), "EUR"),
        (("EUR", "USD"), "CHF"),  # sent back from the longer list, not among these
        (("EUR", "USD"), ""),
        (("EUR", "USD"), None),
        (("EUR", "<b>"), "<b>"),
    ],
)
def test_the_options_are_the_markup_of_the_template_loop(codes, chosen):
    reference = engines["django"].from_string(LOOP).render({"codes": codes, "chosen": chosen})

    assert chosen_in(currency_options(codes), chosen) == reference


def test_the_written_options_follow_the_codes_offered_and_keep_no_choice():
    group_only = currency_options(("EUR",))
    chosen_in(group_only, "EUR")

    assert currency_options(("EUR",)) == "<option>EUR</option>"
    assert currency_options(("EUR", "USD")) == "<option>EUR</option><option>USD</option>"
    assert chosen_in(currency_options(("EUR", "USD")), "USD") == (
        "<option>EUR</option><option selected>USD</option>"
    )
