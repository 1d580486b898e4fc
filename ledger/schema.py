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
