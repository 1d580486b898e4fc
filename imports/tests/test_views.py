"""The import pages: upload, preview with the people mapped, then one click imports it all."""

import datetime
import html
import re

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from expenses.models import Expense
from groups.models import Group, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from imports import detect, pending
from imports.forms import ImportForm
from imports.models import ImportedFile
from imports.parsed import ImportRefused, ParsedGroup
from imports.tests.conftest import data

pytestmark = pytest.mark.django_db
START = reverse("imports:start")


def upload(client, url=START, name="splitwise_basic.csv", content=None, format_name=""):
    file = SimpleUploadedFile(name, data(name) if content is None else content)
    return client.post(url, {"file": file, "format": format_name})


def token_of(response):
    return response.context["form"]["token"].value()


def preview_fields(response):
    """The preview form's fields as the page proposes them, ready to post back."""
    form = response.context["form"]
    fields = {name: form[name].value() for name in form.fields}
    return {name: value for name, value in fields.items() if value not in (None, False)}


def test_the_upload_page(client, importer):
    client.force_login(importer)

    response = client.get(START)

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert '<option value="splitwise">Splitwise (CSV)</option>' in response.text


def test_the_preview_shows_people_counts_balances_and_notices(client, importer):
    client.force_login(importer)

    response = upload(client)

    assert response.status_code == 200
    assert not Group.objects.exists()
    text = response.text
    assert re.search(r"<strong>8 expenses</strong> and <strong>1 payment</strong>, in EUR", text)
    labels = [field.label for field in response.context["form"].person_fields()]
    assert labels == ["Zoë", "Jürgen", "Sam O'Brien", "Li, Ana"]
    rows = response.context["rows"]
    assert [(row.balance, row.stated, row.difference) for row in rows] == [
        (69150, 69150, 0),
        (-26550, -26550, 0),
        (-12600, -12600, 0),
        (-30000, -30000, 0),
    ]
    assert "691.50 EUR" in text
    assert "Every balance is the file's own total, to the cent." in text
    assert "Payers and shares are rebuilt from those changes" in text
    # The importer is called Zoë, like the first column: proposed as themselves.
    assert response.context["form"]["person_0"].value() == "me"
    assert response.context["form"]["person_1"].value() == "guest"


def test_the_preview_explains_a_difference_from_the_files_totals(client, importer):
    client.force_login(importer)

    response = upload(client, name="splitwise_one_cent_off.csv")

    assert response.status_code == 200
    differences = [row.difference for row in response.context["rows"]]
    assert differences == [-1, 0, 1]
    assert response.text.count("the notices below say why") == 2
    assert (
        "So Ann&#x27;s balance ends 0.01 EUR below the file&#x27;s Total balance" in response.text
    )


def test_importing_creates_the_group_and_books_everything(client, importer):
    client.force_login(importer)
    preview = upload(client)
    fields = preview_fields(preview)

    response = client.post(START, {**fields, "name": "Lisbon 2024", "action": "import"})

    group = Group.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pages:group", args=[group.pk])
    assert group.name == "Lisbon 2024"
    assert group.members.get(user=importer).balance == 69150
    assert Expense.objects.filter(group=group).count() == 8
    page = client.get(response.url)
    assert "Imported 8 expenses and 1 payment into Lisbon 2024." in page.text


def test_the_kept_upload_is_deleted_once_imported(client, importer, monkeypatch):
    client.force_login(importer)
    preview = upload(client)
    deleted = []
    original = pending.default_storage.delete
    monkeypatch.setattr(pending.default_storage, "delete", lambda name: deleted.append(name))

    client.post(START, {**preview_fields(preview), "action": "import"})

    assert [name.startswith("imports/pending/") for name in deleted] == [True]
    original(deleted[0])


def test_updating_the_preview_keeps_the_choices_and_saves_nothing(client, importer):
    client.force_login(importer)
    fields = preview_fields(upload(client))

    response = client.post(START, {**fields, "person_0": "guest", "action": "preview"})

    assert response.status_code == 200
    assert response.context["form"]["person_0"].value() == "guest"
    assert not Group.objects.exists()


def test_a_refused_import_explains_and_saves_nothing(client, importer):
    client.force_login(importer)
    fields = preview_fields(upload(client))

    response = client.post(START, {**fields, "person_1": "me", "action": "import"})

    assert response.status_code == 422
    assert "“Zoë” and “Jürgen” are both Zoë" in response.text
    assert not Group.objects.exists()


def test_into_a_group_maps_people_to_its_members(client, importer):
    group = GroupFactory(name="Flat", created_by=importer)
    own = MemberFactory(group=group, user=importer, role=Role.OWNER)
    jurgen = GuestFactory(group=group, name="Jürgen")
    url = reverse("imports:into", args=[group.pk])
    client.force_login(importer)

    preview = upload(client, url)
    fields = preview_fields(preview)
    response = client.post(url, {**fields, "action": "import"})

    assert fields["person_1"] == str(jurgen.pk)
    assert "name" not in fields
    assert response.status_code == 302
    own.refresh_from_db()
    jurgen.refresh_from_db()
    assert (own.balance, jurgen.balance) == (69150, -26550)
    assert group.members.count() == 4


def test_into_a_group_with_history_asks_to_confirm(client, importer, world):
    url = reverse("imports:into", args=[world.group.pk])
    client.force_login(world.owner)
    fields = preview_fields(upload(client, url))
    expenses = Expense.objects.count()

    refused = client.post(url, {**fields, "action": "import"})
    confirmed = client.post(url, {**fields, "confirm": "on", "action": "import"})

    assert refused.status_code == 422
    assert "Confirm that the file&#x27;s entries are added to them." in refused.text
    assert confirmed.status_code == 302
    assert Expense.objects.count() == expenses + 8


def test_a_second_import_of_the_file_is_refused_and_the_preview_warns(client, importer, world):
    url = reverse("imports:into", args=[world.group.pk])
    client.force_login(world.owner)
    fields = preview_fields(upload(client, url))
    client.post(url, {**fields, "confirm": "on", "action": "import"})

    again = upload(client, url)
    response = client.post(url, {**preview_fields(again), "confirm": "on", "action": "import"})

    assert "You imported this file into <a" in again.text
    assert response.status_code == 422
    assert "This file was already imported into Lisbon trip on" in response.text
    assert ImportedFile.objects.count() == 1


def test_plain_members_cannot_import_into_the_group(client, world):
    client.force_login(world.member)

    response = upload(client, reverse("imports:into", args=[world.group.pk]))

    assert response.status_code == 403
    assert not ImportedFile.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("splitwise_not_zero_sum.csv", "Line 3 (“Groceries”): the people&#x27;s values add up"),
        ("splitwise_wrong_header.csv", "This file is not an export we recognise."),
    ],
)
def test_a_bad_file_is_explained_on_the_upload_page(client, importer, name, message):
    client.force_login(importer)

    response = upload(client, name=name)

    assert response.status_code == 422
    assert message in response.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "splitwise_not_zero_sum.csv",
            "Zeile 3 („Groceries“): Die Werte der Personen ergeben",
        ),
        ("splitwise_wrong_header.csv", "Diese Datei ist kein Export, den wir erkennen."),
    ],
)
def test_a_bad_file_is_explained_in_the_readers_language(client, importer, name, message):
    client.force_login(importer)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = upload(client, name=name)

    assert response.status_code == 422
    assert message in html.unescape(response.text)


def test_the_preview_and_its_notices_are_in_the_readers_language(client, importer):
    client.force_login(importer)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = upload(client, name="splitwise_several_payers.csv")

    text = html.unescape(response.text)
    assert "<strong>4 dépenses</strong> et <strong>0 paiement</strong>, en GBP." in text
    assert "2 dépenses avaient plusieurs payeurs" in text
    assert "ligne 4 (« multi players »), 100,00\xa0£GB importé comme 66,66\xa0£GB" in text


def test_a_file_over_the_size_limit_is_refused(client, importer, monkeypatch):
    monkeypatch.setattr("imports.forms.MAX_BYTES", 100)
    client.force_login(importer)

    response = upload(client)

    assert response.status_code == 422
    assert "The file is larger than 0 MB" in response.text


@pytest.fixture
def other_format(monkeypatch):
    """A second format installed, whose parser reads every file as the same two people."""

    def parse(content):
        if content.startswith(b"Date,"):
            raise ImportRefused("Not a Fake file.")
        return ParsedGroup(format="fake", currency="EUR", people=["Ann", "Ben"])

    installed = detect.parser
    monkeypatch.setitem(detect.FORMATS, "fake", "Fake (CSV)")
    monkeypatch.setattr(detect, "parser", lambda name: parse if name == "fake" else installed(name))


def test_the_format_chosen_on_the_preview_is_used(client, importer, other_format):
    client.force_login(importer)
    fields = preview_fields(upload(client))

    response = client.post(START, {**fields, "format": "fake", "action": "preview"})

    assert response.status_code == 422
    assert "Not a Fake file." in response.text
    assert '<option value="fake" selected>Fake (CSV)</option>' in response.text
    assert not Group.objects.exists()


def test_the_format_chosen_for_the_upload_is_used(client, importer, other_format):
    client.force_login(importer)

    response = upload(client, content=b"Ann;Ben\n", format_name="fake")

    assert response.status_code == 200
    assert [field.label for field in response.context["form"].person_fields()] == ["Ann", "Ben"]
    assert response.context["form"]["format"].value() == "fake"


@pytest.mark.parametrize("who", ["forged", "someone else", "another group", "expired"])
def test_a_token_only_works_for_its_uploader_and_place(client, importer, who, time_machine):
    client.force_login(importer)
    fields = preview_fields(upload(client))
    url = START
    if who == "forged":
        fields["token"] = fields["token"][:-2] + "xx"
    elif who == "someone else":
        client.force_login(UserFactory())
    elif who == "another group":
        group = GroupFactory(created_by=importer)
        MemberFactory(group=group, user=importer, role=Role.OWNER)
        url = reverse("imports:into", args=[group.pk])
    else:
        time_machine.move_to(timezone.now() + pending.MAX_AGE + datetime.timedelta(seconds=1))

    response = client.post(url, {**fields, "action": "import"})

    assert response.status_code == 422
    assert "This preview has expired. Choose the file again." in response.text
    assert not Expense.objects.exists()


def test_a_token_for_a_file_no_longer_kept_has_expired(client, importer):
    client.force_login(importer)
    fields = preview_fields(upload(client))
    name = signing.loads(fields["token"], salt=pending.SALT)["file"]
    pending.default_storage.delete(name)

    response = client.post(START, {**fields, "action": "import"})

    assert response.status_code == 422
    assert "This preview has expired." in response.text


def test_old_uploads_are_swept_by_the_next_one(client, importer, time_machine):
    client.force_login(importer)
    first = signing.loads(token_of(upload(client)), salt=pending.SALT)["file"]
    time_machine.move_to(timezone.now() + pending.MAX_AGE + datetime.timedelta(minutes=1))

    second = signing.loads(token_of(upload(client)), salt=pending.SALT)["file"]

    assert not pending.default_storage.exists(first)
    assert pending.default_storage.exists(second)


def test_a_new_group_for_a_file_without_currency_offers_two_decimal_currencies(importer):
    form = ImportForm(parsed=ParsedGroup(format="x", currency="", people=["Ann"]), user=importer)

    codes = [code for code, _ in form.fields["currency"].choices]
    assert "EUR" in codes
    assert "JPY" not in codes
    assert "BHD" not in codes


def test_a_new_group_import_needs_an_account(client):
    response = client.get(START)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={START}"


def test_other_methods_are_refused(client, importer):
    client.force_login(importer)

    assert client.put(START).status_code == 405
    assert client.patch(START).status_code == 405
