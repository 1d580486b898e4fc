"""Benchmark how often settle-up proves its plan minimal within 200 ms of CPU, 20 to 40 members.

Run from the repository root as ``python benchmarks/bench_settle_proof.py [--runs N]``. For each
family of inputs and each size it prints the share of plans proven minimal within the default
time budget and the median, p95 and worst CPU milliseconds of `plan_settlement`.

``--sweep N`` instead runs N adversarial groups of 25 to 40 members (planted zero-sum groups of
2 to 6 members with amounts up to 40, or of 3 to 6 with amounts up to 20, each group seeded by
its number) and prints, for 25-30 and 31-40 members with a balance, how many ran, how many ran
out of time, and the worst, p99 and median CPU milliseconds, then the slowest groups' seeds
(`sweep_group(seed)` rebuilds one).

The budget and the times run on this thread's CPU clock, which other jobs on a shared machine do
not stretch.
Target: every group of up to 30 members with a balance proven minimal. Inputs are seeded, so
runs are comparable (also against an older algorithm.py); the figures are in docs/benchmarks.md
("Settle-up").
"""

import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

# Running the file directly puts benchmarks/ rather than the repository root on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_settle import Balances, _adjusted, expense_balances
from benchmarks.bench_settle_search import distinct_balances, small_balances
from settlements import algorithm
from settlements.algorithm import plan_settlement

SEED = 20261130
SIZES = (20, 25, 28, 30, 35, 40)
RUNS = 30


def planted(
    rng: random.Random, members: int, *, largest: int, sizes: tuple[int, int] = (2, 6)
) -> Balances:
    """Zero-sum groups of ``sizes`` members with amounts up to ``largest``, shuffled together."""
    values: list[int] = []
    while len(values) < members:
        size = min(rng.randint(*sizes), members - len(values))
        if size == 1:
            # One member short of a group: split the last amount in two.
            values[-1] -= 1
            values.append(1)
            break
        group = [rng.choice([-1, 1]) * rng.randint(1, largest) for _ in range(size - 1)]
        values += [*group, -sum(group)]
    rng.shuffle(values)
    return dict(enumerate(values))


def equal_amounts(rng: random.Random, members: int) -> Balances:
    """Debts of one to three units of a round price, credits of round multiples: few
    distinct amounts and a huge number of zero-sum subsets."""
    unit = rng.choice([500, 1000, 2500])
    debts = [-unit * rng.randint(1, 3) for _ in range(members * 2 // 3)]
    credits = [unit * rng.randint(1, 6) for _ in range(members - len(debts) - 1)]
    return _adjusted(debts + credits)


FAMILIES: list[tuple[str, Callable[[random.Random, int], Balances]]] = [
    ("random expenses", expense_balances),
    ("planted 2-6, amounts 1-50,000", lambda rng, n: planted(rng, n, largest=50_000)),
    ("planted 2-6, amounts 1-40", lambda rng, n: planted(rng, n, largest=40)),
    ("planted 3-6, amounts 1-20", lambda rng, n: planted(rng, n, largest=20, sizes=(3, 6))),
    ("equal amounts", equal_amounts),
    ("small values -15..15", small_balances),
    ("large distinct", distinct_balances),
]


def sweep_group(seed: int) -> Balances:
    """The adversarial group number ``seed`` of ``--sweep``."""
    rng = random.Random(seed)
    members = rng.randint(25, 40)
    if rng.random() < 0.5:
        return planted(rng, members, largest=40)
    return planted(rng, members, largest=20, sizes=(3, 6))


def searched(balances: Balances) -> tuple[int, int]:
    """Members with a balance, and how many are left once exact opposite pairs cancel."""
    amounts = Counter(amount for amount in balances.values() if amount)
    pairs = sum(min(many, amounts[-amount]) for amount, many in amounts.items() if amount > 0)
    return amounts.total(), amounts.total() - 2 * pairs


def sweep(groups: int) -> None:
    algorithm._clock = time.thread_time
    print(f"time budget {algorithm.TIME_BUDGET * 1000:.0f} ms of CPU, {groups} adversarial groups")
    timed: list[tuple[float, int, tuple[int, int], bool]] = []
    for seed in range(groups):
        balances = sweep_group(seed)
        start = time.thread_time()
        proven = plan_settlement(balances).proven_minimal
        timed.append((1000 * (time.thread_time() - start), seed, searched(balances), proven))
    header = ("groups", 8), ("out of time", 13), ("worst ms", 10), ("p99 ms", 8), ("median ms", 11)
    print(f"{'members':<10}" + "".join(f"{title:>{width}}" for title, width in header))
    rows = [
        ("25-30", lambda members, _: members <= 30),
        ("31-40", lambda members, _: members > 30),
        # Those of 31-40 that the search must prove too: at most 30 once opposite pairs cancel.
        ("  (<=30)", lambda members, left: members > 30 and left <= 30),
    ]
    for label, chosen in rows:
        row = sorted(t for t in timed if chosen(*t[2]))
        ms = [t[0] for t in row]
        out_of_time = sum(not t[3] for t in row)
        print(
            f"{label:<10}{len(row):>8}{out_of_time:>13}{ms[-1]:>10.1f}"
            f"{ms[round(0.99 * (len(ms) - 1))]:>8.1f}{statistics.median(ms):>11.1f}"
        )
    slowest = sorted(timed, reverse=True)[:10]
    print(
        "slowest (seed: members, ms, proven):",
        ", ".join(
            f"{seed}: {members[0]}, {ms:.0f}, {'yes' if proven else 'no'}"
            for ms, seed, members, proven in slowest
        ),
    )


def main() -> None:
    if "--sweep" in sys.argv:
        sweep(int(sys.argv[sys.argv.index("--sweep") + 1]))
        return
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else RUNS
    rng = random.Random(SEED)
    started = time.perf_counter()
    algorithm._clock = time.thread_time
    print(f"time budget {algorithm.TIME_BUDGET * 1000:.0f} ms of CPU, {runs} groups per row")
    print(f"{'case':<42}{'proven':>8}{'median ms':>11}{'p95 ms':>9}{'worst ms':>10}")
    for size in SIZES:
        for label, make in FAMILIES:
            timings, proven = [], 0
            for _ in range(runs):
                balances = make(rng, size)
                start = time.thread_time()
                proven += plan_settlement(balances).proven_minimal
                timings.append(1000 * (time.thread_time() - start))
            ordered = sorted(timings)
            cells = [statistics.median(ordered), ordered[round(0.95 * (runs - 1))], ordered[-1]]
            print(
                f"{label + ', ' + str(size):<42}{proven / runs:>8.0%}"
                + "".join(f"{c:>{w}.1f}" for c, w in zip(cells, (11, 9, 10), strict=True))
            )
    print(f"total benchmark time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
