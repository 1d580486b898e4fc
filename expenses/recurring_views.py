"""The pages of a group's recurring expenses: the list, editing one, pausing, resuming, stopping."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from expenses.forms import RecurringExpenseForm
from expenses.models import RecurringError, RecurringExpense, StaleRecurringEdit
from expenses.tasks import enqueue_if_due
from expenses.views import form_members, wants_preview
from groups.access import get_membership
from ledger.books import LedgerError
from splitclone.confirm import confirmation_page

PAUSED = gettext_lazy("Paused “%(description)s”.")
RESUMED = gettext_lazy("Resumed “%(description)s”.")
STOPPED = gettext_lazy("Stopped “%(description)s”.")


class RecurringRow:
    """A recurring expense as one line of the list: what repeats, how often, and what next."""

    def __init__(self, recurring):
        self.recurring = recurring
        self.schedule_text = recurring.schedule_text
        payers = [payer.member.display_name for payer in recurring.payers.all()]
        self.payer_names = get_text_list(payers, gettext("and"))


def recurring_rows(group):
    """Every recurring expense of the group: repeating ones by next date, then those that ended."""
    recurring = group.recurring_expenses.prefetch_related("payers__member__user").order_by(
        "next_date", "-id"
    )
    rows = [RecurringRow(each) for each in recurring]
    return [row for row in rows if row.recurring.is_repeating] + [
        row for row in rows if not row.recurring.is_repeating
    ]


def group_recurring(membership, recurring_id):
    return get_object_or_404(membership.group.recurring_expenses, pk=recurring_id)


@require_safe
@login_required
def recurring_list(request, group_id):
    membership = get_membership(request, group_id)
    context = {"group": membership.group, "rows": recurring_rows(membership.group)}
    return render(request, "expenses/recurring_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def recurring_edit(request, group_id, recurring_id):
    membership = get_membership(request, group_id)
    group = membership.group
    recurring = group_recurring(membership, recurring_id)
    # A form sent after it stopped still reaches the manager, which says what happened.
    if not recurring.is_repeating and request.method != "POST":
        messages.error(
            request,
            gettext("“%(description)s” no longer repeats.")
            % {"description": recurring.description},
        )
        return redirect("expenses:recurring_list", group_id=group.pk)
    members = form_members(group)
    form = RecurringExpenseForm.for_recurring(recurring, members, request.POST or None)
    newer = None
    if request.method == "POST" and form.is_valid() and not wants_preview(request):
        try:
            recurring = RecurringExpense.objects.update_recurring(
                recurring,
                actor=request.user,
                entry=form.entry,
                schedule=form.schedule,
                expected_version=form.cleaned_data["version"],
            )
        except StaleRecurringEdit as stale:
            newer = stale.current
            form.add_error(None, stale)
            form.data = form.data.copy()
            form.data["version"] = newer.version
        except RecurringError as refused:
            form.add_recurring_error(refused)
        except LedgerError as refused:
            form.add_error(None, refused)
        else:
            enqueue_if_due(recurring)
            messages.success(
                request,
                gettext("Saved “%(description)s” from now on.")
                % {"description": recurring.description},
            )
            return redirect("expenses:recurring_list", group_id=group.pk)
    context = {"group": group, "form": form, "recurring": recurring, "newer": newer}
    status = 409 if newer else (422 if form.errors else 200)
    return render(request, "expenses/expense_form.html", context, status=status)


def change_status(request, group_id, recurring_id, change, done):
    membership = get_membership(request, group_id)
    recurring = group_recurring(membership, recurring_id)
    try:
        recurring = change(recurring, actor=request.user)
    except RecurringError as refused:
        messages.error(request, refused.messages[0])
    else:
        enqueue_if_due(recurring)
        messages.success(request, done % {"description": recurring.description})
    return redirect("expenses:recurring_list", group_id=group_id)


@require_POST
@login_required
def recurring_pause(request, group_id, recurring_id):
    return change_status(request, group_id, recurring_id, RecurringExpense.objects.pause, PAUSED)


@require_POST
@login_required
def recurring_resume(request, group_id, recurring_id):
    return change_status(request, group_id, recurring_id, RecurringExpense.objects.resume, RESUMED)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def recurring_stop(request, group_id, recurring_id):
    if request.method == "POST":
        return change_status(
            request, group_id, recurring_id, RecurringExpense.objects.stop, STOPPED
        )
    membership = get_membership(request, group_id)
    recurring = group_recurring(membership, recurring_id)
    return confirmation_page(
        request,
        question=gettext("Stop repeating “%(description)s”?")
        % {"description": recurring.description},
        details=[
            gettext(
                "No more expenses will be made from it. The ones already made stay, as ordinary "
                "expenses. To skip a while instead, pause it."
            )
        ],
        action=gettext("Stop repeating"),
        cancel_url=reverse("expenses:recurring_list", args=[group_id]),
    )
