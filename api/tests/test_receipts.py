"""Receipts and deleted expenses: the expense page's checks on the file, served to members only."""

import pytest
from django.core.files.storage import default_storage

from api.tests.conftest import Multipart, receipt_upload, token
from expenses.models import Expense

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def owner_token(world):
    return token(world.owner)


def receipt_path(world, expense=None):
    expense = expense or world.expense
    return f"/groups/{world.group.pk}/expenses/{expense.pk}/receipt"


def test_upload_download_and_delete(world, api, owner_token):
    uploaded = api.post(receipt_path(world), receipt_upload(PNG, "page.html"), token=owner_token)
    assert uploaded.status_code == 200
    assert uploaded.json()["has_receipt"] is True
    world.expense.refresh_from_db()
    # Named after its content, never after the name it was sent with.
    assert world.expense.receipt.name.endswith(".png")
    assert world.expense.version == 1
    downloaded = api.get(receipt_path(world), token=token(world.member))
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == PNG
    assert world.group.activities.filter(summary="added a receipt to “Dinner”").exists()
    deleted = api.delete(receipt_path(world), token=owner_token)
    assert deleted.status_code == 200
    assert deleted.json()["has_receipt"] is False
    assert api.get(receipt_path(world), token=owner_token).status_code == 404


def test_a_replaced_receipt_leaves_storage(
    world, api, owner_token, django_capture_on_commit_callbacks
):
    api.post(receipt_path(world), receipt_upload(), token=owner_token)
    world.expense.refresh_from_db()
    first = world.expense.receipt.name
    with django_capture_on_commit_callbacks(execute=True):
        api.post(receipt_path(world), receipt_upload(PNG), token=owner_token)
    world.expense.refresh_from_db()
    assert world.expense.receipt.name != first
    assert default_storage.exists(world.expense.receipt.name)
    assert not default_storage.exists(first)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            receipt_upload(b"MZ\x90\x00 not an image", "receipt.png"),
            {"receipt": ["The receipt must be a JPEG, PNG or WebP image or a PDF."]},
        ),
        (Multipart(picture=receipt_upload()["receipt"]), {"receipt": ["Field required"]}),
    ],
)
def test_receipts_are_checked_by_content(world, api, owner_token, body, errors):
    response = api.post(receipt_path(world), body, token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    world.expense.refresh_from_db()
    assert not world.expense.receipt


def test_receipts_over_the_limit_are_refused(world, api, owner_token, monkeypatch):
    monkeypatch.setattr("expenses.forms.RECEIPT_MAX_BYTES", 10)
    response = api.post(receipt_path(world), receipt_upload(), token=owner_token)
    assert response.status_code == 422
    assert response.json()["errors"] == {"receipt": ["The receipt is larger than 10 MB."]}


def test_bodies_over_the_limit_are_413(world, api, owner_token, settings):
    settings.REQUEST_BODY_MAX_BYTES = 100
    response = api.post(receipt_path(world), receipt_upload(PNG * 10), token=owner_token)
    assert response.status_code == 413
    world.expense.refresh_from_db()
    assert not world.expense.receipt


def stored_receipts(world):
    folder = f"receipts/{world.group.pk}"
    return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()


def test_a_deleted_expense_takes_no_receipt(world, api, owner_token):
    Expense.objects.delete_expense(world.expense, actor=world.owner)
    before = stored_receipts(world)
    response = api.post(receipt_path(world), receipt_upload(), token=owner_token)
    assert response.status_code == 409
    assert response.json()["detail"] == "Restore this expense before editing it."
    world.expense.refresh_from_db()
    assert not world.expense.receipt
    # The file written before the lock was taken is removed again.
    assert stored_receipts(world) == before


def test_receipts_of_other_groups_are_not_found(world, api):
    secret = token(world.outsider)
    own = world.other_group.pk
    path = f"/groups/{own}/expenses/{world.expense.pk}/receipt"
    assert api.post(path, receipt_upload(), token=secret).status_code == 404
    world.expense.refresh_from_db()
    assert not world.expense.receipt


def test_deleted_expenses_are_listed_apart(world, api, owner_token):
    path = f"/groups/{world.group.pk}/expenses"
    Expense.objects.delete_expense(world.expense, actor=world.owner)
    deleted = api.get(f"{path}?deleted=true", token=owner_token).json()["items"]
    assert [(row["id"], row["deleted"]) for row in deleted] == [(world.expense.pk, True)]
    assert api.get(path, token=owner_token).json()["items"] == []
    restored = api.post(f"{path}/{world.expense.pk}/restore", token=owner_token)
    assert restored.json()["deleted"] is False
    assert api.get(f"{path}?deleted=true", token=owner_token).json()["items"] == []
