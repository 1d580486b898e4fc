"""Who owes whom writes each payment from the viewer's side, the names as typed."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "sentences"),
    [
        (
            "en",
            [
                "<span>You pay <strong>&lt;b&gt;Bo&lt;/b&gt;</strong></span>",
                "<span><strong>Cy &amp; Co</strong> pays you</span>",
                "<span>Cy &amp; Co pays Di</span>",
            ],
        ),
        (
            "de",
            [
                "<span>Du zahlst an <strong>&lt;b&gt;Bo&lt;/b&gt;</strong></span>",
                "<span><strong>Cy &amp; Co</strong> zahlt an dich</span>",
                "<span>Cy &amp; Co zahlt an Di</span>",
            ],
        ),
    ],
)
def test_each_line_says_who_pays_in_the_readers_language(client, language, sentences):
    user = UserFactory()
    group = GroupFactory(created_by=user, simplify_debts=False, currency="EUR")
    viewer = MemberFactory(group=group, user=user)
    bo, cy, di = (GuestFactory(group=group, name=name) for name in ("<b>Bo</b>", "Cy & Co", "Di"))
    add_expense(group, user, paid={bo: 2000}, among=[viewer, bo])
    add_expense(group, user, paid={viewer: 3000}, among=[viewer, cy])
    add_expense(group, user, paid={di: 5000}, among=[di, cy])
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get(reverse("pages:pairs", args=[group.pk]))

    lines = re.findall(r'<li class="payment-line">(.*?)</li>', response.text)
    assert len(lines) == 3
    amounts = (
        ["10.00 EUR", "15.00 EUR", "25.00 EUR"]
        if language == "en"
        else ["10,00\xa0€", "15,00\xa0€", "25,00\xa0€"]
    )
    for sentence, amount in zip(sentences, amounts, strict=True):
        assert any(
            sentence in line and f'<span class="amount">{amount}</span>' in line for line in lines
        ), sentence
