"""A ledger row names members of its own group only, and a member never changes group.

Otherwise one group's balances would move when another group's expense is saved, and the two
groups would no longer each sum to zero. Triggers, since a CHECK cannot look at another row.
SQLite rebuilds a table to alter it, which drops its triggers: the tests in
ledger/tests/test_guards.py fail if a later migration does so without creating them again.
"""

from django.db import migrations

from ledger.schema import IN_GROUP_MESSAGE, group_of, in_group_triggers, refuse_function
from ledger.schema import run_by_vendor as run

EXPENSE_GROUP = "(SELECT group_id FROM expenses_expense WHERE id = NEW.expense_id)"
# Table: the condition under which a new or changed row is refused; {differ} is the
# null-safe inequality of the database.
REFUSE = {
    "expenses_expensepayer": f"{group_of('member_id')} {{differ}} {EXPENSE_GROUP}",
    "expenses_expenseshare": f"{group_of('member_id')} {{differ}} {EXPENSE_GROUP}",
    "settlements_payment": (
        f"{group_of('from_member_id')} {{differ}} NEW.group_id "
        f"OR {group_of('to_member_id')} {{differ}} NEW.group_id"
    ),
    "groups_pairbalance": (
        f"{group_of('member_a_id')} {{differ}} NEW.group_id "
        f"OR {group_of('member_b_id')} {{differ}} NEW.group_id"
    ),
}
MEMBER_MOVES = "NEW.group_id <> OLD.group_id"


def postgresql():
    return [
        refuse_function("ledger_member_stays_in_group", MEMBER_MOVES),
        "CREATE TRIGGER ledger_member_stays_in_group BEFORE UPDATE OF group_id ON groups_member "
        "FOR EACH ROW EXECUTE FUNCTION ledger_member_stays_in_group()",
    ]


def postgresql_reverse():
    return [
        "DROP TRIGGER ledger_member_stays_in_group ON groups_member",
        "DROP FUNCTION ledger_member_stays_in_group()",
    ]


def sqlite():
    return [
        f"""
        CREATE TRIGGER ledger_member_stays_in_group BEFORE UPDATE OF group_id ON groups_member
        WHEN {MEMBER_MOVES}
        BEGIN SELECT RAISE(ABORT, '{IN_GROUP_MESSAGE}'); END
        """,
    ]


def sqlite_reverse():
    return ["DROP TRIGGER ledger_member_stays_in_group"]


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_currency_guards"),
        ("groups", "0005_membership_rules"),
    ]

    operations = [
        in_group_triggers(REFUSE),
        migrations.RunPython(
            run({"postgresql": postgresql, "sqlite": sqlite}),
            run({"postgresql": postgresql_reverse, "sqlite": sqlite_reverse}),
        ),
    ]
