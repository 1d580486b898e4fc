from django.db import migrations, models

from ledger.schema import add_column


class Migration(migrations.Migration):
    """In a group that converts at settlement, an entry in another currency keeps its amounts in
    that currency."""

    dependencies = [("expenses", "0006_recurring_version")]

    operations = [
        add_column(
            "expense",
            "expenses_expense",
            "settles_in_original",
            models.BooleanField(db_default=False),
            "boolean NOT NULL DEFAULT false",
        )
    ]
