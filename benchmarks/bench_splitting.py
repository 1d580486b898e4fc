"""Benchmark `expenses.splitting`: microseconds per split, by kind and group size.

Run from the repository root as ``python benchmarks/bench_splitting.py`` (or ``python -m
benchmarks.bench_splitting``). The live split preview calls a split on every keystroke, so a
split of a normal group should cost well under a millisecond. Inputs are seeded, so runs are
comparable.
"""

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

# Running the file directly puts benchmarks/ rather than the repository root on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from expenses.splitting import SplitKind, split

SEED = 20240601
RUNS = 2000


def case(kind: SplitKind, members: int, rng: random.Random) -> tuple[int, dict[int, object]]:
    """A total with one realistic entry per member; the total leaves a leftover to hand out."""
    total = 1_000_003
    if kind is SplitKind.EXACT:
        return members * 1000, dict.fromkeys(range(members), 1000)
    if kind is SplitKind.PERCENT:
        cuts = sorted(rng.sample(range(1, 10_000), members - 1))
        units = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
        return total, {m: Decimal(u).scaleb(-2) for m, u in enumerate(units)}
    if kind is SplitKind.SHARES:
        return total, {m: Decimal(rng.randint(1, 6)) / 2 for m in range(members)}
    if kind is SplitKind.ADJUSTMENT:
        return total, {m: rng.randint(-100, 300) for m in range(members)}
    return total, dict.fromkeys(range(members))


def microseconds_per_split(
    kind: SplitKind, total: int, values: dict[int, object], runs: int
) -> float:
    """Mean time of one split; each run has its own seed, as each expense does."""
    start = time.perf_counter()
    for seed in range(runs):
        split(kind, total, values, seed=seed)
    return (time.perf_counter() - start) / runs * 1e6


def main() -> None:
    rng = random.Random(SEED)
    sizes = (2, 5, 20, 200)
    print(f"{'kind':<12}" + "".join(f"{f'{n} members µs':>18}" for n in sizes))
    for kind in SplitKind:
        cells = [
            microseconds_per_split(kind, *case(kind, members, rng), RUNS // (members // 20 or 1))
            for members in sizes
        ]
        print(f"{kind:<12}" + "".join(f"{c:>18.1f}" for c in cells))


if __name__ == "__main__":
    main()
