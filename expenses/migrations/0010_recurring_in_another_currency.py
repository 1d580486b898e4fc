from django.db import migrations, models

from ledger.schema import add_column


class Migration(migrations.Migration):
    """A recurring expense may be spent in another currency than the group's: each occurrence
    converts at the reference rate of its date."""

    dependencies = [("expenses", "0009_fill_bulk_imported_conversions")]

    operations = [
        add_column(
            "recurringexpense",
            "expenses_recurringexpense",
            "original_currency",
            models.CharField(max_length=3, blank=True, db_default=""),
            "varchar(3) NOT NULL DEFAULT ''",
        ),
        migrations.AlterField(
            model_name="recurringexpense",
            name="amount",
            field=models.BigIntegerField(help_text="In minor units of the currency spent."),
        ),
    ]
