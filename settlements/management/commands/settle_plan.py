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
            help=(
                "Print JSON: {payments: [{from, to, amount, currency}], proven_minimal}, amounts "
                "as exact decimals; proven_minimal is false when a plan with fewer payments may "
                "exist."
            ),
        )

    def handle(self, *args, group, json, **options):
        found = Group.objects.filter(pk=group).first()
        if found is None:
            raise CommandError(f"There is no group with id {group}.")
        currency = found.currency
        settle_up = Payment.objects.suggest(found)
        suggestions = settle_up.suggestions
        if json:
            self.stdout.write(to_json(suggestions, currency, settle_up.plan.proven_minimal))
            return
        if not suggestions:
            self.stdout.write(f"Everyone in {found.name} is settled up.")
        for suggestion in suggestions:
            self.stdout.write(
                f"{suggestion.debtor.display_name} pays {suggestion.creditor.display_name} "
                f"{format_amount(suggestion.amount, currency)}"
            )
        if settle_up.simplified and not settle_up.plan.proven_minimal:
            self.stdout.write(
                f"The search stopped after {settle_up.search_budget_ms} ms: "
                "a plan with fewer payments may exist."
            )


def to_json(suggestions, currency, proven_minimal):
    # Amounts as strings ("12.50"): exact, where a JSON number would invite float parsing.
    payments = [
        {
            "from": suggestion.debtor.display_name,
            "to": suggestion.creditor.display_name,
            "amount": format_amount(suggestion.amount, currency, with_code=False, grouping=False),
            "currency": currency,
        }
        for suggestion in suggestions
    ]
    return json.dumps({"payments": payments, "proven_minimal": proven_minimal}, ensure_ascii=False)
