"""The settle-up page's lines of payments and of balances, written in Python, are the markup
their template wrote: the template's lines are kept beside this file as the reference
(`*_lines_reference.html`) and rendered with the same payments, in English and in German."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation

from settlements.models import Payment
from settlements.tests.factories import record_payment
from settlements.views import explained_balances, payment_rows

pytestmark = pytest.mark.django_db

PAYMENT_TEMPLATE = (Path(__file__).parent / "payment_lines_reference.html").read_text().rstrip("\n")

BALANCE_TEMPLATE = (Path(__file__).parent / "balance_lines_reference.html").read_text().rstrip("\n")

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def rendered(template, request=None, **context):
    return engines["django"].from_string(template).render(context, request)


@pytest.fixture
def payments(four):
    """Every kind of line: converted with a note that needs escaping, deleted, pending for the
    viewer (Ana, who confirms it from the page) and pending for someone else."""
    ana, ben, cem, dan = four.ana, four.ben, four.cem, four.dan
    ben.user.display_name = "Ben <the & best>"
    ben.user.save()
    record_payment(dan, ben, 1000, note="Fondue & <wine>")
    deleted = record_payment(cem, ana, 1500)
    Payment.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    waiting = record_payment(cem, ana, 2000)
    for_ben = record_payment(dan, ben, 500)
    Payment.objects.filter(pk__in=[waiting.pk, for_ben.pk]).update(status="pending")
    converted = record_payment(cem, ben, 700, date=datetime.date(2026, 3, 4))
    Payment.objects.filter(pk=converted.pk).update(
        rate_source="entered",
        original_currency="USD",
        original_amount=823,
        rate=Decimal("0.85"),
        rate_date=datetime.date(2026, 3, 4),
    )
    members = {member.pk: member for member in four.group.members.with_people()}
    shown = list(Payment.objects.filter(group=four.group).order_by("-id"))
    for payment in shown:
        payment.from_member = members[payment.from_member_id]
        payment.to_member = members[payment.to_member_id]
    request = RequestFactory().get("/")
    request.user = four.ana.user
    request.META["CSRF_COOKIE"] = "k" * 32
    return four, request, shown


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_payment_lines_are_the_markup_of_their_template(payments, language):
    four, request, shown = payments

    with translation.override(language):
        lines = "".join(payment_rows(request, four.group, shown))
        reference = rendered(PAYMENT_TEMPLATE, request, payments=shown, group=four.group)

    assert lines.count("csrfmiddlewaretoken") == 3  # Received, Not received, Undo: restore
    assert "Ben &lt;the &amp; best&gt;" in lines
    assert "Fondue &amp; &lt;wine&gt;" in lines
    assert TOKEN.sub("token", lines) == TOKEN.sub("token", reference)


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_balance_lines_are_the_markup_of_their_template(payments, language):
    four = payments[0]
    settle_up = Payment.objects.suggest(four.group)

    with translation.override(language):
        lines = "".join(explained_balances(settle_up))
        reference = rendered(BALANCE_TEMPLATE, rows=settle_up.rows(), currency="EUR")

    assert "Ben &lt;the &amp; best&gt;" in lines
    assert lines == reference
