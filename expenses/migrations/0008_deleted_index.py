from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("expenses", "0007_settles_in_original"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="expense",
            index=models.Index(
                models.F("group"),
                models.OrderBy(models.F("date"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("deleted_at__isnull", False)),
                name="expenses_expense_deleted",
            ),
        ),
    ]
