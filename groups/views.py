from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Func, JSONField, Q
from django.db.models.fields.json import KT
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from groups.access import get_membership, parse_id
from groups.forms import (
    AddUserForm,
    GroupForm,
    GuestForm,
    HouseholdForm,
    InviteEmailForm,
    InviteForm,
    JoinForm,
    PersonSearchForm,
    RoleForm,
    WishesForm,
    known_people,
)
from groups.models import (
    Activity,
    ConversionFixed,
    CurrencyFixed,
    Group,
    Invite,
    MembershipError,
    Role,
    WishError,
)
from groups.services import InviteLimitReached, email_invite
from splitclone import qr
from splitclone.compiled import CompiledQuery
from splitclone.confirm import confirmation_page

FEED_PAGE_SIZE = 20
# What a manager reads once they changed someone's role, by the new role.
ROLE_CHANGED = {
    Role.OWNER: _("%(name)s is now an owner."),
    Role.ADMIN: _("%(name)s is now an admin."),
    Role.MEMBER: _("%(name)s is now a member."),
}
SEARCH_RESULTS = 8


class FeedEntry:
    """A line of the feed as `groups.templatetags.feed` writes it: an `Activity` read as values,
    with its actor's name. A model instance for each line and one for its actor were a third of
    what reading the group page's feed cost."""

    __slots__ = (
        *("pk", "verb", "summary", "data", "created_at", "actor_id", "actor_name", "phrase"),
        *("restorable", "is_new"),
    )

    def __init__(self, pk, verb, summary, data, created_at, actor_id, actor_name, phrase):
        self.pk, self.verb, self.summary, self.data = pk, verb, summary, data
        self.created_at, self.actor_id, self.actor_name = created_at, actor_id, actor_name
        # The phrase kept in `data` (which is read without it), as JSON text.
        self.phrase = phrase
        # Set by `mark_restorable` and, on the group page, `pages.last_visit.mark_news`.
        self.restorable = self.is_new = False

    @property
    def text(self):
        return Activity.text_of_kept(self.summary, self.phrase)


def activity_page(group, before=None):
    """One page of the feed (`FeedEntry`s), newest first, paged by id so no page needs a COUNT
    query."""
    if before:
        rows = FEED_PAGE_BEFORE(group_id=group.pk, before=before)
    else:
        rows = FEED_PAGE(group_id=group.pk)
    page = [FeedEntry(*row) for row in rows[:FEED_PAGE_SIZE]]
    mark_restorable(group, page)
    return page, len(rows) > FEED_PAGE_SIZE


class WithoutPhrase(Func):
    """A line's `data` without the phrase it keeps (`Activity.PHRASE_KEY`), which the feed reads
    as text of its own: decoding it with the rest of the data cost more than anything else the
    feed reads of a line."""

    output_field = JSONField()

    def as_postgresql(self, compiler, connection):
        return self.as_sql(
            compiler, connection, template=f"(%(expressions)s - '{Activity.PHRASE_KEY}')"
        )

    def as_sqlite(self, compiler, connection):
        return self.as_sql(
            compiler,
            connection,
            template=f"JSON_REMOVE(%(expressions)s, '$.{Activity.PHRASE_KEY}')",
        )


def _feed_lines(group_id):
    # What the feed shows of each line and its actor (`FeedEntry`), and what `mark_restorable`
    # and the group page's news read.
    return (
        Activity.objects.filter(group_id=group_id)
        .annotate(rest=WithoutPhrase("data"), phrase=KT(f"data__{Activity.PHRASE_KEY}"))
        .order_by("-id")
        .values_list(
            *("id", "verb", "summary", "rest", "created_at", "actor_id", "actor__display_name"),
            "phrase",
        )
    )


# A page of the feed and one line more, which tells whether there are more: compiled once, not
# on each request (`splitclone.compiled`).
FEED_PAGE = CompiledQuery(
    lambda slot: _feed_lines(slot.group_id)[: FEED_PAGE_SIZE + 1], group_id=int
)
FEED_PAGE_BEFORE = CompiledQuery(
    lambda slot: _feed_lines(slot.group_id).filter(id__lt=slot.before)[: FEED_PAGE_SIZE + 1],
    group_id=int,
    before=int,
)


def mark_restorable(group, entries):
    """Sets `restorable` on each entry: whether it offers to restore the expense it deleted.

    Only while that expense is still deleted, and only on its latest deletion: every delete and
    restore is logged (`ledger.books.set_deleted`), so the newest of those entries for an expense
    tells its state. One query for the whole page.
    """
    deleting = {
        entry.data.get("expense_id")
        for entry in entries
        if entry.verb == Activity.Verb.EXPENSE_DELETED
    }
    latest = {}
    if deleting:
        changes = group.activities.filter(
            verb__in=[Activity.Verb.EXPENSE_DELETED, Activity.Verb.EXPENSE_RESTORED],
            data__expense_id__in=deleting,
        )
        for expense_id, entry_id in changes.order_by("id").values_list("data__expense_id", "id"):
            latest[expense_id] = entry_id
    for entry in entries:
        entry.restorable = (
            entry.verb == Activity.Verb.EXPENSE_DELETED
            and latest.get(entry.data.get("expense_id")) == entry.pk
        )


def member_panel_context(membership, search_form=None, guest_form=None):
    group = membership.group
    return {
        "group": group,
        "membership": membership,
        "members": list(group.members.with_people()),
        "search_form": search_form or PersonSearchForm(),
        "guest_form": guest_form or GuestForm(),
        "role_choices": RoleForm.base_fields["role"].choices,
        "claim_undoable": group.claim_undo_problem(membership) is None,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def group_create(request):
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = Group.objects.create_group(creator=request.user, **form.cleaned_data)
        messages.success(
            request,
            gettext("Created %(name)s. Add the people you share costs with.")
            % {"name": group.name},
        )
        return redirect("groups:members", group_id=group.pk)
    status = 422 if form.errors else 200
    return render(request, "groups/group_form.html", {"form": form}, status=status)


@require_safe
@login_required
def group_members(request, group_id):
    membership = get_membership(request, group_id)
    return render(request, "groups/members.html", member_panel_context(membership))


@require_safe
@login_required
def group_activity(request, group_id):
    membership = get_membership(request, group_id)
    before = request.GET.get("before")
    feed, has_more = activity_page(membership.group, parse_id(before) if before else None)
    context = {"group": membership.group, "feed": feed, "has_more": has_more}
    template = "groups/activity.html#feed" if request.htmx else "groups/activity.html"
    return render(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def group_edit(request, group_id):
    membership = get_membership(request, group_id, require_manager=True)
    group = membership.group
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            group.update_settings(actor=request.user, **form.cleaned_data)
        except CurrencyFixed as refused:
            form.add_error("currency", refused)
        except ConversionFixed as refused:
            form.add_error("convert_at", refused)
        else:
            messages.success(request, gettext("Saved the group settings."))
            return redirect("pages:group", group_id=group.pk)
    status = 422 if form.errors else 200
    return render_settings(request, group, form, status=status)


def render_settings(request, group, form=None, household_form=None, status=200):
    """The group settings page: the settings form, and the households."""
    context = {
        "form": form or GroupForm(instance=group),
        "group": group,
        "households": households_of(group),
        "household_form": household_form or HouseholdForm(group=group),
    }
    return render(request, "groups/group_form.html", context, status=status)


def households_of(group):
    """[(household, its members)] of the group, oldest first: two queries."""
    members = {}
    for member in group.members.with_people().filter(household__isnull=False):
        members.setdefault(member.household_id, []).append(member)
    return [
        (household, members.get(household.pk, [])) for household in group.households.order_by("pk")
    ]


@require_POST
@login_required
def household_add(request, group_id):
    membership = get_membership(request, group_id, require_manager=True)
    group = membership.group
    form = HouseholdForm(request.POST, group=group)
    if form.is_valid():
        try:
            group.create_household(form.cleaned_data["members"], actor=request.user)
        except (WishError, MembershipError) as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, gettext("Saved the household."))
            return redirect(reverse("groups:edit", args=[group.pk]) + "#households")
    return render_settings(request, group, household_form=form, status=422)


@require_POST
@login_required
def household_remove(request, group_id, household_id):
    membership = get_membership(request, group_id, require_manager=True)
    group = membership.group
    household = get_object_or_404(group.households, pk=household_id)
    try:
        group.remove_household(household, actor=request.user)
    except (WishError, MembershipError) as refused:
        messages.error(request, " ".join(refused.messages))
        return render_settings(request, group, status=422)
    messages.success(request, gettext("The household settles up on its own again."))
    return redirect(reverse("groups:edit", args=[group.pk]) + "#households")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def member_wishes(request, group_id, member_id):
    """A member's settle-up wishes: their own, or a guest's for an owner or admin (403 for
    anyone else's)."""
    membership = get_membership(request, group_id)
    group = membership.group
    member = get_object_or_404(group.members.select_related("user"), pk=member_id)
    own = member.pk == membership.pk
    if not own and not (member.is_guest and membership.can_manage):
        raise PermissionDenied(gettext("You can only change your own wishes, or a guest's."))
    form = WishesForm(request.POST if request.method == "POST" else None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            group.set_wishes(member, actor=request.user, **form.cleaned_data)
        except (WishError, MembershipError) as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, gettext("Saved. The settle-up plan follows the new wishes."))
            return redirect("settlements:settle_up", group_id=group.pk)
    context = {"group": group, "member": member, "own": own, "form": form}
    status = 422 if form.errors else 200
    return render(request, "groups/wishes.html", context, status=status)


@require_POST
@login_required
def group_archive(request, group_id):
    membership = get_membership(request, group_id, require_manager=True)
    group = membership.group
    group.set_archived(not group.is_archived, actor=request.user)
    done = gettext("%(name)s is archived.") if group.is_archived else gettext("%(name)s is active.")
    messages.success(request, done % {"name": group.name})
    return redirect("pages:group", group_id=group.pk)


def render_member_panel(request, membership, status=200, **forms):
    """The member panel alone for htmx, or the people page it belongs to without JavaScript."""
    template = "groups/members.html#members" if request.htmx else "groups/members.html"
    return render(request, template, member_panel_context(membership, **forms), status=status)


@require_safe
@login_required
def member_search(request, group_id):
    membership = get_membership(request, group_id, require_manager=True)
    form = PersonSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    people = []
    if query:
        people = list(
            known_people(request.user)
            .exclude(memberships__group=membership.group, memberships__is_active=True)
            .filter(Q(display_name__icontains=query) | Q(email__iexact=query))
            .order_by("display_name")[:SEARCH_RESULTS]
        )
    # Only known people are ever searched, so the offer reads the same whether or not the
    # address has an account: the picker never tells a manager who is registered.
    email = form.email_address() if form.is_valid() else None
    if email and any(person.email.lower() == email.lower() for person in people):
        email = None
    context = member_panel_context(membership, search_form=form) | {
        "query": query,
        "people": people,
        "email_to_invite": email,
        "searched": True,
    }
    template = "groups/members.html#search-results" if request.htmx else "groups/search.html"
    return render(request, template, context)


@require_POST
@login_required
def member_add(request, group_id):
    membership = get_membership(request, group_id, require_manager=True)
    group = membership.group
    guest_form = None
    try:
        if "user_id" in request.POST:
            form = AddUserForm(request.POST, acting_user=request.user)
            if form.is_valid():
                added = group.add_user(form.cleaned_data["user_id"], actor=request.user)
            else:
                raise MembershipError(form.errors["user_id"])
        else:
            guest_form = GuestForm(request.POST)
            if not guest_form.is_valid():
                return render_member_panel(request, membership, 422, guest_form=guest_form)
            added = group.add_guest(guest_form.cleaned_data["guest_name"], actor=request.user)
    except MembershipError as error:
        messages.error(request, " ".join(error.messages))
        return render_member_panel(request, membership, 422, guest_form=guest_form)
    messages.success(request, gettext("Added %(name)s.") % {"name": added.display_name})
    if request.htmx:
        return render_member_panel(request, membership)
    return redirect("groups:members", group_id=group.pk)


def managed_member(request, group_id, member_id):
    membership = get_membership(request, group_id, require_manager=True)
    member = get_object_or_404(membership.group.members.select_related("user"), pk=member_id)
    return membership, member


def member_change(request, membership, change):
    """Runs one membership change and answers with the refreshed member panel."""
    try:
        success_message = change()
    except MembershipError as error:
        messages.error(request, " ".join(error.messages))
        return render_member_panel(request, membership, 422)
    messages.success(request, success_message)
    if request.htmx:
        return render_member_panel(request, membership)
    return redirect("groups:members", group_id=membership.group_id)


@require_POST
@login_required
def member_role(request, group_id, member_id):
    membership, member = managed_member(request, group_id, member_id)
    form = RoleForm(request.POST)

    def change():
        if not form.is_valid():
            raise MembershipError(gettext("Choose owner, admin or member."))
        membership.group.change_role(member, form.cleaned_data["role"], actor=request.user)
        return ROLE_CHANGED[member.role] % {"name": member.display_name}

    return member_change(request, membership, change)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def member_remove(request, group_id, member_id):
    membership, member = managed_member(request, group_id, member_id)
    if request.method != "POST":
        return confirmation_page(
            request,
            question=gettext("Remove %(person)s from %(group)s?")
            % {"person": member.display_name, "group": membership.group.name},
            details=[
                gettext(
                    "Someone with expenses or payments here is deactivated instead, so the "
                    "history keeps their name."
                )
            ],
            action=gettext("Remove %(name)s") % {"name": member.display_name},
            cancel_url=reverse("groups:members", args=[group_id]),
        )

    def change():
        kept = membership.group.remove_member(member, actor=request.user)
        if kept:
            return gettext("%(name)s has history here, so they were deactivated instead.") % {
                "name": member.display_name
            }
        return gettext("Removed %(name)s.") % {"name": member.display_name}

    return member_change(request, membership, change)


@require_POST
@login_required
def member_deactivate(request, group_id, member_id):
    membership, member = managed_member(request, group_id, member_id)

    def change():
        membership.group.deactivate_member(member, actor=request.user)
        return gettext("Deactivated %(name)s.") % {"name": member.display_name}

    return member_change(request, membership, change)


@require_POST
@login_required
def member_reactivate(request, group_id, member_id):
    membership, member = managed_member(request, group_id, member_id)

    def change():
        membership.group.reactivate_member(member, actor=request.user)
        return gettext("Reactivated %(name)s.") % {"name": member.display_name}

    return member_change(request, membership, change)


def invite_url(request, invite):
    return request.build_absolute_uri(reverse("groups:join", args=[invite.token]))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def invites(request, group_id):
    membership = get_membership(request, group_id, require_manager=True)
    group = membership.group
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invite = group.create_invite(actor=request.user, **form.cleaned_data)
        messages.success(request, gettext("Created a new invite link."))
        return redirect(f"{reverse('groups:invites', args=[group.pk])}#invite-{invite.pk}")
    links = [
        (invite, invite_url(request, invite))
        for invite in group.invites.usable().order_by("-created_at")
    ]
    context = {
        "group": group,
        "form": form,
        "email_form": InviteEmailForm(),
        "links": links,
    }
    return render(request, "groups/invites.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def invite_revoke(request, group_id, invite_id):
    membership = get_membership(request, group_id, require_manager=True)
    invite = get_object_or_404(membership.group.invites, pk=invite_id, revoked_at__isnull=True)
    if request.method != "POST":
        return confirmation_page(
            request,
            question=gettext("Revoke this invite link?"),
            details=[
                gettext(
                    "Nobody can join %(name)s with it any more. People who already joined "
                    "through it stay."
                )
                % {"name": membership.group.name}
            ],
            action=gettext("Revoke the link"),
            cancel_url=reverse("groups:invites", args=[group_id]),
        )
    invite.revoke(actor=request.user)
    messages.success(request, gettext("Revoked the invite link. It no longer works."))
    if request.htmx:
        return HttpResponseClientRedirect(reverse("groups:invites", args=[group_id]))
    return redirect("groups:invites", group_id=group_id)


@require_safe
@login_required
def invite_qr(request, group_id, invite_id):
    membership = get_membership(request, group_id, require_manager=True)
    invite = get_object_or_404(membership.group.invites.usable(), pk=invite_id)
    svg = qr.svg(invite_url(request, invite), title=gettext("Invite link as a QR code"))
    return HttpResponse(svg, content_type="image/svg+xml")


@require_POST
@login_required
def invite_email(request, group_id):
    membership = get_membership(request, group_id, require_manager=True)
    group = membership.group
    form = InviteEmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Enter a valid email address to send the invite to."))
        return redirect("groups:invites", group_id=group_id)
    try:
        email_invite(
            group,
            actor=request.user,
            email=form.cleaned_data["email"],
            link_for=lambda invite: invite_url(request, invite),
        )
    except InviteLimitReached as refused:
        messages.error(request, refused.message)
        return redirect("groups:invites", group_id=group_id)
    messages.success(
        request, gettext("Sent an invite to %(email)s.") % {"email": form.cleaned_data["email"]}
    )
    return redirect("groups:invites", group_id=group_id)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def group_leave(request, group_id):
    membership = get_membership(request, group_id)
    group = membership.group
    problem = group.leaving_problem(membership)
    if request.method == "POST":
        try:
            kept = group.leave(request.user)
        except MembershipError as error:
            problem = " ".join(error.messages)
        else:
            left = (
                gettext("You left %(name)s. Your expenses and payments there keep your name.")
                if kept
                else gettext("You left %(name)s.")
            )
            messages.success(request, left % {"name": group.name})
            return redirect("home")
    return confirmation_page(
        request,
        question=gettext("Leave %(name)s?") % {"name": group.name},
        details=[
            gettext(
                "You will no longer see the group or its expenses. To come back, ask an owner or "
                "admin to add you again."
            )
        ],
        action=gettext("Leave %(name)s") % {"name": group.name},
        cancel_url=reverse("groups:members", args=[group.pk]),
        problem=problem,
        status=422 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def undo_claim(request, group_id):
    membership = get_membership(request, group_id)
    group = membership.group
    problem = group.claim_undo_problem(membership)
    if request.method == "POST":
        try:
            group.undo_claim(request.user)
        except MembershipError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request,
                gettext("%(guest)s is a guest again. You are in %(group)s as yourself.")
                % {"guest": membership.name, "group": group.name},
            )
            return redirect("groups:members", group_id=group.pk)
    names = {
        "guest": membership.name or gettext("that guest"),
        "group": group.name,
        "person": request.user.display_name,
    }
    return confirmation_page(
        request,
        question=gettext("Not %(guest)s?") % names,
        details=[]
        if problem
        else [
            gettext(
                "%(guest)s becomes a guest again, with their expenses and payments. You stay in "
                "%(group)s as %(person)s, with none yet."
            )
            % names
        ],
        action=gettext("I am not %(guest)s") % names,
        cancel_url=reverse("groups:members", args=[group.pk]),
        problem=problem,
        status=422 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def join(request, token):
    """An invite link: who invites you to what, then joining (as yourself or as a guest).

    Someone logged out sees the invitation with equal ways to sign up or log in, each of which
    brings them back here (allauth's `next`, kept through email verification). A link that no
    longer works says so to everyone, without asking them to log in first.
    """
    invite = Invite.objects.select_related("group", "created_by").filter(token=token).first()
    if invite is None:
        return render(
            request,
            "groups/join_problem.html",
            {"problem": gettext("This invite link is not valid. Check that you copied all of it.")},
            status=404,
        )
    if invite.problem:
        return render(request, "groups/join_problem.html", {"problem": invite.problem}, status=410)
    group = invite.group
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        context = {
            "invite": invite,
            "group": group,
            "member_count": group.members.active().count(),
            "next": urlencode({"next": request.get_full_path()}),
        }
        return render(request, "groups/join_landing.html", context)
    form = JoinForm(request.POST or None, group=group)
    refused = False
    if request.method == "POST" and form.is_valid():
        claim = form.cleaned_data["claim"]
        try:
            invite.redeem(request.user, claim_guest_id=claim.pk if claim else None)
        except MembershipError as error:
            messages.error(request, " ".join(error.messages))
            refused = True
        else:
            welcome = (
                gettext(
                    "Welcome to %(group)s! You joined as %(guest)s. Not %(guest)s? Say so on the "
                    "people page before anything new is recorded."
                )
                if claim
                else gettext("Welcome to %(group)s!")
            )
            messages.success(
                request, welcome % {"group": group.name, "guest": claim and claim.name}
            )
            return redirect("pages:group", group_id=group.pk)
    already_member = group.members.filter(user=request.user, is_active=True).exists()
    context = {"invite": invite, "group": group, "form": form, "already_member": already_member}
    status = 422 if form.errors or refused else 200
    return render(request, "groups/join.html", context, status=status)
