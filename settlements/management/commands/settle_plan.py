import json

from django.core.management.base import BaseCommand, CommandError

from groups.models import Group
from settlements.models import Payment
from splitclone.money import format_amount


class Command(BaseCommand):
    help = "Prints a group's current settle-up plan: who pays whom how much."

    def add_arguments(self, parser):
        parser.add_argument("--group", type=int, required=True, help="The group's id.")
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print a JSON list of {from, to, amount, currency}, amounts as exact decimals.",
        )

    def handle(self, *args, group, json, **options):
        found = Group.objects.filter(pk=group).first()
        if found is None:
            raise CommandError(f"There is no group with id {group}.")
        currency = found.currency
        suggestions = Payment.objects.suggest(found).suggestions
        if json:
            self.stdout.write(to_json(suggestions, currency))
            return
        if not suggestions:
            self.stdout.write(f"Everyone in {found.name} is settled up.")
        for suggestion in suggestions:
            self.stdout.write(
                f"{suggestion.debtor.display_name} pays {suggestion.creditor.display_name} "
                f"{format_amount(suggestion.amount, currency)}"
            )


def to_json(suggestions, currency):
    # Amounts as strings ("12.50"): exact, where a JSON number would invite float parsing.
    return json.dumps(
        [
            {
                "from": suggestion.debtor.display_name,
                "to": suggestion.creditor.display_name,
                "amount": format_amount(
                    suggestion.amount, currency, with_code=False, grouping=False
                ),
                "currency": currency,
            }
            for suggestion in suggestions
        ],
        ensure_ascii=False,
    )
