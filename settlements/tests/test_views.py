"""The settle-up page: suggestions recorded in one click, other payments, bad input, undo."""

import html
import re
import uuid
from unittest.mock import patch

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Member
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.models import Payment
from settlements.tests.factories import record_payment
from settlements.views import submission_id

HTMX = {"HX-Request": "true"}


def page(four):
    return reverse("settlements:settle_up", args=[four.group.pk])


def record_url(four):
    return reverse("settlements:record", args=[four.group.pk])


def place(four, sender, receiver):
    """The number of sender's payment to receiver in the plan, which its button sends."""
    suggestions = Payment.objects.suggest(four.group).suggestions
    return str(
        next(
            number
            for number, suggestion in enumerate(suggestions, 1)
            if (suggestion.debtor, suggestion.creditor) == (sender, receiver)
        )
    )


def plan_of(text):
    return text[text.index('id="suggestions"') : text.index("</ol>")]


def suggestion(four, sender, receiver, amount, **fields):
    """The POST of the "Record as paid" button of sender's payment to receiver, as the page
    fills it in: the button sends the payment's number, the field beside it the amount."""
    number = place(four, sender, receiver)
    return {
        "pay": number,
        f"amount_{number}": amount,
        "date": "2026-11-03",
        "submission_id": uuid.uuid4(),
        "fingerprint": Payment.objects.suggest(four.group).fingerprint,
    } | fields


def another(sender, receiver, amount, **fields):
    return {
        "from_member": sender.pk,
        "to_member": receiver.pk,
        "amount": amount,
        "date": "2026-11-03",
        "note": "",
        "submission_id": uuid.uuid4(),
    } | fields


def balance(member):
    return Member.objects.get(pk=member.pk).balance


def test_a_member_sees_the_plan_and_its_explanation(client, four):
    client.force_login(four.cem.user)

    response = client.get(page(four))

    assert response.status_code == 200
    text = response.text
    assert "Cem</strong> pays <strong>Ana" in text
    assert "Dan</strong> pays <strong>Ana" in text
    assert text.count("Record as paid") == 2
    assert "3 people have a balance that isn't zero" in text
    assert "1 group that settles among itself, so 3 − 1 = 2 payments" in text
    assert "no plan has fewer payments" in text


def test_the_explanation_says_when_the_search_stopped_early(client, crowd, no_time_to_search):
    client.force_login(crowd.cem.user)

    response = client.get(page(crowd))

    payments = response.text.count("Record as paid")
    assert payments > 20
    assert (
        f"This plan has {payments} payments; the search stopped after 200 ms, so a plan with "
        "fewer may exist." in html.unescape(response.text)
    )
    assert "no plan has fewer payments" not in response.text


def test_a_finished_search_proves_the_plan_of_a_large_group(client, crowd, cpu_clock):
    client.force_login(crowd.cem.user)

    response = client.get(page(crowd))

    assert "no plan has fewer payments" in response.text
    assert "the search stopped" not in response.text


def test_the_group_page_links_to_settle_up_for_plain_members(client, four):
    client.force_login(four.cem.user)

    response = client.get(reverse("pages:group", args=[four.group.pk]))

    assert page(four) in response.text


def test_an_unknown_group_is_404(client, four):
    client.force_login(four.ana.user)
    unknown = four.group.pk + 1000

    assert client.get(reverse("settlements:settle_up", args=[unknown])).status_code == 404
    response = client.post(
        reverse("settlements:record", args=[unknown]), another(four.cem, four.ana, "1")
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [("settle_up", "post"), ("record", "get"), ("delete", "put"), ("restore", "get")],
)
def test_wrong_method_is_405(client, four, name, method):
    payment = record_payment(four.cem, four.ana, 100)
    client.force_login(four.ana.user)
    args = [four.group.pk] if name in {"settle_up", "record"} else [four.group.pk, payment.pk]

    response = getattr(client, method)(reverse(f"settlements:{name}", args=args))

    assert response.status_code == 405


def test_recording_a_suggestion_with_htmx_shows_the_rest_of_the_plan(client, four):
    client.force_login(four.cem.user)

    response = client.post(
        record_url(four), suggestion(four, four.cem, four.ana, "40.00"), headers=HTMX
    )

    assert response.status_code == 200
    assert "Recorded: Cem → Ana 40.00 EUR." in response.text
    assert "<html" not in response.text
    assert "Dan</strong> pays <strong>Ana" in response.text
    assert "Cem</strong> pays" not in response.text
    assert balance(four.cem) == 0
    payment = Payment.objects.get()
    assert payment.recorded_by == four.cem.user


def test_recording_without_javascript_redirects_to_the_page(client, four):
    client.force_login(four.cem.user)

    response = client.post(record_url(four), suggestion(four, four.cem, four.ana, "40.00"))

    assert response.status_code == 302
    assert response.url == page(four)
    assert "Recorded: Cem → Ana 40.00 EUR." in client.get(response.url).text


def test_a_partial_payment_leaves_the_rest_to_pay(client, four):
    client.force_login(four.cem.user)

    response = client.post(
        record_url(four), suggestion(four, four.cem, four.ana, "15"), headers=HTMX
    )

    assert response.status_code == 200
    assert balance(four.cem) == -2500
    [row] = [row for row in response.context["settle_up"].suggestions if row.debtor == four.cem]
    assert row.amount == 2500


def test_a_double_submitted_form_records_once(client, four):
    client.force_login(four.cem.user)
    data = suggestion(four, four.cem, four.ana, "40.00")

    client.post(record_url(four), data, headers=HTMX)
    response = client.post(record_url(four), data, headers=HTMX)

    assert response.status_code == 200
    assert "Recorded: Cem → Ana 40.00 EUR." in response.text
    assert Payment.objects.count() == 1
    assert balance(four.cem) == 0


def test_a_stale_plan_is_refused_and_the_fresh_plan_shown(client, four):
    client.force_login(four.cem.user)
    data = suggestion(four, four.cem, four.ana, "40.00")
    record_payment(four.dan, four.ana, 4000)  # someone else settles meanwhile

    response = client.post(record_url(four), data, headers=HTMX)

    assert response.status_code == 422
    assert "The balances changed since this page was shown" in response.text
    assert Payment.objects.count() == 1
    assert "Dan</strong> pays" not in response.text
    assert "Cem</strong> pays <strong>Ana" in response.text


def test_an_invalid_form_from_a_stale_plan_shows_the_fresh_plan(client, four):
    client.force_login(four.cem.user)
    data = suggestion(four, four.cem, four.ana, "nonsense")
    record_payment(four.dan, four.ana, 4000)

    response = client.post(record_url(four), data, headers=HTMX)

    assert response.status_code == 422
    assert "The balances changed since this page was shown" in response.text
    assert 'value="nonsense"' not in response.text


def test_a_plan_going_stale_during_the_request_is_refused_too(client, four):
    """The fingerprint is checked again under the group lock, where it cannot change."""
    client.force_login(four.cem.user)
    data = suggestion(four, four.cem, four.ana, "40.00")
    shown = Payment.objects.suggest(four.group)
    record_payment(four.dan, four.ana, 4000)

    with patch.object(Payment.objects, "suggest", return_value=shown):
        response = client.post(record_url(four), data, headers=HTMX)

    assert response.status_code == 422
    assert "The balances changed since this page was shown" in response.text
    assert Payment.objects.count() == 1


def test_paying_more_than_owed_asks_to_confirm(client, four):
    client.force_login(four.cem.user)
    data = suggestion(four, four.cem, four.ana, "50.00")

    response = client.post(record_url(four), data, headers=HTMX)

    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "50.00 EUR is more than Cem owes (40.00 EUR)" in text
    assert "afterwards Cem's balance would be 10.00 EUR and Ana's 30.00 EUR" in text
    assert "Yes, record it anyway" in response.text
    assert not Payment.objects.exists()

    assert f'name="confirming" value="{data["pay"]}"' in response.text
    confirmed = data | {"confirm": "on", "confirming": data["pay"]}
    response = client.post(record_url(four), confirmed, headers=HTMX)

    assert response.status_code == 200
    assert balance(four.cem) == 1000


def test_paying_someone_who_is_not_owed_asks_to_confirm(client, four):
    client.force_login(four.cem.user)

    response = client.post(record_url(four), another(four.cem, four.ben, "10"), headers=HTMX)

    assert response.status_code == 422
    assert "more than Ben is owed (0.00 EUR)" in response.text
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Enter an amount above zero."),
        ("-5", "Amounts can&#x27;t be negative."),
        ("abc", "Enter a number"),
        ("", "This field is required."),
        ("1.234", "at most 2 decimals"),
    ],
)
def test_bad_amounts_are_refused(client, four, amount, message):
    client.force_login(four.cem.user)

    response = client.post(record_url(four), another(four.cem, four.ana, amount), headers=HTMX)

    assert response.status_code == 422
    assert message in response.text
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("1000-01-01", "Pick a date in 1900 or later."),
        ("2999-01-01", "That date is more than a year away; check the year."),
    ],
)
def test_dates_out_of_range_are_refused(client, four, date, message):
    client.force_login(four.cem.user)

    response = client.post(
        record_url(four), another(four.cem, four.ana, "10", date=date), headers=HTMX
    )

    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert not Payment.objects.exists()


def test_a_suggestion_sent_with_a_date_out_of_range_is_refused(client, four):
    client.force_login(four.cem.user)

    response = client.post(
        record_url(four),
        suggestion(four, four.cem, four.ana, "40", date="1000-01-01"),
        headers=HTMX,
    )

    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_a_bad_amount_in_a_suggestion_is_shown_on_that_suggestion(client, four):
    client.force_login(four.cem.user)

    response = client.post(
        record_url(four), suggestion(four, four.cem, four.ana, "zero"), headers=HTMX
    )

    assert response.status_code == 422
    assert 'value="zero"' in response.text
    assert "Enter a number" in response.text


def test_paying_oneself_is_refused(client, four):
    client.force_login(four.cem.user)

    response = client.post(record_url(four), another(four.cem, four.cem, "10"), headers=HTMX)

    assert response.status_code == 422
    assert "Someone can&#x27;t pay themselves" in response.text
    assert not Payment.objects.exists()


def test_members_of_another_group_cannot_be_named(client, four):
    stranger = MemberFactory(group=GroupFactory(), user=UserFactory())
    client.force_login(four.cem.user)

    response = client.post(record_url(four), another(four.cem, stranger, "10"), headers=HTMX)

    assert response.status_code == 422
    assert "Choose a member." in response.text
    assert not Payment.objects.exists()


def test_a_member_deactivated_meanwhile_is_refused(client, four):
    client.force_login(four.ben.user)
    shown = Payment.objects.suggest(four.group)
    four.group.deactivate_member(four.cem, actor=four.ana.user)

    with patch.object(Payment.objects, "suggest", return_value=shown):
        response = client.post(record_url(four), another(four.cem, four.ana, "40"), headers=HTMX)

    assert response.status_code == 422
    assert "only be recorded between active members" in response.text
    assert not Payment.objects.exists()


def test_another_payment_with_a_note(client, four):
    client.force_login(four.ben.user)

    response = client.post(
        record_url(four), another(four.dan, four.ana, "12,50", note="Cash at the station")
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.note) == (1250, "Cash at the station")
    assert "Cash at the station" in client.get(page(four)).text


def test_the_other_payment_form_is_current_and_sendable_on_every_page(four):
    """The form is kept once rendered: it still names the members as they are now, and each page
    gives it a token Django accepts and a submission id of its own."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(four.cem.user)

    def other_form(text):
        return text[text.index('id="another-heading"') : text.index('id="payments-heading"')]

    first = other_form(client.get(page(four)).text)
    Member.objects.filter(pk=four.dan.pk).update(name="Daniel")
    GuestFactory(group=four.group, name="Eva")
    second = other_form(client.get(page(four)).text)

    assert ">Dan</option>" in first
    assert "Eva" not in first
    assert ">Daniel</option>" in second
    assert ">Eva</option>" in second
    submitted = set()
    for text in (first, second):
        token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', text).group(1)
        submission = re.search(r'name="submission_id" value="([-\w]+)"', text).group(1)
        submitted.add(submission)
        data = another(four.dan, four.ana, "5.00", submission_id=submission)
        response = client.post(record_url(four), data | {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
    assert len(submitted) == 2
    assert Payment.objects.count() == 2


def test_delete_and_undo(client, four):
    payment = record_payment(four.cem, four.ana, 4000)
    client.force_login(four.ben.user)

    response = client.post(
        reverse("settlements:delete", args=[four.group.pk, payment.pk]), headers=HTMX
    )

    assert response.status_code == 200
    assert "Deleted the payment Cem → Ana 40.00 EUR." in response.text
    assert "Undo: restore" in response.text
    assert balance(four.cem) == -4000

    response = client.post(reverse("settlements:restore", args=[four.group.pk, payment.pk]))

    assert response.status_code == 302
    assert balance(four.cem) == 0


def test_deleting_a_payment_asks_first(client, four):
    payment = record_payment(four.cem, four.ana, 4000)
    client.force_login(four.ben.user)
    url = reverse("settlements:delete", args=[four.group.pk, payment.pk])

    response = client.get(url)
    settle_up = client.get(page(four))

    assert response.status_code == 200
    assert "Delete the payment Cem → Ana 40.00 EUR?" in response.text
    assert '<button type="submit" class="button-danger">Delete the payment</button>' in (
        response.text
    )
    payment.refresh_from_db()
    assert payment.deleted_at is None
    delete = re.search(
        r'<a class="button button-small button-destructive"[^>]*>Delete</a>', (settle_up.text)
    ).group(0)
    assert f'href="{url}"' in delete
    assert f'hx-post="{url}"' in delete
    assert 'hx-confirm="Delete the payment Cem → Ana 40.00 EUR?"' in delete
    assert "button-danger" not in settle_up.text


def test_payments_of_another_group_are_404(client, four):
    other = GuestFactory(group=GroupFactory())
    payment = record_payment(other, GuestFactory(group=other.group), 100)
    client.force_login(four.ana.user)

    response = client.post(reverse("settlements:delete", args=[four.group.pk, payment.pk]))

    assert response.status_code == 404
    payment.refresh_from_db()
    assert payment.deleted_at is None


def test_a_deactivated_member_s_debt_is_shown_without_a_button(client, four):
    four.group.deactivate_member(four.cem, actor=four.ana.user)
    client.force_login(four.ana.user)

    response = client.get(page(four))

    assert "Cem has been deactivated: reactivate them" in response.text
    assert response.text.count("Record as paid") == 1


def test_a_settled_group(client, four):
    record_payment(four.cem, four.ana, 4000)
    record_payment(four.dan, four.ana, 4000)
    client.force_login(four.ana.user)

    response = client.get(page(four))

    assert "Everyone is settled up." in response.text
    assert "Why these payments?" not in response.text


def test_without_simplifying_the_page_says_why_there_are_more_payments(client, four):
    four.group.simplify_debts = False
    four.group.save()
    client.force_login(four.ana.user)

    response = client.get(page(four))

    assert "“Simplify debts” is off for this group" in response.text
    assert reverse("groups:edit", args=[four.group.pk]) in response.text


@pytest.mark.parametrize(("amount", "status"), [("10.00", 200), ("10.01", 422)])
def test_a_pairwise_suggestion_is_recorded_without_asking_even_if_it_turns_a_balance(
    client, db, amount, status
):
    """Without simplifying, Ben passes on what Cem owes him: paying Ana first takes his own
    balance below zero until Cem pays, and that is no reason to ask. More than planned is."""
    ana = UserFactory(display_name="Ana")
    group = GroupFactory(created_by=ana, simplify_debts=False)
    ana_member = MemberFactory(group=group, user=ana)
    ben = MemberFactory(group=group, user=UserFactory(display_name="Ben"))
    cem = GuestFactory(group=group, name="Cem")
    add_expense(group, ana, paid={ana_member: 1000}, among=[ben])
    add_expense(group, ana, paid={ben: 1000}, among=[cem])
    client.force_login(ana)
    data = {
        "from_member": ben.pk,
        "to_member": ana_member.pk,
        "amount": amount,
        "date": "2026-11-03",
        "submission_id": uuid.uuid4(),
        "fingerprint": Payment.objects.suggest(group).fingerprint,
    }

    response = client.post(reverse("settlements:record", args=[group.pk]), data, headers=HTMX)

    assert response.status_code == status
    assert ("Yes, record it anyway" in response.text) == (status == 422)
    assert Payment.objects.filter(group=group).count() == (status == 200)


@pytest.mark.parametrize("extra_members", [0, 25])
def test_the_page_costs_the_same_queries_for_any_group_size(
    client, four, django_assert_num_queries, extra_members
):
    for n in range(extra_members):
        guest = GuestFactory(group=four.group)
        record_payment(guest, four.ben, 100 + n)
    record_payment(four.cem, four.ana, 1000)
    client.force_login(four.ana.user)

    # session, user, membership, members with users, stored plans, latest payments, pending
    # payments' total (the viewer pays no one: nothing about how to pay)
    with django_assert_num_queries(7):
        response = client.get(page(four))

    assert response.status_code == 200


@pytest.fixture
def big(four):
    """Four plus 14 guests, seven owing 10.00 each to the other seven: 17 people with a balance,
    more than the page shows in full, and Cem (the viewer) in one suggestion of nine."""
    guests = [GuestFactory(group=four.group, name=f"Guest {n:02}") for n in range(14)]
    for debtor, creditor in zip(guests[:7], guests[7:], strict=True):
        add_expense(four.group, four.ana.user, paid={creditor: 1000}, among=[debtor])
    return four


def test_a_plan_is_one_form_with_one_token_and_a_button_per_payment(client, big):
    client.force_login(big.cem.user)

    response = client.get(page(big))

    plan = plan_of(response.text)
    assert plan.count("Record as paid") == 9
    # The plan's form carries the token once; the other-payment form, the log-out form and the
    # language switcher theirs.
    assert response.text.count('name="csrfmiddlewaretoken"') == 4
    # Only the viewer's own payment can be changed to a partial amount here.
    assert re.findall(r'name="amount_(\d+)"', plan) == [place(big, big.cem, big.ana)]
    assert "change the amount of your own" in response.text


def test_in_a_big_group_the_balances_table_is_one_link_away(client, big):
    client.force_login(big.cem.user)

    folded = client.get(page(big)).text
    unfolded = client.get(page(big) + "?explain").text

    assert "<table>" not in folded
    assert '<a href="?explain#explain">' in folded
    assert '<details class="explain" id="explain" open>' in unfolded
    assert unfolded.count('<th scope="row">') == 17


def test_a_button_without_an_amount_field_records_the_whole_payment(client, big):
    client.force_login(big.cem.user)
    settle_up = Payment.objects.suggest(big.group)
    number = next(
        number
        for number, suggestion in enumerate(settle_up.suggestions, 1)
        if suggestion.debtor.name == "Guest 00"
    )
    data = {
        "pay": str(number),
        "date": "2026-11-03",
        "submission_id": uuid.uuid4(),
        "fingerprint": settle_up.fingerprint,
    }

    response = client.post(record_url(big), data, headers=HTMX)

    assert response.status_code == 200
    payment = Payment.objects.get()
    assert (payment.from_member.name, payment.amount) == ("Guest 00", 1000)


@pytest.mark.parametrize("number", ["0", "3", "x", ""])
def test_a_button_naming_no_payment_of_the_plan_records_nothing(client, four, number):
    client.force_login(four.cem.user)
    data = suggestion(four, four.cem, four.ana, "40.00") | {"pay": number}

    response = client.post(record_url(four), data, headers=HTMX)

    assert response.status_code == 422
    assert "The balances changed since this page was shown" in response.text
    assert not Payment.objects.exists()


def test_each_button_of_the_plan_is_a_submission_of_its_own():
    shown = str(uuid.uuid4())

    first = submission_id({"pay": "1", "submission_id": shown})

    assert first == submission_id({"pay": "1", "submission_id": shown})
    assert first != submission_id({"pay": "2", "submission_id": shown})
    assert submission_id({"pay": "1", "submission_id": "nonsense"}) is None


def test_the_box_ticked_for_one_payment_does_not_confirm_another(client, four):
    client.force_login(four.cem.user)
    dan = place(four, four.dan, four.ana)
    data = suggestion(four, four.cem, four.ana, "50.00") | {"confirm": "on", "confirming": dan}

    response = client.post(record_url(four), data, headers=HTMX)

    assert response.status_code == 422
    assert "Yes, record it anyway" in response.text
    assert not Payment.objects.exists()
