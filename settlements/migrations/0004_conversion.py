from django.db import migrations

from ledger.schema import add_conversion_columns


class Migration(migrations.Migration):
    """Payments keep the amount and currency they were made in, and the rate that converted it."""

    dependencies = [("settlements", "0003_search_text")]

    operations = add_conversion_columns("payment", "settlements_payment")
