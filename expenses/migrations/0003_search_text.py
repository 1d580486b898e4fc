from django.db import migrations, models

from ledger.schema import add_text_column
from splitclone.text import search_key

BATCH_SIZE = 2000


def fold_existing(apps, schema_editor):
    Expense = apps.get_model("expenses", "Expense")
    batch = []
    for expense in Expense.objects.only("description", "notes").iterator(chunk_size=BATCH_SIZE):
        expense.search_text = search_key(expense.description, expense.notes)
        batch.append(expense)
        if len(batch) == BATCH_SIZE:
            Expense.objects.bulk_update(batch, ["search_text"])
            batch = []
    Expense.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    """Expenses keep their description and notes folded for the search (`search_key`)."""

    dependencies = [
        ("expenses", "0002_alter_expense_receipt"),
        ("ledger", "0003_rows_name_members_of_their_group"),
    ]

    operations = [
        add_text_column(
            "expense",
            "expenses_expense",
            "search_text",
            models.TextField(blank=True, db_default="", editable=False),
        ),
        migrations.RunPython(fold_existing, migrations.RunPython.noop),
    ]
