import datetime
import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from api.models import AccessToken, Scope
from expenses.models import Expense, RecurringExpense
from expenses.tests.factories import add_expense, add_recurring
from groups.models import Role
from groups.tests.conftest import staff_client, support  # noqa: F401  (the shared set-ups)
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from settlements.tests.factories import record_payment


@pytest.fixture
def world(db):
    """A group with an owner, a plain member and a guest, an expense the owner paid for the
    owner and the member, a payment from the member to the owner; and an outsider, who has a
    group of their own with an expense."""
    owner = UserFactory(display_name="Olivia Owner")
    group = GroupFactory(name="Lisbon trip", created_by=owner)
    world = SimpleNamespace(
        group=group,
        owner=owner,
        owner_membership=MemberFactory(group=group, user=owner, role=Role.OWNER),
        member=(member := UserFactory(display_name="Max Member")),
        member_membership=MemberFactory(group=group, user=member),
        guest=GuestFactory(group=group, name="Alice"),
        outsider=(outsider := UserFactory(display_name="Otto Outsider")),
        other_group=(other := GroupFactory(name="Elsewhere", created_by=outsider)),
        other_membership=MemberFactory(group=other, user=outsider, role=Role.OWNER),
    )
    world.expense = add_expense(
        group,
        owner,
        paid={world.owner_membership: 3000},
        among=[world.owner_membership, world.member_membership],
    )
    world.payment = record_payment(
        world.member_membership, world.owner_membership, 500, actor=member
    )
    world.other_expense = add_expense(
        other, outsider, paid={world.other_membership: 1000}, among=[world.other_membership]
    )
    return world


class Multipart(dict):
    """A body sent as multipart/form-data (a file upload) rather than JSON."""


def receipt_upload(content=b"%PDF-1.7 receipt", name="scan.pdf"):
    return Multipart(receipt=SimpleUploadedFile(name, content))


@pytest.fixture
def walked_world(world):
    """The world with something for every operation to act on: a receipt on the expense, a
    deactivated guest, an invite link, a friend of the owner's from another group, and two
    monthly expenses from December on, one paused."""
    upload = receipt_upload()["receipt"]
    Expense.objects.attach_receipt(world.expense, upload, actor=world.owner)
    world.former = GuestFactory(group=world.group, name="Bea", is_active=False)
    world.invite = world.group.create_invite(actor=world.owner, expires_in_days=7, max_uses=None)
    club = GroupFactory(name="Club", created_by=world.owner)
    MemberFactory(group=club, user=world.owner, role=Role.OWNER)
    world.friend = MemberFactory(group=club).user
    world.recurring, world.paused = (
        add_recurring(
            world.group,
            world.owner,
            start=datetime.date(2026, 12, 1),
            paid={world.owner_membership: 90000},
            among=[world.owner_membership, world.member_membership],
            description=description,
        )
        for description in ("Rent", "Cleaning")
    )
    RecurringExpense.objects.pause(world.paused, actor=world.owner)
    return world


def token(user, scope=Scope.WRITE):
    return AccessToken.objects.issue(user=user, name="Script", scope=scope)[1]


class Api:
    """A client for the API: `api.get(path, token=…)`, `api.post(path, body, token=…)`."""

    def __init__(self, client):
        self.client = client

    def call(self, method, path, body=None, *, token=None, headers=None, raw=None):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if isinstance(body, Multipart):
            return getattr(self.client, method)(f"/api{path}", dict(body), headers=headers)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json", "data": data} if data is not None else {}
        return getattr(self.client, method)(f"/api{path}", headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("get", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.call("post", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.call("put", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("delete", path, **kwargs)


@pytest.fixture
def api(client):
    return Api(client)
