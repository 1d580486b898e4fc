import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from expenses.models import Expense, RecurringExpense, RecurringStatus
from expenses.recurrence import Frequency
from expenses.tests.factories import add_recurring

D = datetime.date
TODAY = D(2027, 1, 31)


def due_occurrences_tasks():
    # Saving an expense also queues the history's followers (the notification emails).
    return DBTaskResult.objects.filter(task_path="expenses.tasks.create_due_occurrences")


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2027, 1, 31, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def member_client(client, world):
    client.force_login(world.member)
    return client


def repeating(world, **overrides):
    data = {
        "description": "Rent",
        "amount": "900.00",
        "date": TODAY.isoformat(),
        "category": "rent",
        "paid_by": world.owner_membership.pk,
        "split_kind": "equal",
        "submission_id": str(uuid.uuid4()),
        "action": "save",
        f"include_{world.owner_membership.pk}": "on",
        f"include_{world.member_membership.pk}": "on",
        "repeat": "monthly",
        "repeat_interval": "1",
        "repeat_ends": "never",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def rent(world, **kwargs):
    return add_recurring(
        world.group,
        world.owner,
        start=TODAY,
        paid={world.owner_membership: 90000},
        among=[world.owner_membership, world.member_membership],
        **kwargs,
    )


def test_an_expense_set_to_repeat_is_saved_as_the_first_of_a_recurring_expense(
    member_client, world
):
    response = member_client.post(
        reverse("expenses:create", args=[world.group.pk]),
        repeating(world, repeat_count="12", repeat_ends="after_count"),
    )

    assert response.status_code == 302
    assert response.url == reverse("expenses:recurring_list", args=[world.group.pk])
    recurring = RecurringExpense.objects.get()
    assert (recurring.frequency, recurring.count, recurring.next_date) == (
        Frequency.MONTHLY,
        12,
        D(2027, 2, 28),
    )
    first = Expense.objects.get(recurring=recurring)
    assert (first.amount, first.occurrence_date) == (90000, TODAY)
    page = member_client.get(response.url).text
    assert "Repeats every month on day 31 (or the month&#x27;s last day), 12 times" in page
    assert '<time datetime="2027-02-28">28 Feb 2027</time>' in page


def test_a_start_in_the_past_hands_the_missed_dates_to_the_worker(member_client, world):
    member_client.post(
        reverse("expenses:create", args=[world.group.pk]),
        repeating(world, date="2026-12-31", repeat="weekly"),
    )

    recurring = RecurringExpense.objects.get()
    assert recurring.next_date == D(2027, 1, 7)
    queued = due_occurrences_tasks().get()
    assert queued.args_kwargs == {"args": [], "kwargs": {"recurring_ids": [recurring.pk]}}


def test_an_expense_that_does_not_repeat_makes_no_recurring_expense(member_client, world):
    response = member_client.post(
        reverse("expenses:create", args=[world.group.pk]), repeating(world, repeat="")
    )

    assert response.status_code == 302
    assert not RecurringExpense.objects.exists()
    assert Expense.objects.filter(description="Rent", recurring=None).count() == 1
    assert not due_occurrences_tasks().exists()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        (
            {"repeat_ends": "on_date", "repeat_end_date": "2027-01-30"},
            "The end date is before the first date.",
        ),
        ({"repeat": "weekly", "repeat_interval": "0"}, "Repeat every 1 to 99 weeks, not 0."),
        ({"repeat_ends": "after_count", "repeat_count": "0"}, "Repeat 1 to 1,000 times, not 0."),
        (
            {"repeat_ends": "after_count", "repeat_count": "1001"},
            "Repeat 1 to 1,000 times, not 1,001.",
        ),
        ({"repeat_month_day": "0"}, "A day of the month is 1 to 31, not 0."),
        ({"repeat_month_day": "32"}, "A day of the month is 1 to 31, not 32."),
        ({"repeat_ends": "after_count", "repeat_count": ""}, "Enter how many times it repeats."),
        ({"repeat_ends": "on_date"}, "Enter the date it ends."),
        (
            {"date": "2025-12-01"},
            "Start within the last year: every date since the start is made at once.",
        ),
    ],
)
def test_a_schedule_that_cannot_be_kept_is_refused_and_nothing_is_saved(
    member_client, world, overrides, error
):
    expenses = Expense.objects.count()

    response = member_client.post(
        reverse("expenses:create", args=[world.group.pk]), repeating(world, **overrides)
    )

    assert response.status_code == 422
    assert error in response.text.replace("&#x27;", "'")
    assert not RecurringExpense.objects.exists()
    assert Expense.objects.count() == expenses


def test_the_list_links_to_a_new_recurring_expense_with_repeat_chosen(member_client, world):
    page = member_client.get(reverse("expenses:recurring_list", args=[world.group.pk])).text
    new = member_client.get(reverse("expenses:create", args=[world.group.pk]) + "?repeat=monthly")

    assert "Nothing repeats yet" in page
    assert '<option value="monthly" selected>Monthly</option>' in new.text


def test_the_group_page_shows_what_repeats_and_when(member_client, world):
    rent(world)
    add_recurring(
        world.group,
        world.owner,
        start=D(2027, 2, 3),
        frequency=Frequency.WEEKLY,
        paid={world.owner_membership: 1200},
        among=[world.owner_membership],
        description="Cleaning",
    )

    page = member_client.get(reverse("pages:group", args=[world.group.pk])).text

    section = page[page.index('id="recurring-heading"') :]
    assert section.index("Rent") < section.index("Cleaning")
    assert '<time datetime="2027-01-31">31 Jan 2027</time>' in section
    assert '<time datetime="2027-02-03">3 Feb 2027</time>' in section


def test_editing_changes_it_from_the_next_date_on(member_client, world):
    recurring = rent(world, first_expense=True)
    url = reverse("expenses:recurring_edit", args=[world.group.pk, recurring.pk])
    form = member_client.get(url)

    response = member_client.post(
        url, repeating(world, amount="950.00", date="2027-02-28", repeat="monthly", version="1")
    )

    assert form.status_code == 200
    assert 'value="900.00"' in form.text
    assert response.status_code == 302
    recurring.refresh_from_db()
    assert (recurring.amount, recurring.next_date, recurring.updated_by) == (
        95000,
        D(2027, 2, 28),
        world.member,
    )
    assert list(recurring.occurrences.values_list("amount", flat=True)) == [90000]


def test_an_edit_loaded_before_another_is_refused_and_keeps_what_was_typed(member_client, world):
    recurring = rent(world)
    url = reverse("expenses:recurring_edit", args=[world.group.pk, recurring.pk])
    loaded = member_client.get(url)
    assert 'name="version" value="1"' in loaded.text
    member_client.post(url, repeating(world, amount="950.00", version="1"))  # saved first

    response = member_client.post(
        url, repeating(world, amount="990.00", description="Flat rent", version="1")
    )

    assert response.status_code == 409
    assert "saved this recurring expense while you were editing it" in response.text
    assert 'value="Flat rent"' in response.text
    newer = response.text.split('id="newer-heading"')[1].split("</section>")[0]
    assert "Rent · 950.00 EUR · Active · next on 31 Jan 2027" in newer
    # The form now carries the newer version: sending it again saves it over the newer one.
    assert 'name="version" value="2"' in response.text
    recurring.refresh_from_db()
    assert (recurring.amount, recurring.description) == (95000, "Rent")
    again = member_client.post(
        url, repeating(world, amount="990.00", description="Flat rent", version="2")
    )
    assert again.status_code == 302


def test_an_edit_sent_after_a_stop_is_refused(member_client, world):
    recurring = rent(world)
    args = [world.group.pk, recurring.pk]
    member_client.post(reverse("expenses:recurring_stop", args=args))

    response = member_client.post(
        reverse("expenses:recurring_edit", args=args), repeating(world, version="1")
    )

    assert response.status_code == 409
    assert "stopped repeating while you were editing it, so nothing was saved" in response.text
    recurring.refresh_from_db()
    assert (recurring.status, recurring.next_date) == (RecurringStatus.STOPPED, None)


def test_an_edit_with_a_schedule_that_cannot_be_kept_is_refused(member_client, world):
    recurring = rent(world)
    url = reverse("expenses:recurring_edit", args=[world.group.pk, recurring.pk])

    response = member_client.post(
        url, repeating(world, amount="1.00", repeat_month_day="32", version="1")
    )

    assert response.status_code == 422
    assert "A day of the month is 1 to 31, not 32." in response.text
    recurring.refresh_from_db()
    assert (recurring.amount, recurring.month_day) == (90000, None)


def test_the_next_date_cannot_go_back_over_a_date_already_made(member_client, world):
    recurring = rent(world, first_expense=True)
    url = reverse("expenses:recurring_edit", args=[world.group.pk, recurring.pk])

    response = member_client.post(
        url, repeating(world, date="2027-01-31", repeat="daily", version="1")
    )

    assert response.status_code == 422
    assert "The next date must come after the last one made (31 Jan 2027)." in response.text
    recurring.refresh_from_db()
    assert recurring.frequency == Frequency.MONTHLY


def test_a_date_due_at_once_is_handed_to_the_worker_and_a_later_one_is_not(member_client, world):
    recurring = rent(world)
    url = reverse("expenses:recurring_edit", args=[world.group.pk, recurring.pk])

    member_client.post(url, repeating(world, date="2027-02-01", repeat="daily", version="1"))
    assert not due_occurrences_tasks().exists()
    member_client.post(url, repeating(world, date="2027-01-31", repeat="daily", version="2"))

    queued = due_occurrences_tasks().get()
    assert queued.args_kwargs == {"args": [], "kwargs": {"recurring_ids": [recurring.pk]}}


def test_pause_resume_and_stop(member_client, world):
    recurring = rent(world)
    args = [world.group.pk, recurring.pk]

    member_client.post(reverse("expenses:recurring_pause", args=args))
    recurring.refresh_from_db()
    assert recurring.status == RecurringStatus.PAUSED

    member_client.post(reverse("expenses:recurring_resume", args=args))
    recurring.refresh_from_db()
    assert recurring.status == RecurringStatus.ACTIVE

    question = member_client.get(reverse("expenses:recurring_stop", args=args))
    assert "Stop repeating “Rent”?" in question.text
    response = member_client.post(reverse("expenses:recurring_stop", args=args))
    assert response.status_code == 302
    recurring.refresh_from_db()
    assert (recurring.status, recurring.next_date) == (RecurringStatus.STOPPED, None)
    assert member_client.get(reverse("expenses:recurring_edit", args=args)).status_code == 302
    # In the order written: without one, PostgreSQL may read the feed's index backwards.
    feed = list(
        world.group.activities.filter(data__recurring_id=recurring.pk)
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert feed == [
        "set “Rent” (900.00 EUR) to repeat every month on day 31 (or the month's last day)",
        "paused the recurring “Rent”",
        "resumed the recurring “Rent”",
        "stopped the recurring “Rent”",
    ]


def test_another_groups_recurring_expense_is_404(member_client, world):
    from groups.tests.factories import GroupFactory, MemberFactory

    other = GroupFactory()
    owner = MemberFactory(group=other, role="owner")
    elsewhere = add_recurring(other, owner.user, start=TODAY, paid={owner: 100}, among=[owner])

    for name in ("recurring_edit", "recurring_stop"):
        url = reverse(f"expenses:{name}", args=[world.group.pk, elsewhere.pk])
        assert member_client.get(url).status_code == 404
    url = reverse("expenses:recurring_pause", args=[world.group.pk, elsewhere.pk])
    assert member_client.post(url).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == RecurringStatus.ACTIVE
