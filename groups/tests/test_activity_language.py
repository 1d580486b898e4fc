"""The group history in the reader's language: each line is written in English while the actor
reads English, and shown in German, French... to whoever reads it in that language."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from expenses.models import Expense, RecurringExpense
from expenses.recurrence import Frequency
from expenses.tests.factories import add_expense, add_recurring
from groups.models import Activity, Role
from settlements.models import Payment
from settlements.tests.factories import record_payment
from splitclone.templatetags.money import money
from splitclone.translation import translated

pytestmark = pytest.mark.django_db


def latest(world):
    return world.group.activities.latest("id")


def in_language(language, activity):
    with translation.override(language):
        return activity.text


def eur(minor, language="de"):
    """An amount as the reader's language writes it, with the money filter the pages use."""
    with translation.override(language):
        return money(minor, "EUR")


def test_a_role_change_written_in_english_reads_in_german(world):
    with translation.override("en"):
        world.group.change_role(world.member_membership, Role.ADMIN, actor=world.owner)
    line = latest(world)

    assert line.summary == "changed Max Member from Member to Admin"
    assert in_language("de", line) == "hat Max Member von Mitglied zu Admin geändert"
    assert in_language("fr", line) == ("a changé le rôle de Max Member de Membre à Administrateur")
    assert in_language("en", line) == line.summary


def test_what_support_changes_says_so_in_each_language(world, support):
    world.group.deactivate_member(world.member_membership, actor=support, as_support=True)
    line = latest(world)

    assert line.summary == "deactivated Max Member (support)"
    assert in_language("es", line) == "desactivó a Max Member (soporte)"


def test_the_lines_of_membership_read_in_german(world):
    world.group.add_guest("Bea", actor=world.owner)
    guest_added = latest(world)
    world.group.set_archived(True, actor=world.owner)

    assert in_language("de", guest_added) == "hat den Gast Bea hinzugefügt"
    assert in_language("de", latest(world)) == "hat die Gruppe archiviert"


def test_an_expense_written_in_english_reads_in_german_with_german_amounts(world):
    add_expense(
        world.group,
        world.owner,
        paid={world.owner_membership: 1200},
        among=[world.owner_membership],
        description="Dinner",
    )
    line = latest(world)

    assert line.summary == "added “Dinner” (12.00 EUR)"
    assert in_language("de", line) == f"hat „Dinner“ ({eur(1200)}) hinzugefügt"
    assert in_language("pt", line) == f"adicionou «Dinner» ({eur(1200, 'pt')})"


def test_an_edit_lists_its_changes_in_the_readers_language(world):
    expense = Expense.objects.get(pk=world.expense.pk)
    add_expense_edit(world, expense, amount=4000, date=datetime.date(2026, 11, 5))
    line = latest(world)

    assert line.summary == (
        "edited “Dinner”: amount 30.00 EUR → 40.00 EUR; date 01 Nov 2026 → 05 Nov 2026; "
        "who paid or who owes"
    )
    german = in_language("de", line)
    assert german.startswith(f"hat „Dinner“ bearbeitet: Betrag {eur(3000)} → {eur(4000)}; ")
    assert german.endswith("; wer bezahlt hat oder wer schuldet")
    assert "Nov 2026" not in in_language("fr", line)  # the dates are French too


def add_expense_edit(world, expense, *, amount, date):
    """Edits `expense` through the real path: the owner pays the new amount for both."""
    from expenses.models import ExpenseEntry

    entry = ExpenseEntry(
        description=expense.description,
        amount=amount,
        currency="EUR",
        date=date,
        category=expense.category,
        notes="",
        split_kind=expense.split_kind,
        submission_id=expense.submission_id,
        paid={world.owner_membership.pk: amount},
        owed={world.owner_membership.pk: amount},
    )
    Expense.objects.save_expense(
        group_id=world.group.pk,
        author=world.owner,
        entry=entry,
        expense=expense,
        expected_version=expense.version,
    )


def test_deleting_and_restoring_read_in_german(world):
    Expense.objects.delete_expense(world.expense, actor=world.owner)
    deleted = latest(world)
    Expense.objects.restore_expense(world.expense, actor=world.owner)

    assert in_language("de", deleted) == f"hat „Dinner“ ({eur(3000)}) gelöscht"
    assert in_language("de", latest(world)) == f"hat „Dinner“ ({eur(3000)}) wiederhergestellt"


def test_a_payment_reads_in_german(world):
    payment = record_payment(
        world.member_membership, world.owner_membership, 1000, actor=world.member
    )
    recorded = latest(world)
    Payment.objects.delete_payment(payment, actor=world.owner)

    assert recorded.summary == "recorded that Max Member paid Olivia Owner 10.00 EUR"
    assert in_language("de", recorded) == (
        f"hat erfasst, dass Max Member Olivia Owner {eur(1000)} gezahlt hat"
    )
    assert in_language("de", latest(world)) == (
        f"hat die Zahlung Max Member → Olivia Owner {eur(1000)} gelöscht"
    )


def test_a_recurring_expense_reads_in_german_with_its_schedule(world):
    recurring = add_recurring(
        world.group,
        world.owner,
        start=datetime.date(2026, 12, 5),
        frequency=Frequency.MONTHLY,
        paid={world.owner_membership: 80000},
        among=[world.owner_membership, world.member_membership],
    )
    set_up = latest(world)
    RecurringExpense.objects.pause(recurring, actor=world.owner)

    assert set_up.summary == "set “Rent” (800.00 EUR) to repeat every month on day 5"
    with translation.override("de"):
        schedule = translated(recurring.schedule.describe())
    assert in_language("de", set_up) == (
        f"hat „Rent“ ({eur(80000)}) als wiederkehrende Ausgabe eingerichtet: {schedule}"
    )
    assert in_language("de", latest(world)) == ("hat die wiederkehrende Ausgabe „Rent“ pausiert")


def test_an_automatic_pause_says_why_in_german(world):
    recurring = add_recurring(
        world.group,
        world.owner,
        start=datetime.date(2026, 12, 5),
        paid={world.member_membership: 80000},
        among=[world.owner_membership, world.member_membership],
    )
    world.group.deactivate_member(world.member_membership, actor=world.owner)

    RecurringExpense.objects.create_due_occurrences(datetime.date(2026, 12, 5))
    line = latest(world)

    assert line.data["automatic"] is True
    assert line.summary == ("paused the recurring “Rent”: Max Member, who paid it, left the group")
    assert in_language("de", line) == (
        "hat die wiederkehrende Ausgabe „Rent“ pausiert: "
        "Max Member hat sie bezahlt und die Gruppe verlassen"
    )
    assert recurring.pk == line.data["recurring_id"]


def test_names_with_percent_signs_and_braces_stay_as_typed(world):
    name = "100% {name} %(group)s %s"
    world.group.add_guest(name, actor=world.owner)
    line = latest(world)

    assert line.summary == f"added guest {name}"
    assert in_language("de", line) == f"hat den Gast {name} hinzugefügt"
    assert in_language("fr", line) == f"a ajouté l’invité {name}"


def test_a_line_without_a_phrase_reads_as_stored(world):
    old = Activity.objects.create(
        group=world.group, actor=world.owner, verb=Activity.Verb.GROUP_UPDATED, summary="old"
    )
    renamed = Activity.objects.create(
        group=world.group,
        actor=world.owner,
        verb=Activity.Verb.GROUP_UPDATED,
        summary="renamed the group from A to B",
        # A phrase whose template no longer names the values kept with it.
        data={
            Activity.PHRASE_KEY: {
                "phrase": {
                    "template": "renamed the group from %(old)s to %(new)s",
                    "params": {"before": "A", "after": "B"},
                }
            }
        },
    )

    assert in_language("de", old) == "old"
    assert in_language("de", renamed) == "renamed the group from A to B"


def test_a_value_that_cannot_be_kept_is_refused_when_written(world):
    from splitclone.phrases import gettext_noop

    with pytest.raises(TypeError):
        Activity.record(
            world.group,
            world.owner,
            Activity.Verb.GROUP_UPDATED,
            gettext_noop("renamed %(role)s", role=Role.ADMIN.label),
        )
    assert not world.group.activities.filter(summary__startswith="renamed").exists()


@pytest.mark.parametrize("size", [1, 30])
def test_the_feed_reads_in_german_in_a_constant_number_of_queries(
    client, world, django_assert_num_queries, size
):
    for number in range(size):
        world.group.add_guest(f"Guest {number}", actor=world.owner)
    client.force_login(world.owner)
    url = reverse("groups:activity", args=[world.group.pk])

    # session, user, membership with group, the page of lines with their actors: each line is
    # written from its own row, whatever language it is read in
    with translation.override("de"), django_assert_num_queries(4):
        response = client.get(url, headers={"accept-language": "de"})

    text = " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
    assert f"Olivia Owner hat den Gast Guest {size - 1} hinzugefügt" in text
    assert "added guest" not in text


def page_text(client, url):
    with translation.override("de"):
        response = client.get(url, headers={"accept-language": "de"})
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def test_the_home_page_and_the_expense_page_show_the_lines_in_german(client, world):
    client.force_login(world.owner)

    home = page_text(client, reverse("home"))
    expense = page_text(client, reverse("expenses:detail", args=[world.group.pk, world.expense.pk]))

    # The page's text with its spacing collapsed, no-break spaces in amounts included.
    added = " ".join(f"Olivia Owner hat „Dinner“ ({eur(3000)}) hinzugefügt".split())
    assert added in home
    assert added in expense


def test_settle_up_wishes_read_in_german(world):
    world.group.set_wishes(
        world.guest,
        actor=world.owner,
        rather_not_receive=False,
        preferred_payee=world.owner_membership,
    )
    line = latest(world)

    assert line.summary == "changed the settle-up wishes of Alice"
    assert in_language("de", line) == "hat die Abrechnungswünsche von Alice geändert"
