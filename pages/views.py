"""Pages that combine the apps: the landing page, home, each group's page, its list of expenses
and payments and its statistics, and what the user spent across their groups."""

from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from expenses.forms import DateRangeForm
from expenses.models import RecurringExpense
from expenses.statistics import group_statistics, personal_spending
from groups.access import get_membership
from groups.models import Member
from groups.views import activity_page
from pages.charts import bar_chart, column_chart
from pages.forms import LedgerFilterForm
from pages.home_reading import latest_activity, memberships_with_debts
from pages.last_visit import mark_news
from pages.ledger_list import Position, ledger_page, ledger_rows, people
from pages.offline import KEPT_COPY_HEADER
from settlements.debts import debts_with_people
from settlements.models import Payment, PlanSummary
from settlements.views import across_url
from splitclone.compiled import CompiledQuery
from splitclone.formats import localized_amount
from splitclone.links import link

# A big group has hundreds of payments between others: its page shows the viewer's own, the
# rest are one click away, and its balances start folded.
MEMBERS_SHOWN_IN_FULL = 6
# The home page's feed: the latest entries of all the user's groups; each group page has more.
HOME_ACTIVITY = 10
# People and groups the home page lists before its "show all" link: a person in hundreds of
# groups would otherwise wait for hundreds of lines.
HOME_LINES = 20
# The latest expenses and payments on the group page; the rest are on their own page.
GROUP_PAGE_ROWS = 10
# What repeats next on the group page; the list page has them all.
UPCOMING_RECURRING = 5
# Compiled once rather than on each request (`splitclone.compiled`).
UPCOMING = CompiledQuery(
    lambda slot: RecurringExpense.objects.filter(group_id=slot.group_id).upcoming()[
        :UPCOMING_RECURRING
    ],
    group_id=int,
)


@require_safe
def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "pages/landing.html")


def settle_url(person, settle_up):
    """Where the user settles with a person: the group's settle-up (`settle_up`, a `Link` to
    it by group id) for debts in one group or with a guest, the cross-group page for a
    registered person met in several groups."""
    groups = set(person.group_ids)
    if len(groups) == 1:
        return settle_up(groups.pop())
    return across_url(sorted(groups))


class GroupLine(NamedTuple):
    """A group as the home page lists it (`pages.templatetags.home_lines.group_lines`)."""

    group_id: int
    name: str
    currency: str
    # The user's, in the group's currency.
    balance: int
    # What others did there since the user last opened the group (`MemberManager.unseen_activity`).
    unseen_activity: int


@require_safe
@login_required
def home(request):
    """The user's total per currency, what each person owes them or they owe across groups
    (from each group's plan, see `settlements.debts`), their groups and the latest activity.

    A person in hundreds of groups sees the first `HOME_LINES` people and groups, and all of
    them with `?all`. Two queries whatever the number of groups (see the test), one more to
    count what is new in the groups shown that the user opened before, more when some group's
    plan summary must be worked out again (`PlanSummaryManager.refresh_stale`).
    """
    show_all = "all" in request.GET
    count = None if show_all else HOME_LINES
    memberships = memberships_with_debts(request.user, count)
    if memberships.any_stale:
        PlanSummary.objects.refresh_stale(request.user)
        memberships = memberships_with_debts(request.user, count)
    people, people_count = debts_with_people(memberships.debts, count)
    active, archived = memberships.active, memberships.archived
    # A group the user never opened has nothing new to them: no need to count.
    unseen = Member.objects.unseen_activity(
        [row.pk for row in active + archived if row.last_seen_activity_id is not None]
    )

    def group_lines(rows):
        return [
            GroupLine(row.group_id, row.name, row.currency, row.balance, unseen.get(row.pk, 0))
            for row in rows
        ]

    in_any_group = memberships.active_count or memberships.archived_count
    activity = latest_activity(request.user, HOME_ACTIVITY) if in_any_group else []
    settle_up = link("settlements:settle_up", 1)
    context = {
        "active": group_lines(active),
        "archived": group_lines(archived),
        "active_count": memberships.active_count,
        "archived_count": memberships.archived_count,
        "totals": sorted(memberships.totals.items()),
        "people": [(person, settle_url(person, settle_up)) for person in people],
        "people_count": people_count,
        "show_all": show_all,
        "activity": activity,
    }
    return render(request, "pages/home.html", context)


@dataclass(frozen=True)
class BalanceRow:
    """A member's balance as the group page shows it: in a group with balances open in other
    currencies, ≈ all of them at today's rates (`approximate`), with each currency's part."""

    member: Member
    is_viewer: bool
    balance: int
    approximate: bool
    parts: dict

    @property
    def needs_rate(self):
        """Open in another currency whose rate nobody typed yet: no total can be given."""
        return bool(self.parts) and not self.approximate

    @property
    def parts_display(self):
        return " · ".join(localized_amount(amount, code) for code, amount in self.parts.items())


def balance_row(settle_up, member, viewer):
    conversion = settle_up.conversion
    return BalanceRow(
        member,
        member == viewer,
        settle_up.balance_of(member),
        approximate=conversion is not None and not conversion.problem,
        parts=settle_up.open_parts.get(member.pk, {}),
    )


def group_page_context(membership):
    """Everything the group page shows, from the viewer's side."""
    group = membership.group
    settle_up = Payment.objects.suggest(group)
    viewer = settle_up.by_id[membership.pk]
    mine, others = settle_up.involving(viewer)
    big = len(settle_up.members) > MEMBERS_SHOWN_IN_FULL
    feed, has_more = activity_page(group)
    rows, more_rows = ledger_rows(group, membership, settle_up.members, GROUP_PAGE_ROWS)
    # The viewer first, then the active members and the others, each by name.
    members = sorted(
        settle_up.members,
        key=lambda m: (m != viewer, not m.is_active, m.display_name.casefold(), m.pk),
    )
    return {
        "group": group,
        "membership": membership,
        "viewer": viewer,
        "settle_up": settle_up,
        "viewer_balance": balance_row(settle_up, viewer, viewer),
        "members": [balance_row(settle_up, member, viewer) for member in members],
        "mine": mine,
        "others": [] if big else others,
        "others_elsewhere": big and bool(others),
        "big": big,
        "feed": feed,
        "has_more": has_more,
        "news": mark_news(membership, feed, rows),
        "ledger_rows": rows,
        "more_ledger_rows": more_rows,
        "upcoming_recurring": UPCOMING(group_id=group.pk),
        "pending": Payment.objects.pending_total(group),
    }


@require_safe
@login_required
def group(request, group_id):
    membership = get_membership(request, group_id)
    context = group_page_context(membership)
    response = render(request, "pages/group.html", context)
    # Recorded once the page has rendered: a page that failed to show did not show the news. The
    # copy the service worker fetches in the background for offline reading (sw.js, `pageFor`)
    # is seen by nobody, so it must not mark the news as seen.
    if request.headers.get(KEPT_COPY_HEADER) != "1":
        membership.record_visit(context["feed"][0].pk if context["feed"] else None)
    return response


@require_safe
@login_required
def group_pairs(request, group_id):
    membership = get_membership(request, group_id)
    settle_up = Payment.objects.suggest(membership.group)
    viewer = settle_up.by_id[membership.pk]
    mine, others = settle_up.involving(viewer)
    context = {
        "group": membership.group,
        "viewer": viewer,
        "settle_up": settle_up,
        "mine": mine,
        "others": others,
    }
    return render(request, "pages/pairs.html", context)


@require_safe
@login_required
def ledger_list(request, group_id):
    """The group's expenses and payments, searchable and filtered, a page at a time."""
    membership = get_membership(request, group_id)
    group = membership.group
    members = people(group)
    filters = LedgerFilterForm(request.GET or None, members=members)
    after = Position.parse(text) if (text := request.GET.get("after")) else None
    page = ledger_page(group, membership, members, filters, after)
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


def category_chart(categories, currency):
    return bar_chart(
        [
            (label, localized_amount(total, currency), {"spent": total})
            for label, total, *_ in categories
        ]
    )


@require_safe
@login_required
def group_stats(request, group_id):
    """The group's spending per month, per category and per person over a chosen period."""
    membership = get_membership(request, group_id)
    group = membership.group
    period = DateRangeForm(request.GET or None)
    context = {"group": group, "period": period}
    if period.is_bound and not period.is_valid():
        return render(request, "pages/stats.html", context, status=400)
    stats = group_statistics(group, *period.period)
    currency = group.currency
    context |= {
        "stats": stats,
        "months": column_chart(stats.months, currency),
        "categories": category_chart(stats.categories, currency),
        "people": bar_chart(
            [
                (
                    person.member.display_name,
                    gettext("paid %(paid)s, share %(share)s")
                    % {
                        "paid": localized_amount(person.paid, currency),
                        "share": localized_amount(person.share, currency),
                    },
                    {"paid": person.paid, "share": person.share},
                )
                for person in stats.people
            ]
        ),
    }
    return render(request, "pages/stats.html", context)


@require_safe
@login_required
def my_spending(request):
    """What the user spent (their shares) in all their groups, per currency."""
    period = DateRangeForm(request.GET or None)
    context = {"period": period}
    if period.is_bound and not period.is_valid():
        return render(request, "pages/my_spending.html", context, status=400)
    spending = personal_spending(request.user, *period.period)
    context["currencies"] = [
        (
            spent,
            column_chart(spent.months, spent.currency),
            category_chart(spent.categories, spent.currency),
        )
        for spent in spending
    ]
    return render(request, "pages/my_spending.html", context)
