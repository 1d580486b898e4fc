import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over `groups_pairbalance` as it is: no table is created, no row moves."""

    initial = True

    dependencies = [
        ("groups", "0004_ledger_owns_balances"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PairBalance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("amount", models.BigIntegerField(default=0)),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pair_balances",
                                to="groups.group",
                            ),
                        ),
                        (
                            "member_a",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="groups.member",
                            ),
                        ),
                        (
                            "member_b",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="groups.member",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "groups_pairbalance",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("group", "member_a", "member_b"),
                                name="groups_pairbalance_unique_pair",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("member_a__lt", models.F("member_b"))),
                                name="groups_pairbalance_ordered_pair",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.CreateModel(
            name="GroupBooks",
            fields=[],
            options={
                "verbose_name": "group's books",
                "verbose_name_plural": "groups' books",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("groups.group",),
        ),
    ]
