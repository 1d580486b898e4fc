from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0014_settle_up_wishes"),
    ]

    # Added in place: Django's SQLite backend would rebuild groups_group, dropping the ledger's
    # trigger that fixes the currency (ledger migration 0002).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    "group",
                    "plan_version",
                    models.BigIntegerField(default=0, editable=False),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE groups_group ADD COLUMN plan_version bigint NOT NULL DEFAULT 0",
                    "ALTER TABLE groups_group DROP COLUMN plan_version",
                )
            ],
        )
    ]
