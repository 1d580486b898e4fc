from itertools import batched

from django.core.management.base import BaseCommand, CommandError

from groups.models import Group
from ledger.books import UnreadableLedger, recompute_group
from settlements.models import PlanSummary
from splitclone import metrics
from splitclone.money import format_amount

# Groups whose plan summaries are compared at once: a constant number of queries per batch.
SUMMARY_BATCH = 500


class Command(BaseCommand):
    help = (
        "Rebuilds the kept balances (members and pairs) and spending totals from the ledger, "
        "and drops the plan summaries the home page reads that differ from the groups' plans. "
        "With --check, only reports those that drifted and exits with status 1 if any did."
    )

    def add_arguments(self, parser):
        parser.add_argument("--group", type=int, help="Only this group (its id).")
        parser.add_argument(
            "--check", action="store_true", help="Change nothing; report drift, exit 1 if any."
        )

    def handle(self, *args, group, check, **options):
        groups = Group.objects.order_by("pk")
        if group is not None:
            groups = groups.filter(pk=group)
            if not groups.exists():
                raise CommandError(f"There is no group with id {group}.")
        # First: rebuilding or checking a group's balances takes its lock, which moves its plan
        # version, after which the home page no longer trusts the summary there is to check.
        summaries = self.check_summaries(groups, check)
        drifted_members = drifted_pairs = drifted_spending = 0
        unreadable = []
        for each in groups.iterator():
            try:
                drift = recompute_group(each, check=check)
            except UnreadableLedger as error:
                self.stdout.write(str(error))
                unreadable.append(each)
                continue
            self.report(drift)
            drifted_members += len(drift.members)
            drifted_pairs += len(drift.pairs)
            drifted_spending += len(drift.spending)
        found = f"{drifted_members} member balance(s) and {drifted_pairs} pair balance(s)"
        if summaries:
            found += f" and {summaries} plan summary(ies)"
        if drifted_spending:
            found += f" and {drifted_spending} spending total(s)"
        unread = f"; {len(unreadable)} group(s) whose ledger cannot be read" if unreadable else ""
        if check:
            metrics.record_ledger_drift(drifted_members)
            if drifted_members or drifted_pairs or drifted_spending or summaries or unreadable:
                raise CommandError(
                    f"Drift found: {found} differ from the ledger{unread}.", returncode=1
                )
            self.stdout.write("No drift: every kept balance matches the ledger.")
        else:
            self.stdout.write(f"Rebuilt from the ledger; fixed {found}{unread}.")
            if unreadable:
                raise CommandError(f"{len(unreadable)} group(s) left as they were.", returncode=1)

    def check_summaries(self, groups, check):
        """How many groups' plan summaries differ from their plans, each reported; without
        `check` they are dropped, and the home page works them out again."""
        drifted = []
        for batch in batched(groups.iterator(), SUMMARY_BATCH):
            drifted += PlanSummary.objects.drifted(list(batch))
        for group in drifted:
            self.stdout.write(
                f"{group.name} (#{group.pk}): the plan summary the home page reads differs "
                "from the group's plan"
            )
        if drifted and not check:
            PlanSummary.objects.filter(group__in=drifted).delete()
        return len(drifted)

    def report(self, drift):
        group = drift.group

        def money(amount, currency):
            # None: the group's currency; another is one it keeps until settling up.
            return format_amount(amount, currency or group.currency)

        for change in drift.members:
            self.stdout.write(
                f"{group.name} (#{group.pk}): {change.member.display_name}'s balance is "
                f"{money(change.kept, change.currency)}, the ledger says "
                f"{money(change.ledger, change.currency)}"
            )
        for change in drift.pairs:
            self.stdout.write(
                f"{group.name} (#{group.pk}): {change.member_a.display_name} owes "
                f"{change.member_b.display_name} {money(change.kept, change.currency)}, the "
                f"ledger says {money(change.ledger, change.currency)}"
            )
        for change in drift.spending:
            whose = f"{change.member.display_name}'s" if change.member else "the group's"
            when = f"on {change.day:%d %b %Y}" if change.span == "day" else f"in {change.day:%b %Y}"
            self.stdout.write(
                f"{group.name} (#{group.pk}): {whose} spending on {change.category} {when} is "
                f"kept as {self.spending(change.kept, money)}, the "
                f"ledger says {self.spending(change.ledger, money)}"
            )

    @staticmethod
    def spending(totals, money):
        # Spending totals are all in the group's currency, whatever currency was spent.
        if len(totals) == 2:
            amount, expenses = totals
            return f"{money(amount, None)} in {expenses} expense(s)"
        paid, share, shares = totals
        return f"paid {money(paid, None)}, {shares} share(s) of {money(share, None)}"
