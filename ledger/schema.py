"""Schema changes to the ledger tables that leave the ledger's database triggers standing."""

from django.db import migrations


def add_column(model_name, table, field_name, field, column):
    """An AddField whose column is added in place with ``ALTER TABLE ... ADD COLUMN {column}``.

    Django's SQLite backend adds a NOT NULL column (or one with a default) by rebuilding the
    table, and the triggers on and around the ledger tables (ledger migrations 0002 and 0003)
    make that rebuild fail. `ALTER TABLE ... ADD COLUMN` needs no rebuild, and it is the same
    statement on PostgreSQL. ``column`` is the column's SQL after its name, in types both
    databases read alike ("bigint NOT NULL DEFAULT 0"); ``field`` must say the same (its
    `db_default`, its nullability), so that the migration state describes the column as it is.
    """
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddField(model_name, field_name, field)],
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE {table} ADD COLUMN {field_name} {column}",
                f"ALTER TABLE {table} DROP COLUMN {field_name}",
            )
        ],
    )


def add_text_column(model_name, table, field_name, field):
    """`add_column` for a text column that is NOT NULL with the database default "".

    ``field`` must be a TextField with `db_default=""`.
    """
    return add_column(model_name, table, field_name, field, "text NOT NULL DEFAULT ''")


def add_conversion_columns(model_name, table):
    """The columns of `LedgerRow` that say how a row was converted, filled for existing rows as
    what they are: amounts in the group's currency, at rate 1."""
    from decimal import Decimal

    from django.db import models

    from ledger.models import RateSource
    from splitclone import fx

    columns = [
        (
            "original_amount",
            models.BigIntegerField(
                db_default=0, help_text="In minor units of the original currency."
            ),
            "bigint NOT NULL DEFAULT 0",
        ),
        (
            "original_currency",
            models.CharField(max_length=3, db_default=""),
            "varchar(3) NOT NULL DEFAULT ''",
        ),
        (
            "rate",
            models.DecimalField(
                max_digits=fx.RATE_MAX_DIGITS,
                decimal_places=fx.RATE_DECIMAL_PLACES,
                db_default=Decimal(1),
                help_text="Group currency units per unit of the original currency.",
            ),
            f"numeric({fx.RATE_MAX_DIGITS}, {fx.RATE_DECIMAL_PLACES}) NOT NULL DEFAULT 1",
        ),
        (
            "rate_source",
            models.CharField(max_length=10, choices=RateSource, db_default=RateSource.SAME),
            "varchar(10) NOT NULL DEFAULT 'same'",
        ),
        ("rate_date", models.DateField(null=True, blank=True), "date NULL"),
    ]
    return [
        *(add_column(model_name, table, name, field, column) for name, field, column in columns),
        migrations.RunSQL(
            f"UPDATE {table} SET original_amount = amount, original_currency = currency",
            migrations.RunSQL.noop,
        ),
    ]


# Rows that name members of another group: a trigger per table, since a CHECK cannot look at
# another row (see ledger migration 0003).
IN_GROUP_MESSAGE = (
    "a ledger row names members of its own group only, and members never change group"
)


def group_of(member_column):
    """The group of the member a new row names in `member_column`, in SQL."""
    return f"(SELECT group_id FROM groups_member WHERE id = NEW.{member_column})"


def refuse_function(name, condition):
    """A PostgreSQL trigger function refusing a new or changed row on `condition`."""
    return f"""
        CREATE FUNCTION {name}() RETURNS trigger AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{IN_GROUP_MESSAGE}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql
        """


def in_group_triggers(refuse):
    """The RunPython operation that creates, for each table of `refuse` (table: the condition
    under which a new or changed row is refused, with {differ} for the database's null-safe
    inequality), a trigger on both databases, and drops them going back."""

    def postgresql():
        statements = []
        for table, condition in refuse.items():
            name = f"ledger_{table}_in_group"
            statements += [
                refuse_function(name, condition.format(differ="IS DISTINCT FROM")),
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            ]
        return statements

    def postgresql_reverse():
        statements = []
        for table in refuse:
            name = f"ledger_{table}_in_group"
            statements += [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"]
        return statements

    def sqlite():
        return [
            f"""
            CREATE TRIGGER ledger_{table}_{event.split()[0].lower()}_in_group
            BEFORE {event} ON {table}
            WHEN {condition.format(differ="IS NOT")}
            BEGIN SELECT RAISE(ABORT, '{IN_GROUP_MESSAGE}'); END
            """
            for table, condition in refuse.items()
            for event in ("INSERT", "UPDATE")
        ]

    def sqlite_reverse():
        return [
            f"DROP TRIGGER ledger_{table}_{event}_in_group"
            for table in refuse
            for event in ("insert", "update")
        ]

    return migrations.RunPython(
        run_by_vendor({"postgresql": postgresql, "sqlite": sqlite}),
        run_by_vendor({"postgresql": postgresql_reverse, "sqlite": sqlite_reverse}),
    )


def run_by_vendor(statements_by_vendor):
    """A RunPython function executing the statements of the connection's database."""

    def operation(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, list)():
            schema_editor.execute(sql)

    return operation
