import datetime
import random
import uuid

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from expenses.models import Expense, ExpenseEntry, ExpensePayer, ExpenseShare
from expenses.splitting import SplitKind, split_equal
from groups.models import Group, Member, Role
from ledger import books
from ledger.effects import SpendingTotals, combine, expense_effect
from splitclone.bulk import insert_rows
from splitclone.text import search_key

DEMO_EMAIL = "demo@splitclone.test"
DEMO_PASSWORD = "splitclone-demo"
BATCH = 5000
START_DATE = datetime.date(2025, 1, 1)
DESCRIPTIONS = ["Groceries", "Dinner", "Taxi", "Fuel", "Tickets", "Coffee", "Rent", "Drinks"]
CATEGORIES = ["groceries", "restaurants", "transport", "fuel", "entertainment", "food", "rent"]

# The small demo: (group, currency, guests, [(description, amount, payer, participants)])
# where payer and participants index into [demo user, the demo friend, *guests]. The flat and
# the ski weekend have no guests, so the two people can settle both together across groups.
SHOWCASE = [
    (
        "Lisbon trip",
        "EUR",
        ["Alice", "Bruno"],
        [
            ("Flat for four nights", 48000, 0, [0, 1, 2, 3]),
            ("Dinner at Taberna", 12750, 1, [0, 1, 2, 3]),
            ("Tram tickets", 2600, 2, [0, 2]),
            ("Groceries", 5433, 3, [0, 1, 3]),
        ],
    ),
    (
        "Flat 3B",
        "EUR",
        [],
        [
            ("Electricity", 9000, 1, [0, 1]),
            ("Internet", 3500, 0, [0, 1]),
            ("Cleaning supplies", 1899, 1, [0, 1]),
        ],
    ),
    (
        "Ski weekend",
        "EUR",
        [],
        [
            ("Chalet", 36000, 0, [0, 1]),
            ("Lift passes", 11800, 1, [0, 1]),
        ],
    ),
]
FRIEND_EMAIL = "sam@splitclone.test"


EXPENSE_COLUMNS = [
    "id",
    "group_id",
    "description",
    "amount",
    "currency",
    # Spent in the group's currency: the same amount and code (`ledger.models.LedgerRow`).
    "original_amount",
    "original_currency",
    "date",
    "category",
    "notes",
    "search_text",
    "receipt",
    "split_kind",
    "submission_id",
    "version",
    "created_by_id",
    "created_at",
    "updated_at",
]


class Command(BaseCommand):
    help = (
        "Loads demo data; running it again changes nothing. With --groups it also creates a "
        "large deterministic data set for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--groups", type=int, default=0, help="groups in the large data set")
        parser.add_argument("--members", type=int, default=10, help="members per group")
        parser.add_argument("--expenses", type=int, default=100, help="expenses in all")
        parser.add_argument("--seed", type=int, default=1, help="makes the data set repeatable")

    def handle(self, *args, groups, members, expenses, seed, **options):
        user = self.demo_user()
        self.showcase(user)
        if groups:
            created = self.bulk(user, groups, members, expenses, seed)
            self.stdout.write(f"Large data set (seed {seed}): {created}")
        self.stdout.write(f"Demo account: log in as {DEMO_EMAIL} / {DEMO_PASSWORD}")

    @transaction.atomic
    def demo_user(self, email=DEMO_EMAIL, name="Demo Dana"):
        user, created = get_user_model().objects.get_or_create(
            email=email, defaults={"display_name": name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def showcase(self, user):
        """A few groups with realistic expenses, saved through the normal ledger path."""
        friend = self.demo_user(FRIEND_EMAIL, "Sam Rivera")
        for name, currency, guests, entries in SHOWCASE:
            if Group.objects.filter(name=name, created_by=user).exists():
                continue
            group = Group.objects.create_group(creator=user, name=name, currency=currency)
            people = [
                group.members.get(user=user),
                group.add_user(friend, actor=user),
                *(group.add_guest(guest, actor=user) for guest in guests),
            ]
            for day, (description, amount, payer, among) in enumerate(entries):
                shares = split_equal(amount, [people[i].pk for i in among], seed=description)
                entry = ExpenseEntry(
                    description=description,
                    amount=amount,
                    currency=currency,
                    date=START_DATE + datetime.timedelta(days=day),
                    category="general",
                    notes="",
                    split_kind=SplitKind.EQUAL,
                    submission_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{description}"),
                    paid={people[payer].pk: amount},
                    owed=shares.shares,
                )
                Expense.objects.save_expense(group_id=group.pk, author=user, entry=entry)

    @transaction.atomic
    def bulk(self, user, group_count, member_count, expense_count, seed):
        """Bulk inserts, with the kept balances computed alongside, for big data sets."""
        prefix = f"Bench {seed}"
        if Group.objects.filter(name__startswith=f"{prefix} #").exists():
            return "already present"
        rng = random.Random(seed)
        groups = Group.objects.bulk_create(
            Group(name=f"{prefix} #{n + 1}", currency="EUR", created_by=user)
            for n in range(group_count)
        )
        Member.objects.bulk_create(Member(group=g, user=user, role=Role.OWNER) for g in groups)
        Member.objects.bulk_create(
            Member(group=g, name=f"Guest {n}") for g in groups for n in range(1, member_count)
        )
        people = {g.pk: [] for g in groups}
        for member in Member.objects.filter(group__in=groups).order_by("id"):
            people[member.group_id].append(member.pk)
        effects = {g.pk: [] for g in groups}
        spending = {g.pk: SpendingTotals() for g in groups}
        uuid_field = Expense._meta.get_field("submission_id")
        now = timezone.now()
        # Ids are handed out here so the payer and share rows can name their expense without
        # reading the ids back; the sequence is moved past them afterwards.
        next_id = (Expense.objects.aggregate(Max("id"))["id__max"] or 0) + 1
        for start in range(0, expense_count, BATCH):
            expenses, payers, shares = [], [], []
            for n in range(min(BATCH, expense_count - start)):
                expense_id = next_id + start + n
                group = groups[(start + n) % len(groups)]
                among = rng.sample(people[group.pk], rng.randint(2, min(member_count, 6)))
                amount = rng.randint(100, 50000)
                payer = rng.choice(people[group.pk])
                submission_id = uuid.UUID(int=rng.getrandbits(128))
                description = rng.choice(DESCRIPTIONS)
                date = START_DATE + datetime.timedelta(days=rng.randint(0, 660))
                category = rng.choice(CATEGORIES)
                expenses.append(
                    (
                        expense_id,
                        group.pk,
                        description,
                        amount,
                        group.currency,
                        amount,
                        group.currency,
                        date,
                        category,
                        "",
                        search_key(description, ""),
                        "",
                        SplitKind.EQUAL,
                        uuid_field.get_db_prep_value(submission_id, connection),
                        1,
                        user.pk,
                        now,
                        now,
                    )
                )
                owed = split_equal(amount, among, seed=str(submission_id)).shares
                payers.append((expense_id, payer, amount))
                shares += [(expense_id, member, share, "") for member, share in owed.items()]
                effects[group.pk].append(expense_effect({payer: amount}, owed))
                spending[group.pk].add(date, category, amount, {payer: amount}, owed)
            insert_rows(Expense, EXPENSE_COLUMNS, expenses)
            insert_rows(ExpensePayer, ["expense_id", "member_id", "amount"], payers)
            insert_rows(ExpenseShare, ["expense_id", "member_id", "amount", "entered"], shares)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Expense]):
                cursor.execute(sql)
        for group in groups:
            with books.change(group.pk) as locked:
                books.apply(locked, combine(*effects[group.pk]))
                books.apply_spending(locked, spending[group.pk].effect())
        return f"{group_count} groups × {member_count} members, {expense_count} expenses"
