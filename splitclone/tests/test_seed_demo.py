import pytest
from django.core.management import call_command
from django.db.models import F

from accounts.models import User
from expenses.models import Expense
from groups.models import Group
from ledger.books import recompute_group
from ledger.tests.test_expense_ledger import kept, ledger_truth
from splitclone.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_login(capsys):
    call_command("seed_demo")
    first = (Group.objects.count(), Expense.objects.count())
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in output
    assert User.objects.get(email=DEMO_EMAIL).check_password(DEMO_PASSWORD)
    assert User.objects.count() == 2
    assert first == (3, 9)
    assert (Group.objects.count(), Expense.objects.count()) == first
    for group in Group.objects.all():
        assert kept(group) == ledger_truth(group)


def test_large_data_sets_are_deterministic_and_balanced(capsys):
    call_command("seed_demo", groups=3, members=5, expenses=200, seed=42)
    call_command("seed_demo", groups=3, members=5, expenses=200, seed=42)

    output = capsys.readouterr().out
    assert "3 groups × 5 members, 200 expenses" in output
    assert "already present" in output
    bench = Group.objects.filter(name__startswith="Bench 42 #")
    assert bench.count() == 3
    assert Expense.objects.filter(group__in=bench).count() == 200
    for group in bench:
        assert kept(group) == ledger_truth(group)
        assert sum(group.members.values_list("balance", flat=True)) == 0
        # The statistics' spending totals too.
        assert not recompute_group(group, check=True)
    seeded = Expense.objects.filter(group__in=bench)
    # Spent in the group's currency, as the books hold every row to: an edit reads it back.
    assert not seeded.exclude(original_amount=F("amount"), original_currency="EUR").exists()
    assert seeded.matching("TAXI").count() == seeded.filter(description="Taxi").count() > 0
    amounts = list(
        Expense.objects.filter(group__in=bench).order_by("id").values_list("amount", flat=True)
    )
    Expense.objects.filter(group__in=bench).delete()
    # The same seed gives the same data again.
    Group.objects.filter(pk__in=bench).update(name="renamed")
    call_command("seed_demo", groups=3, members=5, expenses=200, seed=42)
    again = Group.objects.filter(name__startswith="Bench 42 #")
    assert (
        list(
            Expense.objects.filter(group__in=again).order_by("id").values_list("amount", flat=True)
        )
        == amounts
    )
