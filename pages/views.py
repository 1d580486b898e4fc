"""Pages that combine the apps: the landing page, home, and each group's page."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from expenses.views import expense_page
from groups.access import get_membership
from groups.models import Member
from groups.views import activity_page, member_panel_context

# A big group has hundreds of pairs: its page shows the viewer's own, the rest are one click away.
MEMBERS_FOR_ALL_PAIRS = 6
UPCOMING_RECURRING = 5


@require_safe
def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "pages/landing.html")


@require_safe
@login_required
def home(request):
    """The user's groups with their balance in each, and a total per currency."""
    memberships = list(
        Member.objects.filter(user=request.user, is_active=True)
        .select_related("group")
        .order_by("group__is_archived", "group__name", "group_id")
    )
    totals = defaultdict(int)
    for membership in memberships:
        totals[membership.group.currency] += membership.balance
    context = {
        "active": [m for m in memberships if not m.group.is_archived],
        "archived": [m for m in memberships if m.group.is_archived],
        "totals": sorted(totals.items()),
    }
    return render(request, "pages/home.html", context)


def group_page_context(membership):
    """Everything the group page shows, from the viewer's side."""
    group = membership.group
    context = member_panel_context(membership)
    feed, has_more = activity_page(group)
    expense_rows, next_cursor = expense_page(group, membership)
    all_pairs_elsewhere = len(context["members"]) > MEMBERS_FOR_ALL_PAIRS
    return context | {
        "feed": feed,
        "has_more": has_more,
        "expense_rows": expense_rows,
        "more_expenses": next_cursor is not None,
        "all_pairs_elsewhere": all_pairs_elsewhere,
        # What repeats next; the list page has them all.
        "upcoming_recurring": list(group.recurring_expenses.upcoming()[:UPCOMING_RECURRING]),
        "who_owes_whom": group.pair_balances.who_owes_whom(
            context["members"], only=membership if all_pairs_elsewhere else None
        ),
    }


@require_safe
@login_required
def group(request, group_id):
    membership = get_membership(request, group_id)
    return render(request, "pages/group.html", group_page_context(membership))


@require_safe
@login_required
def group_pairs(request, group_id):
    membership = get_membership(request, group_id)
    members = list(membership.group.members.with_people())
    context = {
        "group": membership.group,
        "who_owes_whom": membership.group.pair_balances.who_owes_whom(members),
    }
    return render(request, "pages/pairs.html", context)
