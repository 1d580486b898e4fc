from django.core.exceptions import PermissionDenied
from django.http import Http404

from groups.models import Member


def get_membership(request, group_id, *, require_manager=False):
    """The current user's active membership of the group, with the group loaded.

    Every group-scoped view starts here. Anyone who is not an active member gets 404, so a
    group's existence is never revealed; a member below owner/admin asking for a managing
    action (`require_manager`) gets 403.
    """
    membership = (
        Member.objects.select_related("group")
        .filter(group_id=group_id, user_id=request.user.pk, is_active=True)
        .first()
    )
    if membership is None:
        raise Http404("No such group.")
    if require_manager and not membership.can_manage:
        raise PermissionDenied("Only the group's owners and admins can do this.")
    return membership
