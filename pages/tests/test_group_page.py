"""The group page: the viewer's position first, who owes whom and balances in words, then the
expenses and activity; managing people is on its own page."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from expenses.tests.factories import add_expense
from groups.models import Member, Role
from groups.tests.factories import GroupFactory, MemberFactory
from pages.tests.reading import balances, items, payment_lines, section, text_of
from pages.views import MEMBERS_SHOWN_IN_FULL
from settlements.tests.factories import record_payment

pytestmark = pytest.mark.django_db


def group_page(client, group):
    response = client.get(reverse("pages:group", args=[group.pk]))
    assert response.status_code == 200
    return response.text


def test_the_viewer_who_is_owed_reads_it_first(client, world):
    client.force_login(world.owner)

    page = group_page(client, world.group)

    assert text_of(section(page, "position-heading")) == "You get back 15.00 EUR"
    assert items(section(page, "position"), "payment-line") == ["Max Member pays you 15.00 EUR"]
    assert items(section(page, "balances"), "balance-line") == [
        "You get back 15.00 EUR",
        "Alice guest is settled up",
        "Max Member owes 15.00 EUR",
    ]


def test_names_in_the_balances_are_written_as_text_not_markup(client, world):
    world.guest.name = "<b>Al</b> & Co"
    world.guest.save()
    world.member.display_name = "Max <i>M</i>"
    world.member.save()
    client.force_login(world.owner)

    balances_html = section(group_page(client, world.group), "balances")

    assert "&lt;b&gt;Al&lt;/b&gt; &amp; Co" in balances_html
    assert "Max &lt;i&gt;M&lt;/i&gt;" in balances_html
    assert "<b>" not in balances_html
    assert "<i>" not in balances_html


def test_the_viewer_who_owes_reads_whom_to_pay(client, world):
    client.force_login(world.member)

    page = group_page(client, world.group)

    assert text_of(section(page, "position-heading")) == "You owe 15.00 EUR"
    assert items(section(page, "position"), "payment-line") == ["You pay Olivia Owner 15.00 EUR"]
    assert "Olivia Owner gets back 15.00 EUR" in items(section(page, "balances"), "balance-line")
    # Nobody else owes anybody: no second list.
    assert 'id="who-owes-whom"' not in page


def test_a_settled_viewer_reads_so_and_sees_what_the_others_pay(client, world):
    record_payment(world.member_membership, world.owner_membership, 1500)
    add_expense(world.group, world.owner, paid={world.guest: 600}, among=[world.member_membership])
    client.force_login(world.owner)

    page = group_page(client, world.group)

    assert text_of(section(page, "position-heading")) == "You are settled up"
    assert "payment-line" not in section(page, "position")
    assert items(section(page, "who-owes-whom"), "payment-line") == [
        "Max Member pays Alice 6.00 EUR"
    ]


def test_the_page_reads_top_down_position_payments_balances_expenses_activity(client, world):
    add_expense(world.group, world.owner, paid={world.owner_membership: 900}, among=[world.guest])
    client.force_login(world.member)

    page = group_page(client, world.group)

    landmarks = [
        'id="position"',
        'id="who-owes-whom"',
        'id="balances"',
        'id="expenses-heading"',
        'id="activity-heading"',
    ]
    assert [page.index(landmark) for landmark in landmarks] == sorted(
        page.index(landmark) for landmark in landmarks
    )


def test_managing_people_is_a_link_away_not_on_the_page(client, world):
    client.force_login(world.owner)

    page = group_page(client, world.group)

    assert f'href="{reverse("groups:members", args=[world.group.pk])}"' in page
    assert "Add or manage people →" in page
    for manager_form in ("Add people you know", "guest_name", "Change role", "Deactivate"):
        assert manager_form not in page


def test_a_plain_member_gets_the_people_link_without_the_promise_to_manage(client, world):
    client.force_login(world.member)

    page = group_page(client, world.group)

    assert f'href="{reverse("groups:members", args=[world.group.pk])}"' in page
    assert "Add or manage people" not in page


def big_group(owner, size):
    """`size` members besides the owner, each owing the owner for one expense."""
    group = GroupFactory(created_by=owner)
    owner_membership = MemberFactory(group=group, user=owner, role=Role.OWNER)
    for _ in range(size):
        member = MemberFactory(group=group)
        add_expense(group, owner, paid={owner_membership: 1000}, among=[owner_membership, member])
    return group


def test_a_big_group_shows_the_viewers_payments_and_links_to_everyones(client):
    owner = UserFactory(display_name="Olivia")
    group = big_group(owner, MEMBERS_SHOWN_IN_FULL)
    viewer = group.members.exclude(user=owner).first()
    other = group.members.exclude(user=owner).exclude(pk=viewer.pk).first()
    # Owed by someone else now, the viewer is no longer in every payment of the plan.
    add_expense(group, owner, paid={viewer: 3000}, among=[other])
    client.force_login(viewer.user)

    page = group_page(client, group)

    name = viewer.display_name
    everyone = payment_lines(client.get(reverse("pages:pairs", args=[group.pk])).text, viewer=name)
    mine = payment_lines(section(page, "position"), viewer=name)
    assert mine == {pair: amount for pair, amount in everyone.items() if name in pair}
    assert len(everyone) > len(mine) > 0
    assert "payment-line" not in section(page, "who-owes-whom")
    assert reverse("pages:pairs", args=[group.pk]) in page
    assert '<details class="balances">' in page
    assert len(balances(page, name)) == MEMBERS_SHOWN_IN_FULL + 1


def test_a_small_group_shows_every_payment_and_its_balances_open(client, world):
    add_expense(world.group, world.owner, paid={world.owner_membership: 900}, among=[world.guest])
    client.force_login(world.member)

    page = group_page(client, world.group)

    assert items(section(page, "who-owes-whom"), "payment-line") == [
        "Alice pays Olivia Owner 9.00 EUR"
    ]
    assert reverse("pages:pairs", args=[world.group.pk]) not in page
    assert '<details class="balances">' not in page


@pytest.mark.parametrize("simplify_debts", [True, False])
@pytest.mark.parametrize("size", [1, 50])
def test_group_page_query_count_does_not_grow_with_members(
    client, django_assert_num_queries, size, simplify_debts
):
    owner = UserFactory()
    group = big_group(owner, size)
    group.simplify_debts = simplify_debts
    group.save()
    client.force_login(owner)

    # session, user, membership with group, members with users, stored plans (simplifying) or
    # pairwise balances (not), activity page with actors, expense page, payment page, the shown
    # expenses' payers and shares, what repeats next, pending payments' total, and the visit
    # recorded (the first one); and the first time these balances are seen when simplifying,
    # the plan worked out for them is kept and the group's plan summary dropped
    with django_assert_num_queries(13 + 2 * simplify_debts):
        response = client.get(reverse("pages:group", args=[group.pk]))
    # A visit after which nothing happened records nothing.
    with django_assert_num_queries(12):
        client.get(reverse("pages:group", args=[group.pk]))

    assert response.status_code == 200
    assert Member.objects.filter(group=group).count() == size + 1
    assert len(balances(response.text, owner.display_name)) == size + 1
    assert text_of(section(response.text, "position-heading")) == (
        f"You get back {5 * size}.00 EUR"
    )


@pytest.mark.parametrize("size", [1, 50])
def test_pairs_page_query_count_does_not_grow_with_members(client, django_assert_num_queries, size):
    owner = UserFactory()
    group = big_group(owner, size)
    client.force_login(owner)

    # session, user, membership with group, members with users, stored plans; and the first
    # time these balances are seen, the plan worked out for them is kept and the group's plan
    # summary dropped
    with django_assert_num_queries(7):
        client.get(reverse("pages:pairs", args=[group.pk]))
    with django_assert_num_queries(5):
        response = client.get(reverse("pages:pairs", args=[group.pk]))

    assert len(items(response.text, "payment-line")) == size
