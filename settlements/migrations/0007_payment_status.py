from django.db import migrations, models

from ledger.schema import add_column


class Migration(migrations.Migration):
    """A payment may wait for its payee to confirm it arrived; every earlier one is confirmed."""

    dependencies = [("settlements", "0006_fill_bulk_imported_conversions")]

    operations = [
        add_column(
            "payment",
            "settlements_payment",
            "status",
            models.CharField(
                choices=[
                    ("pending", "waiting for the payee to confirm"),
                    ("confirmed", "confirmed"),
                ],
                db_default="confirmed",
                default="confirmed",
                max_length=10,
            ),
            "varchar(10) NOT NULL DEFAULT 'confirmed'",
        )
    ]
