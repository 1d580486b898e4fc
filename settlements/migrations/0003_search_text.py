from django.db import migrations, models

from ledger.schema import add_text_column
from splitclone.text import search_key

BATCH_SIZE = 2000


def fold_existing(apps, schema_editor):
    Payment = apps.get_model("settlements", "Payment")
    batch = []
    for payment in Payment.objects.only("note").iterator(chunk_size=BATCH_SIZE):
        payment.search_text = search_key(payment.note)
        batch.append(payment)
        if len(batch) == BATCH_SIZE:
            Payment.objects.bulk_update(batch, ["search_text"])
            batch = []
    Payment.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    """Payments keep their note folded for the search, and are listed by date beside expenses."""

    dependencies = [
        ("settlements", "0002_payment_version"),
        ("ledger", "0003_rows_name_members_of_their_group"),
    ]

    operations = [
        add_text_column(
            "payment",
            "settlements_payment",
            "search_text",
            models.TextField(blank=True, db_default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                models.F("group"),
                models.OrderBy(models.F("date"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("deleted_at__isnull", True)),
                name="settlements_payment_live_date",
            ),
        ),
        migrations.RunPython(fold_existing, migrations.RunPython.noop),
    ]
