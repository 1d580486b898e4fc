from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, pgettext
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
from splitclone.formats import localized_amount, localized_date
from splitclone.links import address
from splitclone.sentences import filled, per_language
from splitclone.templatetags.money import balance_class

NEW_BADGE = '<span class="badge badge-new">{}</span> '
LEDGER_LINE = """
<li class="%(classes)s">
  <span class="expense-date">%(day)s<br>%(year)s</span>
  <span class="expense-main">
    %(what)s
    %(detail)s
  </span>
  <span class="expense-amounts">
    <span class="amount">%(amount)s</span>
    %(original)s
    %(side)s
  </span>
</li>
"""
EXPENSE_WHAT = '<a href="%(url)s">%(new)s%(description)s</a>'
EXPENSE_DETAIL = '<span class="muted">%(payers)s · %(category)s</span>'
EXPENSE_SIDE = '\n      <span class="you amount %(class)s">%(words)s</span>\n    '
ORIGINAL = '<span class="muted amount">%(amount)s</span>'


def ledger_line(entry, language, *, classes, what, detail, side):
    """A line of the group's expenses and payments for an `Expense` or a `Payment`, in the
    active `language`: its day, what it was, its amount (and the amount spent, when converted),
    where the viewer stands. Its pieces are escaped unless marked safe, as `format_html` would."""
    return filled(
        LEDGER_LINE,
        classes=classes,
        day=localized_date(entry.date, "j M", language),
        year=localized_date(entry.date, "Y", language),
        what=what,
        detail=detail,
        amount=localized_amount(entry.amount, entry.currency, language),
        original=filled(ORIGINAL, amount=entry.original_display) if entry.is_converted else "",
        side=side,
    )


@per_language
def expense_words():
    """What every expense line says, in the active language."""
    return {
        "new": format_html(NEW_BADGE, pgettext("expense badge", "new")),
        "paid": gettext("%(names)s paid"),
        "categories": {key: str(label) for key, label in CATEGORY_LABELS.items()},
        "not involved": format_html('<span class="you muted">{}</span>', gettext("not involved")),
        "lent": gettext("you lent %(amount)s"),
        "owe": gettext("you owe %(amount)s"),
        "even": gettext("you are even"),
    }


class ExpenseRow:
    """An expense as one line of the list, from the viewer's side, in the active `language`
    (read once for the whole list).

    It writes its own markup (`__html__`, which `{{ row }}` renders) with the filters and
    messages a template would use, translated once per language: through a template, a line
    took nearly twice as long."""

    def __init__(self, expense, membership, payer_names, paid, owed, language):
        self.expense = expense
        self.language = language
        self.payer_names = payer_names
        self.viewer_net = paid.get(membership.pk, 0) - owed.get(membership.pk, 0)
        self.viewer_involved = membership.pk in paid or membership.pk in owed
        self.is_new = False

    def __html__(self):
        expense, words = self.expense, expense_words.in_language(self.language)
        return ledger_line(
            expense,
            self.language,
            classes="expense-row",
            what=filled(
                EXPENSE_WHAT,
                url=address("expenses:detail", expense.group_id, expense.pk),
                new=words["new"] if self.is_new else "",
                description=expense.description,
            ),
            detail=filled(
                EXPENSE_DETAIL,
                payers=filled(words["paid"], names=", ".join(self.payer_names)),
                category=words["categories"].get(expense.category, expense.category),
            ),
            side=self.viewer_side(words),
        )

    # `{{ row }}` writes str(row), as for a form's field.
    __str__ = __html__

    def viewer_side(self, words):
        if not self.viewer_involved:
            return words["not involved"]
        net = self.viewer_net
        if net:
            amount = localized_amount(abs(net), self.expense.shares_currency, self.language)
            said = filled(words["lent"] if net > 0 else words["owe"], amount=amount)
        else:
            said = words["even"]
        return filled(EXPENSE_SIDE, **{"class": balance_class(net), "words": said})

    @classmethod
    def of(cls, expense, membership):
        """The line of an expense loaded `with_people`."""
        names = [payer.member.display_name for payer in expense.payers.all()]
        return cls(expense, membership, names, *expense.paid_and_owed(), get_language())

    @classmethod
    def lines(cls, expenses, membership, names, language):
        """The lines of `expenses` in the active `language`, with `names` ({member id: display
        name}, of the members the page already loaded): two queries, their payers' and their
        shares' amounts, read as values. Prefetching the payer and share rows as objects, or
        joining the payers' names, cost more than the rest of a page of ten lines."""
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
            cls(
                expense,
                membership,
                payer_names[expense.pk],
                paid[expense.pk],
                owed[expense.pk],
                language,
            )
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
