"""What the settle-up page of a 50-member group weighs (gzip off): under 30 KB is the promise.

Bytes, not time: the same data always renders to the same size, within the few bytes of a
plan's explanation. The group is a star: one guest is owed by the 49 others, each a different
amount, so no smaller group settles on its own and the plan has 49 payments whatever the search
finds in its time, the shape of docs/benchmarks.md's 50-member group.
"""

import pytest
from django.conf import settings

from expenses.tests.factories import add_expense
from groups.tests.factories import GuestFactory
from settlements.tests.factories import record_payment
from settlements.tests.test_views import page

pytestmark = pytest.mark.django_db

# The promise, in every language measured (docs/benchmarks.md, "Page weight").
PROMISED = 30_000
LANGUAGES = ["en", "de"]


@pytest.fixture
def fifty(four):
    """Four and 46 guests: the last guest is owed by the 49 others (Cem, the viewer, among
    them), each a different amount, and 20 small payments between those who owe."""
    guests = [GuestFactory(group=four.group, name=f"Guest {n}") for n in range(1, 47)]
    creditor = guests[-1]
    for n, debtor in enumerate([four.ana, four.ben, four.dan, *guests[:-1]], 1):
        add_expense(four.group, four.ana.user, paid={creditor: 5000 + 37 * n}, among=[debtor])
    people = [four.ana, four.ben, four.cem, four.dan, *guests]
    for n in range(20):
        # Small amounts between debtors: everyone keeps the sign of their balance.
        record_payment(people[n], people[n + 1], 100 + n)
    return four


def settle_up_page(client, group, language):
    client.force_login(group.cem.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(page(group))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert response.text.count('name="pay"') == 49
    # The latest payments, and the way to the others.
    assert response.text.count("/payments/") >= 5
    assert "?show=payments" in response.text
    return response.content


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_50_member_page_weighs_under_30_kb(client, fifty, language):
    assert len(settle_up_page(client, fifty, language)) < PROMISED
