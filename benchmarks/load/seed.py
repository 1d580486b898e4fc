"""People for the load test: turns the guests of `seed_demo`'s large data set into accounts.

    python benchmarks/load/seed.py USERS BUSY_MEMBERS OUT.json

Runs after `manage.py seed_demo --groups G --members M --expenses E` on the load test's own
database. Each group's guests become accounts drawn in turn from USERS people, so each person is
in about G × (M - 1) / USERS groups, and one more group, "Busy", holds the first BUSY_MEMBERS of
them. Each person also gets a session, as if they had signed in earlier (most visits are by
people still signed in; a login costs a password hash, hundreds of milliseconds of CPU). Writes
the people (email, password, session, groups) to OUT.json for the locustfile.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.production")

import django

django.setup()

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.db.models import F

from accounts.models import User
from expenses.models import Expense
from groups.models import Group, Member

PASSWORD = "load-test-password"


@transaction.atomic
def seed(user_count, busy_members):
    # seed_demo's bulk insert leaves the spent-in amount and currency at their column defaults,
    # which the edit form cannot show; fill them as the migration that added them did.
    Expense.objects.filter(original_currency="").update(
        original_amount=F("amount"), original_currency=F("currency")
    )
    # One hash for everyone: hashing thousands of passwords would take minutes.
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(email=f"load{n}@splitclone.test", display_name=f"Load {n}", password=password)
        for n in range(user_count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    groups = {user.pk: [] for user in users}
    guests = Member.objects.filter(user__isnull=True, group__name__startswith="Bench ")
    turn = 0
    for group in Group.objects.filter(name__startswith="Bench ").order_by("id"):
        members = list(guests.filter(group=group).order_by("id"))
        for member in members:
            member.user = users[turn % user_count]
            groups[member.user.pk].append(group.pk)
            turn += 1
        Member.objects.bulk_update(members, ["user"])
    owner = users[0]
    busy = Group.objects.create_group(creator=owner, name="Busy", currency="EUR")
    groups[owner.pk].append(busy.pk)
    for user in users[1:busy_members]:
        busy.add_user(user, actor=owner)
        groups[user.pk].append(busy.pk)
    sessions = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session)
    return {
        "password": PASSWORD,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "busy_group": busy.pk,
        "busy_members": busy_members,
        "users": [
            {"email": user.email, "session": session.session_key, "groups": groups[user.pk]}
            for user, session in zip(users, sessions, strict=True)
        ],
    }


if __name__ == "__main__":
    users, busy, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    out.write_text(json.dumps(seed(users, busy)))
