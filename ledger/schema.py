"""Schema changes to the ledger tables that leave the ledger's database triggers standing."""

from django.db import migrations


def add_text_column(model_name, table, field_name, field):
    """An AddField for a text column that is NOT NULL with the database default "".

    Django's SQLite backend adds a NOT NULL column by rebuilding the table, and the triggers on
    and around the ledger tables (ledger migrations 0002 and 0003) make that rebuild fail.
    `ALTER TABLE ... ADD COLUMN ... NOT NULL DEFAULT ''` needs no rebuild, and it is the same
    statement on PostgreSQL. `field` must be a TextField with `db_default=""`, so that the
    migration state describes the column as it is.
    """
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddField(model_name, field_name, field)],
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE {table} ADD COLUMN {field_name} text NOT NULL DEFAULT ''",
                f"ALTER TABLE {table} DROP COLUMN {field_name}",
            )
        ],
    )
