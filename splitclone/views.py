from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from groups.models import Member


@require_safe
def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "landing.html")


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
    return render(request, "home.html", context)
