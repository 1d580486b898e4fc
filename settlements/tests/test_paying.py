"""Paying someone from the settle-up page: the EPC QR payload field by field (EPC069-12), the
links that open payment apps, the details under a suggested payment, and payments that wait
for their payee to confirm them."""

import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts import paying
from accounts.models import PaymentMethod
from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import FOLLOWED_VERBS, Activity, Member
from groups.tests.factories import GroupFactory, MemberFactory
from ledger.tests.test_expense_ledger import kept, ledger_truth
from settlements.models import PAYMENTS_SHOWN, Payment, PaymentError
from settlements.pay_details import reference
from settlements.tests.factories import record_payment

IBAN = "DE89370400440532013000"


def epc_lines(**fields):
    defaults = {
        "name": "Ana Alves",
        "iban": IBAN,
        "amount": Decimal("40.00"),
        "remittance": "Ski",
    }
    return paying.epc_payload(**defaults | fields).split("\n")


def test_the_epc_payload_has_the_fields_of_epc069_12_in_order():
    lines = epc_lines(bic="COBADEFFXXX", info="Thanks")

    assert lines == [
        "BCD",  # service tag
        "002",  # version
        "1",  # character set: UTF-8
        "SCT",  # identification: SEPA credit transfer
        "COBADEFFXXX",  # BIC
        "Ana Alves",  # beneficiary name
        IBAN,  # beneficiary account
        "EUR40.00",  # amount
        "",  # purpose
        "",  # structured creditor reference: none, as the remittance is unstructured
        "Ski",  # unstructured remittance information
        "Thanks",  # beneficiary to originator information
    ]


def test_the_bic_may_be_left_empty_and_trailing_empty_fields_are_left_out():
    lines = epc_lines()

    assert lines[4] == ""
    assert len(lines) == 11
    assert lines[-1] == "Ski"


@pytest.mark.parametrize(
    ("amount", "text"),
    [("0.01", "EUR0.01"), ("12.5", "EUR12.50"), ("999999999.99", "EUR999999999.99")],
)
def test_the_amount_is_in_euros_with_two_decimals(amount, text):
    assert epc_lines(amount=Decimal(amount))[7] == text


@pytest.mark.parametrize("amount", ["0", "0.00", "1000000000.00", "12.345", "-5"])
def test_amounts_outside_the_standard_are_refused(amount):
    with pytest.raises(ValueError, match=r"0\.01 to 999999999\.99"):
        epc_lines(amount=Decimal(amount))


def test_name_remittance_and_info_are_cut_to_the_standards_lengths():
    lines = epc_lines(name="N" * 80, remittance="R" * 200, info="I" * 90)

    assert (len(lines[5]), len(lines[10]), len(lines[11])) == (70, 140, 70)


def test_the_payload_is_what_segno_encodes_for_the_same_transfer():
    # segno's own EPC helper, as a second reading of the standard (it writes the amount
    # without trailing zeros and picks the narrowest character set).
    from segno.helpers import _make_epc_qr_data

    ours = epc_lines(amount=Decimal("40.10"), remittance="Splitclone Ski: Cem → Ana")
    theirs = _make_epc_qr_data(
        "Ana Alves", IBAN, Decimal("40.10"), text="Splitclone Ski: Cem → Ana"
    )
    theirs = theirs.decode().split("\n")

    assert ours[:2] + ours[3:7] + ours[8:] == theirs[:2] + theirs[3:7] + theirs[8:]
    assert theirs[7] == "EUR40.1"
    assert theirs[2] == ours[2] == "1"  # the arrow needs UTF-8


@pytest.mark.parametrize(
    ("kind", "value", "currency", "link"),
    [
        (paying.PAYPAL, "anna", "EUR", "https://paypal.me/anna/12.50EUR"),
        (paying.PAYPAL, "anna", "USD", "https://paypal.me/anna/12.50USD"),
        # PayPal.me takes no amount in rupees: the link opens without one.
        (paying.PAYPAL, "anna", "INR", "https://paypal.me/anna"),
        (paying.REVOLUT, "anna.s", "EUR", "https://revolut.me/anna.s"),
        (paying.VENMO, "anna-s", "USD", "https://venmo.com/anna-s?txn=pay&amount=12.50&note=Ski%20trip"),
        (paying.VENMO, "anna-s", "EUR", "https://venmo.com/anna-s?txn=pay&note=Ski%20trip"),
        (paying.UPI, "anna@okaxis", "INR", "upi://pay?pa=anna@okaxis&pn=Ana%20Alves&tn=Ski%20trip&am=12.50&cu=INR"),
        (paying.UPI, "anna@okaxis", "EUR", "upi://pay?pa=anna@okaxis&pn=Ana%20Alves&tn=Ski%20trip"),
        (paying.LIGHTNING, "anna@getalby.com", "EUR", "lightning:anna@getalby.com"),
        (paying.TEXT, "Cash is fine", "EUR", None),
        (paying.IBAN, IBAN, "EUR", None),
    ],
)  # fmt: skip
def test_each_kind_links_with_the_amount_only_in_currencies_it_takes(kind, value, currency, link):
    found = paying.payment_link(
        kind, value, amount="12.50", currency=currency, note="Ski trip", payee_name="Ana Alves"
    )
    assert found == link


# The settle-up page: Cem owes Ana 40.00 (see the `four` fixture).


def page(four):
    return reverse("settlements:settle_up", args=[four.group.pk])


def pay_section(text):
    start = text.find('<details class="member-actions pay">')
    return text[start : text.index("</details>", start)] if start >= 0 else ""


def test_the_payer_sees_a_qr_code_the_iban_and_links_under_their_payment(client, four):
    ana = four.ana.user
    PaymentMethod.objects.create(user=ana, kind="iban", value=IBAN, holder="Ana Alves Pereira")
    PaymentMethod.objects.create(user=ana, kind="paypal", value="anaalves", position=1)
    client.force_login(four.cem.user)

    section = pay_section(client.get(page(four)).text)

    assert "<summary>Pay Ana</summary>" in section
    assert "<svg" in section
    assert "Bank transfer to Ana" in section
    assert 'data-copy="DE89370400440532013000"' in section
    assert "DE89 3704 0044 0532 0130 00" in section
    assert f'data-copy="{reference(four.group, four.cem, four.ana)}"' in section.replace(
        "&gt;", ">"
    )
    assert 'href="https://paypal.me/anaalves/40.00EUR"' in section
    assert section.index("Bank transfer") < section.index("PayPal")


def test_reference_names_the_group_and_both_people(four):
    assert reference(four.group, four.cem, four.ana) == "Splitclone Ski week: Cem → Ana"
    four.group.name = "x" * 200
    assert len(reference(four.group, four.cem, four.ana)) == 140


def test_no_qr_code_outside_euros_but_the_iban_to_copy(client, db):
    ana, cem = UserFactory(display_name="Ana"), UserFactory(display_name="Cem")
    group = GroupFactory(created_by=ana, currency="CHF")
    payee, payer = MemberFactory(group=group, user=ana), MemberFactory(group=group, user=cem)
    add_expense(group, ana, paid={payee: 4000}, among=[payee, payer])
    PaymentMethod.objects.create(user=ana, kind="iban", value=IBAN)
    client.force_login(cem)

    section = pay_section(client.get(reverse("settlements:settle_up", args=[group.pk])).text)

    assert "<summary>Pay Ana</summary>" in section
    assert "<svg" not in section
    assert 'data-copy="DE89370400440532013000"' in section


def test_only_the_payer_sees_how_to_pay(client, four):
    PaymentMethod.objects.create(user=four.ana.user, kind="iban", value=IBAN)
    for viewer in (four.ana.user, four.ben.user):
        client.force_login(viewer)
        assert pay_section(client.get(page(four)).text) == ""


def test_the_person_being_paid_is_pointed_to_their_payment_details(client, four):
    link = f'see <a href="{reverse("accounts:payment_methods")}">how you like to be paid</a>'
    client.force_login(four.ana.user)
    assert link in client.get(page(four)).text
    client.force_login(four.ben.user)
    assert link not in client.get(page(four)).text


def test_no_details_section_for_a_payee_without_details(client, four):
    client.force_login(four.cem.user)
    assert pay_section(client.get(page(four)).text) == ""


# Two steps: "I've sent it", then "received".


@pytest.fixture
def confirming(four):
    """Ana confirms the payments she receives."""
    four.ana.user.confirms_payments = True
    four.ana.user.save()
    return four


def balance(member):
    member.refresh_from_db()
    return member.balance


def test_a_payment_to_someone_who_confirms_is_pending_and_already_counts(client, confirming):
    four = confirming
    client.force_login(four.cem.user)
    response = client.get(page(four))
    assert "I’ve sent it" in response.text

    payment = record_payment(four.cem, four.ana, 4000, actor=four.cem.user)

    assert payment.status == Payment.Status.PENDING
    assert (balance(four.cem), balance(four.ana)) == (0, 4000)
    text = client.get(page(four)).text
    assert "Cem pays" not in text  # the plan treats it as paid
    assert "Pending:</strong> 1 payment (40.00 EUR)" in text
    group_page = client.get(reverse("pages:group", args=[four.group.pk])).text
    assert "Pending:</strong> 1 payment (40.00 EUR)" in group_page
    line = four.group.activities.get(verb=Activity.Verb.PAYMENT_RECORDED)
    assert line.summary.endswith("waiting for them to confirm")


def test_a_payment_the_payee_records_or_to_someone_who_does_not_confirm_is_confirmed(confirming):
    four = confirming
    assert record_payment(four.cem, four.ana, 100, actor=four.ana.user).status == "confirmed"
    assert record_payment(four.cem, four.ben, 100, actor=four.cem.user).status == "confirmed"


def test_the_payee_confirms_it(client, confirming):
    four = confirming
    payment = record_payment(four.cem, four.ana, 4000, actor=four.cem.user)
    client.force_login(four.ana.user)

    response = client.post(reverse("settlements:confirm", args=[four.group.pk, payment.pk]))

    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CONFIRMED
    assert (balance(four.cem), balance(four.ana)) == (0, 4000)
    assert four.group.activities.filter(verb=Activity.Verb.PAYMENT_CONFIRMED).count() == 1
    # A second confirmation changes nothing.
    client.post(reverse("settlements:confirm", args=[four.group.pk, payment.pk]))
    assert four.group.activities.filter(verb=Activity.Verb.PAYMENT_CONFIRMED).count() == 1


def test_not_received_restores_the_debt_and_tells_the_payer(client, confirming):
    four = confirming
    payment = record_payment(four.cem, four.ana, 4000, actor=four.cem.user)
    client.force_login(four.ana.user)

    response = client.post(reverse("settlements:not_received", args=[four.group.pk, payment.pk]))

    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.is_deleted
    assert (balance(four.cem), balance(four.ana)) == (-4000, 8000)
    line = four.group.activities.get(verb=Activity.Verb.PAYMENT_REJECTED)
    assert line.summary == "did not receive the payment Cem → Ana 40.00 EUR; it no longer counts"
    # The payer hears of it through the notifications that follow the group history.
    assert Activity.Verb.PAYMENT_REJECTED in FOLLOWED_VERBS
    assert kept(four.group) == ledger_truth(four.group)


def test_only_the_payee_decides(client, confirming):
    four = confirming
    payment = record_payment(four.cem, four.ana, 4000, actor=four.cem.user)
    client.force_login(four.cem.user)

    for name in ("settlements:confirm", "settlements:not_received"):
        assert client.post(reverse(name, args=[four.group.pk, payment.pk])).status_code == 403
    with pytest.raises(PaymentError, match="Only Ana"):
        Payment.objects.confirm_payment(payment, actor=four.cem.user)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not payment.is_deleted


def test_a_confirmation_after_a_delete_is_refused_with_a_clear_message(client, confirming):
    four = confirming
    payment = record_payment(four.cem, four.ana, 4000, actor=four.cem.user)
    Payment.objects.delete_payment(payment, actor=four.cem.user)
    client.force_login(four.ana.user)

    response = client.post(reverse("settlements:confirm", args=[four.group.pk, payment.pk]))

    assert response.status_code == 422
    assert "was deleted meanwhile: there is nothing to confirm" in response.text
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not four.group.activities.filter(verb=Activity.Verb.PAYMENT_CONFIRMED).exists()


def test_a_confirmed_payment_cannot_be_turned_down(confirming):
    four = confirming
    payment = record_payment(four.cem, four.ana, 4000, actor=four.cem.user)
    Payment.objects.confirm_payment(payment, actor=four.ana.user)

    with pytest.raises(PaymentError, match="already confirmed"):
        Payment.objects.reject_payment(payment, actor=four.ana.user)
    assert balance(four.ana) == 4000


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(amounts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=4))
def test_pending_payments_turned_down_leave_the_balances_as_before(amounts):
    payer_user, payee_user = UserFactory(), UserFactory(confirms_payments=True)
    group = GroupFactory(created_by=payee_user)
    payer = MemberFactory(group=group, user=payer_user)
    payee = MemberFactory(group=group, user=payee_user)
    payments = [record_payment(payer, payee, amount, actor=payer_user) for amount in amounts]
    assert balance(payer) == sum(amounts)

    for payment in payments:
        Payment.objects.reject_payment(payment, actor=payee_user)

    assert (balance(payer), balance(payee)) == (0, 0)
    assert kept(group) == ledger_truth(group)


@pytest.mark.django_db(transaction=True)
def test_confirmations_racing_deletes_never_confirm_a_deleted_payment():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises whole-database writes")
    payer_user, payee_user = UserFactory(), UserFactory(confirms_payments=True)
    group = GroupFactory(created_by=payee_user)
    payer = MemberFactory(group=group, user=payer_user)
    payee = MemberFactory(group=group, user=payee_user)
    outcomes = []

    def run(action, barrier):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes.append("done")
        except PaymentError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    for _ in range(15):
        payment = record_payment(payer, payee, 500, actor=payer_user, date=datetime.date.today())
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=run,
                args=(
                    lambda p=payment: Payment.objects.confirm_payment(p, actor=payee_user),
                    barrier,
                ),
            ),
            threading.Thread(
                target=run,
                args=(
                    lambda p=payment: Payment.objects.delete_payment(p, actor=payer_user),
                    barrier,
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert len(outcomes) == 30
    confirmed_lines = set(
        Activity.objects.filter(group=group, verb=Activity.Verb.PAYMENT_CONFIRMED).values_list(
            "data__payment_id", flat=True
        )
    )
    deleted_first = {
        pk
        for pk, deleted_at in Payment.objects.filter(group=group).values_list("pk", "deleted_at")
        if deleted_at is not None
    }
    # Every payment ends deleted; one confirmed was confirmed before its delete, else refused.
    assert deleted_first == set(Payment.objects.filter(group=group).values_list("pk", flat=True))
    assert outcomes.count("refused") == 15 - len(confirmed_lines)
    assert Member.objects.get(pk=payer.pk).balance == 0
    assert kept(group) == ledger_truth(group)


def test_the_page_lists_the_latest_payments_and_older_ones_waiting_for_the_viewer(
    client, confirming
):
    four = confirming
    waiting = record_payment(four.cem, four.ana, 100, actor=four.cem.user)
    later = [record_payment(four.dan, four.ben, 200 + n) for n in range(PAYMENTS_SHOWN + 1)]
    client.force_login(four.ana.user)

    text = client.get(page(four)).text

    shown = re.findall(r'href="[^"]*/payments/(\d+)/delete/"', text)
    # The latest, newest first, then the one Ana has yet to confirm; not the one in between.
    assert shown == [str(payment.pk) for payment in reversed(later[1:])] + [str(waiting.pk)]
    assert f"/payments/{waiting.pk}/confirm/" in text
    ledger = reverse("pages:ledger", args=[four.group.pk])
    assert f'<a href="{ledger}?show=payments">All payments</a>' in text


def test_a_few_payments_need_no_link_to_the_rest(client, four):
    record_payment(four.cem, four.ana, 100)
    client.force_login(four.cem.user)

    text = client.get(page(four)).text

    assert "/payments/" in text
    assert "All payments" not in text
