import re

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from accounts.models import PaymentMethod
from groups.models import Member
from splitclone.compiled import CompiledQuery

# Only ASCII digits make an id: `str.isdigit()` also accepts "²", which `int()` refuses, and
# `int()` itself accepts "١٢", " 12" and "1_2". Nineteen digits hold every bigint id.
ID_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1


def parse_id(text):
    """The row id sent as `text` in a query string or form field (a paging cursor, the expense
    a preview is for), or 404 if it cannot be one.

    Ids in the path are parsed by `IdConverter`; this is for the others, so that a tampered
    value is answered like a wrong id in the path.
    """
    if not isinstance(text, str) or not ID_DIGITS.fullmatch(text):
        raise Http404("No such item.")
    value = int(text)
    if value > MAX_ID:
        raise Http404("No such item.")
    return value


class IdConverter:
    """`<id:...>` in URL patterns: a row id, so a number no bigint holds is a 404, not a 500.

    Django's `<int:...>` matches any run of digits, and SQLite overflows on the lookup.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError("not a row id")
        return number

    def to_url(self, value):
        return str(value)


# Every group-scoped view asks it first: compiled once, not on each request.
ACTIVE_MEMBERSHIP = CompiledQuery(
    lambda slot: (
        Member.objects.select_related("group")
        .filter(group_id=slot.group_id, user_id=slot.user_id, is_active=True)
        .order_by("pk")[:1]
    ),
    group_id=int,
    user_id=int,
)


def get_membership(request, group_id, *, require_manager=False):
    """The current user's active membership of the group, with the group loaded.

    Every group-scoped view starts here. Anyone who is not an active member gets 404, so a
    group's existence is never revealed; a member below owner/admin asking for a managing
    action (`require_manager`) gets 403.
    """
    user_id = request.user.pk
    # Someone signed out is nobody's membership (a guest's has no user either).
    found = ACTIVE_MEMBERSHIP(group_id=group_id, user_id=user_id) if user_id is not None else []
    if not found:
        raise Http404("No such group.")
    membership = found[0]
    if require_manager and not membership.can_manage:
        raise PermissionDenied("Only the group's owners and admins can do this.")
    return membership


def payment_methods_shown_to(viewer, user_ids):
    """{user id: [PaymentMethod]} of those of `user_ids` who share a group with `viewer` (both
    active members of it; `viewer` a user or their id), and the viewer's own: how people like
    to be paid is shown to no one else. One query."""
    shared = Member.objects.filter(
        is_active=True,
        user__isnull=False,
        # One join: the viewer's active membership of the same group.
        group__members__user=viewer,
        group__members__is_active=True,
    ).values("user_id")
    methods = PaymentMethod.objects.filter(user_id__in=user_ids).filter(
        Q(user=viewer) | Q(user__in=shared)
    )
    shown = {}
    for method in methods:
        shown.setdefault(method.user_id, []).append(method)
    return shown
