from django.db import migrations
from django.db.models import Exists, OuterRef, Q

LEDGER_TABLES = ["expenses_expense", "settlements_payment"]
HISTORY = " OR ".join(
    f"EXISTS (SELECT 1 FROM {table} WHERE group_id = {{group}})" for table in LEDGER_TABLES
)
MESSAGE = "ledger rows are in their group currency, which is fixed once the group has history"

POSTGRESQL = [
    f"""
    CREATE FUNCTION ledger_row_currency_is_group_currency() RETURNS trigger AS $$
    BEGIN
        IF NEW.currency IS DISTINCT FROM
                (SELECT currency FROM groups_group WHERE id = NEW.group_id) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION ledger_group_currency_is_fixed() RETURNS trigger AS $$
    BEGIN
        IF NEW.currency <> OLD.currency AND ({HISTORY.format(group="OLD.id")}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER ledger_group_currency_is_fixed BEFORE UPDATE OF currency ON groups_group
    FOR EACH ROW EXECUTE FUNCTION ledger_group_currency_is_fixed()
    """,
    *(
        f"""
        CREATE TRIGGER ledger_row_currency_is_group_currency
        BEFORE INSERT OR UPDATE OF currency, group_id ON {table}
        FOR EACH ROW EXECUTE FUNCTION ledger_row_currency_is_group_currency()
        """
        for table in LEDGER_TABLES
    ),
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER ledger_group_currency_is_fixed ON groups_group",
    *(f"DROP TRIGGER ledger_row_currency_is_group_currency ON {table}" for table in LEDGER_TABLES),
    "DROP FUNCTION ledger_group_currency_is_fixed()",
    "DROP FUNCTION ledger_row_currency_is_group_currency()",
]

# SQLite's RAISE(ABORT) in a trigger surfaces as an IntegrityError, like a CHECK constraint.
SQLITE = [
    f"""
    CREATE TRIGGER ledger_group_currency_is_fixed BEFORE UPDATE OF currency ON groups_group
    WHEN NEW.currency <> OLD.currency AND ({HISTORY.format(group="OLD.id")})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    *(
        f"""
        CREATE TRIGGER ledger_{table}_{event.split()[0].lower()}_currency
        BEFORE {event} ON {table}
        WHEN NEW.currency IS NOT (SELECT currency FROM groups_group WHERE id = NEW.group_id)
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """
        for table in LEDGER_TABLES
        for event in ("INSERT", "UPDATE OF currency, group_id")
    ),
]
SQLITE_REVERSE = [
    "DROP TRIGGER ledger_group_currency_is_fixed",
    *(
        f"DROP TRIGGER ledger_{table}_{event}_currency"
        for table in LEDGER_TABLES
        for event in ("insert", "update")
    ),
]


def run(statements):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return operation


def mark_groups_with_history(apps, schema_editor):
    rows = [apps.get_model("expenses", "Expense"), apps.get_model("settlements", "Payment")]
    has_rows = [Exists(model.objects.filter(group=OuterRef("pk"))) for model in rows]
    Group = apps.get_model("groups", "Group")
    Group.objects.filter(Q(has_rows[0]) | Q(has_rows[1])).update(has_ledger_history=True)


class Migration(migrations.Migration):
    """An expense or payment is in its group's currency, and that currency is then fixed."""

    dependencies = [
        ("ledger", "0001_initial"),
        ("expenses", "0002_alter_expense_receipt"),
        ("settlements", "0002_payment_version"),
    ]

    operations = [
        migrations.RunPython(mark_groups_with_history, migrations.RunPython.noop),
        migrations.RunPython(
            run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
