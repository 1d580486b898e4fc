"""How people like to be paid: every value is checked by the model, for every caller, and
only people who share a group with someone see theirs."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from accounts import paying
from accounts.models import PaymentMethod
from accounts.tests.factories import UserFactory
from groups.access import payment_methods_shown_to
from groups.tests.factories import GroupFactory, MemberFactory

# Real-world shaped IBANs with valid check digits (the examples of the SWIFT IBAN registry).
GOOD_IBANS = {
    "DE89 3704 0044 0532 0130 00": "DE89370400440532013000",
    "fr14 2004 1010 0505 0001 3m02 606": "FR1420041010050500013M02606",
    "NL91ABNA0417164300": "NL91ABNA0417164300",
    "GB29 NWBK 6016 1331 9268 19": "GB29NWBK60161331926819",
    "BE68539007547034": "BE68539007547034",
    "NO9386011117947": "NO9386011117947",
}


def method(kind, value, **fields):
    user = fields.pop("user", None) or UserFactory()
    return PaymentMethod(user=user, kind=kind, value=value, **fields)


@pytest.mark.parametrize(("typed", "stored"), GOOD_IBANS.items())
def test_an_iban_is_stored_without_spaces_in_capitals(db, typed, stored):
    row = method(paying.IBAN, typed)
    row.full_clean()
    assert row.value == stored
    assert row.display_value == " ".join(stored[i : i + 4] for i in range(0, len(stored), 4))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("DE89 3704 0044 0532 0130 01", "check digits are wrong"),  # one digit off
        ("DE98 3704 0044 0532 0130 00", "check digits are wrong"),  # swapped check digits
        ("DE89 3704 0044 0532 0130 0", "from DE has 22 characters; this one has 21"),
        ("NL91ABNA04171643001", "from NL has 18 characters; this one has 19"),
        ("3704 0044 0532 0130 00", "not an IBAN"),
        ("DE89-3704-0044-0532-0130-00", "not an IBAN"),
        ("", "not an IBAN"),
    ],
)
def test_a_malformed_iban_is_refused_with_a_clear_message(db, typed, message):
    row = method(paying.IBAN, typed)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert message in str(error.value.message_dict["value"])


@pytest.mark.parametrize(
    ("bic", "ok"),
    [("DEUTDEFF", True), ("deutdeff500", True), ("DEUTDEF", False), ("DEUTDEFF50", False)],
)
def test_a_bic_has_eight_or_eleven_characters(db, bic, ok):
    row = method(paying.IBAN, "DE89370400440532013000", bic=bic)
    if ok:
        row.full_clean()
        assert row.bic == bic.replace(" ", "").upper()
    else:
        with pytest.raises(ValidationError, match="8 or 11"):
            row.full_clean()


def test_only_a_bank_transfer_has_a_bic_and_holder(db):
    with pytest.raises(ValidationError, match="Only a bank transfer"):
        method(paying.PAYPAL, "anna", holder="Anna").full_clean()


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        (paying.PAYPAL, "AnnaSmith", "AnnaSmith"),
        (paying.PAYPAL, " @annasmith ", "annasmith"),
        (paying.REVOLUT, "anna.s_1", "anna.s_1"),
        (paying.VENMO, "Anna-Smith_1", "Anna-Smith_1"),
        (paying.UPI, "anna.smith@okaxis", "anna.smith@okaxis"),
        (paying.LIGHTNING, "Anna@Wallet.Example.com", "anna@wallet.example.com"),
        (paying.LIGHTNING, "lightning:anna@getalby.com", "anna@getalby.com"),
        (paying.LIGHTNING, "LNURL1DP68GURN8GHJ7UM9WFMXJCM99E3K7MF0V9CXJ0M385EKVCENXC6R2C35XVUKXEFC", "lnurl1dp68gurn8ghj7um9wfmxjcm99e3k7mf0v9cxj0m385ekvcenxc6r2c35xvukxefc"),  # noqa: E501
        (paying.TEXT, "  Cash is fine, or ask me for my Wise details.  ", "Cash is fine, or ask me for my Wise details."),  # noqa: E501
    ],
)  # fmt: skip
def test_handles_and_addresses_are_tidied(db, kind, typed, stored):
    row = method(kind, typed)
    row.full_clean()
    assert row.value == stored


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        (paying.PAYPAL, "https://paypal.me/annasmith", "Enter the handle, not the link."),
        (paying.PAYPAL, "paypal.me/annasmith", "Enter the handle, not the link."),
        (paying.REVOLUT, "revolut.me/anna", "Enter the handle, not the link."),
        (paying.VENMO, "www.venmo.com/anna-smith", "Enter the handle, not the link."),
        (paying.PAYPAL, "anna smith", "A handle has no spaces."),
        (paying.VENMO, "anna smith", "A handle has no spaces."),
        (paying.PAYPAL, "anna@example.com", "without @"),
        (paying.REVOLUT, "an", "3 to 32"),
        (paying.PAYPAL, "anna_smith", "letters and digits only"),
        (paying.UPI, "anna smith@okaxis", "A handle has no spaces."),
        (paying.UPI, "annasmith", "name@bank"),
        (paying.LIGHTNING, "anna", "name@wallet.example"),
        (paying.LIGHTNING, "https://getalby.com/p/anna", "Enter the handle, not the link."),
        (paying.TEXT, "   ", "Say how you like to be paid."),
        (paying.TEXT, "x" * 301, "300 characters"),
    ],
)
def test_bad_handles_are_refused_with_a_clear_message(db, kind, typed, message):
    with pytest.raises(ValidationError) as error:
        method(kind, typed).full_clean()
    assert message in str(error.value.message_dict["value"])


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        (paying.REVOLUT, "an", "Ein Revolut-Handle hat Buchstaben, Ziffern, . und _, 3 bis 32."),
        (
            paying.IBAN,
            "DE8937040044053201300",
            "Eine IBAN aus DE hat 22 Zeichen; diese hat 21.",
        ),
        (paying.UPI, "annasmith", "Eine UPI-ID sieht so aus: name@bank."),
    ],
)
def test_a_refusal_reads_in_the_person_s_language_with_its_details(db, kind, typed, message):
    with translation.override("de"), pytest.raises(ValidationError) as error:
        method(kind, typed).full_clean()
    assert error.value.message_dict["value"] == [message]


def test_the_database_refuses_a_bic_on_a_handle_and_an_unknown_kind(db):
    user = UserFactory()
    for fields in (
        {"kind": paying.PAYPAL, "value": "anna", "bic": "DEUTDEFF"},
        {"kind": "cash", "value": "x"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentMethod.objects.create(user=user, **fields)


# Visibility


@pytest.fixture
def people(db):
    payee = UserFactory(display_name="Pia")
    friend, outsider, former = UserFactory(), UserFactory(), UserFactory()
    group = GroupFactory(created_by=payee)
    MemberFactory(group=group, user=payee)
    MemberFactory(group=group, user=friend)
    MemberFactory(group=group, user=former, is_active=False)
    # The outsider shares a group with someone else entirely.
    elsewhere = GroupFactory(created_by=outsider)
    MemberFactory(group=elsewhere, user=outsider)
    MemberFactory(group=elsewhere, user=UserFactory())
    iban = PaymentMethod.objects.create(
        user=payee, kind=paying.IBAN, value=GOOD_IBANS["BE68539007547034"]
    )
    return payee, friend, outsider, former, group, iban


def test_payment_details_are_shown_to_people_sharing_a_group(people, django_assert_num_queries):
    payee, friend, _outsider, _former, _group, iban = people
    with django_assert_num_queries(1):
        assert payment_methods_shown_to(friend, [payee.pk]) == {payee.pk: [iban]}
    assert payment_methods_shown_to(payee, [payee.pk]) == {payee.pk: [iban]}


def test_an_outsider_or_a_former_member_sees_none(people):
    payee, _friend, outsider, former, _group, _iban = people
    assert payment_methods_shown_to(outsider, [payee.pk]) == {}
    assert payment_methods_shown_to(former, [payee.pk]) == {}


def test_someone_who_left_the_group_shows_theirs_to_no_one_there(people):
    payee, friend, _outsider, _former, group, _iban = people
    group.members.filter(user=payee).update(is_active=False)
    assert payment_methods_shown_to(friend, [payee.pk]) == {}


# The account page


def test_adding_a_payment_method(client, db):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:payment_methods")

    response = client.post(
        url,
        {
            "kind": "iban",
            "value": "de89 3704 0044 0532 0130 00",
            "bic": "",
            "holder": "",
            "label": "Main",
            "position": "0",
        },
    )

    assert response.status_code == 302
    assert list(user.payment_methods.values_list("value", "label")) == [
        ("DE89370400440532013000", "Main")
    ]
    assert "DE89 3704 0044 0532 0130 00" in client.get(url).text


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("iban", "DE89 3704 0044 0532 0130 01", "check digits are wrong"),
        ("paypal", "https://paypal.me/anna", "Enter the handle, not the link."),
        ("venmo", "anna smith", "A handle has no spaces."),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(client, db, kind, value, message):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:payment_methods"), {"kind": kind, "value": value, "position": "0"}
    )

    assert response.status_code == 422
    assert message in response.text
    assert not user.payment_methods.exists()


def test_the_same_method_twice_is_refused(client, db):
    user = UserFactory()
    PaymentMethod.objects.create(user=user, kind="paypal", value="anna")
    client.force_login(user)

    response = client.post(
        reverse("accounts:payment_methods"), {"kind": "paypal", "value": "@anna", "position": "1"}
    )

    assert response.status_code == 422
    assert user.payment_methods.count() == 1


def test_editing_and_removing_only_ones_own(client, db):
    user, other = UserFactory(), UserFactory()
    theirs = PaymentMethod.objects.create(user=other, kind="paypal", value="other")
    mine = PaymentMethod.objects.create(user=user, kind="paypal", value="mine")
    client.force_login(user)

    assert client.get(reverse("accounts:payment_method_edit", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("accounts:payment_method_remove", args=[theirs.pk])).status_code == 404
    )
    response = client.post(
        reverse("accounts:payment_method_edit", args=[mine.pk]),
        {"kind": "revolut", "value": "mine.r", "position": "2"},
    )
    assert response.status_code == 302
    assert client.post(reverse("accounts:payment_method_remove", args=[mine.pk])).status_code == 302

    assert list(PaymentMethod.objects.values_list("value", flat=True)) == ["other"]


def test_the_confirming_preference(client, db):
    user = UserFactory()
    client.force_login(user)

    client.post(reverse("accounts:confirming_payments"), {"confirms_payments": "on"})
    user.refresh_from_db()
    assert user.confirms_payments
    client.post(reverse("accounts:confirming_payments"), {})
    user.refresh_from_db()
    assert not user.confirms_payments
