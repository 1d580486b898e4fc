from django.db import migrations, models

from ledger.schema import add_column


class Migration(migrations.Migration):
    """In a group that converts at settlement, an entry in another currency keeps its amounts in
    that currency."""

    dependencies = [("settlements", "0004_conversion")]

    operations = [
        add_column(
            "payment",
            "settlements_payment",
            "settles_in_original",
            models.BooleanField(db_default=False),
            "boolean NOT NULL DEFAULT false",
        )
    ]
