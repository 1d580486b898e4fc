"""Settling across groups: the overview, choosing groups, recording a transfer as bookings."""

import html
import re
import uuid
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from prometheus_client import REGISTRY

from accounts.models import User
from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Member, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.across import AcrossPlan, load_groups, record_transfer
from settlements.algorithm import Transfer
from settlements.models import Payment, StalePlan

ACROSS = "/settle/"


@pytest.fixture
def shared(db):
    """Ana, Ben and Cem share a trip and a flat (EUR), and Ana has a tab in a JPY group.

    Trip: Ana paid 60.00 for Ana and Ben → Ana +30.00, Ben −30.00.
    Flat: Cem paid 60.00 for Cem and Ana → Cem +30.00, Ana −30.00.
    Totals: Ana 0, Ben −30.00, Cem +30.00: one payment, Ben → Cem, booked through Ana.
    """
    ana, ben, cem = (UserFactory(display_name=name) for name in ("Ana", "Ben", "Cem"))
    world = SimpleNamespace(ana=ana, ben=ben, cem=cem, outsider=UserFactory())
    for name in ("Trip", "Flat"):
        group = GroupFactory(name=name, created_by=ana)
        members = {
            user.display_name: MemberFactory(
                group=group, user=user, role=Role.OWNER if user == ana else Role.MEMBER
            )
            for user in (ana, ben, cem)
        }
        setattr(world, name.lower(), SimpleNamespace(group=group, **members))
    trip, flat = world.trip, world.flat
    add_expense(trip.group, ana, paid={trip.Ana: 6000}, among=[trip.Ana, trip.Ben])
    add_expense(flat.group, cem, paid={flat.Cem: 6000}, among=[flat.Cem, flat.Ana])
    world.yen = GroupFactory(name="Tokyo", currency="JPY", created_by=ana)
    MemberFactory(group=world.yen, user=ana, role=Role.OWNER)
    return world


def chosen(*groups):
    return f"{ACROSS}?{urlencode({'groups': [g.pk for g in groups]}, doseq=True)}"


def balances(*groups):
    return {
        (m.group.name, m.display_name): m.balance
        for m in Member.objects.filter(group__in=groups).select_related("group", "user")
    }


def test_the_overview_nets_each_person_over_shared_groups(client, shared):
    client.force_login(shared.ben)

    response = client.get(ACROSS)

    assert response.status_code == 200
    people = {
        person.user.display_name: person.total for person in response.context["people"]["EUR"]
    }
    assert people == {"Ben": -3000, "Ana": 0, "Cem": 3000}
    assert response.context["people"]["EUR"][0].user == shared.ben
    # Ben is not in the JPY group, so nobody's yen show up for him.
    assert "JPY" not in response.context["people"]


def test_the_overview_lists_currencies_apart(client, shared):
    client.force_login(shared.ana)

    response = client.get(ACROSS)

    assert list(response.context["people"]) == ["EUR", "JPY"]
    assert "Tokyo (JPY)" in response.text


def test_anonymous_visitors_log_in_first(client, shared):
    response = client.get(ACROSS)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_plan_says_how_each_payment_is_booked(client, shared):
    client.force_login(shared.cem)

    response = client.get(chosen(shared.trip.group, shared.flat.group))

    assert response.status_code == 200
    plan = response.context["plan"]
    [transfer] = plan.transfers
    assert (transfer.debtor, transfer.creditor, transfer.amount) == (shared.ben, shared.cem, 3000)
    assert [
        (row.group.name, row.payer.display_name, row.payee.display_name, row.amount)
        for row in transfer.bookings
    ] == [("Trip", "Ben", "Ana", 3000), ("Flat", "Ana", "Cem", 3000)]
    assert "in Trip: Ben → Ana" in html.unescape(response.text)


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (["trip"], "Choose at least two groups"),
        (["trip", "yen"], "Choose groups with the same currency"),
        (["trip", "elsewhere"], "Choose among your own groups."),
    ],
)
def test_bad_choices_are_explained(client, shared, groups, message):
    elsewhere = GroupFactory()
    ids = {"trip": shared.trip.group.pk, "yen": shared.yen.pk, "elsewhere": elsewhere.pk}
    client.force_login(shared.ana)

    response = client.get(ACROSS, {"groups": [ids[name] for name in groups]})

    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert response.context["plan"] is None


def test_groups_where_guests_hold_balances_cannot_be_settled_across(client, shared):
    guest = GuestFactory(group=shared.trip.group, name="Gus")
    add_expense(shared.trip.group, shared.ana, paid={shared.trip.Ana: 1000}, among=[guest])
    client.force_login(shared.ana)

    response = client.get(chosen(shared.trip.group, shared.flat.group))

    assert response.status_code == 422
    assert "Trip can't be settled across groups: Gus (−10.00 EUR)" in html.unescape(response.text)


def test_a_guest_s_balance_is_named_as_the_page_writes_amounts(client, shared):
    guest = GuestFactory(group=shared.trip.group, name="Gus")
    add_expense(shared.trip.group, shared.ana, paid={shared.trip.Ana: 1000}, among=[guest])
    client.force_login(shared.ana)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    response = client.get(chosen(shared.trip.group, shared.flat.group))

    assert response.status_code == 422
    assert "Gus (−10,00\xa0€)" in html.unescape(response.text)


def record(client, plan, transfer, **fields):
    return client.post(
        reverse("settlements:across_record"),
        {
            "groups": [state.group.pk for state in plan.states],
            "debtor": transfer.debtor.pk,
            "creditor": transfer.creditor.pk,
            "amount": transfer.amount,
            "fingerprint": plan.fingerprint,
            "submission_id": uuid.uuid4(),
        }
        | fields,
    )


def test_recording_the_transfer_settles_both_groups(client, shared):
    client.force_login(shared.ben)
    url = chosen(shared.trip.group, shared.flat.group)
    plan = client.get(url).context["plan"]

    response = record(client, plan, plan.transfers[0])

    assert response.status_code == 302
    assert response.url == url
    page = client.get(url)
    assert (
        "Recorded: Ben paid Cem 30.00 EUR. Booked as: in Trip, Ben paid Ana 30.00 EUR; "
        "in Flat, Ana paid Cem 30.00 EUR." in page.text
    )
    assert set(balances(shared.trip.group, shared.flat.group).values()) == {0}
    assert "Everyone is settled up in these groups." in page.text
    assert Payment.objects.filter(note="Settled across groups: Ben paid Cem 30.00 EUR").count() == 2


def test_what_was_recorded_is_said_with_the_page_s_amounts_and_noted_in_english(client, shared):
    client.force_login(shared.ben)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    url = chosen(shared.trip.group, shared.flat.group)
    plan = client.get(url).context["plan"]

    record(client, plan, plan.transfers[0])

    said = [str(message) for message in get_messages(client.get(url).wsgi_request)]
    assert len(said) == 1
    assert said[0].count("30,00\xa0€") == 3
    assert "EUR" not in said[0]
    # The note is kept in the row and read by everyone, in every language: one language for all.
    assert Payment.objects.filter(note="Settled across groups: Ben paid Cem 30.00 EUR").count() == 2


def test_the_note_naming_two_long_names_fits_its_column(client, shared):
    longest = User._meta.get_field("display_name").max_length
    shared.ben.display_name = "Benedikt " + "b" * (longest - 9)
    shared.cem.display_name = "Cemile " + "c" * (longest - 7)
    for user in (shared.ben, shared.cem):
        user.save()
    # 6,030.00 EUR: with the two names, longer than a note can be.
    add_expense(
        shared.flat.group, shared.cem, paid={shared.flat.Cem: 600000}, among=[shared.flat.Ben]
    )
    client.force_login(shared.ben)
    plan = client.get(chosen(shared.trip.group, shared.flat.group)).context["plan"]

    response = record(client, plan, plan.transfers[0])

    assert response.status_code == 302
    notes = set(Payment.objects.values_list("note", flat=True))
    assert len(notes) == 1
    [note] = notes
    # SQLite does not enforce a column's length, so the test does.
    assert len(note) <= Payment._meta.get_field("note").max_length
    assert note.startswith("Settled across groups: Benedikt bbb")
    assert " paid Cemile ccc" in note
    assert note.endswith(" 6,030.00 EUR")


def test_a_double_submission_records_once(client, shared):
    client.force_login(shared.ben)
    plan = client.get(chosen(shared.trip.group, shared.flat.group)).context["plan"]
    submission_id = uuid.uuid4()

    record(client, plan, plan.transfers[0], submission_id=submission_id)
    response = record(client, plan, plan.transfers[0], submission_id=submission_id)

    assert response.status_code == 302
    assert Payment.objects.count() == 2
    assert "That payment was already recorded." in client.get(response.url).text


def test_a_stale_plan_is_refused(client, shared):
    client.force_login(shared.ben)
    plan = client.get(chosen(shared.trip.group, shared.flat.group)).context["plan"]
    add_expense(
        shared.flat.group, shared.cem, paid={shared.flat.Cem: 1000}, among=[shared.flat.Ben]
    )

    response = record(client, plan, plan.transfers[0])

    assert response.status_code == 422
    assert "The balances in these groups changed" in response.text
    assert not Payment.objects.exists()
    assert response.context["plan"].transfers[0].amount == 4000


def test_a_transfer_that_is_not_in_the_plan_is_refused(client, shared):
    client.force_login(shared.ben)
    plan = client.get(chosen(shared.trip.group, shared.flat.group)).context["plan"]

    response = record(client, plan, plan.transfers[0], amount=100)

    assert response.status_code == 422
    assert "That payment is not part of the plan." in response.text
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"groups": [999]}, {"debtor": ""}, {"fingerprint": ""}],
)
def test_unreadable_submissions_are_refused(client, shared, fields):
    client.force_login(shared.ben)
    plan = client.get(chosen(shared.trip.group, shared.flat.group)).context["plan"]

    response = record(client, plan, plan.transfers[0], **fields)

    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_recording_needs_post(client, shared):
    client.force_login(shared.ben)

    assert client.get(reverse("settlements:across_record")).status_code == 405


def test_balances_that_cancel_out_are_netted_without_a_payment(client, shared):
    # Ben now owes Cem 30.00 in the flat as well: his debts to Ana (trip) and to Cem (flat)
    # and Ana's to Cem leave Ana owed and owing the same.
    add_expense(
        shared.flat.group, shared.cem, paid={shared.flat.Ben: 3000}, among=[shared.flat.Cem]
    )
    client.force_login(shared.ana)
    url = chosen(shared.trip.group, shared.flat.group)
    plan = client.get(url).context["plan"]
    assert plan.transfers == []
    assert plan.netting

    response = client.post(
        reverse("settlements:across_record"),
        {
            "groups": [shared.trip.group.pk, shared.flat.group.pk],
            "fingerprint": plan.fingerprint,
            "submission_id": uuid.uuid4(),
        },
    )

    assert response.status_code == 302
    assert "Netted between groups, with no money changing hands" in client.get(url).text
    assert set(balances(shared.trip.group, shared.flat.group).values()) == {0}


def test_netting_alone_is_refused_while_payments_are_left(shared):
    states = load_groups(shared.ana, [shared.trip.group.pk, shared.flat.group.pk])
    fingerprint = AcrossPlan(states).fingerprint

    with pytest.raises(Exception, match="booked with the plan's payments"):
        record_transfer(
            user=shared.ana,
            group_ids=[shared.trip.group.pk, shared.flat.group.pk],
            transfer=None,
            expected_fingerprint=fingerprint,
            submission_id=uuid.uuid4(),
        )


def test_recording_refuses_a_group_the_user_has_left(shared):
    states = load_groups(shared.ben, [shared.trip.group.pk, shared.flat.group.pk])
    fingerprint = AcrossPlan(states).fingerprint
    Member.objects.filter(group=shared.flat.group, user=shared.ben).update(is_active=False)

    with pytest.raises(Exception, match="no longer a member"):
        record_transfer(
            user=shared.ben,
            group_ids=[shared.trip.group.pk, shared.flat.group.pk],
            transfer=Transfer(shared.ben.pk, shared.cem.pk, 3000),
            expected_fingerprint=fingerprint,
            submission_id=uuid.uuid4(),
        )


def test_a_guest_balance_appearing_meanwhile_is_refused(shared):
    ids = [shared.trip.group.pk, shared.flat.group.pk]
    fingerprint = AcrossPlan(load_groups(shared.ben, ids)).fingerprint
    guest = GuestFactory(group=shared.trip.group, name="Gus")
    add_expense(shared.trip.group, shared.ana, paid={shared.trip.Ana: 1000}, among=[guest])

    with pytest.raises(Exception, match="Gus") as error:
        record_transfer(
            user=shared.ben,
            group_ids=ids,
            transfer=Transfer(shared.ben.pk, shared.cem.pk, 3000),
            expected_fingerprint=fingerprint,
            submission_id=uuid.uuid4(),
        )

    assert not isinstance(error.value, StalePlan)
    assert not Payment.objects.exists()


def test_the_plan_across_groups_stays_stable_while_it_is_recorded(client, shared):
    # Dan joins both groups and owes in each: now two payments settle everyone.
    dan = UserFactory(display_name="Dan")
    trip_dan = MemberFactory(group=shared.trip.group, user=dan)
    flat_dan = MemberFactory(group=shared.flat.group, user=dan)
    add_expense(shared.trip.group, shared.ana, paid={shared.trip.Cem: 2000}, among=[trip_dan])
    add_expense(shared.flat.group, shared.ana, paid={shared.flat.Ana: 1500}, among=[flat_dan])
    client.force_login(shared.ana)
    url = chosen(shared.trip.group, shared.flat.group)
    plan = client.get(url).context["plan"]
    before = [(t.debtor, t.creditor, t.amount) for t in plan.transfers]
    assert len(before) >= 2

    for _ in range(len(before)):
        plan = client.get(url).context["plan"]
        last = plan.transfers[-1]
        assert record(client, plan, last).status_code == 302
        before.pop()
        remaining = client.get(url).context["plan"].transfers
        assert [(t.debtor, t.creditor, t.amount) for t in remaining] == before

    assert set(balances(shared.trip.group, shared.flat.group).values()) == {0}


@pytest.mark.parametrize("extra_people", [0, 10])
def test_the_page_costs_the_same_queries_for_any_number_of_people(
    client, shared, django_assert_num_queries, extra_people
):
    for _ in range(extra_people):
        person = UserFactory()
        for group in (shared.trip.group, shared.flat.group):
            MemberFactory(group=group, user=person)
    client.force_login(shared.ana)

    # session, user, the user's memberships, their groups' members, stored plans
    with django_assert_num_queries(5):
        response = client.get(chosen(shared.trip.group, shared.flat.group))

    assert response.context["plan"].transfers


def test_a_payment_booked_in_two_groups_counts_once(
    client, shared, django_capture_on_commit_callbacks
):
    def recorded():
        return REGISTRY.get_sample_value("splitclone_payments_recorded_total") or 0

    client.force_login(shared.ben)
    plan = client.get(chosen(shared.trip.group, shared.flat.group)).context["plan"]
    before = recorded()

    with django_capture_on_commit_callbacks(execute=True):
        record(client, plan, plan.transfers[0])

    assert Payment.objects.count() == 2
    assert recorded() == before + 1


def test_showing_the_plan_with_no_group_ticked_says_what_is_missing(client, shared):
    client.force_login(shared.ana)
    page = client.get(ACROSS)
    # What the form sends with no box ticked: its hidden fields alone.
    form = page.text.split('id="choose-heading"')[1].split("</form>")[0]
    sent = dict(re.findall(r'<input type="hidden" name="(\w+)" value="(\w+)">', form))

    response = client.get(ACROSS, sent)

    assert sent == {"plan": "show"}
    assert response.status_code == 422
    assert "Choose at least two groups to settle together." in response.text
