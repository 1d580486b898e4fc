from django.db import migrations

from ledger.schema import add_conversion_columns


class Migration(migrations.Migration):
    """Expenses keep the amount and currency they were spent in, and the rate that converted it."""

    dependencies = [("expenses", "0004_recurring_expenses")]

    operations = add_conversion_columns("expense", "expenses_expense")
