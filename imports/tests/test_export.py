import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from expenses.splitting import SplitKind
from groups.models import Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from imports.export import FORMULA_STARTS, spreadsheet_text
from imports.tests.entries import save_expense
from settlements.models import Payment
from settlements.tests.factories import record_payment

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "schema" / "splitclone-export-v1.schema.json").read_text()
)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
FORMULA_NAME = '=HYPERLINK("http://evil.example","Alice")'


@pytest.fixture
def history(world):
    """The world's group with every kind of entry: a percent split with what was typed, a
    deleted expense, a payment and a deleted one, and a guest whose name starts a formula."""
    owner, member, guest = world.owner_membership, world.member_membership, world.guest
    guest.name = FORMULA_NAME
    guest.save(update_fields=["name"])
    world.taxi = save_expense(
        world.group,
        world.owner,
        amount=1001,
        paid={member.pk: 1001},
        values={owner.pk: "50", member.pk: "25.5", guest.pk: "24.5"},
        kind=SplitKind.PERCENT,
        entered={owner.pk: "50", member.pk: "25,5", guest.pk: "24.5"},
        description='Taxi, "airport" 🚕',
        notes="-3 for the tip\nsecond line",
        category="transport",
        date=datetime.date(2026, 11, 3),
    )
    world.gone = save_expense(
        world.group,
        world.owner,
        amount=900,
        paid={guest.pk: 900},
        values={guest.pk: None, owner.pk: None},
        description="@mistake",
        date=datetime.date(2026, 11, 4),
    )
    Expense.objects.delete_expense(world.gone, actor=world.owner)
    world.payment = record_payment(
        member, owner, 500, note="+ cash", date=datetime.date(2026, 11, 5)
    )
    world.cancelled = record_payment(guest, owner, 100, date=datetime.date(2026, 11, 6))
    Payment.objects.delete_payment(world.cancelled, actor=world.owner)
    return world


def download(client, name, group):
    response = client.get(reverse(name, args=[group.pk]))
    assert response.status_code == 200
    return response


def test_json_export_follows_its_schema(client, history):
    client.force_login(history.member)

    response = download(client, "imports:export_json", history.group)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="lisbon-trip-')
    document = json.loads(response.content)
    assert sorted(error.message for error in VALIDATOR.iter_errors(document)) == []


def test_the_schema_refuses_what_the_format_does_not_allow(client, history):
    client.force_login(history.member)
    document = json.loads(download(client, "imports:export_json", history.group).content)
    document["expenses"][0]["amount"] = "30.00"
    document["payments"][0]["surprise"] = True
    del document["members"][0]["balance"]

    errors = sorted(error.message for error in VALIDATOR.iter_errors(document))

    assert errors == [
        "'30.00' is not of type 'integer'",
        "'balance' is a required property",
        "Additional properties are not allowed ('surprise' was unexpected)",
    ]


def test_json_export_keeps_every_entry_as_entered(client, history):
    client.force_login(history.member)

    document = json.loads(download(client, "imports:export_json", history.group).content)

    assert document["format"] == "splitclone-export"
    assert document["version"] == 1
    assert document["group"]["currency"] == "EUR"
    assert document["group"]["decimals"] == 2
    assert document["members"] == [
        {"id": 1, "name": "Olivia Owner", "kind": "user", "active": True, "role": "owner",
         "balance": 499},
        {"id": 2, "name": "Max Member", "kind": "user", "active": True, "role": "member",
         "balance": -254},
        {"id": 3, "name": FORMULA_NAME, "kind": "guest", "active": True, "role": "member",
         "balance": -245},
    ]  # fmt: skip
    assert "@" not in json.dumps(document["members"]), "no member's email address"
    dinner, taxi, gone = document["expenses"]
    assert dinner["receipt"] == {
        "name": history.expense.receipt.name.rsplit("/", 1)[-1],
        "content_type": "image/png",
        "size": 32,
    }
    assert taxi["description"] == 'Taxi, "airport" 🚕'
    assert taxi["split_kind"] == "percent"
    assert taxi["submission_id"] == str(history.taxi.submission_id)
    assert taxi["paid"] == [{"member": 2, "amount": 1001}]
    assert taxi["shares"] == [
        {"member": 1, "amount": 501, "entered": "50"},
        {"member": 2, "amount": 255, "entered": "25,5"},
        {"member": 3, "amount": 245, "entered": "24.5"},
    ]
    assert taxi["receipt"] is None
    assert (taxi["deleted_at"], gone["deleted_at"] is not None) == (None, True)
    payment, cancelled = document["payments"]
    assert payment | {"created_at": None} == {
        "from": 2,
        "to": 1,
        "amount": 500,
        "original_amount": 500,
        "original_currency": "EUR",
        "rate": "1",
        "rate_source": "same",
        "rate_date": None,
        "shares_currency": "EUR",
        "date": "2026-11-05",
        "note": "+ cash",
        "submission_id": str(history.payment.submission_id),
        "created_at": None,
        "deleted_at": None,
    }
    assert cancelled["deleted_at"] is not None


def test_a_receipt_the_storage_lost_has_no_size(client, world):
    world.expense.receipt.storage.delete(world.expense.receipt.name)
    client.force_login(world.owner)

    document = json.loads(download(client, "imports:export_json", world.group).content)

    assert document["expenses"][0]["receipt"]["size"] is None
    assert sorted(error.message for error in VALIDATOR.iter_errors(document)) == []


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_has_a_row_per_entry_and_columns_per_member(client, history):
    client.force_login(history.member)

    response = download(client, "imports:export_csv", history.group)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    header, *rows = csv_rows(response)
    assert header == [
        "Date", "Type", "Description", "Category", "Split", "Amount", "Currency",
        "Original amount", "Original currency", "Rate", "Rate source", "Rate date",
        "Shares currency", "Notes", "Deleted", "Convert at", "Olivia Owner paid",
        "Olivia Owner share",
        "Max Member paid", "Max Member share", f"'{FORMULA_NAME} paid", f"'{FORMULA_NAME} share",
    ]  # fmt: skip
    gone_on = timezone.localdate(history.gone.deleted_at).isoformat()
    cancelled_on = timezone.localdate(history.cancelled.deleted_at).isoformat()
    assert rows == [
        ["2026-11-01", "Expense", "Dinner", "Food and drink", "Equally", "30.00", "EUR",
         "30.00", "EUR", "1", "same", "", "EUR", "", "", "entry",
         "30.00", "15.00", "", "15.00", "", ""],
        ["2026-11-03", "Expense", 'Taxi, "airport" 🚕', "Transport", "Percentages", "10.01",
         "EUR", "10.01", "EUR", "1", "same", "", "EUR", "'-3 for the tip\nsecond line", "",
         "entry", "", "5.01", "10.01", "2.55", "", "2.45"],
        ["2026-11-04", "Expense", "'@mistake", "Food and drink", "Equally", "9.00", "EUR",
         "9.00", "EUR", "1", "same", "", "EUR", "",
         gone_on, "entry", "", "4.50", "", "", "9.00", "4.50"],
        ["2026-11-05", "Payment", "Max Member paid Olivia Owner", "", "", "5.00", "EUR",
         "5.00", "EUR", "1", "same", "", "EUR", "'+ cash", "", "entry", "", "5.00", "5.00", "",
         "", ""],
        ["2026-11-06", "Payment", f"'{FORMULA_NAME} paid Olivia Owner", "", "", "1.00", "EUR",
         "1.00", "EUR", "1", "same", "", "EUR", "", cancelled_on, "entry", "", "1.00", "", "",
         "1.00", ""],
    ]  # fmt: skip


def test_csv_columns_add_up_to_each_balance(client, history):
    client.force_login(history.owner)

    header, *rows = csv_rows(download(client, "imports:export_csv", history.group))

    live = [row for row in rows if not row[header.index("Deleted")]]
    members = history.group.members.order_by("id")
    for index, member in enumerate(members):
        paid = header.index("Convert at") + 1 + 2 * index
        share = paid + 1
        total = sum(Decimal(row[paid] or 0) - Decimal(row[share] or 0) for row in live)
        assert total * 100 == member.balance, member


@pytest.mark.parametrize(
    ("currency", "amount", "shown"), [("JPY", 1235, "1235"), ("BHD", 1234567, "1234.567")]
)
def test_csv_amounts_have_the_currency_decimals_and_no_grouping(
    client, db, currency, amount, shown
):
    owner = MemberFactory(group=GroupFactory(currency=currency), role=Role.OWNER)
    save_expense(owner.group, owner.user, amount=amount, paid={owner.pk: amount},
                 values={owner.pk: None})  # fmt: skip
    client.force_login(owner.user)

    header, row = csv_rows(download(client, "imports:export_csv", owner.group))

    assert (row[header.index("Amount")], row[header.index("Currency")]) == (shown, currency)


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_that_could_start_a_formula_gets_an_apostrophe(start):
    assert spreadsheet_text(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("text", ["", "Dinner", " =not first", "1+1", "Zoë's"])
def test_other_text_is_left_alone(text):
    assert spreadsheet_text(text) == text


def add_entries(author, payer, other, count):
    """`count` expenses split by shares, each with a payment back."""
    for number in range(count):
        save_expense(payer.group, author, amount=100 + number, paid={payer.pk: 100 + number},
                     values={payer.pk: 1, other.pk: 2}, kind=SplitKind.SHARES)  # fmt: skip
        record_payment(other, payer, 1 + number)


@pytest.mark.parametrize("extra_entries", [0, 10])
@pytest.mark.parametrize("name", ["imports:export_csv", "imports:export_json"])
def test_an_export_costs_the_same_queries_however_long_the_history(
    client, world, django_assert_num_queries, name, extra_entries
):
    add_entries(world.owner, world.owner_membership, world.member_membership, extra_entries)
    client.force_login(world.member)

    # Session, user, membership with its group, then members, expenses, payers, shares and
    # payments: one query each.
    with django_assert_num_queries(9):
        download(client, name, world.group)


def archive_of(client):
    response = client.get(reverse("imports:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_my_data_holds_each_of_my_groups_and_my_account(client, history):
    left = MemberFactory(user=history.member, is_active=False)
    elsewhere = MemberFactory()  # a group the person was never in
    client.force_login(history.member)

    archive = archive_of(client)

    stem = f"groups/{history.group.pk}-lisbon-trip"
    assert sorted(archive.namelist()) == ["account.json", f"{stem}.csv", f"{stem}.json"]
    group = json.loads(archive.read(f"{stem}.json"))
    assert sorted(error.message for error in VALIDATOR.iter_errors(group)) == []
    assert [member["name"] for member in group["members"]][1] == "Max Member"
    assert archive.read(f"{stem}.csv").startswith("\ufeffDate,Type".encode())
    account = json.loads(archive.read("account.json"))
    assert account["account"]["email"] == history.member.email
    assert account["email_addresses"] == [
        {"email": history.member.email, "verified": True, "primary": True}
    ]
    assert [(m["group"], m["active"], m["files"]) for m in account["memberships"]] == [
        ("Lisbon trip", True, [f"{stem}.json", f"{stem}.csv"]),
        (left.group.name, False, []),
    ]
    assert elsewhere.group.name not in json.dumps(account)


@pytest.mark.parametrize("groups", [1, 4])
def test_my_data_costs_the_same_queries_however_many_groups(
    client, world, django_assert_num_queries, groups
):
    for _ in range(groups - 1):
        membership = MemberFactory(user=world.member, role=Role.OWNER)
        add_entries(world.member, membership, GuestFactory(group=membership.group), 2)
    client.force_login(world.member)

    # Session, user, memberships with their groups, members, expenses, payers, shares,
    # payments and email addresses.
    with django_assert_num_queries(10):
        archive = archive_of(client)

    assert len(archive.namelist()) == 1 + 2 * groups


def test_my_data_needs_a_sign_in(client, db):
    response = client.get(reverse("imports:my_data"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={reverse('imports:my_data')}"


@pytest.mark.parametrize("method", ["post", "patch"])
def test_my_data_answers_only_reads(client, db, method):
    client.force_login(UserFactory())

    assert getattr(client, method)(reverse("imports:my_data")).status_code == 405


def test_home_and_group_page_link_to_the_downloads(client, world):
    client.force_login(world.member)

    home = client.get(reverse("home")).text
    group = client.get(reverse("pages:group", args=[world.group.pk])).text

    assert f'href="{reverse("imports:my_data")}"' in home
    assert f'href="{reverse("imports:export_csv", args=[world.group.pk])}"' in group
    assert f'href="{reverse("imports:export_json", args=[world.group.pk])}"' in group
