"""A group's history in our own open JSON format and as CSV, and a person's archive of it all.

Both formats are described in docs/export-format.md; the JSON one also by its JSON Schema
(imports/schema/splitclone-export-v1.schema.json), and `imports.formats.splitclone` reads it
back. Everything is read in a constant number of queries, however many groups and entries:
`load_histories` fetches each table once for all the groups asked for.
"""

import csv
import io
import json
import mimetypes
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from expenses.models import Expense, ExpensePayer, ExpenseShare
from groups.models import Member
from imports.formats.splitclone import FORMAT, VERSION
from imports.parsed import distinct_names
from ledger.models import ConversionLine, RateSource
from settlements.models import Payment
from splitclone.money import format_amount, get_currency

ACCOUNT_FORMAT = "splitclone-account"

# OWASP's list of what makes a spreadsheet read a cell as a formula, plus the apostrophe itself,
# so that removing one leading apostrophe from a cell that has one always gives the text back.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")

# Excel reads a CSV file without a byte order mark in the computer's legacy code page, which
# garbles every name that is not ASCII; LibreOffice, Numbers, Google Sheets and Python's
# "utf-8-sig" all read the mark and drop it.
BYTE_ORDER_MARK = "\ufeff"

CSV_COLUMNS = [
    "Date",
    "Type",
    "Description",
    "Category",
    "Split",
    "Amount",
    "Currency",
    # What was spent and how it became the amount (docs/currencies.md); for an entry in the
    # group's currency, the amount itself at rate 1.
    "Original amount",
    "Original currency",
    "Rate",
    "Rate source",
    "Rate date",
    # The currency of the paid and share columns of the row: the Original currency for an entry
    # a group that converts at settlement keeps in the currency it was spent in.
    "Shares currency",
    "Notes",
    "Deleted",
    # The group's setting (docs/currencies.md), the same on every row.
    "Convert at",
]


@dataclass(frozen=True)
class _ConvertedDebt:
    """One side of a conversion line as a CSV row: a debt of `original_amount` in
    `original_currency` that became `amount` in the group's currency (see `group_csv`)."""

    date: object
    created_at: object
    amount: int
    currency: str
    original_amount: int
    original_currency: str
    rate: object
    rate_source: str
    rate_date: object
    shares_currency: str
    deleted_at = None
    is_converted = True


@dataclass
class GroupHistory:
    """A group with every member, expense (payers and shares) and payment, deleted ones too."""

    group: object
    members: list = field(default_factory=list)
    expenses: list = field(default_factory=list)
    # Expense id → [(member id, amount)] and [(member id, amount, entered)], in entry order.
    payers: dict = field(default_factory=lambda: defaultdict(list))
    shares: dict = field(default_factory=lambda: defaultdict(list))
    payments: list = field(default_factory=list)
    # Each `BalanceConversion` of the group (settlement mode) → its lines, oldest first.
    conversions: dict = field(default_factory=lambda: defaultdict(list))

    @property
    def currency(self):
        return self.group.currency


def load_histories(groups):
    """Each group's `GroupHistory`, in the order given. Six queries for any number of groups."""
    histories = {group.pk: GroupHistory(group) for group in groups}
    ids = list(histories)
    for member in Member.objects.filter(group_id__in=ids).select_related("user").order_by("id"):
        histories[member.group_id].members.append(member)
    by_expense = {}
    for expense in Expense.objects.filter(group_id__in=ids).order_by("date", "id"):
        histories[expense.group_id].expenses.append(expense)
        by_expense[expense.pk] = histories[expense.group_id]
    payers = ExpensePayer.objects.filter(expense__group_id__in=ids).order_by("id")
    for expense_id, member_id, amount in payers.values_list("expense_id", "member_id", "amount"):
        by_expense[expense_id].payers[expense_id].append((member_id, amount))
    shares = ExpenseShare.objects.filter(expense__group_id__in=ids).order_by("id")
    for expense_id, *share in shares.values_list("expense_id", "member_id", "amount", "entered"):
        by_expense[expense_id].shares[expense_id].append(tuple(share))
    for payment in Payment.objects.filter(group_id__in=ids).order_by("date", "id"):
        histories[payment.group_id].payments.append(payment)
    lines = (
        ConversionLine.objects.filter(
            conversion__group_id__in=ids, conversion__deleted_at__isnull=True
        )
        .select_related("conversion")
        .order_by("conversion__date", "conversion_id", "id")
    )
    for line in lines:
        histories[line.conversion.group_id].conversions[line.conversion].append(line)
    return [histories[pk] for pk in ids]


def _timestamp(moment):
    return moment.isoformat() if moment else None


def _receipt(expense):
    """The receipt's name, type and size: what the file says about it, never its bytes."""
    if not expense.receipt:
        return None
    name = expense.receipt.name.rsplit("/", 1)[-1]
    try:
        size = expense.receipt.size
    except FileNotFoundError:
        # The row names a file the storage no longer has; the export still says there was one.
        size = None
    return {"name": name, "content_type": mimetypes.guess_type(name)[0], "size": size}


def conversion_fields(row):
    """What a ledger row was spent in and how it was converted, as the export writes it."""
    if not row.is_converted:
        return {
            "original_amount": row.amount,
            "original_currency": row.currency,
            "rate": "1",
            "rate_source": RateSource.SAME.value,
            "rate_date": None,
        }
    return {
        "original_amount": row.original_amount,
        "original_currency": row.original_currency,
        "rate": f"{row.rate.normalize():f}",
        "rate_source": row.rate_source,
        "rate_date": row.rate_date.isoformat() if row.rate_date else None,
    }


def group_document(history):
    """The group as a JSON-ready dict in our export format, version `VERSION`."""
    group = history.group
    file_ids = {member.pk: number for number, member in enumerate(history.members, start=1)}
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "group": {
            "name": group.name,
            "description": group.description,
            "currency": group.currency,
            "decimals": get_currency(group.currency).exponent,
            "archived": group.is_archived,
            "created_at": _timestamp(group.created_at),
            "settings": {
                "simplify_debts": group.simplify_debts,
                "convert_at": group.convert_at,
            },
        },
        # No email addresses: every member can export, and a plain member never sees them.
        "members": [
            {
                "id": file_ids[member.pk],
                "name": member.display_name,
                "kind": "guest" if member.is_guest else "user",
                "active": member.is_active,
                "role": member.role,
                "balance": member.balance,
            }
            for member in history.members
        ],
        "expenses": [
            {
                "description": expense.description,
                "amount": expense.amount,
                **conversion_fields(expense),
                "shares_currency": expense.shares_currency,
                "date": expense.date.isoformat(),
                "category": expense.category,
                "notes": expense.notes,
                "split_kind": expense.split_kind,
                "submission_id": str(expense.submission_id),
                "paid": [
                    {"member": file_ids[member_id], "amount": amount}
                    for member_id, amount in history.payers[expense.pk]
                ],
                "shares": [
                    {"member": file_ids[member_id], "amount": amount, "entered": entered}
                    for member_id, amount, entered in history.shares[expense.pk]
                ],
                "receipt": _receipt(expense),
                "created_at": _timestamp(expense.created_at),
                "deleted_at": _timestamp(expense.deleted_at),
            }
            for expense in history.expenses
        ],
        "payments": [
            {
                "from": file_ids[payment.from_member_id],
                "to": file_ids[payment.to_member_id],
                "amount": payment.amount,
                **conversion_fields(payment),
                "shares_currency": payment.shares_currency,
                "date": payment.date.isoformat(),
                "note": payment.note,
                "submission_id": str(payment.submission_id),
                "created_at": _timestamp(payment.created_at),
                "deleted_at": _timestamp(payment.deleted_at),
            }
            for payment in history.payments
        ],
        "conversions": [
            {
                "date": conversion.date.isoformat(),
                "created_at": _timestamp(conversion.created_at),
                "lines": [
                    {
                        "currency": line.currency,
                        "rate": f"{line.rate.normalize():f}",
                        "rate_source": line.rate_source,
                        "rate_date": line.rate_date.isoformat() if line.rate_date else None,
                        "member_a": file_ids[line.member_a_id],
                        "member_b": file_ids[line.member_b_id],
                        "amount": line.amount,
                        "converted": line.converted,
                    }
                    for line in lines
                ],
            }
            for conversion, lines in history.conversions.items()
        ],
    }


def group_json(history):
    """The export as UTF-8 JSON bytes."""
    return _json_bytes(group_document(history))


def _json_bytes(document):
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def spreadsheet_text(text):
    """`text` safe to open in a spreadsheet: a leading apostrophe when it could start a formula.

    Readers get the original back by removing one leading apostrophe from any cell that starts
    with one (docs/export-format.md).
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def group_csv(history):
    """One row per expense and per payment, oldest first, as UTF-8 with a byte order mark.

    Each member has a "paid" and a "share" column. A payment puts its amount in the sender's
    "paid" and the receiver's "share", so over the rows that are not deleted, a member's balance
    is the sum of their "paid" column minus the sum of their "share" column.
    """
    group, currency = history.group, history.currency
    names = dict(
        zip(
            [member.pk for member in history.members],
            distinct_names([member.display_name for member in history.members]),
            strict=True,
        )
    )
    columns = {member_id: 2 * index for index, member_id in enumerate(names)}

    def amount(minor, in_currency=currency):
        return format_amount(minor, in_currency, with_code=False, grouping=False)

    def spent(entry):
        fields = conversion_fields(entry)
        return [
            format_amount(
                fields["original_amount"],
                fields["original_currency"],
                with_code=False,
                grouping=False,
            ),
            fields["original_currency"],
            fields["rate"],
            fields["rate_source"],
            fields["rate_date"] or "",
        ]

    def row(entry, kind, description, category, split_kind, notes, sides):
        people = [""] * (2 * len(names))
        for side, entries in enumerate(sides):
            for member_id, value in entries:
                people[columns[member_id] + side] = amount(value, entry.shares_currency)
        deleted = timezone.localdate(entry.deleted_at).isoformat() if entry.deleted_at else ""
        fixed = [entry.date.isoformat(), kind, description, category, split_kind]
        return [
            *fixed,
            amount(entry.amount),
            currency,
            *spent(entry),
            entry.shares_currency,
            notes,
            deleted,
            group.convert_at,
            *people,
        ]

    rows = [
        (
            (expense.date, expense.created_at),
            row(
                expense,
                "Expense",
                expense.description,
                expense.get_category_display(),
                expense.get_split_kind_display(),
                expense.notes,
                (
                    history.payers[expense.pk],
                    [(member_id, value) for member_id, value, _ in history.shares[expense.pk]],
                ),
            ),
        )
        for expense in history.expenses
    ]
    rows += [
        (
            (payment.date, payment.created_at),
            row(
                payment,
                "Payment",
                f"{names[payment.from_member_id]} paid {names[payment.to_member_id]}",
                "",
                "",
                payment.note,
                (
                    [(payment.from_member_id, payment.ledger_amount)],
                    [(payment.to_member_id, payment.ledger_amount)],
                ),
            ),
        )
        for payment in history.payments
    ]
    for conversion, lines in history.conversions.items():
        for line in lines:
            debtor, creditor, owed, converted = (
                line.member_a_id,
                line.member_b_id,
                line.amount,
                line.converted,
            )
            if owed < 0:
                debtor, creditor, owed, converted = creditor, debtor, -owed, -converted
            description = (
                f"{names[debtor]} owed {names[creditor]} {format_amount(owed, line.currency)}, "
                f"converted to {currency}"
            )
            # Two rows, each adding up like a payment in its shares currency: the debt in the
            # other currency is cleared, and owed again in the group's.
            for shares_currency, amount_moved, paying, paid in (
                (line.currency, owed, debtor, creditor),
                (currency, converted, creditor, debtor),
            ):
                if not amount_moved:
                    continue
                side = _ConvertedDebt(
                    date=conversion.date,
                    created_at=conversion.created_at,
                    amount=converted,
                    currency=currency,
                    original_amount=owed,
                    original_currency=line.currency,
                    rate=line.rate,
                    rate_source=line.rate_source,
                    rate_date=line.rate_date,
                    shares_currency=shares_currency,
                )
                rows.append(
                    (
                        (conversion.date, conversion.created_at),
                        row(
                            side,
                            "Conversion",
                            description,
                            "",
                            "",
                            "",
                            ([(paying, amount_moved)], [(paid, amount_moved)]),
                        ),
                    )
                )
    rows.sort(key=lambda keyed: keyed[0])
    header = [*CSV_COLUMNS]
    for name in names.values():
        header += [f"{name} paid", f"{name} share"]
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out)
    for cells in [header, *(cells for _, cells in rows)]:
        writer.writerow([spreadsheet_text(cell) for cell in cells])
    return out.getvalue().encode()


def export_filename(name, extension):
    """ "lisbon-trip-2026-11-02.csv": the name in ASCII and today, for any browser and disk."""
    return f"{slugify(name) or 'export'}-{timezone.localdate().isoformat()}.{extension}"


def personal_archive(user):
    """A zip of everything of `user`'s: their account, and each group they are in, as JSON
    and CSV. Groups they have left are listed in the account file but not included: they no
    longer have access to them. A constant number of queries, however many groups."""
    memberships = list(
        Member.objects.filter(user=user).select_related("group").order_by("group_id")
    )
    current = [membership.group for membership in memberships if membership.is_active]
    stems = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for history in load_histories(current):
            stem = f"groups/{history.group.pk}-{slugify(history.group.name) or 'group'}"
            stems[history.group.pk] = stem
            archive.writestr(f"{stem}.json", group_json(history))
            archive.writestr(f"{stem}.csv", group_csv(history))
        archive.writestr("account.json", _json_bytes(account_document(user, memberships, stems)))
    return buffer.getvalue()


def account_document(user, memberships, stems):
    """The account file of the archive; `stems` names each included group's files."""
    return {
        "format": ACCOUNT_FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "date_joined": _timestamp(user.date_joined),
            "last_login": _timestamp(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "memberships": [
            {
                "group": membership.group.name,
                "currency": membership.group.currency,
                "role": membership.role,
                "active": membership.is_active,
                "balance": membership.balance,
                "joined_at": _timestamp(membership.joined_at),
                "files": (
                    [f"{stems[membership.group_id]}.json", f"{stems[membership.group_id]}.csv"]
                    if membership.group_id in stems
                    else []
                ),
            }
            for membership in memberships
        ],
    }
