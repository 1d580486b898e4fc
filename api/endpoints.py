"""The REST API: what a member can do on the pages, as JSON.

Every group-scoped endpoint starts from `get_membership`, like the pages, so someone outside a
group gets 404 and never learns it exists. Every write runs the pages' own form over the JSON
and calls the same model method, so the rules and their wording are the pages' own.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.utils.translation import gettext
from ninja import File, NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.files import UploadedFile

from api import pages
from api.auth import BearerToken, PerCaller, Session, require_write
from api.schemas import (
    AcrossIn,
    AcrossPlanOut,
    AcrossRecordedOut,
    ActivityPage,
    BalanceOut,
    CoversOut,
    Done,
    ExpenseEditIn,
    ExpenseIn,
    ExpenseOut,
    ExpensePage,
    GroupIn,
    GroupOut,
    GuestIn,
    InviteEmailIn,
    InviteIn,
    InviteOut,
    MemberChangeOut,
    MemberOut,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    PersonIn,
    Problem,
    RecurringEditIn,
    RecurringIn,
    RecurringOut,
    RoleIn,
    SettleUpOut,
    SpendingOut,
    StatisticsOut,
)
from expenses.forms import (
    SCHEDULE_FIELDS,
    DateRangeForm,
    ExpenseForm,
    ReceiptForm,
    RecurringExpenseForm,
)
from expenses.models import Expense, RecurringError, RecurringExpense, StaleEdit
from expenses.recurring_views import recurring_rows
from expenses.statistics import group_statistics, personal_spending
from expenses.tasks import enqueue_if_due
from expenses.views import form_members, receipt_response
from groups.access import get_membership
from groups.forms import (
    AddUserForm,
    GroupForm,
    GuestForm,
    InviteEmailForm,
    InviteForm,
    RoleForm,
)
from groups.models import ConversionFixed, CurrencyFixed, Group, Member, MembershipError
from groups.services import InviteLimitReached, email_invite
from groups.views import invite_url
from imports.export_views import group_download
from ledger.books import LedgerError
from ledger.models import RateSource
from settlements.across import AcrossPlan, load_groups
from settlements.forms import AcrossForm, AcrossRecordForm, PaymentForm
from settlements.models import Payment, PaymentError
from settlements.views import pair_covers_for, recorded_message

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
    detail = gettext("Send a valid token as `Authorization: Bearer …`, or sign in.")
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
        {"detail": gettext("The request does not have the expected fields."), "errors": errors},
        status=422,
    )


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc), "errors": {}}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": gettext("Not found."), "errors": {}}, status=404)


# The recurring expense form's schedule fields by the names the API gives them.
SCHEDULE_NAMES = {form_name: name for name, form_name in SCHEDULE_FIELDS.items()}


def form_field(name):
    """The JSON field a form field stands for: `value_12` is `values.12`."""
    for prefix, field in (("value_", "values"), ("paid_", "paid")):
        if name.startswith(prefix):
            return f"{field}.{name.removeprefix(prefix)}"
    known = {
        "__all__": "non_field_errors",
        "include": "participants",
        "rate_mode": "rate_source",
        **SCHEDULE_NAMES,
    }
    return known.get(name, name)


def invalid(form):
    errors = {form_field(name): list(messages) for name, messages in form.errors.items()}
    detail = (form.non_field_errors() or [gettext("Some fields need a look.")])[0]
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
        "convert_at": group.convert_at,
        "pay_only_sharing": group.pay_only_sharing,
        "is_archived": group.is_archived,
        "my_member_id": membership.pk,
        "my_role": membership.role,
        "my_balance": membership.balance,
    }


def member_out(member):
    return {
        "id": member.pk,
        "name": member.display_name,
        "user_id": member.user_id,
        "is_guest": member.is_guest,
        "role": member.role,
        "is_active": member.is_active,
        "balance": member.balance,
    }


def converted_out(row):
    return {
        "amount": row.amount,
        "currency": row.currency,
        "original_amount": row.original_amount,
        "original_currency": row.original_currency,
        "rate": f"{row.rate.normalize():f}",
        "rate_source": row.rate_source,
        "rate_date": row.rate_date,
        "shares_currency": row.shares_currency,
    }


def expense_out(expense):
    return {
        **converted_out(expense),
        "id": expense.pk,
        "description": expense.description,
        "amount_display": expense.amount_display,
        "date": expense.date,
        "category": expense.category,
        "split_kind": expense.split_kind,
        "notes": expense.notes,
        "version": expense.version,
        "deleted": expense.is_deleted,
        "has_receipt": bool(expense.receipt),
        "paid": [{"member_id": p.member_id, "amount": p.amount} for p in expense.payers.all()],
        "owed": [
            {"member_id": s.member_id, "amount": s.amount, "entered": s.entered}
            for s in expense.shares.all()
        ],
    }


def payment_out(payment):
    return {
        **converted_out(payment),
        "id": payment.pk,
        "from_member_id": payment.from_member_id,
        "to_member_id": payment.to_member_id,
        "amount_display": payment.amount_display,
        "date": payment.date,
        "note": payment.note,
        "deleted": payment.is_deleted,
        "status": payment.status,
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
UPLOAD_ERRORS = {**WRITE_ERRORS, 413: Problem}


def file_answer(content_type, description):
    """The OpenAPI entry of an answer that is a file rather than JSON."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


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
    data = payload.model_dump()
    if data["pay_only_sharing"] is None:
        data["pay_only_sharing"] = membership.group.pay_only_sharing
    form = GroupForm(data, instance=membership.group)
    if not form.is_valid():
        raise invalid(form)
    try:
        membership.group.update_settings(actor=request.user, **form.cleaned_data)
    except CurrencyFixed as fixed:
        raise Refused(422, fixed.message, {"currency": [fixed.message]}) from None
    except ConversionFixed as fixed:
        raise Refused(422, fixed.message, {"convert_at": [fixed.message]}) from None
    return group_out(membership)


def set_archived(request, group_id, archived):
    require_write(request)
    membership = get_membership(request, group_id, require_manager=True)
    membership.group.set_archived(archived, actor=request.user)
    return group_out(membership)


@api.post("/groups/{id:group_id}/archive", response={200: GroupOut, **ERRORS}, tags=["groups"])
def archive_group(request, group_id: int):
    """Moves the group among everyone's archived groups; owners and admins only. Nothing else
    changes: it can still be read and written, and unarchived."""
    return set_archived(request, group_id, True)


@api.post("/groups/{id:group_id}/unarchive", response={200: GroupOut, **ERRORS}, tags=["groups"])
def unarchive_group(request, group_id: int):
    return set_archived(request, group_id, False)


def statistics_period(date_from, date_to):
    """The period the statistics pages would show for these dates, checked by their form."""
    sent = {"date_from": date_from, "date_to": date_to}
    period = DateRangeForm({name: day.isoformat() for name, day in sent.items() if day} or None)
    if period.is_bound and not period.is_valid():
        raise invalid(period)
    return period.period


@api.get("/me/spending", response={200: list[SpendingOut], **ERRORS}, tags=["groups"])
def my_spending(
    request, date_from: datetime.date | None = None, date_to: datetime.date | None = None
):
    """What you spent (your shares of expenses) across all your groups, per currency, with its
    months and categories: the "my spending" page."""
    spending = personal_spending(request.user, *statistics_period(date_from, date_to))
    return [
        {
            "currency": spent.currency,
            "total": spent.total,
            "paid": spent.paid,
            "months": [{"month": month, "total": total} for month, total in spent.months],
            # Category names are translated lazily; the API writes them out in the request's
            # language (Accept-Language).
            "categories": [
                {"category": str(category), "total": total} for category, total in spent.categories
            ],
        }
        for spent in spending
    ]


@api.get(
    "/groups/{id:group_id}/statistics", response={200: StatisticsOut, **ERRORS}, tags=["groups"]
)
def statistics(
    request,
    group_id: int,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    """What the group spent per month, per category and per person (what each paid, and their
    share), over live expenses dated in the period; either end may be left out."""
    membership = get_membership(request, group_id)
    date_from, date_to = statistics_period(date_from, date_to)
    stats = group_statistics(membership.group, date_from, date_to)
    return {
        "currency": membership.group.currency,
        "date_from": date_from,
        "date_to": date_to,
        "total": stats.total,
        "count": stats.count,
        "months": [{"month": m, "total": t, "count": c} for m, t, c in stats.months],
        "categories": [
            {"category": str(k), "total": t, "count": c} for k, t, c in stats.categories
        ],
        "people": [
            {
                "member_id": person.member.pk,
                "name": person.member.display_name,
                "paid": person.paid,
                "share": person.share,
            }
            for person in stats.people
        ],
    }


@api.get(
    "/groups/{id:group_id}/export.json",
    response=ERRORS,
    tags=["groups"],
    openapi_extra=file_answer("application/json", "The export file (docs/export-format.md)."),
)
def export_json(request, group_id: int):
    """The group's whole history as the export page's JSON file, which import reads back."""
    return group_download(get_membership(request, group_id).group, "json")


@api.get(
    "/groups/{id:group_id}/export.csv",
    response=ERRORS,
    tags=["groups"],
    openapi_extra=file_answer("text/csv", "The export page's CSV file, one row per entry."),
)
def export_csv(request, group_id: int):
    return group_download(get_membership(request, group_id).group, "csv")


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


@api.post("/groups/{id:group_id}/members", response={201: MemberOut, **ERRORS}, tags=["members"])
def add_person(request, group_id: int, payload: PersonIn):
    """Adds someone with an account whom you already share a group with (or brings them back
    if they were deactivated); anyone else joins through an invite. Owners and admins only."""
    require_write(request)
    membership = get_membership(request, group_id, require_manager=True)
    form = AddUserForm({"user_id": str(payload.user_id)}, acting_user=request.user)
    if not form.is_valid():
        raise invalid(form)
    person = form.cleaned_data["user_id"]
    added = membership_change(lambda: membership.group.add_user(person, actor=request.user))
    return Status(201, member_out(added))


@api.post("/groups/{id:group_id}/leave", response={200: Done, **ERRORS}, tags=["members"])
def leave_group(request, group_id: int):
    """Leaves the group, once your balance there is settled; the last owner stays. Coming back
    takes an owner or admin."""
    require_write(request)
    group = get_membership(request, group_id).group
    kept = membership_change(lambda: group.leave(request.user))
    if kept:
        left = gettext("You left %(group)s. Your expenses and payments there keep your name.")
    else:
        left = gettext("You left %(group)s.")
    return {"detail": left % {"group": group.name}}


@api.post("/groups/{id:group_id}/not-me", response={200: MemberOut, **ERRORS}, tags=["members"])
def undo_claim(request, group_id: int):
    """You joined as one of the group's guests by mistake: the guest becomes a guest again, with
    their history, and you stay in the group as yourself. Only while nothing was recorded since."""
    require_write(request)
    group = get_membership(request, group_id).group
    own = membership_change(lambda: group.undo_claim(request.user))
    return member_out(own)


def managed_member(request, group_id, member_id):
    """The group's member `member_id`, for an owner or admin of the group to change."""
    require_write(request)
    membership = get_membership(request, group_id, require_manager=True)
    member = membership.group.members.select_related("user").filter(pk=member_id).first()
    if member is None:
        raise Http404
    return membership, member


def membership_change(change):
    try:
        return change()
    except MembershipError as error:
        raise Refused(422, " ".join(error.messages)) from None


@api.put(
    "/groups/{id:group_id}/members/{id:member_id}/role",
    response={200: MemberOut, **ERRORS},
    tags=["members"],
)
def change_role(request, group_id: int, member_id: int, payload: RoleIn):
    """Makes a member an owner, admin or plain member. Only owners make or unmake owners, and
    a group keeps at least one."""
    membership, member = managed_member(request, group_id, member_id)
    form = RoleForm({"role": payload.role})
    if not form.is_valid():
        message = gettext("Choose owner, admin or member.")
        raise Refused(422, message, {"role": [message]})
    role = form.cleaned_data["role"]
    membership_change(lambda: membership.group.change_role(member, role, actor=request.user))
    return member_out(member)


@api.delete(
    "/groups/{id:group_id}/members/{id:member_id}",
    response={200: MemberChangeOut, **ERRORS},
    tags=["members"],
)
def remove_member(request, group_id: int, member_id: int):
    """Takes someone out of the group. Someone with expenses or payments is deactivated
    instead (`member` is then still there), so the history keeps their name."""
    membership, member = managed_member(request, group_id, member_id)
    kept = membership_change(lambda: membership.group.remove_member(member, actor=request.user))
    if kept:
        detail = gettext("%(name)s has history here, so they were deactivated instead.")
        return {"detail": detail % {"name": member.display_name}, "member": member_out(kept)}
    detail = gettext("Removed %(name)s.") % {"name": member.display_name}
    return {"detail": detail, "member": None}


@api.post(
    "/groups/{id:group_id}/members/{id:member_id}/deactivate",
    response={200: MemberOut, **ERRORS},
    tags=["members"],
)
def deactivate_member(request, group_id: int, member_id: int):
    """The member stays in the history with their balance, but can no longer take part."""
    membership, member = managed_member(request, group_id, member_id)
    membership_change(lambda: membership.group.deactivate_member(member, actor=request.user))
    return member_out(member)


@api.post(
    "/groups/{id:group_id}/members/{id:member_id}/reactivate",
    response={200: MemberOut, **ERRORS},
    tags=["members"],
)
def reactivate_member(request, group_id: int, member_id: int):
    membership, member = managed_member(request, group_id, member_id)
    membership_change(lambda: membership.group.reactivate_member(member, actor=request.user))
    return member_out(member)


# Invites


def invite_out(request, invite):
    return {
        "id": invite.pk,
        "url": invite_url(request, invite),
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
        "max_uses": invite.max_uses,
        "uses": invite.uses,
    }


@api.get(
    "/groups/{id:group_id}/invites", response={200: list[InviteOut], **ERRORS}, tags=["invites"]
)
def list_invites(request, group_id: int):
    """The invite links that still work, newest first; owners and admins only."""
    membership = get_membership(request, group_id, require_manager=True)
    invites = membership.group.invites.usable().order_by("-created_at", "-id")
    return [invite_out(request, invite) for invite in invites]


@api.post("/groups/{id:group_id}/invites", response={201: InviteOut, **ERRORS}, tags=["invites"])
def create_invite(request, group_id: int, payload: InviteIn):
    """A link anyone can join the group with, until it expires or is used up."""
    require_write(request)
    membership = get_membership(request, group_id, require_manager=True)
    data = {
        "expires_in_days": str(payload.expires_in_days),
        "max_uses": "" if payload.max_uses is None else str(payload.max_uses),
    }
    form = InviteForm(data)
    if not form.is_valid():
        raise invalid(form)
    invite = membership.group.create_invite(actor=request.user, **form.cleaned_data)
    return Status(201, invite_out(request, invite))


@api.post(
    "/groups/{id:group_id}/invites/email",
    response={201: InviteOut, **ERRORS},
    tags=["invites"],
)
def email_an_invite(request, group_id: int, payload: InviteEmailIn):
    """Mails a link that works once, for 30 days, to someone; 429 after 20 in an hour."""
    require_write(request)
    membership = get_membership(request, group_id, require_manager=True)
    form = InviteEmailForm(payload.model_dump())
    if not form.is_valid():
        raise invalid(form)
    try:
        invite = email_invite(
            membership.group,
            actor=request.user,
            email=form.cleaned_data["email"],
            link_for=lambda invite: invite_url(request, invite),
        )
    except InviteLimitReached as refused:
        raise Refused(429, refused.message) from None
    return Status(201, invite_out(request, invite))


@api.delete(
    "/groups/{id:group_id}/invites/{id:invite_id}",
    response={204: None, **ERRORS},
    tags=["invites"],
)
def revoke_invite(request, group_id: int, invite_id: int):
    """The link stops working; people who joined through it stay."""
    require_write(request)
    membership = get_membership(request, group_id, require_manager=True)
    invite = membership.group.invites.filter(pk=invite_id, revoked_at__isnull=True).first()
    if invite is None:
        raise Http404
    invite.revoke(actor=request.user)
    return Status(204, None)


# Expenses


@api.get("/groups/{id:group_id}/expenses", response={200: ExpensePage, **ERRORS}, tags=["expenses"])
def list_expenses(
    request,
    group_id: int,
    cursor: str = "",
    limit: int = Query(pages.PAGE_SIZE, ge=1, le=100),
    deleted: bool = Query(False, description="List the deleted expenses, to restore, instead."),
):
    """The group's expenses, newest first; pass `next_cursor` back as `cursor` for more."""
    membership = get_membership(request, group_id)
    expenses = membership.group.expenses
    rows = expenses.filter(deleted_at__isnull=False) if deleted else expenses.live()
    rows = rows.prefetch_related(*EXPENSE_PARTS)
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
            errors[field] = [
                gettext("Not a member of this group: %(ids)s.")
                % {"ids": ", ".join(map(str, strangers))}
            ]
    if errors:
        raise Refused(422, gettext("Some people are not members of this group."), errors)
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
    # The currency spent and how it converts, as the page's form names them (a recurring
    # expense converts at each date's reference rate: it has no other rate fields).
    data["original_currency"] = payload.original_currency or ""
    data["rate_mode"] = getattr(payload, "rate_source", RateSource.REFERENCE)
    data["rate"], data["charged"] = getattr(payload, "rate", ""), getattr(payload, "charged", "")
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
        gettext("Send the version you edited (`version`, or its ETag as `If-Match`)."),
        {"version": [gettext("This field is required.")]},
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
            409,
            stale.message,
            {
                "version": [
                    gettext("The current version is %(version)s.")
                    % {"version": stale.current.version}
                ]
            },
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


@api.get(
    "/groups/{id:group_id}/expenses/{id:expense_id}/receipt",
    response=ERRORS,
    tags=["expenses"],
    openapi_extra=file_answer("application/octet-stream", "The receipt: JPEG, PNG, WebP or PDF."),
)
def get_receipt(request, group_id: int, expense_id: int):
    """The receipt, for members only; where receipts are kept in S3, a redirect to a link that
    expires in minutes."""
    return receipt_response(group_expense(get_membership(request, group_id), expense_id))


@api.post(
    "/groups/{id:group_id}/expenses/{id:expense_id}/receipt",
    response={200: ExpenseOut, **UPLOAD_ERRORS},
    tags=["expenses"],
)
def attach_receipt(request, group_id: int, expense_id: int, receipt: File[UploadedFile]):
    """Attaches a receipt (multipart, field `receipt`), replacing the one the expense had:
    a JPEG, PNG, WebP or PDF of at most 10 MB, judged by its content, not its name."""
    require_write(request)
    membership = get_membership(request, group_id)
    expense = group_expense(membership, expense_id)
    form = ReceiptForm(files={"receipt": receipt})
    if not form.is_valid():
        raise invalid(form)
    try:
        Expense.objects.attach_receipt(expense, form.cleaned_data["receipt"], actor=request.user)
    except LedgerError as error:
        raise Refused(409, error.message) from None
    return expense_out(group_expense(membership, expense.pk))


@api.delete(
    "/groups/{id:group_id}/expenses/{id:expense_id}/receipt",
    response={200: ExpenseOut, **WRITE_ERRORS},
    tags=["expenses"],
)
def delete_receipt(request, group_id: int, expense_id: int):
    require_write(request)
    membership = get_membership(request, group_id)
    expense = group_expense(membership, expense_id)
    try:
        Expense.objects.remove_receipt(expense, actor=request.user)
    except LedgerError as error:
        raise Refused(409, error.message) from None
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
    try:
        payment = form.record(request.user)
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
    """Each member's balance: positive when the group owes them. In a group that converts at
    settlement, balances open in other currencies come in each currency and, like the pages show
    them, ≈ all together in the group's currency at today's rates."""
    group = get_membership(request, group_id).group
    if not group.converts_at_settlement:
        members = group.members.with_people().exclude(balance=0).order_by("-balance", "id")
        return [
            {
                "member_id": m.pk,
                "name": m.display_name,
                "balance": m.balance,
                "approximate": False,
                "currencies": {},
            }
            for m in members
        ]
    settle_up = Payment.objects.suggest(group)
    approximate = settle_up.conversion is not None and not settle_up.conversion.problem
    rows = []
    for member in settle_up.members:
        parts = settle_up.open_parts.get(member.pk, {})
        balance = settle_up.balance_of(member)
        if not (balance or parts):
            continue
        rows.append(
            {
                "member_id": member.pk,
                "name": member.display_name,
                "balance": balance if approximate or not parts else None,
                "approximate": approximate and bool(parts),
                "currencies": parts,
            }
        )
    return sorted(rows, key=lambda row: (-(row["balance"] or 0), row["member_id"]))


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
        "wishes": wishes_out(plan.plan.wishes),
    }


def wishes_out(outcome):
    """What the group's wishes did to its plan (`settlements.plans.WishOutcome`), or None."""
    if outcome is None:
        return None
    return {
        "unit_transfers": [
            {"from_member_ids": list(payers), "to_member_ids": list(payees), "amount": amount}
            for payers, payees, amount in outcome.unit_transfers
        ],
        "unconstrained_count": outcome.unconstrained_count,
        "unmet": [
            {"kind": wish.kind, "member_ids": list(wish.members), "reason": wish.reason}
            for wish in outcome.unmet
        ],
        "within_households": [
            {"from_member_id": debtor, "to_member_id": creditor, "amount": amount}
            for debtor, creditor, amount in outcome.within_households
        ],
    }


@api.get(
    "/groups/{id:group_id}/covers/{id:member_id}/{id:other_id}",
    response={200: CoversOut, **ERRORS},
    tags=["balances"],
)
def covers(request, group_id: int, member_id: int, other_id: int):
    """What one member owes another and the live expenses, payments and conversions behind it,
    each with its effect on the pair: what a pairwise suggested payment covers, as its page
    shows it (docs/settle-up.md). Both must be members of the group."""
    group = get_membership(request, group_id).group
    _, _, found = pair_covers_for(group, member_id, other_id)
    return {
        "member_id": member_id,
        "other_id": other_id,
        "currency": group.currency,
        "total": found.total,
        "problem": found.problem,
        "currencies": [
            {
                "currency": cover.currency,
                "balance": cover.balance,
                "lines": [
                    {
                        "date": line.date,
                        "kind": line.kind,
                        "id": line.pk,
                        "description": line.description,
                        "from_member_id": line.sender_id,
                        "amount": line.amount,
                        "conversion": line.conversion,
                    }
                    for line in cover.lines
                ],
                "settled_on": cover.settled_on,
                "earlier_count": cover.earlier_count,
                "earlier_amount": cover.earlier_amount,
                "converted": cover.converted,
                "rate": cover.rate.display if cover.rate else None,
            }
            for cover in found.currencies
        ],
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
            "text": line.text,
            "created_at": line.created_at,
        }
        for line in page
    ]
    return {"items": items, "next_cursor": next_cursor}


# Settling across groups


def across_plan_out(plan):
    def booking(row):
        return {
            "group_id": row.group.pk,
            "from_member_id": row.payer.pk,
            "to_member_id": row.payee.pk,
            "amount": row.amount,
        }

    return {
        "groups": [state.group.pk for state in plan.states],
        "currency": plan.currency,
        "fingerprint": plan.fingerprint,
        "transfers": [
            {
                "from_user_id": transfer.debtor.pk,
                "from_name": transfer.debtor.display_name,
                "to_user_id": transfer.creditor.pk,
                "to_name": transfer.creditor.display_name,
                "amount": transfer.amount,
                "bookings": [booking(row) for row in transfer.bookings],
            }
            for transfer in plan.transfers
        ],
        "netting": [booking(row) for row in plan.netting],
    }


def chosen_groups(request, group_ids):
    """The states of the groups to settle together, checked by the settle-across page's form."""
    states = load_groups(request.user)
    form = AcrossForm({"groups": group_ids}, states=states)
    if not form.is_valid():
        raise invalid(form)
    return form.chosen_states()


@api.get("/settle-across", response={200: AcrossPlanOut, **ERRORS}, tags=["balances"])
def settle_across(request, groups: Query[list[int]]):
    """The plan for settling two or more of your groups (same currency) together: each
    registered person's total over the groups, settled in few transfers, each written into the
    groups as the payments in `bookings`."""
    return across_plan_out(AcrossPlan(chosen_groups(request, groups)))


@api.post("/settle-across", response={201: AcrossRecordedOut, **WRITE_ERRORS}, tags=["balances"])
def record_across(request, payload: AcrossIn):
    """Records one transfer of the plan (as the plan gives it, with its `fingerprint`) as
    payments in the groups; 409 if the balances changed since. With an `Idempotency-Key`, a
    retry records nothing more."""
    require_write(request)
    states = chosen_groups(request, payload.groups)
    form = AcrossRecordForm(
        {
            "groups": payload.groups,
            "debtor": payload.from_user_id,
            "creditor": payload.to_user_id,
            "amount": payload.amount,
            "fingerprint": payload.fingerprint,
            "submission_id": str(submission_id(request)),
        },
        states=states,
    )
    if not form.is_valid():
        raise invalid(form)
    try:
        recorded = form.record(request.user)
    except PaymentError as error:
        raise Refused(409, " ".join(error.messages)) from None
    if recorded is None:
        detail = gettext("That payment was already recorded.")
        return Status(201, {"detail": detail, "recorded": False})
    return Status(201, {"detail": recorded_message(recorded), "recorded": True})


# Recurring expenses


def recurring_out(recurring, schedule_text):
    return {
        "id": recurring.pk,
        "version": recurring.version,
        "description": recurring.description,
        "amount": recurring.amount,
        "amount_display": recurring.amount_display,
        "currency": recurring.spent_currency,
        "category": recurring.category,
        "split_kind": recurring.split_kind,
        "notes": recurring.notes,
        "frequency": recurring.frequency,
        "interval": recurring.interval,
        "month_day": recurring.month_day,
        "start_date": recurring.start_date,
        "end_date": recurring.end_date,
        "count": recurring.count,
        "schedule": schedule_text,
        "status": recurring.status,
        "next_date": recurring.next_date,
        "made": recurring.made,
        "paid": [{"member_id": p.member_id, "amount": p.amount} for p in recurring.payers.all()],
        "participants": [
            {"member_id": s.member_id, "entered": s.entered} for s in recurring.shares.all()
        ],
    }


def group_recurring(membership, recurring_id):
    recurring = (
        membership.group.recurring_expenses.prefetch_related("payers", "shares")
        .filter(pk=recurring_id)
        .first()
    )
    if recurring is None:
        raise Http404
    return recurring


def recurring_answer(membership, recurring):
    recurring = group_recurring(membership, recurring.pk)
    return recurring_out(recurring, recurring.schedule.describe())


def recurring_form(payload, members, submission):
    """The recurring expense form's fields from the JSON: the expense's, and its schedule."""
    data = expense_form(payload, members, submission=submission)
    schedule = payload.model_dump(include=set(SCHEDULE_FIELDS) - {"date"})
    return data | {
        SCHEDULE_FIELDS[name]: "" if value is None else str(value)
        for name, value in schedule.items()
    }


def recurring_refused(error):
    """A schedule the manager refuses is the sender's to fix (422, by field); a recurring
    expense that stopped meanwhile is a conflict (409)."""
    if error.field:
        return Refused(422, error.messages[0], {error.field: error.messages})
    return Refused(409, error.messages[0])


@api.get(
    "/groups/{id:group_id}/recurring",
    response={200: list[RecurringOut], **ERRORS},
    tags=["recurring"],
)
def list_recurring(request, group_id: int):
    """The group's recurring expenses: those still repeating by their next date, then the rest."""
    membership = get_membership(request, group_id)
    rows = recurring_rows(membership.group)
    # The list page names the payers only; the API also gives who shares each.
    prefetch_related_objects([row.recurring for row in rows], "shares")
    return [recurring_out(row.recurring, row.schedule_text) for row in rows]


@api.post(
    "/groups/{id:group_id}/recurring",
    response={201: RecurringOut, **WRITE_ERRORS},
    tags=["recurring"],
)
def create_recurring(request, group_id: int, payload: RecurringIn):
    """Sets up an expense that repeats. Its first expense is made at once; dates already past
    are made by the background worker straight away."""
    require_write(request)
    membership = get_membership(request, group_id)
    group = membership.group
    members = form_members(group)
    data = recurring_form(payload, members, submission_id(request))
    form = RecurringExpenseForm(data, group=group, members=members, repeat_required=True)
    if not form.is_valid():
        raise invalid(form)
    try:
        recurring = RecurringExpense.objects.create_recurring(
            group_id=group.pk, author=request.user, entry=form.entry, schedule=form.schedule
        )
    except RecurringError as error:
        raise recurring_refused(error) from None
    except LedgerError as error:
        raise Refused(409, error.message) from None
    enqueue_if_due(recurring)
    return Status(201, recurring_answer(membership, recurring))


@api.put(
    "/groups/{id:group_id}/recurring/{id:recurring_id}",
    response={200: RecurringOut, 428: Problem, **WRITE_ERRORS},
    tags=["recurring"],
)
def edit_recurring(request, group_id: int, recurring_id: int, payload: RecurringEditIn):
    """Changes what it makes from `date` on; the expenses already made stay as they are. 409 when
    someone else changed, paused, resumed or stopped it since the version you send."""
    require_write(request)
    version = expected_version(request, payload)
    membership = get_membership(request, group_id)
    recurring = group_recurring(membership, recurring_id)
    if not recurring.is_repeating:
        raise Refused(409, f"“{recurring.description}” no longer repeats.")
    members = form_members(membership.group)
    data = recurring_form(payload, members, submission_id(request))
    form = RecurringExpenseForm.for_recurring(recurring, members, data)
    if not form.is_valid():
        raise invalid(form)
    try:
        recurring = RecurringExpense.objects.update_recurring(
            recurring,
            actor=request.user,
            entry=form.entry,
            schedule=form.schedule,
            expected_version=version,
        )
    except RecurringError as error:
        raise recurring_refused(error) from None
    except LedgerError as error:
        raise Refused(409, error.message) from None
    enqueue_if_due(recurring)
    return recurring_answer(membership, recurring)


def change_recurring(request, group_id, recurring_id, change):
    require_write(request)
    membership = get_membership(request, group_id)
    recurring = group_recurring(membership, recurring_id)
    try:
        recurring = change(recurring, actor=request.user)
    except RecurringError as error:
        raise recurring_refused(error) from None
    enqueue_if_due(recurring)
    return recurring_answer(membership, recurring)


@api.post(
    "/groups/{id:group_id}/recurring/{id:recurring_id}/pause",
    response={200: RecurringOut, **WRITE_ERRORS},
    tags=["recurring"],
)
def pause_recurring(request, group_id: int, recurring_id: int):
    """Makes nothing until resumed."""
    return change_recurring(request, group_id, recurring_id, RecurringExpense.objects.pause)


@api.post(
    "/groups/{id:group_id}/recurring/{id:recurring_id}/resume",
    response={200: RecurringOut, **WRITE_ERRORS},
    tags=["recurring"],
)
def resume_recurring(request, group_id: int, recurring_id: int):
    """Repeats again from today: the dates missed while paused are not made."""
    return change_recurring(request, group_id, recurring_id, RecurringExpense.objects.resume)


@api.post(
    "/groups/{id:group_id}/recurring/{id:recurring_id}/stop",
    response={200: RecurringOut, **WRITE_ERRORS},
    tags=["recurring"],
)
def stop_recurring(request, group_id: int, recurring_id: int):
    """Stops it for good; the expenses it made stay, as ordinary expenses."""
    return change_recurring(request, group_id, recurring_id, RecurringExpense.objects.stop)
