import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from groups.models import Member
from imports import services
from imports.detect import FORMATS, MAX_BYTES
from imports.parsed import ImportRefused
from splitclone.money import format_amount


class DryRun(Exception):
    """Rolls back a dry run once everything has been written and read back."""


class Command(BaseCommand):
    help = (
        "Imports an export from Splitwise, IHateMoney, Spliit or Cospend into a new group "
        "owned by --owner, every person of the file a guest. Refused files save nothing and "
        "exit with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the exported file")
        parser.add_argument(
            "--format", choices=list(FORMATS), help="the file's format (default: recognised)"
        )
        parser.add_argument("--owner", required=True, help="email of the new group's owner")
        parser.add_argument("--name", help="the group's name (default: the file's name)")
        parser.add_argument("--currency", help="the group's currency, if the file names none")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="import inside a transaction that is rolled back: shows the result, saves nothing",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, file, format, owner, name, currency, dry_run, json, **options):
        try:
            result, group_currency = self.run(Path(file), format, owner, name, currency, dry_run)
        except ImportRefused as refused:
            if json:
                self.stdout.write(self.dumps({"error": str(refused)}))
            raise CommandError(str(refused), returncode=1) from None
        if json:
            self.stdout.write(self.dumps(result))
        else:
            self.stdout.write(self.describe(result, group_currency, dry_run))

    @staticmethod
    def dumps(value):
        return json.dumps(value, ensure_ascii=False)

    def run(self, path, format_name, owner, name, currency, dry_run):
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ImportRefused(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
            data = path.read_bytes()
        except OSError as error:
            raise ImportRefused(f"{path} cannot be read: {error.strerror}.") from None
        parsed = services.read_file(data, format_name)
        user = get_user_model().objects.filter(email__iexact=owner).first()
        if user is None:
            raise ImportRefused(f"No account has the email address {owner}.")
        mapping = dict.fromkeys(parsed.people, services.NEW_GUEST)
        try:
            with transaction.atomic():
                imported = services.import_new_group(
                    parsed,
                    user=user,
                    mapping=mapping,
                    name=name or parsed.name or path.stem,
                    currency=currency,
                )
                # Read back from the members' rows: the balances the ledger now keeps.
                kept = dict(
                    Member.objects.filter(group=imported.group).values_list("pk", "balance")
                )
                result = {
                    "group_id": None if dry_run else imported.group.pk,
                    "members": {
                        person: kept[member.pk] for person, member in imported.members.items()
                    },
                    "expenses": imported.expenses,
                    "payments": imported.payments,
                    "titles": [expense.description for expense in parsed.expenses],
                    "notices": services.notices(parsed),
                }
                if dry_run:
                    raise DryRun()
        except DryRun:
            pass
        return result, imported.group.currency

    @staticmethod
    def describe(result, currency, dry_run):
        done = "Would import" if dry_run else "Imported"
        where = "" if dry_run else f" into group {result['group_id']}"
        lines = [
            f"{done} {services.count(result['expenses'], 'expense')} and "
            f"{services.count(result['payments'], 'payment')}{where}.",
            "Balances:",
        ]
        lines += [
            f"  {person}: {format_amount(balance, currency)}"
            for person, balance in result["members"].items()
        ]
        lines += [f"Notice: {notice}" for notice in result["notices"]]
        return "\n".join(lines)
