"""CPU cost every signed-in page pays, and where a page's time goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/splitclone \
        python benchmarks/profile_page.py                 # the floor and the group page, timed
    ... profile_page.py --profile "group page"            # and cProfile's top functions for it
    ... profile_page.py --instructions --runs 20          # instructions per request, exactly

Seeds one group like `bench_pages.py` (10 members, 1,000 expenses by default) and its home-page
person in 200 groups in a throwaway test database. "floor" pages show the cost shared by every
page: the smallest signed-in page (the account's language page) and a group page asked for by
someone outside the group (404). "save an expense" saves one shared by every member.

With `--instructions`, each figure is the instructions the app's process executes per request,
counted by valgrind (`instructions.py`): the same for the same code whatever the machine is
doing, so it tells whether a change made a page cheaper where milliseconds cannot. Seeding under
valgrind takes a few minutes; 20 runs are plenty, the count hardly moves between requests.
"""

import argparse
import cProfile
import gc
import logging
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_pages import (
    Meter,
    measuring_database,
    populate_home,
    report,
    save_expense,
    seed_group,
    size_option,
)  # sets Django up
from django.db import connection
from django.test import Client
from instructions import counting, is_counting, measured


def pages(group):
    base = f"/groups/{group.pk}/"
    return {
        "language page": ("member", "/account/language/", 200),
        "outsider 404": ("outsider", base, 404),
        "group page": ("member", base, 200),
        "settle-up": ("member", f"{base}settle/", 200),
        "expense list": ("member", f"{base}expenses/", 200),
        "home": ("home", "/home/", 200),
    }


def count_instructions(name, action, runs):
    action()
    gc.collect()
    gc.freeze()
    with measured(name):
        for _ in range(runs):
            action()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=size_option, default=(10, 1_000), metavar="MEMBERSxEXPENSES")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--profile", action="append", default=[], help='page (or "save an expense") to profile'
    )
    parser.add_argument("--top", type=int, default=40, help="functions listed per profile")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative)")
    parser.add_argument(
        "--instructions", action="store_true", help="instructions per request, under valgrind"
    )
    parser.add_argument("--only", action="append", help="measure only this page (repeatable)")
    options = parser.parse_args()
    if options.instructions and not is_counting():
        counts = counting([__file__, *sys.argv[1:]])
        print(f"instructions per request, app process only, {options.runs} runs")
        for name, count in counts.items():
            print(f"  {name:<36} {count / options.runs / 1e6:8.2f} M")
        return

    from accounts.models import User

    logging.disable(logging.WARNING)  # the 404s would print a line each
    with measuring_database():
        meter = Meter()
        members, expenses = options.size
        group = seed_group(members, expenses, 1)
        clients = {"member": Client(), "outsider": Client(), "home": Client()}
        clients["member"].force_login(User.objects.get(email="demo@splitclone.test"))
        clients["outsider"].force_login(User.objects.create_user("outsider@example.com", "pw"))
        clients["home"].force_login(populate_home())
        print(f"{members} members, {expenses:,} expenses, {connection.vendor}, {options.runs} runs")
        user = User.objects.get(email="demo@splitclone.test")
        participants = list(group.members.order_by("id").values_list("id", flat=True))
        actions = {
            name: (lambda url=url, client=clients[who]: client.get(url), status)
            for name, (who, url, status) in pages(group).items()
        }
        actions["save an expense"] = (lambda: save_expense(group, user, participants), None)
        for name, (action, status) in actions.items():
            if options.only and name not in options.only:
                continue
            response = action()
            assert status is None or response.status_code == status, name
            if is_counting():
                count_instructions(name, action, options.runs)
            else:
                report(name, [meter.measure(action, options.runs)])
        for name in options.profile:
            action, _ = actions[name]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(options.runs):
                action()
            profiler.disable()
            print(f"\n{name}: {options.runs} runs, by {options.sort}")
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats(options.sort).print_stats(options.top)


if __name__ == "__main__":
    main()
