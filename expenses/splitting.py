"""Split an expense's total between people, exactly, in integer minor units.

Pure Python: it imports only `splitclone.money` (the amount limit and the format of amounts in
error messages), so the expense form, the live split preview and the benchmarks all call it on
plain mappings. Keys can be anything hashable; the app uses member ids.

Every split returns a `Split` whose shares add up to the total exactly and are never negative.
The proportional kinds (equal, percent, shares, and the equal part of an adjusted split) first
give everyone the floor of their exact share, then hand the leftover minor units, fewer than the
number of people, to the largest remainders: to those whose exact share was cut the most. So each
share is the floor or the ceiling of the exact proportional value.

Ties between equal remainders are the everyday case (10.00 split 3 ways). They are broken by a
BLAKE2 hash of the caller's ``seed`` and each key's ``repr``, which makes the result:

- independent of the order of the input mapping;
- the same in every process (Python's own ``hash()`` of a str is salted per process);
- fair over time: with a different seed per expense, the leftover cent lands on different
  people instead of always on the same one. The seed must not change between the form's
  preview and saving, so it should come from what the form knows before the expense has an id
  (its date and description, say), or be stored on the expense.

Keys therefore need distinct, stable reprs; ints and strs have them, and duplicates are refused.

Adjustments may be negative ("Ann pays 5.00 less"), but a split that would leave anyone a
negative share is refused: an expense share below zero would really be a payment, and showing
"owes −2.00" for a dinner confuses people more than an error asking to lower the adjustment.
"""

import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, NamedTuple

from splitclone.money import MAX_AMOUNT, Amount, parse_amount
from splitclone.phrases import gettext_noop

# Percentages are entered with at most 2 decimals (33.33 + 33.33 + 33.34) and total 100.
PERCENT_DECIMALS = 2
# Shares are small weights ("2 nights", "1.5 portions"); the bounds keep the arithmetic small
# whatever a form lets through.
SHARE_DECIMALS = 3
MAX_SHARE = 10**6

type Seed = int | str


class SplitKind(StrEnum):
    """How an expense is divided; stored on the expense and offered in its form."""

    EQUAL = "equal"
    EXACT = "exact"
    PERCENT = "percent"
    SHARES = "shares"
    ADJUSTMENT = "adjustment"


class Split[K: Hashable](NamedTuple):
    """The outcome of a split.

    ``shares`` maps each participant, in the input's order, to minor units; they sum to the
    total. ``leftover_to`` names who received one extra minor unit from rounding, in the order
    the rounding chose them, for the preview's "who gets the leftover cent"; it is empty when
    the total divided exactly.
    """

    shares: dict[K, int]
    leftover_to: tuple[K, ...]


class SplitError(ValueError):
    """A split that cannot be made as entered; ``message`` is written for the user.

    ``code`` names the rule that failed. ``difference`` says how far the entries are from their
    target, positive when they fall short: total − sum in minor units for exact amounts,
    payments and adjustments, 100 − sum as a Decimal for percentages. ``members`` holds the keys
    whose entries are at fault, so a form can mark those fields.
    """

    def __init__(
        self,
        message: str,
        code: str,
        *,
        difference: int | Decimal | None = None,
        members: tuple[Hashable, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.difference = difference
        self.members = members


def split[K: Hashable](
    kind: SplitKind | str,
    total: int,
    values: Mapping[K, Any],
    *,
    seed: Seed,
    currency: str | None = None,
) -> Split[K]:
    """Split ``total`` the way ``kind`` says, with one entry per participant in ``values``.

    The entries are ignored for an equal split (the keys are the participants), and are minor
    units for exact amounts and adjustments, percentages for percent, weights for shares.
    ``currency`` only formats the amounts in error messages.
    """
    match SplitKind(kind):
        case SplitKind.EQUAL:
            return split_equal(total, values, seed=seed)
        case SplitKind.EXACT:
            return split_exact(total, values, currency=currency)
        case SplitKind.PERCENT:
            return split_percent(total, values, seed=seed)
        case SplitKind.SHARES:
            return split_shares(total, values, seed=seed)
        case SplitKind.ADJUSTMENT:
            return split_adjusted(total, values, seed=seed, currency=currency)


def read_value(kind: SplitKind | str, text: str, currency: str) -> Any:
    """One person's entry for a split kind, as typed ("12.50", "33.3", "-5"), in the unit
    `split` takes: minor units for exact amounts and adjustments, a Decimal for percentages and
    shares; empty counts as zero. Raises `MoneyError`, `InvalidOperation` or `ValueError`.

    Used by the expense form, and by recurring expenses, which keep the entries as typed and
    split each occurrence afresh.
    """
    text = text.strip()
    if kind == SplitKind.ADJUSTMENT:
        return parse_amount(text, currency, allow_negative=True) if text else 0
    if kind == SplitKind.EXACT:
        return parse_amount(text, currency) if text else 0
    if not text:
        return Decimal(0)
    number = Decimal(text.replace(",", "."))
    if not number.is_finite():
        raise ValueError(text)
    return number


def split_equal[K: Hashable](total: int, members: Iterable[K], *, seed: Seed) -> Split[K]:
    """Split ``total`` equally between ``members``; the parts differ by at most one minor unit."""
    _check_total(total)
    _check_seed(seed)
    keys = _participants(members)
    return _largest_remainder(total, dict.fromkeys(keys, 1), seed)


def split_exact[K: Hashable](
    total: int, amounts: Mapping[K, int], *, currency: str | None = None
) -> Split[K]:
    """Take the amounts as entered: each at least zero, together exactly ``total``."""
    _check_total(total)
    keys = _participants(amounts)
    for key in keys:
        _check_int(amounts[key], f"amount of {key!r}")
        if amounts[key] < 0:
            raise SplitError(gettext_noop("Amounts can't be negative."), "negative", members=(key,))
    entered = sum(amounts[key] for key in keys)
    if entered != total:
        raise _mismatch("amounts", entered, total, currency)
    return Split({key: int(amounts[key]) for key in keys}, ())


def split_percent[K: Hashable](
    total: int, percents: Mapping[K, Decimal | str | int], *, seed: Seed
) -> Split[K]:
    """Split by percentages, each with at most 2 decimals, that total exactly 100."""
    _check_total(total)
    _check_seed(seed)
    keys = _participants(percents)
    units = {key: _percent_units(key, percents[key]) for key in keys}
    hundred = 100 * 10**PERCENT_DECIMALS
    entered = sum(units.values())
    if entered != hundred:
        raise SplitError(
            gettext_noop(
                "The percentages add up to %(total)s%%, not 100%%.", total=_percent_text(entered)
            ),
            "percent_total",
            difference=Decimal(f"{hundred - entered}e-{PERCENT_DECIMALS}"),
        )
    return _largest_remainder(total, units, seed)


def split_shares[K: Hashable](
    total: int, shares: Mapping[K, int | Decimal], *, seed: Seed
) -> Split[K]:
    """Split in proportion to weights ("2 nights", "1.5 portions"): at least zero, not all zero.

    A weight has at most `SHARE_DECIMALS` decimals and is at most `MAX_SHARE`.
    """
    _check_total(total)
    _check_seed(seed)
    keys = _participants(shares)
    units = {key: _share_units(key, shares[key]) for key in keys}
    if not any(units.values()):
        raise SplitError(
            gettext_noop("At least one person needs a share above zero."), "zero_shares"
        )
    return _largest_remainder(total, units, seed)


def split_adjusted[K: Hashable](
    total: int, adjustments: Mapping[K, int], *, seed: Seed, currency: str | None = None
) -> Split[K]:
    """Split what the adjustments leave equally, then add each person's own adjustment.

    Adjustments are minor units: positive ("had the lobster"), negative ("skipped dessert") or
    zero. Refused when they add up to more than the total, and when a share would end up below
    zero (see the module docstring for why).
    """
    _check_total(total)
    _check_seed(seed)
    keys = _participants(adjustments)
    for key in keys:
        _check_int(adjustments[key], f"adjustment of {key!r}")
    entered = sum(adjustments[key] for key in keys)
    if entered > total:
        raise _mismatch("adjustments", entered, total, currency)
    equal = _largest_remainder(total - entered, dict.fromkeys(keys, 1), seed)
    shares = {key: equal.shares[key] + adjustments[key] for key in keys}
    below_zero = tuple(key for key in keys if shares[key] < 0)
    if below_zero:
        raise SplitError(
            gettext_noop("An adjustment can't take anyone's share below zero."),
            "negative_share",
            members=below_zero,
        )
    return Split(shares, equal.leftover_to)


def split_in_proportion[K: Hashable](
    total: int, amounts: Mapping[K, int], *, seed: Seed
) -> Split[K]:
    """Share ``total`` like ``amounts`` (minor units, at least zero, not all zero) share theirs.

    How an expense typed in another currency is split in the group's: the shares and payments
    computed in the currency typed become parts of the converted total in the same proportions,
    so they still add up to it exactly.
    """
    _check_total(total)
    _check_seed(seed)
    for key, amount in amounts.items():
        _check_int(amount, f"amount of {key!r}")
        if amount < 0:
            raise SplitError(gettext_noop("Amounts can't be negative."), "negative", members=(key,))
    if not any(amounts.values()):
        raise SplitError(
            gettext_noop("At least one person needs an amount above zero."), "zero_shares"
        )
    return _largest_remainder(total, dict(amounts), seed)


def validate_payers[K: Hashable](
    total: int, paid: Mapping[K, int], *, currency: str | None = None
) -> None:
    """Check who paid: each listed payer more than zero, together exactly ``total``."""
    _check_total(total)
    if not paid:
        raise SplitError(gettext_noop("Choose who paid."), "no_payers")
    for key, amount in paid.items():
        _check_int(amount, f"payment of {key!r}")
        if amount <= 0:
            raise SplitError(
                gettext_noop("Each payer needs an amount above zero."), "payment", members=(key,)
            )
    entered = sum(paid.values())
    if entered != total:
        raise _mismatch("payments", entered, total, currency)


def _largest_remainder[K: Hashable](total: int, weights: dict[K, int], seed: Seed) -> Split[K]:
    """Share ``total`` in proportion to ``weights`` (ints >= 0 with a positive sum)."""
    whole = sum(weights.values())
    shares: dict[K, int] = {}
    remainders: dict[K, int] = {}
    for key, weight in weights.items():
        shares[key], remainders[key] = divmod(total * weight, whole)
    # The remainders sum to leftover * whole and each is below whole, so more people than there
    # are leftover units have a non-zero remainder: a zero weight never receives one.
    leftover = total - sum(shares.values())
    if not leftover:
        return Split(shares, ())
    tie_rank = _tie_ranks(seed)
    ranked = sorted(remainders, key=lambda key: (-remainders[key], *tie_rank(key)))
    leftover_to = tuple(ranked[:leftover])
    for key in leftover_to:
        shares[key] += 1
    return Split(shares, leftover_to)


def _tie_ranks(seed: Seed) -> Callable[[Hashable], tuple[bytes, str]]:
    """Order among equal remainders: stable across processes, shuffled by ``seed``. The seed's
    part of what is hashed is written once, not once per key (an equal split ranks everyone)."""
    salt = f"{seed!r}:"
    blake2b = hashlib.blake2b

    def tie_rank(key: Hashable) -> tuple[bytes, str]:
        text = repr(key)
        # Distinct reprs (checked by _participants) settle even a digest collision.
        return blake2b((salt + text).encode(), digest_size=8).digest(), text

    return tie_rank


def _participants[K: Hashable](members: Iterable[K]) -> list[K]:
    keys = list(members)
    if not keys:
        raise SplitError(gettext_noop("Choose at least one person to split between."), "no_members")
    if len({repr(key) for key in keys}) != len(keys):
        # Also catches a member listed twice. Keys sharing a repr would tie for good, and their
        # order, hence the result, would depend on the input order.
        raise ValueError(f"participants need distinct reprs for the tie-break, got {keys!r}")
    return keys


def _check_total(total: int) -> None:
    _check_int(total, "total")
    if total <= 0:
        raise SplitError(gettext_noop("The total must be more than zero."), "total_not_positive")
    if total > MAX_AMOUNT:
        raise SplitError(gettext_noop("The total is too large."), "too_large")


def _check_int(value: object, name: str) -> None:
    # bool is an int subclass, but True is not an amount of money.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int of minor units, got {type(value).__name__}")


def _check_seed(seed: object) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise TypeError(f"seed must be an int or a str, got {type(seed).__name__}")


def _percent_units(key: Hashable, value: Decimal | str | int) -> int:
    """Return a percentage in hundredths of a percent (33.33 → 3333)."""
    number = _decimal(key, value, "percentage", allow_str=True)
    if number < 0:
        raise SplitError(gettext_noop("Percentages can't be negative."), "negative", members=(key,))
    if number > 100:
        raise SplitError(
            gettext_noop("A percentage can be at most 100."), "too_large", members=(key,)
        )
    units = _scaled(number, PERCENT_DECIMALS)
    if units is None:
        raise SplitError(
            gettext_noop(
                "Percentages can have at most %(places)s decimals.", places=PERCENT_DECIMALS
            ),
            "decimals",
            members=(key,),
        )
    return units


def _share_units(key: Hashable, value: int | Decimal) -> int:
    """Return a weight in thousandths (1.5 → 1500), so all weights are ints on one scale."""
    number = _decimal(key, value, "share", allow_str=False)
    if number < 0:
        raise SplitError(gettext_noop("Shares can't be negative."), "negative", members=(key,))
    if number > MAX_SHARE:
        raise SplitError(
            gettext_noop("A share can be at most %(most)s.", most=f"{MAX_SHARE:,}"),
            "too_large",
            members=(key,),
        )
    units = _scaled(number, SHARE_DECIMALS)
    if units is None:
        raise SplitError(
            gettext_noop("Shares can have at most %(places)s decimals.", places=SHARE_DECIMALS),
            "decimals",
            members=(key,),
        )
    return units


def _decimal(key: Hashable, value: object, what: str, *, allow_str: bool) -> Decimal:
    """Return ``value`` as a finite Decimal; floats are refused, as they are rarely exact."""
    if isinstance(value, str) and allow_str:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise SplitError(_not_a(what, value), "invalid", members=(key,)) from None
    elif isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        number = Decimal(value)
    else:
        raise TypeError(f"{what} of {key!r} must be an exact number, got {type(value).__name__}")
    if not number.is_finite():
        raise SplitError(_not_a(what, value), "invalid", members=(key,))
    return number


def _not_a(what: str, value: object) -> str:
    if what == "percentage":
        return gettext_noop("“%(value)s” is not a percentage.", value=value)
    return gettext_noop("“%(value)s” is not a share.", value=value)


def _scaled(number: Decimal, places: int) -> int | None:
    """Return ``number * 10**places`` exactly, or None if that is not a whole number.

    The callers bound the value but not its exponent: Decimal("1E-999999999") would build a
    billion-digit denominator, so such input counts as having too many decimals.
    """
    if number and number.as_tuple().exponent < -20:
        return None
    numerator, denominator = number.as_integer_ratio()
    units, rest = divmod(numerator * 10**places, denominator)
    return None if rest else units


def _percent_text(units: int) -> str:
    whole, hundredths = divmod(units, 10**PERCENT_DECIMALS)
    return f"{whole}.{hundredths:02d}".rstrip("0") if hundredths else str(whole)


def _mismatch(what: str, entered: int, total: int, currency: str | None) -> SplitError:
    """The error for entries that should add up to the total but do not."""
    difference = total - entered
    template = MISMATCHES[what, difference > 0]
    return SplitError(
        gettext_noop(
            template,
            entered=_amount(entered, currency),
            difference=_amount(abs(difference), currency),
        ),
        "mismatch",
        difference=difference,
    )


# (what should add up to the total, whether it falls short) → the message.
MISMATCHES = {
    ("amounts", True): gettext_noop(
        "The amounts add up to %(entered)s, %(difference)s less than the total."
    ),
    ("amounts", False): gettext_noop(
        "The amounts add up to %(entered)s, %(difference)s more than the total."
    ),
    ("adjustments", False): gettext_noop(
        "The adjustments add up to %(entered)s, %(difference)s more than the total."
    ),
    ("payments", True): gettext_noop(
        "The payments add up to %(entered)s, %(difference)s less than the total."
    ),
    ("payments", False): gettext_noop(
        "The payments add up to %(entered)s, %(difference)s more than the total."
    ),
}


def _amount(minor: int, currency: str | None) -> Amount | str:
    # Without a currency (tests, benchmarks) amounts stay in minor units.
    return Amount(minor, currency) if currency else str(minor)
