"""API request times on a big group: 100,000 expenses among 50 members, with a token.

    python benchmarks/bench_api.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_api.py

Runs against a throwaway test database, which it creates and drops. BENCH_EXPENSES=10000 for a
quicker run. The group page's own figures are in bench_expenses.py, for comparison; the export
files' in bench_export.py (the API hands out the same files).
"""

import io
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.test")
# The benchmark makes far more requests a minute than a person's script should.
os.environ.setdefault("API_RATE_LIMIT", "100000/min")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

from accounts.models import User
from api.models import AccessToken, Scope
from benchmarks.bench_expenses import MEMBERS, report, timed
from expenses.models import Expense
from groups.models import Group

# Deleted expenses to list, and invite links, so those lists are not empty.
DELETED = 100
INVITES = 20
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200_000

EXPENSES = int(os.environ.get("BENCH_EXPENSES", 100_000))


def main():
    logging.disable(logging.INFO)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        call_command(
            "seed_demo", groups=1, members=MEMBERS, expenses=EXPENSES, seed=3, stdout=io.StringIO()
        )
        user = User.objects.get(email="demo@splitclone.test")
        group = Group.objects.get(name="Bench 3 #1")
        for expense in group.expenses.order_by("id")[:DELETED]:
            Expense.objects.delete_expense(expense, actor=user)
        for _ in range(INVITES):
            group.create_invite(actor=user, expires_in_days=7, max_uses=None)
        _, secret = AccessToken.objects.issue(user=user, name="Bench", scope=Scope.WRITE)
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        base = f"/api/groups/{group.pk}"
        print(f"API, {EXPENSES} expenses among {MEMBERS} members, {connection.vendor}")
        for label, path in [
            ("GET /groups", "/api/groups"),
            ("GET /groups/{id}/expenses (50)", f"{base}/expenses"),
            ("GET /groups/{id}/expenses, page 20", None),
            ("GET /groups/{id}/payments (50)", f"{base}/payments"),
            ("GET /groups/{id}/balances", f"{base}/balances"),
            ("GET /groups/{id}/settle-up", f"{base}/settle-up"),
            ("GET /groups/{id}/activity (50)", f"{base}/activity"),
            ("GET /groups/{id}/expenses?deleted=true (50)", f"{base}/expenses?deleted=true"),
            ("GET /groups/{id}/statistics", f"{base}/statistics"),
            (
                "GET /groups/{id}/statistics, one month",
                f"{base}/statistics?date_from=2025-06-01&date_to=2025-06-30",
            ),
            (f"GET /groups/{{id}}/invites ({INVITES})", f"{base}/invites"),
        ]:
            if path is None:
                cursor = ""
                for _ in range(19):
                    cursor = client.get(f"{base}/expenses?cursor={cursor}").json()["next_cursor"]
                path = f"{base}/expenses?cursor={cursor}"
            assert client.get(path).status_code == 200, path
            report(label, timed(lambda path=path: client.get(path)))
        member = group.members.order_by("id").first().pk
        body = (
            '{"description": "Taxi", "amount": "12.50", "date": "2026-11-03", '
            f'"paid_by": {member}}}'
        )
        report(
            f"POST /groups/{{id}}/expenses ({MEMBERS} people)",
            timed(lambda: client.post(f"{base}/expenses", body, content_type="application/json")),
        )
        receipt = f"{base}/expenses/{group.expenses.live().latest('id').pk}/receipt"

        def upload():
            return client.post(receipt, {"receipt": SimpleUploadedFile("scan.png", PNG)})

        assert upload().status_code == 200
        report("POST …/expenses/{id}/receipt (200 kB)", timed(upload))
        report("GET …/expenses/{id}/receipt", timed(lambda: client.get(receipt)))

        def archive_and_back():
            client.post(f"{base}/archive")
            client.post(f"{base}/unarchive")

        report("POST …/archive, then …/unarchive (2 requests)", timed(archive_and_back))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
