"""Pages that combine the apps: the landing page, home, each group's page and its list of expenses
and payments."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from groups.access import get_membership
from groups.models import Member
from groups.views import activity_page, member_panel_context
from pages.forms import LedgerFilterForm
from pages.ledger_list import Position, ledger_page, ledger_rows

# The latest expenses and payments on the group page; the rest are on their own page.
GROUP_PAGE_ROWS = 10
# A big group has hundreds of pairs: its page shows the viewer's own, the rest are one click away.
MEMBERS_FOR_ALL_PAIRS = 6


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
    rows, more_rows = ledger_rows(group, membership, GROUP_PAGE_ROWS)
    all_pairs_elsewhere = len(context["members"]) > MEMBERS_FOR_ALL_PAIRS
    return context | {
        "feed": feed,
        "has_more": has_more,
        "ledger_rows": rows,
        "more_ledger_rows": more_rows,
        "all_pairs_elsewhere": all_pairs_elsewhere,
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


@require_safe
@login_required
def ledger_list(request, group_id):
    """The group's expenses and payments, searchable and filtered, a page at a time."""
    membership = get_membership(request, group_id)
    group = membership.group
    filters = LedgerFilterForm(request.GET or None, members=group.members.with_people())
    after = Position.parse(text) if (text := request.GET.get("after")) else None
    page = ledger_page(group, membership, filters, after)
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "group": group,
        "membership": membership,
        "rows": page.rows,
        "next_position": page.next_position,
        "filter_form": filters,
        "query_string": query.urlencode(),
    }
    template = "pages/ledger_list.html#rows" if request.htmx else "pages/ledger_list.html"
    return render(request, template, context)
