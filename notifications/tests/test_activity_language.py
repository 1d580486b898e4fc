"""Notification emails write the group history's lines in the language the email is written
in, whatever language the person acting used."""

import datetime

import time_machine
from django.core import mail
from django.utils import translation

from expenses.tests.factories import add_expense
from notifications import delivery, dispatch
from notifications.models import Frequency, Preferences
from notifications.tests.sending import send_new
from notifications.tests.test_notifications import html_of
from settlements.tests.factories import record_payment
from splitclone.templatetags.money import money


def test_a_digest_in_french_shows_french_lines(trip):
    Preferences.objects.create(user=trip.max, frequency=Frequency.DAILY)
    trip.max.language = "fr"
    trip.max.save(update_fields=["language"])
    with time_machine.travel(datetime.datetime(2026, 11, 3, 15, tzinfo=datetime.UTC)) as clock:
        with translation.override("en"):
            add_expense(
                trip.group,
                trip.olivia,
                paid={trip.olivia_m: 3000},
                among=[trip.olivia_m, trip.max_m],
            )
            record_payment(trip.max_m, trip.olivia_m, 1000, actor=trip.olivia)
        send_new()
        mail.outbox.clear()
        clock.move_to(datetime.datetime(2026, 11, 4, 0, 10, tzinfo=datetime.UTC))
        [email_id] = dispatch.queue_digests()
        delivery.deliver(email_id, retry=None)
    with translation.override("fr"):
        amount, paid = money(3000, "EUR"), money(1000, "EUR")

    [message] = mail.outbox
    assert f"Olivia Owner a ajouté « Dinner » ({amount})" in message.body
    assert f"Olivia Owner a enregistré que Max Member a payé {paid} à Olivia Owner" in (
        message.body
    )
    assert "added" not in message.body
    assert "a ajouté « Dinner »" in html_of(message).replace("&laquo;", "«").replace(
        "&raquo;", "»"
    ).replace("&nbsp;", " ")


def test_an_email_about_one_line_is_written_in_its_language(trip):
    trip.max.language = "de"
    trip.max.save(update_fields=["language"])
    with translation.override("en"):
        add_expense(
            trip.group, trip.olivia, paid={trip.olivia_m: 1200}, among=[trip.olivia_m, trip.max_m]
        )
    send_new()
    with translation.override("de"):
        amount = money(1200, "EUR")

    to_max = next(message for message in mail.outbox if message.to == ["max@example.com"])
    line = f"Lisbon trip: Olivia Owner hat „Dinner“ ({amount}) hinzugefügt"
    # A subject header folds the amount's no-break space into a plain one.
    assert to_max.subject.split() == f"[Splitclone] {line}".split()
    assert f"{line}." in to_max.body
