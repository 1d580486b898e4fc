from django.db import migrations, models


class Migration(migrations.Migration):
    """The pairwise balances move to the ledger app; their table and rows stay where they are."""

    dependencies = [
        ("groups", "0003_alter_activity_verb"),
    ]

    operations = [
        migrations.AddField(
            model_name="group",
            name="has_ledger_history",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="member",
            name="balance",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PairBalance")],
        ),
    ]
