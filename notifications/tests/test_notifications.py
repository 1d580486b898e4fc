"""Who is told about what, and what the email says."""

import datetime
import email.policy

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.tests.factories import UserFactory
from expenses.models import Expense, ExpenseEntry
from expenses.tests.factories import add_expense
from groups.models import Activity
from notifications import delivery, dispatch
from notifications.models import Email, Frequency, Notification, Preferences
from notifications.tests.sending import send_new
from settlements.tests.factories import record_payment

pytestmark = pytest.mark.django_db


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_an_expense_is_emailed_to_the_people_in_it_but_not_to_who_added_it(trip):
    add_expense(
        trip.group,
        trip.olivia,
        paid={trip.olivia_m: 3000},
        among=[trip.olivia_m, trip.max_m, trip.alice_m],
        description="Dinner at Ramiro",
    )

    send_new()

    [message] = mail.outbox
    assert message.to == ["max@example.com"]
    assert message.subject == (
        "[Splitclone] Olivia Owner added “Dinner at Ramiro” (30.00 EUR) in Lisbon trip"
    )
    # Max's share is a third of 30.00 EUR: he pays Olivia, as the settle-up plan says.
    for body in (message.body, html_of(message)):
        assert "Olivia Owner added “Dinner at Ramiro” (30.00 EUR) in Lisbon trip" in body
        assert "You owe 10.00 EUR in all." in body
        assert "You pay Olivia Owner 10.00 EUR" in body
        assert "http://localhost:8000/unsubscribe/" in body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://localhost:8000/unsubscribe/")
    assert unsubscribe[-1] == ">"
    assert unsubscribe[1:-1] in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As the mail server gets them (the SMTP backend's policy): the URL as it is, not folded
    # into an encoded word.
    sent = message.message(policy=email.policy.SMTP).as_string()
    assert f"\r\nList-Unsubscribe: {unsubscribe}\r\n" in sent
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in sent
    sent_email = Email.objects.get()
    assert (sent_email.status, sent_email.attempts, sent_email.subject) == (
        Email.Status.SENT,
        1,
        message.subject,
    )


def test_html_escapes_what_people_typed(trip):
    add_expense(
        trip.group,
        trip.olivia,
        paid={trip.olivia_m: 3000},
        among=[trip.olivia_m, trip.max_m],
        description="<b>Fish</b> & chips",
    )

    send_new()

    [message] = mail.outbox
    assert "“<b>Fish</b> & chips”" in message.body
    assert "&lt;b&gt;Fish&lt;/b&gt; &amp; chips" in html_of(message)
    assert "<b>Fish</b>" not in html_of(message)


def test_a_line_break_in_a_name_stays_out_of_the_subject_header(trip):
    trip.group.name = "Lisbon\r\ntrip"
    trip.group.save()
    add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
    )

    send_new()

    [message] = mail.outbox
    assert message.subject.endswith("(30.00 EUR) in Lisbon trip")
    assert message.message()["Subject"].endswith("in Lisbon trip")


def test_amounts_are_in_the_groups_currency(trip):
    trip.group.currency = "JPY"
    trip.group.save()
    add_expense(trip.group, trip.max, paid={trip.max_m: 3001}, among=[trip.max_m, trip.nia_m])

    send_new()

    [message] = mail.outbox
    assert message.to == ["nia@example.com"]
    assert "(3,001 JPY)" in message.subject
    # 3,001 JPY has no cents to split: one of the two pays a yen more.
    assert "You pay Max Member 1,50" in message.body
    assert "You pay Max Member 1,500 JPY" in message.body or "1,501 JPY" in message.body


def test_an_edit_tells_whoever_it_took_out_and_a_deletion_everyone_in_it(trip):
    expense = add_expense(
        trip.group, trip.olivia, paid={trip.olivia_m: 2000}, among=[trip.olivia_m, trip.max_m]
    )
    send_new()
    mail.outbox.clear()

    entry = ExpenseEntry(
        description="Dinner",
        amount=2000,
        currency="EUR",
        date=expense.date,
        category="food",
        notes="",
        split_kind="equal",
        submission_id=expense.submission_id,
        paid={trip.olivia_m.pk: 2000},
        owed={trip.olivia_m.pk: 1000, trip.nia_m.pk: 1000},
    )
    Expense.objects.save_expense(
        group_id=trip.group.pk,
        author=trip.olivia,
        entry=entry,
        expense=expense,
        expected_version=expense.version,
    )
    send_new()
    assert recipients() == ["max@example.com", "nia@example.com"]
    mail.outbox.clear()

    Expense.objects.delete_expense(expense, actor=trip.nia)
    send_new()
    assert recipients() == ["olivia@example.com"]
    assert mail.outbox[0].subject.startswith("[Splitclone] Nia deleted “Dinner” (20.00 EUR)")


def test_a_payment_tells_both_people_and_an_added_member_is_told(trip):
    record_payment(trip.max_m, trip.nia_m, 500, actor=trip.olivia)
    newcomer = UserFactory(display_name="Noor", email="noor@example.com")
    trip.group.add_user(newcomer, actor=trip.olivia)

    send_new()

    assert recipients() == ["max@example.com", "nia@example.com", "noor@example.com"]
    subjects = sorted(message.subject for message in mail.outbox)
    assert "[Splitclone] Olivia Owner added Noor in Lisbon trip" in subjects
    to_nia = next(m for m in mail.outbox if m.to == ["nia@example.com"])
    assert "Max Member paid Nia 5.00 EUR" in to_nia.subject
    # Max paid her: she now owes him.
    assert "You pay Max Member 5.00 EUR" in to_nia.body
    assert "You owe 5.00 EUR in all." in to_nia.body


def test_guests_deactivated_members_and_unverified_addresses_get_nothing(trip):
    trip.group.deactivate_member(trip.nia_m, actor=trip.olivia)
    EmailAddress.objects.filter(user=trip.max).update(verified=False)
    add_expense(
        trip.group,
        trip.olivia,
        paid={trip.olivia_m: 3000},
        among=[trip.olivia_m, trip.max_m, trip.nia_m, trip.alice_m],
    )

    assert send_new() == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_emails_off_and_muted_groups_tell_nobody(trip):
    Preferences.objects.create(user=trip.max, frequency=Frequency.OFF)
    Preferences.objects.create(user=trip.nia).muted_groups.add(trip.group)
    add_expense(
        trip.group,
        trip.olivia,
        paid={trip.olivia_m: 3000},
        among=[trip.olivia_m, trip.max_m, trip.nia_m],
    )

    send_new()

    assert mail.outbox == []


def test_the_daily_digest_gathers_a_days_lines_once(trip):
    Preferences.objects.create(user=trip.max, frequency=Frequency.DAILY)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 15, tzinfo=datetime.UTC)) as clock:
        add_expense(
            trip.group, trip.olivia, paid={trip.olivia_m: 3000}, among=[trip.olivia_m, trip.max_m]
        )
        record_payment(trip.max_m, trip.olivia_m, 1000, actor=trip.max)
        add_expense(
            trip.group,
            trip.nia,
            paid={trip.nia_m: 900},
            among=[trip.max_m, trip.nia_m, trip.olivia_m],
            description="Taxi",
        )
        send_new()
        assert recipients() == ["olivia@example.com", "olivia@example.com"]  # she wants them now
        mail.outbox.clear()
        assert dispatch.queue_digests() == []  # nothing from before today

        clock.move_to(datetime.datetime(2026, 11, 4, 0, 10, tzinfo=datetime.UTC))
        [email_id] = dispatch.queue_digests()
        assert dispatch.queue_digests() == []  # one a day, however often it runs
        delivery.deliver(email_id, retry=None)

    [message] = mail.outbox
    assert message.to == ["max@example.com"]
    assert message.subject == "[Splitclone] 2 updates in your groups"
    # His own payment is not among them.
    assert "Olivia Owner added “Dinner” (30.00 EUR)" in message.body
    assert "Nia added “Taxi” (9.00 EUR)" in message.body
    assert "recorded that" not in message.body
    # 15.00 owed for dinner, 10.00 paid, 3.00 for the taxi: 8.00 EUR.
    assert "You owe 8.00 EUR in all." in message.body
    assert "You owe 8.00 EUR in all." in html_of(message)
    assert Email.objects.get(pk=email_id).period == datetime.date(2026, 11, 4)
    assert not Notification.objects.filter(email__isnull=True).exists()


def test_an_activity_no_one_else_is_in_tells_no_one(trip):
    add_expense(trip.group, trip.olivia, paid={trip.olivia_m: 1000}, among=[trip.olivia_m])

    assert send_new() == []
    assert Activity.objects.filter(verb=Activity.Verb.EXPENSE_ADDED).count() == 1
