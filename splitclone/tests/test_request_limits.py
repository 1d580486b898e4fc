"""Request bodies larger than any form of the app are refused with 413 before they are read."""

import io
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from expenses.forms import RECEIPT_MAX_BYTES
from expenses.models import Expense
from groups.tests.conftest import (
    PNG_BYTES,
    world,  # noqa: F401  (the shared owner/member/outsider set-up)
)

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
TOO_LARGE = "The upload is too large: receipts can be at most 10 MB."


@pytest.fixture
def trip(client, world):  # noqa: F811
    """The world's group, with its owner signed in."""
    client.force_login(world.owner)
    return world


def expense_form(trip, **fields):
    return {
        "description": "Groceries",
        "amount": "100.00",
        "date": "2026-11-20",
        "category": "groceries",
        "paid_by": trip.owner_membership.pk,
        "split_kind": "equal",
        "submission_id": str(uuid.uuid4()),
        f"include_{trip.owner_membership.pk}": "on",
        f"include_{trip.member_membership.pk}": "on",
    } | fields


def create_url(trip):
    return reverse("expenses:create", args=[trip.group.pk])


def test_a_50_mb_receipt_is_refused_before_it_is_read(client, trip):
    count = Expense.objects.count()
    body = io.BytesIO(b"\0" * (50 * MB))

    response = client.post(
        create_url(trip),
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(50 * MB),
        **{"wsgi.input": body},
    )

    assert response.status_code == 413
    assert TOO_LARGE in response.text
    assert body.tell() == 0
    assert Expense.objects.count() == count


def test_a_50_mb_receipt_from_the_form_is_refused(client, trip):
    count = Expense.objects.count()
    upload = SimpleUploadedFile("big.png", PNG_BYTES + b"\0" * (50 * MB), "image/png")

    response = client.post(create_url(trip), expense_form(trip, receipt=upload))

    assert response.status_code == 413
    assert TOO_LARGE in response.text
    assert Expense.objects.count() == count


def test_a_receipt_of_the_largest_size_allowed_is_saved(client, trip):
    upload = SimpleUploadedFile(
        "scan.png", PNG_BYTES + b"\0" * (RECEIPT_MAX_BYTES - len(PNG_BYTES)), "image/png"
    )

    response = client.post(create_url(trip), expense_form(trip, receipt=upload))

    assert response.status_code == 302
    assert Expense.objects.get(description="Groceries").receipt.size == RECEIPT_MAX_BYTES


def test_form_fields_too_large_without_any_file_are_413_too(client, trip):
    count = Expense.objects.count()
    notes = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post(create_url(trip), expense_form(trip, notes=notes))

    assert response.status_code == 413
    assert TOO_LARGE in response.text
    assert Expense.objects.count() == count


def test_a_body_longer_than_its_content_length_is_read_no_further(client, trip):
    count = Expense.objects.count()
    body = io.BytesIO(b"description=" + b"x" * (50 * MB))

    response = client.post(
        create_url(trip),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH="100",
        **{"wsgi.input": body},
    )

    assert response.status_code == 422
    assert body.tell() == 100
    assert Expense.objects.count() == count


def test_a_body_without_a_content_length_is_not_read(client, trip):
    count = Expense.objects.count()
    body = io.BytesIO(b"description=" + b"x" * MB)

    response = client.post(
        create_url(trip),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        **{"wsgi.input": body},
    )

    # Nothing was sent, as far as Django can tell: the empty form again.
    assert response.status_code == 200
    assert body.tell() == 0
    assert Expense.objects.count() == count


@pytest.mark.parametrize("length", ["junk", "²", "١٢", "-1", "1_0", " 12"])
def test_a_content_length_that_is_not_a_number_is_400(client, trip, length):
    count = Expense.objects.count()
    body = io.BytesIO(b"description=" + b"x" * MB)

    response = client.post(
        create_url(trip),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=length,
        **{"wsgi.input": body},
    )

    assert response.status_code == 400
    assert body.tell() == 0
    assert Expense.objects.count() == count


def test_the_limit_leaves_room_for_a_receipt_and_its_form():
    assert settings.REQUEST_BODY_MAX_BYTES >= RECEIPT_MAX_BYTES + MB
