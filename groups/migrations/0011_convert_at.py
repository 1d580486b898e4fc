from django.db import migrations, models



def add_column(field_name, field, column):
    """Added in place: Django's SQLite backend would rebuild groups_group, dropping the ledger's
    trigger that fixes the currency (ledger migration 0002)."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddField("group", field_name, field)],
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE groups_group ADD COLUMN {field_name} {column}",
                f"ALTER TABLE groups_group DROP COLUMN {field_name}",
            )
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0010_member_last_seen_activity"),
    ]

    operations = [
        add_column(
            "convert_at",
            models.CharField(
                choices=[
                    ("entry", "When the entry is saved"),
                    ("settlement", "When the group settles up"),
                ],
                default="entry",
                max_length=10,
            ),
            "varchar(10) NOT NULL DEFAULT 'entry'",
        ),
        add_column(
            "has_foreign_entries",
            models.BooleanField(default=False, editable=False),
            "boolean NOT NULL DEFAULT false",
        ),
    ]
