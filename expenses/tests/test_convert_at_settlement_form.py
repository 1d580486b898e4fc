"""The expense form in a group that converts at settlement keeps what was typed, in its
currency; the group settings offer "convert at" while no entry is in another currency."""

import pytest
from django.urls import reverse
from django.utils import translation

from expenses.models import Expense, ExpenseEntry
from expenses.tests.test_expense_views import post_expense, trio
from groups.models import ConvertAt, Group
from ledger.books import LedgerError
from ledger.models import CurrencyBalance
from settlements.tests.test_convert_at_settlement import converted

__all__ = ["trio"]  # the fixture, shared with the other view tests

pytestmark = pytest.mark.django_db


def settings_data(group, **changes):
    return {
        "name": group.name,
        "description": group.description,
        "currency": group.currency,
        "simplify_debts": "on",
        "convert_at": group.convert_at,
        **changes,
    }


def test_several_payers_and_exact_parts_are_kept_as_typed_in_the_currency_spent(client, trio):
    Group.objects.filter(pk=trio.group.pk).update(convert_at=ConvertAt.SETTLEMENT)
    client.force_login(trio.owner)
    owner, member, bob = trio.owner_membership, trio.member_membership, trio.bob
    known = list(Expense.objects.values_list("pk", flat=True))
    response = post_expense(
        client,
        trio,
        amount="1000",
        original_currency="JPY",
        rate_mode="entered",
        # Coarse on purpose: 1.00 EUR cannot tell 251 JPY from 250, so shares taken back from
        # the converted ones would not be those typed.
        rate="0.001",
        split_kind="exact",
        paid_by="",
        **{
            f"paid_{owner.pk}": "700",
            f"paid_{member.pk}": "300",
            f"value_{owner.pk}": "500",
            f"value_{member.pk}": "251",
            f"value_{bob.pk}": "249",
        },
    )

    assert response.status_code == 302
    expense = Expense.objects.exclude(pk__in=known).get()
    assert (expense.amount, expense.settles_in_original) == (100, True)  # 1.00 EUR
    assert expense.paid_and_owed() == (
        {owner.pk: 700, member.pk: 300},
        {owner.pk: 500, member.pk: 251, bob.pk: 249},
    )
    kept = dict(CurrencyBalance.objects.filter(currency="JPY").values_list("member", "amount"))
    assert kept == {owner.pk: 200, member.pk: 49, bob.pk: -249}
    page = client.get(reverse("expenses:detail", args=[trio.group.pk, expense.pk])).text
    assert "251 JPY" in page


@pytest.mark.parametrize(
    ("language", "total"),
    [("en", "must add up to 10.00 USD"), ("de", "10,00\xa0$")],
    ids=["en", "de"],
)
def test_amounts_in_the_currency_spent_must_add_up_to_it(trio, language, total):
    Group.objects.filter(pk=trio.group.pk).update(convert_at=ConvertAt.SETTLEMENT)
    owner, bob = trio.owner_membership, trio.bob
    amount, conversion = converted(1000, "USD")
    entry = ExpenseEntry(
        description="Taxi",
        amount=amount,
        currency="EUR",
        date=conversion.rate_date,
        category="transport",
        notes="",
        split_kind="exact",
        submission_id="8d2b0a52-51c3-4f4c-9d4e-1f0e7d3b9a11",
        paid={owner.pk: amount},
        owed={owner.pk: amount - 1, bob.pk: 1},
        conversion=conversion,
        original_paid={owner.pk: 1000},
        original_owed={owner.pk: 500, bob.pk: 499},
    )

    # The refusal is shown on the form, in the page's language.
    with translation.override(language), pytest.raises(LedgerError) as refused:
        Expense.objects.save_expense(group_id=trio.group.pk, author=trio.owner, entry=entry)
    assert total in refused.value.messages[0]
    assert not CurrencyBalance.objects.exists()


def test_the_settings_page_changes_convert_at_until_an_entry_is_in_another_currency(client, trio):
    client.force_login(trio.owner)
    group = trio.group
    url = reverse("groups:edit", args=[group.pk])
    assert "Convert other currencies" in client.get(url).text

    response = client.post(url, settings_data(group, convert_at="settlement"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.convert_at == ConvertAt.SETTLEMENT

    Group.objects.filter(pk=group.pk).update(has_foreign_entries=True)
    response = client.post(url, settings_data(group, convert_at="entry"))
    assert response.status_code == 422
    assert "change once the group has an expense or payment in another currency" in response.text
    group.refresh_from_db()
    assert group.convert_at == ConvertAt.SETTLEMENT


def taxi(trio, description="Taxi", owed=(500, 500)):
    """A 10.00 USD taxi the owner paid for the owner and Bob, as the form would enter it."""
    owner, bob = trio.owner_membership, trio.bob
    amount, conversion = converted(1000, "USD")
    first = amount // 2
    return ExpenseEntry(
        description=description,
        amount=amount,
        currency="EUR",
        date=conversion.rate_date,
        category="transport",
        notes="",
        split_kind="exact",
        submission_id="5f1c6c1e-3a53-4a8e-8f43-2a3b1c9d7e10",
        paid={owner.pk: amount},
        owed={owner.pk: first, bob.pk: amount - first},
        conversion=conversion,
        original_paid={owner.pk: 1000},
        original_owed=dict(zip([owner.pk, bob.pk], owed, strict=True)),
    )


@pytest.mark.parametrize(
    ("edit", "logged"),
    [
        ({"description": "Cab"}, "edited “Cab”: renamed it from “Taxi”"),
        ({"owed": (600, 400)}, "edited “Taxi”: who paid or who owes"),
    ],
)
def test_an_edit_logs_who_paid_or_owes_only_when_it_changed(trio, edit, logged):
    Group.objects.filter(pk=trio.group.pk).update(convert_at=ConvertAt.SETTLEMENT)
    expense = Expense.objects.save_expense(
        group_id=trio.group.pk, author=trio.owner, entry=taxi(trio)
    )

    Expense.objects.save_expense(
        group_id=trio.group.pk,
        author=trio.owner,
        entry=taxi(trio, **edit),
        expense=expense,
        expected_version=expense.version,
    )

    assert trio.group.activities.latest("id").summary == logged
