"""The balances kept in other currencies and the lines of a conversion name members of their
own group only, like the other ledger rows (migration 0003): one group's conversion must not
move another group's balances."""

from django.db import migrations

from ledger.schema import group_of, in_group_triggers

CONVERSION_GROUP = "(SELECT group_id FROM ledger_balanceconversion WHERE id = NEW.conversion_id)"


def pair_outside(group):
    return (
        f"{group_of('member_a_id')} {{differ}} {group} "
        f"OR {group_of('member_b_id')} {{differ}} {group}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_balances_in_other_currencies"),
    ]

    operations = [
        in_group_triggers(
            {
                "ledger_currencybalance": f"{group_of('member_id')} {{differ}} NEW.group_id",
                "ledger_currencypairbalance": pair_outside("NEW.group_id"),
                "ledger_conversionline": pair_outside(CONVERSION_GROUP),
            }
        ),
    ]
