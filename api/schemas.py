"""The shapes the API reads and writes. Amounts are integers in minor units when they come out,
and strings as typed on the pages ("12.50") when they go in: never floats."""

import datetime

from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt


class Input(Schema):
    # An unknown field is refused (422), not ignored: a typo must not pass silently.
    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


CONVERT_AT = (
    "When an expense or payment in another currency becomes the group's currency: `entry` (at "
    "the rate of its date) or `settlement` (kept in the currency spent until the group settles "
    "up, then converted at that day's rate)."
)


class GroupOut(Schema):
    id: int
    name: str
    description: str
    currency: str
    simplify_debts: bool
    convert_at: str = Field(description=CONVERT_AT)
    pay_only_sharing: bool = Field(
        description="Settle-up suggests payments only between members who share a live "
        "expense or payment."
    )
    is_archived: bool
    my_member_id: int
    my_role: str
    my_balance: int


class MemberOut(Schema):
    id: int
    name: str
    user_id: int | None = Field(
        description="The person's account, the same in every group (null for a guest)."
    )
    is_guest: bool
    role: str
    is_active: bool
    balance: int


class PartOut(Schema):
    member_id: int
    amount: int


class ShareOut(PartOut):
    entered: str


class ConvertedOut(Schema):
    """What an expense or payment was spent in, and how it became the group's currency."""

    amount: int = Field(description="Minor units of the group's currency.")
    currency: str = Field(description="The group's currency.")
    original_amount: int = Field(description="Minor units of the currency spent.")
    original_currency: str
    rate: str = Field(
        examples=["0.8483922966"], description="Group currency units for 1 unit of the original."
    )
    rate_source: str = Field(
        description="same (spent in the group's currency), reference (the ECB rate of "
        "`rate_date`), entered (typed) or charged (amount charged ÷ amount spent)."
    )
    rate_date: datetime.date | None
    shares_currency: str = Field(
        description="The currency of the amounts in `paid` and `owed` (or of the payment's "
        "balances): the currency spent in a group that converts at settlement, else the group's."
    )


class ExpenseOut(ConvertedOut):
    id: int
    description: str
    amount_display: str
    date: datetime.date
    category: str
    split_kind: str
    notes: str
    version: int
    deleted: bool
    has_receipt: bool
    paid: list[PartOut]
    owed: list[ShareOut]


class PaymentOut(ConvertedOut):
    id: int
    from_member_id: int
    to_member_id: int
    amount_display: str
    date: datetime.date
    note: str
    deleted: bool
    # "pending" until a payee who confirms payments says it arrived; it counts as paid anyway.
    status: str


class ActivityOut(Schema):
    id: int
    actor: str | None
    verb: str
    summary: str = Field(description="The line in English, as it was written.")
    text: str = Field(
        description="The line in the request's language (Accept-Language); lines written "
        "before lines were kept for translation read as `summary`."
    )
    created_at: datetime.datetime


class ExpensePage(Schema):
    items: list[ExpenseOut]
    next_cursor: str | None


class PaymentPage(Schema):
    items: list[PaymentOut]
    next_cursor: str | None


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class BalanceOut(Schema):
    member_id: int
    name: str
    balance: int | None = Field(
        description="In the group's currency; with balances open in other currencies, all of "
        "them at today's rates (`approximate`), as settle-up counts them; null while one of "
        "those rates must be typed on the settle-up page."
    )
    approximate: bool = Field(description="The balance counts other currencies at today's rates.")
    currencies: dict[str, int] = Field(
        description="Each currency's part, the group's included, in its minor units; empty "
        "unless a balance is open in another currency (a group that converts at settlement)."
    )


class TransferOut(Schema):
    from_member_id: int
    to_member_id: int
    amount: int
    can_record: bool


class ExplanationRow(Schema):
    member_id: int
    name: str
    before: int
    pays: int
    receives: int
    after: int


class UnitTransferOut(Schema):
    from_member_ids: list[int] = Field(description="The paying household, or one member.")
    to_member_ids: list[int] = Field(description="The receiving household, or one member.")
    amount: int


class DebtOut(Schema):
    from_member_id: int
    to_member_id: int
    amount: int


class UnmetWishOut(Schema):
    kind: str = Field(
        description="`allowed_pairs`, `households`, `rather_not_receive` or `preferred_payee`."
    )
    member_ids: list[int]
    reason: str = Field(description="A reason code, listed in docs/settle-up.md (Wishes).")


class WishesOut(Schema):
    unit_transfers: list[UnitTransferOut] = Field(
        description="The plan as people make it: a household pays or is paid as one. "
        "`transfers` are what recording them books, member by member."
    )
    unconstrained_count: int = Field(description="How many payments the plan needs without wishes.")
    unmet: list[UnmetWishOut]
    within_households: list[DebtOut] = Field(
        description="What household members still owe each other once the plan is paid."
    )


class SettleUpOut(Schema):
    currency: str
    simplified: bool
    fingerprint: str
    transfers: list[TransferOut]
    wishes: WishesOut | None = Field(
        None, description="How the group's settle-up wishes shaped the plan; null without wishes."
    )
    explanation: list[ExplanationRow] = Field(
        description="Each member's balance before the plan, what they pay and receive, and after."
    )
    parts: list[list[int]] = Field(
        description="Members who settle among themselves: each part's payments add up to zero."
    )


class CoverLineOut(Schema):
    date: datetime.date
    kind: str = Field(description="`expense`, `payment` or `conversion` (of open balances).")
    id: int = Field(description="The expense's, payment's or conversion's id.")
    description: str = Field(description="The expense's description, or the payment's note.")
    from_member_id: int | None = Field(description="Who paid, for a payment.")
    amount: int = Field(
        description="What it added to what the member owes the other (negative: took off)."
    )
    conversion: str = Field(description="How it was converted, when it was.")


class CurrencyCoverOut(Schema):
    currency: str
    balance: int = Field(description="What the member owes the other in this currency.")
    lines: list[CoverLineOut] = Field(
        description="The most recent entries behind the balance, oldest first: with "
        "`earlier_amount` they add up to `balance` exactly."
    )
    settled_on: datetime.date | None = Field(
        description="The day the two were last even: the entries before it are left out."
    )
    earlier_count: int = Field(description="Older entries since then, not listed.")
    earlier_amount: int = Field(description="What those older entries add up to.")
    converted: int | None = Field(
        description="For another currency than the group's: the balance at today's rate."
    )
    rate: str | None = Field(description="That rate.")


class CoversOut(Schema):
    member_id: int
    other_id: int
    currency: str
    total: int | None = Field(
        description="What the member owes the other in the group's currency, other currencies "
        "at today's rates: the suggested payment when debts are not simplified. None while a "
        "rate is missing (`problem`)."
    )
    problem: str
    currencies: list[CurrencyCoverOut] = Field(description="The group's currency first.")


class GroupIn(Input):
    name: str
    description: str = ""
    currency: str = "EUR"
    simplify_debts: bool = True
    convert_at: str | None = Field(
        None,
        examples=["settlement"],
        description=f"{CONVERT_AT} Left out, it stays as it is (`entry` for a new group). Fixed "
        "once the group has an entry in another currency.",
    )
    pay_only_sharing: bool | None = Field(
        None,
        description="Settle-up suggests payments only between members who share a live "
        "expense or payment. Left out, it stays as it is (off for a new group).",
    )


class GuestIn(Input):
    name: str


class ExpenseFields(Input):
    description: str
    original_currency: str | None = Field(
        None,
        examples=["USD"],
        description="The currency spent, which `amount`, `paid` and `values` are typed in; "
        "the group's when left out.",
    )
    amount: str = Field(examples=["12.50"])
    date: datetime.date
    category: str = "general"
    split_kind: str = "equal"
    notes: str = ""
    paid_by: int | None = Field(
        None, description="The member who paid it all; leave out and give `paid` for several."
    )
    paid: dict[int, str] = Field({}, description="What each payer paid, by member id.")
    participants: list[int] | None = Field(
        None, description="Who shares it (member ids); everyone active when left out."
    )
    values: dict[int, str] = Field(
        {}, description="Each participant's part for the split kind: shares, percent, amounts."
    )


class ExpenseIn(ExpenseFields):
    rate_source: str = Field(
        "reference",
        description="How another currency is converted: reference (the ECB rate of `date`), "
        "entered (`rate`) or charged (`charged`).",
    )
    rate: str = Field(
        "", examples=["1.0842"], description="For `entered`: group currency for 1 unit spent."
    )
    charged: str = Field(
        "", examples=["104.73"], description="For `charged`: the amount in the group's currency."
    )


class ExpenseEditIn(ExpenseIn):
    version: int | None = Field(
        None, description="The version the edit is based on (or send it as `If-Match`)."
    )


class PaymentIn(Input):
    from_member_id: int
    to_member_id: int
    amount: str = Field(examples=["20.00"])
    date: datetime.date
    note: str = ""
    fingerprint: str = Field("", description="The plan's fingerprint, for a suggested payment.")
    confirm: bool = Field(False, description="Record a payment that turns a balance around.")


class Created(Schema):
    id: int


class PersonIn(Input):
    user_id: int = Field(description="Someone you already share a group with.")


class Done(Schema):
    detail: str


class RoleIn(Input):
    role: str = Field(examples=["admin"], description="owner, admin or member.")


class MemberChangeOut(Schema):
    detail: str
    member: MemberOut | None = Field(
        description="The member as they are now; null when they were removed for good."
    )


class InviteIn(Input):
    expires_in_days: int = Field(7, description="0 (never), 1, 7 or 30.")
    max_uses: int | None = Field(None, description="1 to 1000; null for no limit.")


class InviteEmailIn(Input):
    email: str


class InviteOut(Schema):
    id: int
    url: str
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    max_uses: int | None
    uses: int


class MonthOut(Schema):
    month: datetime.date = Field(description="The first day of the month.")
    total: int
    count: int


class CategoryTotalOut(Schema):
    category: str = Field(description="The category's name, as the pages show it.")
    total: int
    count: int


class PersonTotalOut(Schema):
    member_id: int
    name: str
    paid: int
    share: int


class StatisticsOut(Schema):
    currency: str
    date_from: datetime.date | None
    date_to: datetime.date | None
    total: int
    count: int
    months: list[MonthOut] = Field(description="Oldest first; months without expenses left out.")
    categories: list[CategoryTotalOut] = Field(description="Largest first.")
    people: list[PersonTotalOut]


class BookingOut(Schema):
    group_id: int
    from_member_id: int
    to_member_id: int
    amount: int


class AcrossTransferOut(Schema):
    from_user_id: int
    from_name: str
    to_user_id: int
    to_name: str
    amount: int
    bookings: list[BookingOut] = Field(description="The payments it is written as, per group.")


class AcrossPlanOut(Schema):
    groups: list[int]
    currency: str
    fingerprint: str
    transfers: list[AcrossTransferOut]
    netting: list[BookingOut] = Field(
        description="Entries that move balances between the groups, with no money changing "
        "hands; booked with the next transfer recorded (or alone, when no transfer is left)."
    )


class AcrossIn(Input):
    groups: list[int]
    from_user_id: StrictInt | None = Field(
        None, description="The transfer as the plan gives it; all three null: book the netting."
    )
    to_user_id: StrictInt | None = None
    amount: StrictInt | None = Field(
        None, description="Minor units, exactly the plan's amount for this transfer."
    )
    fingerprint: str


class AcrossRecordedOut(Schema):
    detail: str
    recorded: bool = Field(description="False when this Idempotency-Key was already recorded.")


class RecurringIn(ExpenseFields):
    """An expense that repeats; `date` is its first date (editing: the next one). In another
    currency, each expense it makes converts at the ECB reference rate of its date."""

    frequency: str = Field(examples=["monthly"], description="daily, weekly, monthly or yearly.")
    interval: int = Field(1, description="Every `interval` days, weeks, months or years.")
    month_day: int | None = Field(
        None, description="Monthly only; 29 to 31 fall on the last day of shorter months."
    )
    ends: str = Field("never", description="never, on_date (`end_date`) or after_count (`count`).")
    end_date: datetime.date | None = None
    count: int | None = None


class RecurringEditIn(RecurringIn):
    version: int | None = Field(
        None, description="The version the edit is based on (or send it as `If-Match`)."
    )


class EnteredOut(Schema):
    member_id: int
    entered: str


class RecurringOut(Schema):
    id: int
    version: int
    description: str
    amount: int
    amount_display: str
    currency: str = Field(
        description="The currency of `amount` and `paid`: the currency spent, which each "
        "expense it makes converts from at the reference rate of its date when it is not the "
        "group's."
    )
    category: str
    split_kind: str
    notes: str
    frequency: str
    interval: int
    month_day: int | None
    start_date: datetime.date
    end_date: datetime.date | None
    count: int | None
    schedule: str = Field(examples=["every month on day 1"])
    status: str
    next_date: datetime.date | None
    made: int = Field(description="How many expenses it has made so far.")
    paid: list[PartOut]
    participants: list[EnteredOut] = Field(
        description="Who shares each expense it makes, with their part as typed."
    )


class MonthSpentOut(Schema):
    month: datetime.date = Field(description="The first day of the month.")
    total: int


class CategorySpentOut(Schema):
    category: str = Field(description="The category's name, as the pages show it.")
    total: int


class SpendingOut(Schema):
    currency: str
    total: int = Field(description="Your shares of the expenses: what you spent.")
    paid: int = Field(description="What you paid out, for everyone.")
    months: list[MonthSpentOut]
    categories: list[CategorySpentOut] = Field(description="Largest first.")
