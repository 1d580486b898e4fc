"""CPU cost of each page of a group, of the home page and of saving an expense.

    python benchmarks/bench_pages.py                 # embedded SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone python benchmarks/bench_pages.py
    ... bench_pages.py --quick                       # fewer runs, no 100,000-expense group

Runs against a throwaway test database, which it creates and drops. The groups come from
`seed_demo` (random expenses among 2 to 6 people, every member with a balance), at
(members, expenses) = (10, 1k), (10, 10k), (50, 10k) and (50, 100k), each with a few payments;
who-owes-whom is also timed with "simplify debts" off (a line per pair: 1,225 at 50 members).
The home page is measured for a person in 200 groups of 30 members, 11 of them with a balance.

Each figure is CPU milliseconds per request: the Python process (the app, and SQLite when it is
the database) plus, on PostgreSQL, the database backend serving the connection, read from
/proc/<backend pid>/stat. Wall-clock medians are printed beside them; on a shared machine they
say more about the load than about the code. On such a machine the same code's CPU time also
moves by a third from one minute to the next, so each figure is measured in several rounds that
take turns with the others (`--rounds`), and the round with the median CPU time is printed, with
the range of all rounds beside it, and a fixed loop of pure Python timed at the start of each
round tells how fast the machine was meanwhile. `profile_page.py --instructions` counts
instructions instead, which do not move. Pages are timed warm: the plan for the current
balances is the one the previous request stored, which is the usual case (balances change on a
write, and are read by many views after it). "settle-up, new balances" times the first view
after the balances moved, which works the plan out (`settlements.algorithm`).
"""

import argparse
import contextlib
import datetime
import gc
import io
import itertools
import logging
import os
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "splitclone.settings.test")

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.template.base import PartialTemplate, Template
from django.test import Client
from django.test.utils import setup_test_environment

SIZES = [(10, 1_000), (10, 10_000), (50, 10_000), (50, 100_000)]
HOME_GROUPS = 200
HOME_MEMBERS = 30
# Guests with a balance in each home-page group, so each group's plan has some ten payments.
HOME_OWING = 10
PAYMENTS = 20
TICKS = os.sysconf("SC_CLK_TCK")
FIGURES = (
    "group page",
    "settle-up",
    "expense list",
    "who owes whom",
    "settle-up, new balances",
    "save an expense",
    "who owes whom, pairwise",
    "home",
)


def size_option(text):
    members, expenses = text.lower().split("x")
    return int(members), int(expenses)


class Meter:
    """CPU time of this process and of the database backend serving its connection."""

    def __init__(self):
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            self.backend = Path(f"/proc/{pid}/stat")
            if not self.backend.exists():  # the database runs on another machine
                self.backend = None

    def backend_seconds(self):
        if self.backend is None:
            return 0.0
        # Fields 14 and 15 (utime, stime), counted after the parenthesised command name.
        fields = self.backend.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def measure(self, action, runs, prepare=None):
        """(app CPU ms, database CPU ms, wall median ms) per call of ``action``, each call after
        an untimed ``prepare(run)`` if given."""
        action()  # warm caches, the template loader and the stored plan
        # What the seeding left behind is no server's: collected and frozen out of the
        # collector's reach, as a server process freezes what it loaded before its first
        # request, so no figure pays for a full collection over 100,000 seeded rows.
        gc.collect()
        gc.freeze()
        walls, app, database = [], 0.0, 0.0
        for run in range(runs):
            if prepare is not None:
                prepare(run)
            started_app, started_database = time.process_time(), self.backend_seconds()
            started = time.perf_counter()
            action()
            walls.append((time.perf_counter() - started) * 1000)
            app += time.process_time() - started_app
            database += self.backend_seconds() - started_database
        return app * 1000 / runs, database * 1000 / runs, statistics.median(walls)


def report(label, rounds):
    """One line for a figure measured in several rounds: the round with the median CPU time,
    and the range over the rounds when there were several."""
    ranked = sorted(rounds, key=lambda figures: figures[0] + figures[1])
    app, database, wall = ranked[len(ranked) // 2]
    line = f"  {label:<36} {app + database:6.1f} ms CPU  (app {app:5.1f}, db {database:5.1f})"
    if len(ranked) > 1:
        line += f"  rounds {sum(ranked[0][:2]):5.1f} to {sum(ranked[-1][:2]):5.1f}"
    print(line + f"   wall median {wall:6.1f} ms", flush=True)


def reference_loop():
    """CPU ms of a fixed piece of pure Python, the same in every run: how fast the machine
    was while the figures were taken."""
    started = time.process_time()
    sum(number * number for number in range(300_000))
    return (time.process_time() - started) * 1000


def seed_group(members, expenses, seed):
    """A `seed_demo` group with ``PAYMENTS`` payments recorded through the ledger."""
    from groups.models import Group
    from settlements.tests.factories import record_payment

    call_command(
        "seed_demo",
        groups=1,
        members=members,
        expenses=expenses,
        seed=seed,
        stdout=io.StringIO(),
    )
    group = Group.objects.get(name=f"Bench {seed} #1")
    people = list(group.members.order_by("id"))
    for n in range(PAYMENTS):
        record_payment(people[n % members], people[(n + 1) % members], 100 + n)
    return group


def populate_home():
    """A person in ``HOME_GROUPS`` groups, ten guests of each with a balance adding up to zero."""
    from accounts.models import User
    from groups.models import Group, Member, Role

    user = User.objects.create_user("home@example.com", "pw", display_name="Home")
    groups = Group.objects.bulk_create(
        Group(name=f"Group {n:03}", currency="EUR", created_by=user) for n in range(HOME_GROUPS)
    )
    members = []
    for n, group in enumerate(groups):
        balances = [n * 7 - 500] + [(-1) ** k * (k + 1) * 137 for k in range(HOME_OWING - 1)]
        balances.append(-sum(balances))
        members.append(Member(group=group, user=user, role=Role.OWNER, balance=balances[0]))
        members += (
            Member(group=group, name=f"Guest {k}", balance=balances[k + 1] if k < HOME_OWING else 0)
            for k in range(HOME_MEMBERS - 1)
        )
    Member.objects.bulk_create(members)
    return user


def save_expense(group, user, participants):
    from expenses.models import Expense, ExpenseEntry
    from expenses.splitting import split_equal

    submission_id = uuid.uuid4()
    entry = ExpenseEntry(
        description="Team dinner",
        amount=123456,
        currency=group.currency,
        date=datetime.date(2026, 11, 3),
        category="food",
        notes="",
        split_kind="equal",
        submission_id=submission_id,
        paid={participants[0]: 123456},
        owed=split_equal(123456, participants, seed=str(submission_id)).shares,
    )
    Expense.objects.save_expense(group_id=group.pk, author=user, entry=entry)


class Figure(NamedTuple):
    label: str
    action: Callable[[], object]
    # Called before each timed action, untimed (`Meter.measure`).
    prepare: Callable[[int], object] | None = None
    # Entered around the figure's runs.
    setting: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext


@contextlib.contextmanager
def debts_not_simplified(group):
    """With "simplify debts" off, every pair of members that owes something is a line."""
    group.simplify_debts = False
    group.save(update_fields=["simplify_debts"])
    try:
        yield
    finally:
        group.simplify_debts = True
        group.save(update_fields=["simplify_debts"])


def group_figures(client, user, group, only):
    """The figures of `group` named in `only`."""
    from django.db.models import F

    from groups.models import Member

    base = f"/groups/{group.pk}/"
    pages = [
        ("group page", base),
        ("settle-up", f"{base}settle/"),
        ("expense list", f"{base}expenses/"),
        ("who owes whom", f"{base}who-owes-whom/"),
    ]
    figures = []
    for name, url in pages:
        if name not in only:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        suffix = f" ({len(response.content) // 1024} KB)" if name == "settle-up" else ""
        figures.append(Figure(name + suffix, lambda url=url: client.get(url)))

    people = list(group.members.order_by("id"))
    moved = itertools.count(1)

    def new_balances(run):
        # Balances no plan was worked out for yet, as after an expense: two members move by
        # a different amount each run (the kept balances alone; the page reads nothing else).
        amount = next(moved)
        Member.objects.filter(pk=people[0].pk).update(balance=F("balance") + amount)
        Member.objects.filter(pk=people[1].pk).update(balance=F("balance") - amount)

    settle_up = f"{base}settle/"
    if "settle-up, new balances" in only:
        figures.append(
            Figure("settle-up, new balances", lambda: client.get(settle_up), new_balances)
        )
    participants = [member.pk for member in people]
    if "save an expense" in only:
        figures.append(
            Figure(
                f"save an expense, {len(participants)} people",
                lambda: save_expense(group, user, participants),
            )
        )
    if "who owes whom, pairwise" in only:
        pairs = f"{base}who-owes-whom/"
        figures.append(
            Figure(
                "who owes whom, pairwise",
                lambda: client.get(pairs),
                setting=lambda: debts_not_simplified(group),
            )
        )
    return figures


@contextlib.contextmanager
def measuring_database():
    """A throwaway test database holding the demo person, dropped afterwards, with the test
    client's host and mailbox but templates rendered as in production: the test environment
    sends a signal for every template, include and widget a page renders."""
    rendering = Template._render, PartialTemplate._render
    setup_test_environment()
    Template._render, PartialTemplate._render = rendering
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        call_command("seed_demo", groups=0, stdout=io.StringIO())  # the demo person, always
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 runs, no 100,000-expense group")
    parser.add_argument("--runs", type=int, help="requests per figure (default 50, quick 10)")
    parser.add_argument(
        "--rounds", type=int, help="times each figure is measured (default 5, quick 1)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=FIGURES,
        help="measure only this figure (repeatable); default every one",
    )
    parser.add_argument(
        "--size",
        action="append",
        type=size_option,
        metavar="MEMBERSxEXPENSES",
        help="group size to measure, e.g. 10x1000 (repeatable); default the four of the issue",
    )
    options = parser.parse_args()
    runs = options.runs or (10 if options.quick else 50)
    rounds = options.rounds or (1 if options.quick else 5)
    only = set(options.only or FIGURES)
    sizes = options.size or [size for size in SIZES if not (options.quick and size[1] > 10_000)]
    if only == {"home"}:
        sizes = []

    from accounts.models import User

    logging.disable(logging.INFO)  # one access-log line per request would swamp the figures
    with measuring_database():
        meter = Meter()
        groups = [
            seed_group(members, expenses, seed) for seed, (members, expenses) in enumerate(sizes, 1)
        ]
        user = User.objects.get(email="demo@splitclone.test")
        client = Client()
        client.force_login(user)
        sections = [
            (
                f"{members} members, {expenses:,} expenses, {connection.vendor}",
                group_figures(client, user, group, only),
            )
            for group, (members, expenses) in zip(groups, sizes, strict=True)
        ]
        if "home" in only:
            home_client = Client()
            home_client.force_login(populate_home())
            sections.append(
                (
                    f"home, {HOME_GROUPS} groups of {HOME_MEMBERS} members, {connection.vendor}",
                    [Figure("home", lambda: home_client.get("/home/"))],
                )
            )
        # Rounds go through every figure in turn, so that a slow spell of a shared machine
        # falls on all of them rather than on whichever was being measured.
        measured, references = defaultdict(list), []
        for round_number in range(rounds):
            print(f"round {round_number + 1} of {rounds}", file=sys.stderr, flush=True)
            references.append(reference_loop())
            for heading, figures in sections:
                for figure in figures:
                    with figure.setting():
                        figures_now = meter.measure(figure.action, runs, figure.prepare)
                    measured[heading, figure.label].append(figures_now)
        print(f"{runs} runs a figure, {rounds} rounds; the round with the median CPU time")
        for heading, figures in sections:
            print(heading)
            for figure in figures:
                report(figure.label, measured[heading, figure.label])
        references.sort()
        print(
            f"reference loop (pure Python, the same work every round): "
            f"median {references[len(references) // 2]:.0f} ms, "
            f"{references[0]:.0f} to {references[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
