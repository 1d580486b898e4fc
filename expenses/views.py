from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from expenses.forms import ExpenseForm, RecurringExpenseForm
from expenses.models import (
    CATEGORY_LABELS,
    EXPENSE_PAYERS,
    EXPENSE_SHARES,
    Expense,
    RecurringError,
    RecurringExpense,
    StaleEdit,
)
from expenses.tasks import enqueue_if_due
from groups.access import get_membership, parse_id
from ledger.books import LedgerError
from splitclone.formats import localized_amount
from splitclone.templatetags.money import balance_class, money

NEW_BADGE = '<span class="badge badge-new">{}</span> '
LEDGER_LINE = """
<li class="{classes}">
  <span class="expense-date">{day}<br>{year}</span>
  <span class="expense-main">
    {what}
    {detail}
  </span>
  <span class="expense-amounts">
    <span class="amount">{amount}</span>
    {original}
    {side}
  </span>
</li>
"""


def ledger_line(entry, *, classes, what, detail, side):
    """A line of the group's expenses and payments for an `Expense` or a `Payment`: its day,
    what it was, its amount (and the amount spent, when converted), where the viewer stands."""
    return format_html(
        LEDGER_LINE,
        classes=classes,
        day=date_filter(entry.date, "j M"),
        year=date_filter(entry.date, "Y"),
        what=what,
        detail=detail,
        amount=money(entry.amount, entry.currency),
        original=(
            format_html('<span class="muted amount">{}</span>', entry.original_display)
            if entry.is_converted
            else ""
        ),
        side=side,
    )


def worded(message, **values):
    """A translated message with its values escaped into it, as `{% blocktranslate %}` writes
    it: the catalog's own words are trusted, the values are not."""
    return mark_safe(message % {name: conditional_escape(value) for name, value in values.items()})


class ExpenseRow:
    """An expense as one line of the list, from the viewer's side.

    It writes its own markup (`__html__`, which `{{ row }}` renders) with the filters and
    messages a template would use: through a template, a line took nearly twice as long."""

    def __init__(self, expense, membership, payer_names, paid, owed):
        self.expense = expense
        self.category = CATEGORY_LABELS.get(expense.category, expense.category)
        self.payer_names = payer_names
        self.viewer_net = paid.get(membership.pk, 0) - owed.get(membership.pk, 0)
        self.viewer_involved = membership.pk in paid or membership.pk in owed
        self.is_new = False

    def __html__(self):
        expense = self.expense
        new = ""
        if self.is_new:
            new = format_html(NEW_BADGE, pgettext("expense badge", "new"))
        return ledger_line(
            expense,
            classes="expense-row",
            what=format_html(
                '<a href="{}">{}{}</a>',
                reverse("expenses:detail", args=[expense.group_id, expense.pk]),
                new,
                expense.description,
            ),
            detail=format_html(
                '<span class="muted">{} · {}</span>',
                worded(gettext("%(names)s paid"), names=", ".join(self.payer_names)),
                self.category,
            ),
            side=self.viewer_side(),
        )

    # `{{ row }}` writes str(row), as for a form's field.
    __str__ = __html__

    def viewer_side(self):
        if not self.viewer_involved:
            return format_html('<span class="you muted">{}</span>', gettext("not involved"))
        net = self.viewer_net
        if net:
            amount = money(abs(net), self.expense.shares_currency)
            words = gettext("you lent %(amount)s") if net > 0 else gettext("you owe %(amount)s")
            words = worded(words, amount=amount)
        else:
            words = gettext("you are even")
        return format_html(
            '\n      <span class="you amount {}">{}</span>\n    ', balance_class(net), words
        )

    @classmethod
    def of(cls, expense, membership):
        """The line of an expense loaded `with_people`."""
        names = [payer.member.display_name for payer in expense.payers.all()]
        return cls(expense, membership, names, *expense.paid_and_owed())

    @classmethod
    def lines(cls, expenses, membership, names):
        """The lines of `expenses`, with `names` ({member id: display name}, of the members the
        page already loaded): two queries, their payers' and their shares' amounts, read as
        values. Prefetching the payer and share rows as objects, or joining the payers' names,
        cost more than the rest of a page of ten lines."""
        if not expenses:
            # Django would find out that no row can match only once it built both queries.
            return []
        ids = [expense.pk for expense in expenses]
        payer_names, paid, owed = defaultdict(list), defaultdict(dict), defaultdict(dict)
        for expense_id, member_id, amount in EXPENSE_PAYERS(expense_ids=ids):
            payer_names[expense_id].append(names[member_id])
            paid[expense_id][member_id] = amount
        for expense_id, member_id, amount in EXPENSE_SHARES(expense_ids=ids):
            owed[expense_id][member_id] = amount
        return [
            cls(expense, membership, payer_names[expense.pk], paid[expense.pk], owed[expense.pk])
            for expense in expenses
        ]


def form_members(group, expense=None):
    """Active members, plus anyone already on the expense being edited."""
    members = group.members.with_people()
    if expense is None:
        return list(members.active())
    on_expense = {p.member_id for p in expense.payers.all()} | {
        s.member_id for s in expense.shares.all()
    }
    return [m for m in members if m.is_active or m.pk in on_expense]


def wants_preview(request):
    return request.POST.get("action") == "preview"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def expense_create(request, group_id):
    membership = get_membership(request, group_id)
    group = membership.group
    form = RecurringExpenseForm(
        request.POST or None,
        request.FILES or None,
        group=group,
        members=form_members(group),
        # The list of recurring expenses links here with ?repeat=monthly.
        initial={"paid_by": membership.pk, "repeat": request.GET.get("repeat", "")},
        last_currency=request.user.last_currency,
    )
    if request.method == "POST" and form.is_valid() and not wants_preview(request):
        try:
            if form.schedule:
                recurring = RecurringExpense.objects.create_recurring(
                    group_id=group.pk, author=request.user, entry=form.entry, schedule=form.schedule
                )
            else:
                expense = Expense.objects.save_expense(
                    group_id=group.pk, author=request.user, entry=form.entry
                )
        except RecurringError as refused:
            form.add_recurring_error(refused)
        except LedgerError as refused:
            form.add_error(None, refused)
        else:
            if form.schedule:
                enqueue_if_due(recurring)
                messages.success(
                    request,
                    gettext("Saved “%(description)s”; it repeats %(schedule)s.")
                    % {
                        "description": recurring.description,
                        "schedule": recurring.schedule_text,
                    },
                )
                return redirect("expenses:recurring_list", group_id=group.pk)
            messages.success(
                request,
                gettext("Saved “%(description)s” (%(amount)s).")
                % {
                    "description": expense.description,
                    "amount": localized_amount(expense.amount, expense.currency),
                },
            )
            return redirect("pages:group", group_id=group.pk)
    context = {"group": group, "form": form}
    return render(
        request, "expenses/expense_form.html", context, status=422 if form.errors else 200
    )


@require_POST
@login_required
def expense_preview(request, group_id):
    """The live preview of each person's share, as the form is filled in."""
    membership = get_membership(request, group_id)
    group = membership.group
    expense = None
    if expense_id := request.POST.get("expense_id"):
        expense = get_object_or_404(group.expenses.with_people(), pk=parse_id(expense_id))
    form = ExpenseForm(
        request.POST,
        group=group,
        members=form_members(group, expense),
        last_currency=request.user.last_currency,
    )
    form.is_valid()
    return render(request, "expenses/expense_form.html#preview", {"group": group, "form": form})


def group_expense(membership, expense_id):
    return get_object_or_404(membership.group.expenses.with_people(), pk=expense_id)


@require_safe
@login_required
def expense_detail(request, group_id, expense_id):
    membership = get_membership(request, group_id)
    expense = group_expense(membership, expense_id)
    history = (
        membership.group.activities.filter(data__expense_id=expense.pk)
        .select_related("actor")
        .order_by("-id")
    )
    context = {
        "group": membership.group,
        "expense": expense,
        "history": history,
        "row": ExpenseRow.of(expense, membership),
    }
    return render(request, "expenses/expense_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def expense_edit(request, group_id, expense_id):
    membership = get_membership(request, group_id)
    group = membership.group
    expense = group_expense(membership, expense_id)
    if expense.deleted_at:
        messages.error(request, Expense.RESTORE_BEFORE_EDITING)
        return redirect("expenses:detail", group_id=group.pk, expense_id=expense.pk)
    members = form_members(group, expense)
    form = ExpenseForm.for_expense(
        expense,
        members,
        request.POST or None,
        request.FILES or None,
        last_currency=request.user.last_currency,
    )
    newer = None
    if request.method == "POST" and form.is_valid() and not wants_preview(request):
        try:
            Expense.objects.save_expense(
                group_id=group.pk,
                author=request.user,
                entry=form.entry,
                expense=expense,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            newer = stale.current
            form.add_error(None, stale)
            form.data = form.data.copy()
            form.data["version"] = newer.version
        except LedgerError as refused:
            form.add_error(None, refused)
        else:
            messages.success(
                request,
                gettext("Saved your changes to “%(description)s”.")
                % {"description": form.entry.description},
            )
            return redirect("expenses:detail", group_id=group.pk, expense_id=expense.pk)
    context = {"group": group, "form": form, "expense": expense, "newer": newer}
    status = 409 if newer else (422 if form.errors else 200)
    return render(request, "expenses/expense_form.html", context, status=status)


@require_POST
@login_required
def expense_delete(request, group_id, expense_id):
    membership = get_membership(request, group_id)
    expense = Expense.objects.delete_expense(
        group_expense(membership, expense_id), actor=request.user
    )
    messages.success(
        request,
        gettext("Deleted “%(description)s”. You can undo this below.")
        % {"description": expense.description},
    )
    return redirect("expenses:detail", group_id=membership.group_id, expense_id=expense.pk)


@require_POST
@login_required
def expense_restore(request, group_id, expense_id):
    membership = get_membership(request, group_id)
    expense = Expense.objects.restore_expense(
        group_expense(membership, expense_id), actor=request.user
    )
    messages.success(
        request, gettext("Restored “%(description)s”.") % {"description": expense.description}
    )
    return redirect("expenses:detail", group_id=membership.group_id, expense_id=expense.pk)


@require_safe
@login_required
def expense_receipt(request, group_id, expense_id):
    """Receipts are served through here, never from a public URL, so only members see them."""
    membership = get_membership(request, group_id)
    return receipt_response(group_expense(membership, expense_id))


def receipt_response(expense):
    """The expense's receipt for a member who may see it (the page's link and the API)."""
    if not expense.receipt:
        raise Http404("This expense has no receipt.")
    # A storage that signs its URLs (S3 in production) gives this member a link that expires in
    # minutes, and the file comes straight from the bucket. Any other storage's URL would be
    # public, so the file is streamed from here.
    if getattr(expense.receipt.storage, "querystring_auth", False):
        return redirect(expense.receipt.url)
    return FileResponse(
        expense.receipt.open("rb"), filename=expense.receipt.name.rsplit("/", 1)[-1]
    )
