import html
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from expenses.models import Expense
from groups.models import Activity, Member
from groups.tests.conftest import PNG_BYTES
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def trio(world):
    """The world's group with a third person, and the balances before any test posts."""
    world.bob = GuestFactory(group=world.group, name="Bob")
    return world


def form_data(world, **overrides):
    people = [world.owner_membership, world.member_membership, world.bob]
    data = {
        "description": "Groceries",
        "amount": "100.00",
        "date": "2026-11-20",
        "category": "groceries",
        "paid_by": world.owner_membership.pk,
        "split_kind": "equal",
        "submission_id": str(uuid.uuid4()),
        "action": "save",
    }
    for member in people:
        data[f"include_{member.pk}"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def balances(world):
    members = Member.objects.filter(group=world.group).select_related("user")
    return {member.display_name: member.balance for member in members}


def post_expense(client, world, **overrides):
    return client.post(
        reverse("expenses:create", args=[world.group.pk]), form_data(world, **overrides)
    )


def test_an_equal_split_moves_balances_to_the_cent(client, trio):
    client.force_login(trio.owner)
    before = balances(trio)

    response = post_expense(client, trio)

    assert response.status_code == 302
    after = balances(trio)
    # 100.00 three ways: 33.34 + 33.33 + 33.33, the owner paid it all.
    changes = {name: after[name] - before[name] for name in after}
    assert changes["Olivia Owner"] in {10000 - 3334, 10000 - 3333}
    assert sorted([changes["Max Member"], changes["Bob"]]) in ([-3334, -3333], [-3333, -3333])
    assert sum(changes.values()) == 0
    assert sum(after.values()) == 0


def test_exact_amounts_with_two_payers(client, trio):
    client.force_login(trio.owner)
    before = balances(trio)
    overrides = {
        "split_kind": "exact",
        "paid_by": "",
        f"paid_{trio.owner_membership.pk}": "60",
        f"paid_{trio.bob.pk}": "40.00",
        f"value_{trio.owner_membership.pk}": "10",
        f"value_{trio.member_membership.pk}": "50",
        f"value_{trio.bob.pk}": "40",
    }

    response = post_expense(client, trio, **overrides)

    assert response.status_code == 302
    after = balances(trio)
    assert after["Olivia Owner"] - before["Olivia Owner"] == 6000 - 1000
    assert after["Max Member"] - before["Max Member"] == -5000
    assert after["Bob"] - before["Bob"] == 0
    expense = Expense.objects.latest("id")
    assert {s.member_id: s.entered for s in expense.shares.all()}[trio.member_membership.pk] == "50"


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [
        ("percent", ("50", "25", "25"), (5000, 2500, 2500)),
        ("shares", ("2", "1", "1"), (5000, 2500, 2500)),
        ("shares", ("1.5", "1", "0"), (6000, 4000, 0)),
    ],
)
def test_proportional_kinds(client, trio, kind, values, expected):
    client.force_login(trio.member)
    people = [trio.owner_membership, trio.member_membership, trio.bob]
    overrides = {"split_kind": kind, "paid_by": trio.bob.pk}
    overrides |= {f"value_{m.pk}": v for m, v in zip(people, values, strict=True)}

    response = post_expense(client, trio, **overrides)

    assert response.status_code == 302
    shares = {s.member_id: s.amount for s in Expense.objects.latest("id").shares.all()}
    assert [shares[m.pk] for m in people] == list(expected)


@pytest.mark.parametrize(("more", "less"), [("10", "-5"), ("+10", "\N{MINUS SIGN}5")])
def test_adjustments_shift_an_equal_split(client, trio, more, less):
    client.force_login(trio.owner)
    people = [trio.owner_membership, trio.member_membership, trio.bob]
    adjustments = {trio.owner_membership.pk: 1000, trio.member_membership.pk: -500, trio.bob.pk: 0}
    overrides = {"split_kind": "adjustment", f"value_{trio.owner_membership.pk}": more}
    overrides[f"value_{trio.member_membership.pk}"] = less

    response = post_expense(client, trio, **overrides)

    assert response.status_code == 302
    shares = {s.member_id: s.amount for s in Expense.objects.latest("id").shares.all()}
    # 100.00 − 5.00 of adjustments leaves 95.00 to split equally: 31.67 + 31.67 + 31.66.
    equal_parts = sorted(shares[m.pk] - adjustments[m.pk] for m in people)
    assert equal_parts == [3166, 3167, 3167]
    assert sum(shares.values()) == 10000


def test_the_form_says_what_an_adjustment_does(client, trio):
    client.force_login(trio.owner)

    response = client.get(reverse("expenses:create", args=[trio.group.pk]))

    text = " ".join(response.text.split())
    assert "The adjustments are taken off the total, the rest is split equally" in text
    assert "so Ann pays 34 and the others 28 each" in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "0"}, "more than zero"),
        ({"amount": "-5"}, "negative"),
        ({"amount": "abc"}, "number"),
        ({"amount": "100000000000.01"}, "too large"),
        ({"amount": "10.001"}, "at most 2 decimals"),
        ({"date": "2099-01-01"}, "more than a year away"),
        ({"date": "1899-12-31"}, "1900 or later"),
        ({"description": ""}, "required"),
        ({"split_kind": "exact"}, "add up to"),
        ({"split_kind": "percent"}, "add up to 0%"),
        ({"split_kind": "shares"}, "share above zero"),
        # "Several people" paid, with no amounts entered; or no choice sent at all.
        ({"paid_by": ""}, "Enter what each person paid"),
        ({"paid_by": None}, "Enter what each person paid"),
    ],
)
def test_bad_input_is_explained_and_nothing_changes(client, trio, overrides, message):
    client.force_login(trio.owner)
    before = balances(trio)
    count = Expense.objects.count()

    response = post_expense(client, trio, **overrides)

    assert response.status_code == 422
    assert message in response.text
    assert Expense.objects.count() == count
    assert balances(trio) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "10,001"}, "Beträge in EUR haben höchstens 2 Nachkommastellen."),
        ({"split_kind": "percent"}, "Die Prozente ergeben zusammen 0 %, nicht 100 %."),
        ({"date": "1899-12-31"}, "Wähle ein Datum ab 1900."),
        ({"paid_by": ""}, "Gib ein, was jede Person bezahlt hat, oder wähle, wer bezahlt hat."),
    ],
)
def test_bad_input_is_explained_in_the_readers_language(client, trio, overrides, message):
    client.force_login(trio.owner)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = post_expense(client, trio, **overrides)

    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert "Neue Ausgabe" in response.text


def test_an_amount_paid_by_someone_from_another_group_is_not_an_amount(client, trio):
    stranger = MemberFactory(group=GroupFactory())
    client.force_login(trio.owner)
    before = balances(trio)
    count = Expense.objects.count()

    response = post_expense(client, trio, paid_by="", **{f"paid_{stranger.pk}": "100"})

    assert response.status_code == 422
    assert "Enter what each person paid" in response.text
    assert Expense.objects.count() == count
    assert balances(trio) == before


def test_amounts_for_people_outside_the_group_are_ignored(client, trio):
    stranger = MemberFactory(group=GroupFactory())
    client.force_login(trio.owner)
    overrides = {
        "paid_by": "",
        f"paid_{trio.owner_membership.pk}": "100",
        f"paid_{stranger.pk}": "50",
        f"include_{stranger.pk}": "on",
        f"value_{stranger.pk}": "10",
    }

    response = post_expense(client, trio, **overrides)

    assert response.status_code == 302
    expense = Expense.objects.latest("id")
    assert expense.paid_and_owed()[0] == {trio.owner_membership.pk: 10000}
    assert stranger.pk not in expense.paid_and_owed()[1]
    assert Member.objects.get(pk=stranger.pk).balance == 0


def test_no_participants_is_refused(client, trio):
    client.force_login(trio.owner)
    data = {k: v for k, v in form_data(trio).items() if not k.startswith("include_")}

    response = client.post(reverse("expenses:create", args=[trio.group.pk]), data)

    assert response.status_code == 422
    assert "Choose at least one person" in response.text


def test_a_payer_from_another_group_is_refused(client, trio):
    stranger = MemberFactory(group=GroupFactory())
    client.force_login(trio.owner)
    count = Expense.objects.count()

    response = post_expense(client, trio, paid_by=stranger.pk)

    assert response.status_code == 422
    assert "valid choice" in response.text
    assert Expense.objects.count() == count


def test_a_deactivated_member_cannot_take_part(client, trio):
    Member.objects.filter(pk=trio.bob.pk).update(is_active=False)
    client.force_login(trio.owner)

    response = post_expense(client, trio, paid_by=trio.bob.pk)

    assert response.status_code == 422
    assert not Expense.objects.filter(description="Groceries").exists()


def test_receipts_are_checked_by_content(client, trio):
    client.force_login(trio.owner)
    disguised = SimpleUploadedFile("receipt.png", b"MZ\x90\x00 not an image", "image/png")

    response = client.post(
        reverse("expenses:create", args=[trio.group.pk]), form_data(trio) | {"receipt": disguised}
    )

    assert response.status_code == 422
    assert "must be a JPEG, PNG or WebP image or a PDF" in response.text


def test_oversized_receipts_are_refused(client, trio, monkeypatch):
    monkeypatch.setattr("expenses.forms.RECEIPT_MAX_BYTES", 16)
    client.force_login(trio.owner)
    upload = SimpleUploadedFile("r.png", PNG_BYTES, "image/png")

    response = client.post(
        reverse("expenses:create", args=[trio.group.pk]), form_data(trio) | {"receipt": upload}
    )

    assert response.status_code == 422
    assert "larger than 10 MB" in response.text


def test_a_receipt_is_stored_and_served_to_members(client, trio):
    client.force_login(trio.owner)
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7 fake", "application/pdf")
    client.post(
        reverse("expenses:create", args=[trio.group.pk]), form_data(trio) | {"receipt": upload}
    )
    expense = Expense.objects.get(description="Groceries")

    response = client.get(reverse("expenses:receipt", args=[trio.group.pk, expense.pk]))

    assert b"".join(response.streaming_content) == b"%PDF-1.7 fake"
    assert not expense.receipt.name.endswith("scan.pdf")


def test_a_double_submitted_form_saves_once(client, trio):
    client.force_login(trio.owner)
    data = form_data(trio)
    url = reverse("expenses:create", args=[trio.group.pk])

    first = client.post(url, data)
    second = client.post(url, data)

    assert first.status_code == second.status_code == 302
    assert Expense.objects.filter(description="Groceries").count() == 1
    assert sum(balances(trio).values()) == 0


def test_the_htmx_preview_shows_each_share_and_the_leftover(client, trio):
    client.force_login(trio.owner)

    response = client.post(
        reverse("expenses:preview", args=[trio.group.pk]), form_data(trio), headers=HTMX
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.count("33.33 EUR") + response.text.count("33.34 EUR") == 3
    assert response.text.count('class="leftover"') == 1
    assert not Expense.objects.filter(description="Groceries").exists()


def test_the_preview_explains_errors(client, trio):
    client.force_login(trio.owner)

    response = client.post(
        reverse("expenses:preview", args=[trio.group.pk]),
        form_data(trio, split_kind="percent", **{f"value_{trio.bob.pk}": "40"}),
        headers=HTMX,
    )

    assert "add up to 40%, not 100%" in response.text


def test_the_preview_of_an_edit_uses_the_expense(client, trio):
    client.force_login(trio.owner)
    # Max is no longer active, but is on the expense: the edit's preview still lists him.
    trio.member_membership.is_active = False
    trio.member_membership.save()

    response = client.post(
        reverse("expenses:preview", args=[trio.group.pk]),
        form_data(trio, expense_id=trio.expense.pk),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Max Member" in response.text


@pytest.mark.parametrize("expense_id", ["²", "١", "junk", "-1", "9" * 19, "9" * 30])
def test_the_preview_for_an_expense_id_that_cannot_be_one_is_404(client, trio, expense_id):
    client.force_login(trio.owner)

    response = client.post(
        reverse("expenses:preview", args=[trio.group.pk]),
        form_data(trio, expense_id=expense_id),
        headers=HTMX,
    )

    assert response.status_code == 404


def test_the_preview_for_another_groups_expense_is_404(client, trio):
    other = GroupFactory()
    MemberFactory(group=other, user=trio.owner)
    client.force_login(trio.owner)

    response = client.post(
        reverse("expenses:preview", args=[other.pk]),
        form_data(trio, expense_id=trio.expense.pk),
        headers=HTMX,
    )

    assert response.status_code == 404


def test_preview_without_javascript_saves_nothing(client, trio):
    client.force_login(trio.owner)

    response = post_expense(client, trio, action="preview")

    assert response.status_code == 200
    assert "+1 leftover" in response.text
    assert "<html" in response.text
    assert not Expense.objects.filter(description="Groceries").exists()


def test_an_exception_while_saving_leaves_nothing_behind(client, trio, monkeypatch):
    client.force_login(trio.owner)
    before = balances(trio)
    count = Expense.objects.count()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("ledger.books.apply", fail)
    with pytest.raises(RuntimeError):
        post_expense(client, trio)

    assert Expense.objects.count() == count
    assert balances(trio) == before


def edit_data(world, expense, **overrides):
    data = form_data(world, description=expense.description, amount="40", version=expense.version)
    data["submission_id"] = str(expense.submission_id)
    data.update(overrides)
    return data


def test_editing_moves_balances_by_the_difference(client, trio):
    client.force_login(trio.owner)
    expense = trio.expense
    url = reverse("expenses:edit", args=[trio.group.pk, expense.pk])

    page = client.get(url)
    response = client.post(url, edit_data(trio, expense))

    assert page.status_code == 200
    assert 'value="30.00"' in page.text
    assert response.status_code == 302
    # Formerly 30.00 between two; now 40.00 among three, all paid by the owner.
    shares = {s.member.display_name: s.amount for s in expense.shares.select_related("member")}
    assert sorted(shares.values()) == [1333, 1333, 1334]
    assert balances(trio) == {
        "Olivia Owner": 4000 - shares["Olivia Owner"],
        "Max Member": -shares["Max Member"],
        "Bob": -shares["Bob"],
        "Alice": 0,
    }
    expense.refresh_from_db()
    assert expense.version == 2


def test_renaming_a_long_description_is_saved_with_a_summary_that_fits(client, trio):
    client.force_login(trio.owner)
    old, new = "Dinner " + "a" * 193, "Supper " + "b" * 193
    post_expense(client, trio, description=old)
    expense = Expense.objects.get(description=old)
    url = reverse("expenses:edit", args=[trio.group.pk, expense.pk])

    response = client.post(url, edit_data(trio, expense, description=new, amount="123.45"))

    assert response.status_code == 302
    expense.refresh_from_db()
    assert expense.description == new
    [entry] = trio.group.activities.filter(verb="expense_edited")
    # SQLite does not enforce a column's length, so the test does.
    assert len(entry.summary) <= Activity._meta.get_field("summary").max_length
    assert entry.summary.startswith("edited “Supper bbb")
    assert "renamed it from “Dinner aaa" in entry.summary
    assert "amount 100.00 EUR → 123.45 EUR" in entry.summary


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(client, trio):
    client.force_login(trio.owner)
    expense = trio.expense
    url = reverse("expenses:edit", args=[trio.group.pk, expense.pk])
    client.post(url, edit_data(trio, expense, amount="50"))  # someone else saves first

    response = client.post(url, edit_data(trio, expense, amount="45", description="Brunch"))

    assert response.status_code == 409
    assert "saved this expense while you were editing" in response.text
    assert 'value="Brunch"' in response.text
    assert "50.00 EUR" in response.text
    expense.refresh_from_db()
    assert (expense.amount, expense.description) == (5000, "Dinner")


def test_delete_undo_and_restore(client, trio):
    client.force_login(trio.member)
    expense = trio.expense
    before = balances(trio)

    deleted = client.post(reverse("expenses:delete", args=[trio.group.pk, expense.pk]), follow=True)
    assert "Undo: restore this expense" in deleted.text
    assert all(value == 0 for value in balances(trio).values())

    client.post(reverse("expenses:restore", args=[trio.group.pk, expense.pk]))
    assert balances(trio) == before
    verbs = list(trio.group.activities.order_by("id").values_list("verb", flat=True))
    assert verbs[-2:] == ["expense_deleted", "expense_restored"]


def test_deleted_expenses_cannot_be_edited(client, trio):
    client.force_login(trio.owner)
    client.post(reverse("expenses:delete", args=[trio.group.pk, trio.expense.pk]))

    response = client.get(reverse("expenses:edit", args=[trio.group.pk, trio.expense.pk]))

    assert response.status_code == 302


def test_expense_detail_shows_the_split_and_history(client, trio):
    client.force_login(trio.member)

    response = client.get(reverse("expenses:detail", args=[trio.group.pk, trio.expense.pk]))

    assert "15.00 EUR" in response.text
    assert "added “Dinner”" in response.text


def test_another_groups_expense_is_404(client, trio):
    other = GroupFactory()
    MemberFactory(group=other, user=trio.owner)
    client.force_login(trio.owner)

    response = client.get(reverse("expenses:detail", args=[other.pk, trio.expense.pk]))

    assert response.status_code == 404


def test_dates_default_to_today(client, trio):
    client.force_login(trio.owner)

    response = client.get(reverse("expenses:create", args=[trio.group.pk]))

    assert timezone.localdate().isoformat() in response.text


def metric(name):
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name) or 0


def test_expense_changes_are_counted(client, trio, django_capture_on_commit_callbacks):
    client.force_login(trio.owner)
    before = {
        name: metric(f"splitclone_expenses_{name}_total")
        for name in ("created", "edited", "deleted")
    }

    with django_capture_on_commit_callbacks(execute=True):
        post_expense(client, trio)
        client.post(
            reverse("expenses:edit", args=[trio.group.pk, trio.expense.pk]),
            edit_data(trio, trio.expense),
        )
        client.post(reverse("expenses:delete", args=[trio.group.pk, trio.expense.pk]))

    for name in ("created", "edited", "deleted"):
        assert metric(f"splitclone_expenses_{name}_total") == before[name] + 1


def test_a_receipt_is_stored_under_the_type_of_its_content(client, trio):
    client.force_login(trio.owner)
    disguised = SimpleUploadedFile("page.html", PNG_BYTES, "text/html")
    client.post(
        reverse("expenses:create", args=[trio.group.pk]), form_data(trio) | {"receipt": disguised}
    )
    expense = Expense.objects.get(description="Groceries")

    response = client.get(reverse("expenses:receipt", args=[trio.group.pk, expense.pk]))

    assert expense.receipt.name.endswith(".png")
    assert response["Content-Type"] == "image/png"
