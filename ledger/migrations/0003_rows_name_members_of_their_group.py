"""A ledger row names members of its own group only, and a member never changes group.

Otherwise one group's balances would move when another group's expense is saved, and the two
groups would no longer each sum to zero. Triggers, since a CHECK cannot look at another row.
SQLite rebuilds a table to alter it, which drops its triggers: the tests in
ledger/tests/test_guards.py fail if a later migration does so without creating them again.
"""

from django.db import migrations

MESSAGE = "a ledger row names members of its own group only, and members never change group"


def group_of(member_column):
    return f"(SELECT group_id FROM groups_member WHERE id = NEW.{member_column})"


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
    def function(name, condition):
        return f"""
        CREATE FUNCTION {name}() RETURNS trigger AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql
        """

    statements = []
    for table, condition in REFUSE.items():
        name = f"ledger_{table}_in_group"
        statements += [
            function(name, condition.format(differ="IS DISTINCT FROM")),
            f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    statements += [
        function("ledger_member_stays_in_group", MEMBER_MOVES),
        "CREATE TRIGGER ledger_member_stays_in_group BEFORE UPDATE OF group_id ON groups_member "
        "FOR EACH ROW EXECUTE FUNCTION ledger_member_stays_in_group()",
    ]
    return statements


def postgresql_reverse():
    statements = []
    for table in REFUSE:
        name = f"ledger_{table}_in_group"
        statements += [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"]
    return [
        *statements,
        "DROP TRIGGER ledger_member_stays_in_group ON groups_member",
        "DROP FUNCTION ledger_member_stays_in_group()",
    ]


def sqlite():
    statements = [
        f"""
        CREATE TRIGGER ledger_{table}_{event.split()[0].lower()}_in_group
        BEFORE {event} ON {table}
        WHEN {condition.format(differ="IS NOT")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """
        for table, condition in REFUSE.items()
        for event in ("INSERT", "UPDATE")
    ]
    return [
        *statements,
        f"""
        CREATE TRIGGER ledger_member_stays_in_group BEFORE UPDATE OF group_id ON groups_member
        WHEN {MEMBER_MOVES}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """,
    ]


def sqlite_reverse():
    return [
        *(
            f"DROP TRIGGER ledger_{table}_{event}_in_group"
            for table in REFUSE
            for event in ("insert", "update")
        ),
        "DROP TRIGGER ledger_member_stays_in_group",
    ]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, list)():
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_currency_guards"),
        ("groups", "0005_membership_rules"),
    ]

    operations = [
        migrations.RunPython(
            run({"postgresql": postgresql, "sqlite": sqlite}),
            run({"postgresql": postgresql_reverse, "sqlite": sqlite_reverse}),
        ),
    ]
