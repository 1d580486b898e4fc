"""Benchmark the settle-up search on groups past the bitset search: 20 to 200 members.

Run from the repository root as ``python benchmarks/bench_settle_search.py [--cpu-clock]``. For
each family and size it prints the median, p99 and worst milliseconds of `plan_settlement` with
its default time budget, the share of plans proven minimal, and how many payments fewer than
greedy they need on average. Target: every group of up to 30 members with a balance proven
minimal within the budget. With ``--cpu-clock`` the budget and the times are this thread's CPU
time, which other jobs on a shared machine do not stretch: what a quiet machine would show.
Inputs are seeded, so runs are comparable; the figures are in docs/benchmarks.md ("Settle-up").
"""

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Running the file directly puts benchmarks/ rather than the repository root on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_settle import Balances, _adjusted, expense_balances
from settlements import algorithm
from settlements.algorithm import greedy_transfers, plan_settlement

SEED = 20261129
SIZES = (20, 25, 30, 40, 50, 200)


def planted_balances(rng: random.Random, members: int) -> Balances:
    """Zero-sum groups of 2 to 6 members with small, colliding amounts, shuffled together.

    The many small values make zero-sum subsets plentiful, so the search must tell the planted
    partition from the many others and prove that none has more parts.
    """
    values: list[int] = []
    while len(values) < members:
        size = min(rng.randint(2, 6), members - len(values))
        group = [rng.choice([-1, 1]) * rng.randint(1, 40) for _ in range(size - 1)]
        values += [*group, -sum(group)] if size > 1 else [0]
    rng.shuffle(values)
    return dict(enumerate(values))


def distinct_balances(rng: random.Random, members: int) -> Balances:
    """Large random amounts: almost no zero-sum subsets, so proving that takes the full
    meet-in-the-middle over every subset."""
    return _adjusted([rng.randint(-(10**6), 10**6) for _ in range(members - 1)])


def small_balances(rng: random.Random, members: int) -> Balances:
    """Amounts in -15..15: thousands of overlapping zero-sum subsets."""
    return _adjusted([rng.randint(-15, 15) for _ in range(members - 1)])


FAMILIES: list[tuple[str, Callable[[random.Random, int], Balances]]] = [
    ("random expenses", expense_balances),
    ("adversarial planted 2-6", planted_balances),
    ("adversarial large distinct", distinct_balances),
    ("adversarial small values", small_balances),
]


def main() -> None:
    rng = random.Random(SEED)
    started = time.perf_counter()
    clock = time.perf_counter
    if "--cpu-clock" in sys.argv:
        clock = algorithm._clock = time.thread_time
    print(f"time budget {algorithm.TIME_BUDGET * 1000:.0f} ms on the {clock.__name__} clock")
    header = f"{'case':<40}{'runs':>5}{'median ms':>11}{'p99 ms':>9}{'worst ms':>10}{'proven':>8}"
    print(header + f"{'vs greedy':>11}")
    for size in SIZES:
        for label, make in FAMILIES:
            cases = [make(rng, size) for _ in range(30 if size <= 50 else 10)]
            timings, proven, saved = [], 0, 0
            for balances in cases:
                start = clock()
                plan = plan_settlement(balances)
                timings.append(clock() - start)
                proven += plan.proven_minimal
                saved += len(greedy_transfers(balances)) - len(plan.transfers)
            ordered = sorted(timings)
            p99 = ordered[round(0.99 * (len(ordered) - 1))]
            cells = [statistics.median(ordered), p99, ordered[-1]]
            print(
                f"{label + ', ' + str(size):<40}{len(cases):>5}"
                + "".join(f"{c * 1000:>{w}.1f}" for c, w in zip(cells, (11, 9, 10), strict=True))
                + f"{proven / len(cases):>8.0%}{-saved / len(cases):>+11.2f}"
            )
    print(f"total benchmark time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
