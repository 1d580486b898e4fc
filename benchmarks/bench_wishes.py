"""Benchmark the settle-up plan under wishes on realistic groups of 20 and 50 members.

Run from the repository root as ``python benchmarks/bench_wishes.py [--cpu-clock] [--runs N]``.
Each group comes from a run of expenses among 2 to 6 of its members; "only pay people I share
expenses with" allows exactly the pairs who shared one, two households of two settle as one,
two people would rather not receive and three debtors prefer to pay someone they shared with.
For each size it prints the CPU milliseconds per plan (median and p95, the unconstrained plan
included, as `plan_with_wishes` computes it too), the share of plans proven minimal, and the
average payments: with wishes, the baseline under the same wishes, and with no wishes at all.
With ``--cpu-clock`` the time budget runs on this thread's CPU time, which other jobs on a
shared machine do not stretch. Inputs are seeded; the figures are in docs/settle-up.md
("Wishes").
"""

import argparse
import random
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path

# Running the file directly puts benchmarks/ rather than the repository root on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from settlements import algorithm
from settlements.wishes import Wishes, greedy_with_wishes, plan_with_wishes

SEED = 20261129
SIZES = (20, 50)
ROUND_PRICES = [500, 1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 10000]


def realistic_group(rng: random.Random, members: int) -> tuple[dict[int, int], Wishes[int]]:
    """Balances from expenses among 2 to 6 members, and the wishes such a group might have."""
    balances = dict.fromkeys(range(members), 0)
    shared: set[frozenset[int]] = set()
    for _ in range(rng.randint(members, 3 * members)):
        sharers = rng.sample(range(members), rng.randint(2, 6))
        payer = sharers[0]
        amount = rng.choice(ROUND_PRICES) if rng.random() < 0.5 else rng.randint(100, 25000)
        share, leftover = divmod(amount, len(sharers))
        balances[payer] += amount
        for position, member in enumerate(sharers):
            balances[member] -= share + (position < leftover)
        shared |= {frozenset(pair) for pair in combinations(sharers, 2)}
    people = list(range(members))
    rng.shuffle(people)
    debtors = [m for m in people[6:] if balances[m] < 0][:3]
    preferred = {}
    for debtor in debtors:
        partners = sorted(m for pair in shared if debtor in pair for m in pair if m != debtor)
        preferred[debtor] = rng.choice(partners)
    wishes = Wishes(
        allowed_pairs=frozenset(shared),
        households=(frozenset(people[0:2]), frozenset(people[2:4])),
        rather_not_receive=frozenset(people[4:6]),
        preferred_payee=preferred,
    )
    return balances, wishes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-clock", action="store_true", help="budget on thread CPU time")
    parser.add_argument("--runs", type=int, default=30, help="groups per size")
    options = parser.parse_args()
    if options.cpu_clock:
        algorithm._clock = time.thread_time
    rng = random.Random(SEED)
    print(f"time budget {algorithm.TIME_BUDGET * 1000:.0f} ms on the {algorithm._clock.__name__}")
    print(
        f"{'members':>7}{'runs':>6}{'median ms':>11}{'p95 ms':>9}{'proven':>8}"
        f"{'wishes':>8}{'baseline':>10}{'no wishes':>11}{'unmet':>7}"
    )
    for size in SIZES:
        timings, proven, with_wishes, baseline, plain, unmet = [], 0, 0, 0, 0, 0
        for _ in range(options.runs):
            balances, wishes = realistic_group(rng, size)
            start = time.thread_time()
            plan = plan_with_wishes(balances, wishes)
            timings.append(time.thread_time() - start)
            proven += plan.proven_minimal
            with_wishes += len(plan.unit_transfers)
            baseline += len(greedy_with_wishes(balances, wishes).unit_transfers)
            plain += plan.unconstrained_count
            unmet += len(plan.unmet)
        ordered = sorted(timings)
        p95 = ordered[round(0.95 * (len(ordered) - 1))]
        runs = options.runs
        print(
            f"{size:>7}{runs:>6}{statistics.median(ordered) * 1000:>11.1f}{p95 * 1000:>9.1f}"
            f"{proven / runs:>8.0%}{with_wishes / runs:>8.2f}{baseline / runs:>10.2f}"
            f"{plain / runs:>11.2f}{unmet / runs:>7.2f}"
        )


if __name__ == "__main__":
    main()
