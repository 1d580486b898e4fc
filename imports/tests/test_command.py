"""manage.py import_group: for support staff and for tests."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from expenses.models import Expense
from groups.models import Group
from imports.tests.conftest import DATA

pytestmark = pytest.mark.django_db
BASIC = str(DATA / "splitwise_basic.csv")
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    output = io.StringIO()
    call_command("import_group", *args, stdout=output)
    return output.getvalue()


def test_json_gives_the_group_balances_counts_titles_and_notices(importer):
    result = json.loads(run(BASIC, "--owner", "ZOE@example.com", "--json"))

    group = Group.objects.get()
    assert list(result) == ["group_id", "members", "expenses", "payments", "titles", "notices"]
    assert result["group_id"] == group.pk
    assert result["members"] == {
        "Zoë": 69150,
        "Jürgen": -26550,
        "Sam O'Brien": -12600,
        "Li, Ana": -30000,
    }
    assert (result["expenses"], result["payments"]) == (8, 1)
    assert result["titles"][1:4] == ["Dinner, drinks and a taxi", 'The "good" hotel', "=SUM(A1:A3)"]
    assert result["notices"][0].startswith("Splitwise's file gives, for each entry")
    assert (group.name, group.created_by) == ("splitwise_basic", importer)
    assert group.members.filter(user=None).count() == 4


def test_a_dry_run_shows_the_same_and_saves_nothing(importer):
    result = json.loads(run(BASIC, "--owner", importer.email, "--json", "--dry-run"))

    assert result["group_id"] is None
    assert result["members"]["Zoë"] == 69150
    assert not Group.objects.exists()
    assert not Expense.objects.exists()


def test_the_name_and_a_readable_summary(importer):
    output = run(BASIC, "--owner", importer.email, "--name", "Lisbon", "--format", "splitwise")

    group = Group.objects.get()
    assert group.name == "Lisbon"
    assert output.splitlines()[:3] == [
        f"Imported 8 expenses and 1 payment into group {group.pk}.",
        "Balances:",
        "  Zoë: 691.50 EUR",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([str(DATA / "splitwise_not_zero_sum.csv")], "Line 3 (“Groceries”): the people's values"),
        ([BASIC, "--currency", "USD"], "The file's amounts are in EUR, so the group's currency"),
        ([BASIC, "--currency", "XYZ"], "“XYZ” is not a currency we know."),
        ([str(DATA / "missing.csv")], f"{DATA / 'missing.csv'} cannot be read: No such file"),
    ],
)
def test_a_refusal_is_one_json_error_and_saves_nothing(importer, args, message):
    output = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_group", *args, "--owner", importer.email, "--json", stdout=output)

    assert refused.value.returncode == 1
    error = json.loads(output.getvalue())
    assert list(error) == ["error"]
    assert error["error"].startswith(message)
    assert not Group.objects.exists()


def test_an_unknown_owner_is_refused(importer):
    with pytest.raises(CommandError, match=r"^No account has the email address nobody@example"):
        run(BASIC, "--owner", "nobody@example.com")
    assert not Group.objects.exists()


def test_the_exit_status_of_a_refusal_is_1():
    command = [sys.executable, "manage.py", "import_group", str(DATA / "splitwise_truncated.csv")]
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "splitclone.settings.test"}

    finished = subprocess.run(
        [*command, "--owner", "a@example.com", "--json"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 1
    assert json.loads(finished.stdout) == {
        "error": "The file ends without Splitwise's “Total balance” line, so it may be cut "
        "short. Export it again from Splitwise."
    }
