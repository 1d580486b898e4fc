"""The REST API: what a member can do on the pages, as JSON.

Every group-scoped endpoint starts from `get_membership`, like the pages, so someone outside a
group gets 404 and never learns it exists. Every write runs the pages' own form over the JSON
and calls the same model method, so the rules and their wording are the pages' own.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from api import pages
from api.auth import BearerToken, PerCaller, Session, require_write
from api.schemas import (
    ActivityPage,
    BalanceOut,
    ExpenseEditIn,
    ExpenseIn,
    ExpenseOut,
    ExpensePage,
    GroupIn,
    GroupOut,
    GuestIn,
    MemberOut,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    Problem,
    SettleUpOut,
)
from expenses.forms import ExpenseForm
from expenses.models import Expense, StaleEdit
from expenses.views import form_members
from groups.access import get_membership
from groups.forms import GroupForm, GuestForm
from groups.models import CurrencyFixed, Group, Member, MembershipError
from ledger.books import LedgerError
from settlements.forms import PaymentForm
from settlements.models import Payment, PaymentError

rate_limit = PerCaller()

api = NinjaAPI(
    title="Splitclone API",
    version="1",
    description="Groups, expenses, payments, balances and the settle-up plan. Amounts come out "
    "as integers in the currency's minor units (cents) and go in as text, as typed on the pages.",
    auth=[BearerToken(), Session()],
    throttle=[rate_limit],
    urls_namespace="rest",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# Submission ids made from Idempotency-Key headers live in their own namespace.
IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0f1f0e-9a43-4c39-9d0e-6f0c1a3e2b71")


class Refused(Exception):
    """An answer with a message and, for a form, a list of messages per field."""

    def __init__(self, status, detail, errors=None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors or {}


@api.exception_handler(Refused)
def refused(request, exc):
    return api.create_response(
        request, {"detail": exc.detail, "errors": exc.errors}, status=exc.status
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    detail = "Send a valid token as `Authorization: Bearer …`, or sign in."
    return api.create_response(request, {"detail": detail, "errors": {}}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc), "errors": {}}, status=exc.status_code)


@api.exception_handler(SchemaError)
def schema_error(request, exc):
    errors = {}
    for error in exc.errors:
        # ("body", "payload", "amount") is `amount`; ("query", "limit") is `limit`.
        parts = [str(part) for part in error["loc"][1:] if part != "payload"]
        where = ".".join(parts) or str(error["loc"][0])
        errors.setdefault(where, []).append(error["msg"])
    return api.create_response(
        request,
        {"detail": "The request does not have the expected fields.", "errors": errors},
        status=422,
    )


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc), "errors": {}}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found.", "errors": {}}, status=404)


def form_field(name):
    """The JSON field a form field stands for: `value_12` is `values.12`."""
    for prefix, field in (("value_", "values"), ("paid_", "paid")):
        if name.startswith(prefix):
            return f"{field}.{name.removeprefix(prefix)}"
    return {"__all__": "non_field_errors", "include": "participants"}.get(name, name)


def invalid(form):
    errors = {form_field(name): list(messages) for name, messages in form.errors.items()}
    detail = (form.non_field_errors() or ["Some fields need a look."])[0]
    return Refused(422, detail, errors)


def submission_id(request):
    """The submission id the forms carry, from the Idempotency-Key header (a new one without):
    a retried request with the same key returns what the first one made."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        return uuid.uuid4()
    return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{request.user.pk}:{key}")


def group_out(membership):
    group = membership.group
    return {
        "id": group.pk,
        "name": group.name,
        "description": group.description,
        "currency": group.currency,
        "simplify_debts": group.simplify_debts,
        "is_archived": group.is_archived,
        "my_member_id": membership.pk,
        "my_role": membership.role,
        "my_balance": membership.balance,
    }


def member_out(member):
    return {
        "id": member.pk,
        "name": member.display_name,
        "is_guest": member.is_guest,
        "role": member.role,
        "is_active": member.is_active,
        "balance": member.balance,
    }


def expense_out(expense):
    return {
        "id": expense.pk,
        "description": expense.description,
        "amount": expense.amount,
        "amount_display": expense.amount_display,
        "currency": expense.currency,
        "date": expense.date,
        "category": expense.category,
        "split_kind": expense.split_kind,
        "notes": expense.notes,
        "version": expense.version,
        "deleted": expense.is_deleted,
        "paid": [{"member_id": p.member_id, "amount": p.amount} for p in expense.payers.all()],
        "owed": [
            {"member_id": s.member_id, "amount": s.amount, "entered": s.entered}
            for s in expense.shares.all()
        ],
    }


def payment_out(payment):
    return {
        "id": payment.pk,
        "from_member_id": payment.from_member_id,
        "to_member_id": payment.to_member_id,
        "amount": payment.amount,
        "amount_display": payment.amount_display,
        "currency": payment.currency,
        "date": payment.date,
        "note": payment.note,
        "deleted": payment.is_deleted,
    }


# The API names people by member id: the expense's payers and shares, without their names.
EXPENSE_PARTS = ("payers", "shares")


def group_expense(membership, expense_id):
    expense = (
        membership.group.expenses.prefetch_related(*EXPENSE_PARTS).filter(pk=expense_id).first()
    )
    if expense is None:
        raise Http404
    return expense


def group_payment(membership, payment_id):
    payment = membership.group.payments.with_people().filter(pk=payment_id).first()
    if payment is None:
        raise Http404
    return payment


ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_ERRORS = {**ERRORS, 409: Problem}


# Groups


@api.get("/groups", response={200: list[GroupOut], **ERRORS}, tags=["groups"])
def list_groups(request):
    """The groups you are an active member of."""
    memberships = (
        Member.objects.filter(user_id=request.user.pk, is_active=True)
        .select_related("group")
        .order_by("group__name", "group_id")
    )
    return [group_out(membership) for membership in memberships]


@api.post("/groups", response={201: GroupOut, **ERRORS}, tags=["groups"])
def create_group(request, payload: GroupIn):
    require_write(request)
    form = GroupForm(payload.model_dump())
    if not form.is_valid():
        raise invalid(form)
    group = Group.objects.create_group(creator=request.user, **form.cleaned_data)
    return Status(201, group_out(get_membership(request, group.pk)))


@api.get("/groups/{id:group_id}", response={200: GroupOut, **ERRORS}, tags=["groups"])
def get_group(request, group_id: int):
    return group_out(get_membership(request, group_id))


@api.put("/groups/{id:group_id}", response={200: GroupOut, **WRITE_ERRORS}, tags=["groups"])
def edit_group(request, group_id: int, payload: GroupIn):
    """The group's settings; owners and admins only. The currency is fixed once there is
    history."""
    require_write(request)
    membership = get_membership(request, group_id, require_manager=True)
    form = GroupForm(payload.model_dump(), instance=membership.group)
    if not form.is_valid():
        raise invalid(form)
    try:
        membership.group.update_settings(actor=request.user, **form.cleaned_data)
    except CurrencyFixed as fixed:
        raise Refused(422, fixed.message, {"currency": [fixed.message]}) from None
    return group_out(membership)


# Members


@api.get(
    "/groups/{id:group_id}/members", response={200: list[MemberOut], **ERRORS}, tags=["members"]
)
def list_members(request, group_id: int):
    membership = get_membership(request, group_id)
    members = membership.group.members.with_people().order_by("-is_active", "id")
    return [member_out(member) for member in members]


@api.post(
    "/groups/{id:group_id}/guests", response={201: MemberOut, **WRITE_ERRORS}, tags=["members"]
)
def add_guest(request, group_id: int, payload: GuestIn):
    """Someone without an account, who can claim the name when they join. Owners and admins
    only."""
    require_write(request)
    membership = get_membership(request, group_id, require_manager=True)
    form = GuestForm({"guest_name": payload.name})
    if not form.is_valid():
        raise Refused(422, form.errors["guest_name"][0], {"name": form.errors["guest_name"]})
    try:
        guest = membership.group.add_guest(form.cleaned_data["guest_name"], actor=request.user)
    except MembershipError as error:
        raise Refused(422, error.message, {"name": [error.message]}) from None
    return Status(201, member_out(guest))


# Expenses


@api.get("/groups/{id:group_id}/expenses", response={200: ExpensePage, **ERRORS}, tags=["expenses"])
def list_expenses(
    request, group_id: int, cursor: str = "", limit: int = Query(pages.PAGE_SIZE, ge=1, le=100)
):
    """The group's expenses, newest first; pass `next_cursor` back as `cursor` for more."""
    membership = get_membership(request, group_id)
    rows = membership.group.expenses.live().prefetch_related(*EXPENSE_PARTS)
    page, next_cursor = pages.by_date(rows, cursor, limit)
    return {"items": [expense_out(expense) for expense in page], "next_cursor": next_cursor}


@api.get(
    "/groups/{id:group_id}/expenses/{id:expense_id}",
    response={200: ExpenseOut, **ERRORS},
    tags=["expenses"],
)
def get_expense(request, response: HttpResponse, group_id: int, expense_id: int):
    """One expense, deleted or not. Its ETag is its version, for `If-Match` on an edit."""
    expense = group_expense(get_membership(request, group_id), expense_id)
    response["ETag"] = f'"{expense.version}"'
    return expense_out(expense)


def expense_form(payload, members, *, submission, version=None):
    """The expense form filled in from the JSON, as the page's form would be posted."""
    known = {member.pk for member in members}
    participants = payload.participants
    if participants is None:
        participants = [member.pk for member in members if member.is_active]
    errors = {}
    for field, ids in (
        ("participants", participants),
        ("values", payload.values),
        ("paid", payload.paid),
        ("paid_by", [payload.paid_by] if payload.paid_by is not None else []),
    ):
        if strangers := sorted(set(ids) - known):
            errors[field] = [f"Not a member of this group: {', '.join(map(str, strangers))}."]
    if errors:
        raise Refused(422, "Some people are not members of this group.", errors)
    data = {
        "description": payload.description,
        "amount": payload.amount,
        "date": payload.date.isoformat(),
        "category": payload.category,
        "split_kind": payload.split_kind,
        "notes": payload.notes,
        "paid_by": "" if payload.paid_by is None else str(payload.paid_by),
        "submission_id": str(submission),
        "version": "" if version is None else str(version),
    }
    data.update({f"include_{pk}": "on" for pk in participants})
    data.update({f"value_{pk}": value for pk, value in payload.values.items()})
    data.update({f"paid_{pk}": value for pk, value in payload.paid.items()})
    return data


@api.post("/groups/{id:group_id}/expenses", response={201: ExpenseOut, **ERRORS}, tags=["expenses"])
def create_expense(request, group_id: int, payload: ExpenseIn):
    """Adds an expense. With an `Idempotency-Key`, a retry returns the expense the first
    request added instead of adding another."""
    require_write(request)
    membership = get_membership(request, group_id)
    group = membership.group
    members = form_members(group)
    form = ExpenseForm(
        expense_form(payload, members, submission=submission_id(request)),
        group=group,
        members=members,
    )
    if not form.is_valid():
        raise invalid(form)
    try:
        expense = Expense.objects.save_expense(
            group_id=group.pk, author=request.user, entry=form.entry
        )
    except LedgerError as error:
        raise Refused(409, error.message) from None
    return Status(201, expense_out(group_expense(membership, expense.pk)))


def expected_version(request, payload):
    if payload.version is not None:
        return payload.version
    tag = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if tag.isascii() and tag.isdigit():
        return int(tag)
    raise Refused(
        428,
        "Send the version you edited (`version`, or the expense's ETag as `If-Match`).",
        {"version": ["This field is required."]},
    )


@api.put(
    "/groups/{id:group_id}/expenses/{id:expense_id}",
    response={200: ExpenseOut, 428: Problem, **WRITE_ERRORS},
    tags=["expenses"],
)
def edit_expense(request, group_id: int, expense_id: int, payload: ExpenseEditIn):
    """Replaces the expense; 409 when someone else changed it since the version you send."""
    require_write(request)
    membership = get_membership(request, group_id)
    group = membership.group
    expense = group_expense(membership, expense_id)
    version = expected_version(request, payload)
    if expense.is_deleted:
        raise Refused(409, Expense.RESTORE_BEFORE_EDITING)
    members = form_members(group, expense)
    data = expense_form(payload, members, submission=expense.submission_id, version=version)
    form = ExpenseForm(data, group=group, members=members, expense=expense)
    if not form.is_valid():
        raise invalid(form)
    try:
        Expense.objects.save_expense(
            group_id=group.pk,
            author=request.user,
            entry=form.entry,
            expense=expense,
            expected_version=version,
        )
    except StaleEdit as stale:
        raise Refused(
            409, stale.message, {"version": [f"The current version is {stale.current.version}."]}
        ) from None
    except LedgerError as error:
        raise Refused(409, error.message) from None
    return expense_out(group_expense(membership, expense.pk))


@api.delete(
    "/groups/{id:group_id}/expenses/{id:expense_id}",
    response={200: ExpenseOut, **ERRORS},
    tags=["expenses"],
)
def delete_expense(request, group_id: int, expense_id: int):
    """Soft delete: the expense leaves the balances and can be restored."""
    require_write(request)
    membership = get_membership(request, group_id)
    expense = group_expense(membership, expense_id)
    Expense.objects.delete_expense(expense, actor=request.user)
    return expense_out(group_expense(membership, expense.pk))


@api.post(
    "/groups/{id:group_id}/expenses/{id:expense_id}/restore",
    response={200: ExpenseOut, **ERRORS},
    tags=["expenses"],
)
def restore_expense(request, group_id: int, expense_id: int):
    require_write(request)
    membership = get_membership(request, group_id)
    expense = group_expense(membership, expense_id)
    Expense.objects.restore_expense(expense, actor=request.user)
    return expense_out(group_expense(membership, expense.pk))


# Payments


@api.get("/groups/{id:group_id}/payments", response={200: PaymentPage, **ERRORS}, tags=["payments"])
def list_payments(
    request, group_id: int, cursor: str = "", limit: int = Query(pages.PAGE_SIZE, ge=1, le=100)
):
    membership = get_membership(request, group_id)
    rows = membership.group.payments.live()
    page, next_cursor = pages.by_date(rows, cursor, limit)
    return {"items": [payment_out(payment) for payment in page], "next_cursor": next_cursor}


@api.post(
    "/groups/{id:group_id}/payments", response={201: PaymentOut, **WRITE_ERRORS}, tags=["payments"]
)
def record_payment(request, group_id: int, payload: PaymentIn):
    """Records that one member paid another. With the plan's `fingerprint`, 409 if the
    balances changed since; a payment that turns a balance around needs `confirm`."""
    require_write(request)
    membership = get_membership(request, group_id)
    group = membership.group
    submission = submission_id(request)
    duplicate = Payment.objects.submitted(group, submission)
    if duplicate is not None:
        return Status(201, payment_out(duplicate))
    settle_up = Payment.objects.suggest(group)
    data = payload.model_dump() | {"submission_id": str(submission)}
    data["from_member"], data["to_member"] = data.pop("from_member_id"), data.pop("to_member_id")
    data["date"] = payload.date.isoformat()
    form = PaymentForm(data, settle_up=settle_up)
    if not form.is_valid():
        raise invalid(form)
    cleaned = form.cleaned_data
    try:
        payment = Payment.objects.record(
            group_id=group.pk,
            from_member_id=cleaned["from_member"],
            to_member_id=cleaned["to_member"],
            amount=form.total,
            currency=group.currency,
            date=cleaned["date"],
            note=cleaned["note"],
            actor=request.user,
            submission_id=cleaned["submission_id"],
            expected_fingerprint=cleaned["fingerprint"] or None,
            conversion=form.conversion,
        )
    except (PaymentError, LedgerError) as error:
        raise Refused(409, error.messages[0]) from None
    return Status(201, payment_out(payment))


@api.delete(
    "/groups/{id:group_id}/payments/{id:payment_id}",
    response={200: PaymentOut, **ERRORS},
    tags=["payments"],
)
def delete_payment(request, group_id: int, payment_id: int):
    require_write(request)
    membership = get_membership(request, group_id)
    payment = group_payment(membership, payment_id)
    payment = Payment.objects.delete_payment(payment, actor=request.user)
    return payment_out(payment)


@api.post(
    "/groups/{id:group_id}/payments/{id:payment_id}/restore",
    response={200: PaymentOut, **ERRORS},
    tags=["payments"],
)
def restore_payment(request, group_id: int, payment_id: int):
    require_write(request)
    membership = get_membership(request, group_id)
    payment = group_payment(membership, payment_id)
    return payment_out(Payment.objects.restore_payment(payment, actor=request.user))


# Balances, the settle-up plan, the activity


@api.get(
    "/groups/{id:group_id}/balances", response={200: list[BalanceOut], **ERRORS}, tags=["balances"]
)
def balances(request, group_id: int):
    """Each member's balance: positive when the group owes them."""
    membership = get_membership(request, group_id)
    members = membership.group.members.with_people().exclude(balance=0).order_by("-balance", "id")
    return [{"member_id": m.pk, "name": m.display_name, "balance": m.balance} for m in members]


@api.get(
    "/groups/{id:group_id}/settle-up", response={200: SettleUpOut, **ERRORS}, tags=["balances"]
)
def settle_up(request, group_id: int):
    """The payments that settle the group, the same plan as the settle-up page, explained."""
    membership = get_membership(request, group_id)
    plan = Payment.objects.suggest(membership.group)
    return {
        "currency": membership.group.currency,
        "simplified": plan.simplified,
        "fingerprint": plan.fingerprint,
        "transfers": [
            {
                "from_member_id": s.debtor.pk,
                "to_member_id": s.creditor.pk,
                "amount": s.amount,
                "can_record": s.can_record,
            }
            for s in plan.suggestions
        ],
        "explanation": [
            {
                "member_id": row.member.pk,
                "name": row.member.display_name,
                "before": row.before,
                "pays": row.pays,
                "receives": row.receives,
                "after": row.after,
            }
            for row in plan.rows()
        ],
        "parts": [[member.pk for member in part] for part in plan.parts],
    }


@api.get(
    "/groups/{id:group_id}/activity", response={200: ActivityPage, **ERRORS}, tags=["activity"]
)
def list_activity(
    request, group_id: int, cursor: str = "", limit: int = Query(pages.PAGE_SIZE, ge=1, le=100)
):
    membership = get_membership(request, group_id)
    rows = membership.group.activities.select_related("actor")
    page, next_cursor = pages.by_id(rows, cursor, limit)
    items = [
        {
            "id": line.pk,
            "actor": line.actor.display_name if line.actor else None,
            "verb": line.verb,
            "summary": line.summary,
            "created_at": line.created_at,
        }
        for line in page
    ]
    return {"items": items, "next_cursor": next_cursor}
