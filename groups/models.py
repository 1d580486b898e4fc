import json
import secrets
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.transaction import TransactionManagementError
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from splitclone import cursors
from splitclone.compiled import CompiledQuery, converted
from splitclone.formats import localized_amount
from splitclone.inserts import insert
from splitclone.money import CURRENCIES
from splitclone.phrases import Phrase, gettext_noop
from splitclone.text import shorten
from splitclone.translation import to_json, translated_json

NAME_MAX_LENGTH = 100


class MembershipError(ValidationError):
    """A membership change the group's rules forbid; the message is for the user."""


class CurrencyFixed(ValidationError):
    """A currency change refused because the group's amounts are already in its currency."""

    def __init__(self):
        super().__init__(
            gettext("The currency can't change once the group has expenses or payments.")
        )


class ConversionFixed(ValidationError):
    """A change of "convert at" refused because entries in another currency depend on it."""

    def __init__(self):
        super().__init__(
            gettext(
                "“Convert at” can't change once the group has an expense or payment in another "
                "currency: those entries were kept the way the setting said when they were saved."
            )
        )


class WishError(ValidationError):
    """A settle-up wish or household the group's rules refuse; the message is for the user.
    Nothing was saved."""


class ConvertAt(models.TextChoices):
    """When an entry in another currency becomes the group's currency (docs/currencies.md)."""

    ENTRY = "entry", _("When the entry is saved")
    SETTLEMENT = "settlement", _("When the group settles up")


def label_phrase(choice):
    """A choice's label as a value of a history line's phrase (`Activity.record`): English in
    the stored summary, the label's own translation where the line is shown."""
    # A label's msgid is its English text, so the phrase's template finds its translation.
    with translation.override(None):
        return Phrase(str(choice.label), {})


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


MANAGER_ROLES = {Role.OWNER, Role.ADMIN}


class GroupManager(models.Manager):
    def lock_for_ledger(self, group_id):
        """Locks the group row and returns it as it is now. Must run inside a transaction.

        Every change to a group's money (see `ledger.books.change`), its currency and its
        membership holds this lock, so each re-checks its rules against the state it is about
        to change rather than what an earlier read saw.
        """
        # One statement takes the lock and moves the plan version (whatever holds this lock may
        # change what the group's settle-up plan is worked out from) and reads the row back: an
        # expense saved runs under this lock, and each statement is a round trip. The UPDATE's
        # row lock excludes every other holder (and the owner trigger's FOR UPDATE, groups
        # migration 0005) until the transaction ends; SQLite's write lock is the database's.
        database = connections[self.db]
        if database.get_autocommit():
            # Outside a transaction the lock would be released as soon as it is taken.
            raise TransactionManagementError("lock_for_ledger must run inside a transaction.")
        sql, attnames, converters = _lock_statement(self.model, self.db)
        with cursors.cursor(self.db) as cursor:
            cursor.execute(sql, [group_id])
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist("Group matching query does not exist.")
        return self.model.from_db(self.db, attnames, converted(row, converters, database))

    @transaction.atomic
    def create_group(self, *, creator, **fields):
        """A new group whose creator is its first owner."""
        group = self.create(created_by=creator, **fields)
        group.members.create(user=creator, role=Role.OWNER)
        Activity.record(
            group,
            creator,
            Activity.Verb.GROUP_CREATED,
            gettext_noop("created %(group)s", group=group.name),
        )
        return group


@cache
def _lock_statement(model, alias):
    """(sql, attnames, converters) of `lock_for_ledger`, written once per process and database:
    a raw query worked out its columns and their converters again on every call."""
    meta = model._meta
    database = connections[alias]
    quote = database.ops.quote_name
    fields = meta.concrete_fields
    sql = (
        f"UPDATE {quote(meta.db_table)} SET plan_version = plan_version + 1 WHERE id = %s "
        f"RETURNING {', '.join(quote(field.column) for field in fields)}"
    )
    compiler = models.sql.Query(model).get_compiler(using=alias)
    columns = [field.get_col(meta.db_table) for field in fields]
    converters = list(compiler.get_converters(columns).items())
    return sql, [field.attname for field in fields], converters


class Group(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(max_length=1000, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    is_archived = models.BooleanField(default=False)
    # Off: settle-up follows the pairwise who-owes-whom instead of the minimised plan.
    simplify_debts = models.BooleanField(default=True)
    # Set by the ledger with the group's first expense or payment (deleted ones included): the
    # amounts are minor units of the currency, so from then on the currency is fixed.
    has_ledger_history = models.BooleanField(default=False, editable=False)
    # No CHECK: on SQLite adding one rebuilds the table, which would drop the ledger's trigger
    # on it (ledger migration 0002); `update_settings` takes only the choices.
    convert_at = models.CharField(max_length=10, choices=ConvertAt, default=ConvertAt.ENTRY)
    # Set by the ledger with the group's first entry spent in another currency (deleted ones
    # included): such entries were kept the way `convert_at` said, which is then fixed.
    has_foreign_entries = models.BooleanField(default=False, editable=False)
    # Moved whenever the group's lock is taken (`GroupManager.lock_for_ledger`), as it is for
    # every change to its money, members, wishes and settings, any of which may change its
    # settle-up plan: a summary of the plan worked out for one version is good until the next
    # (`settlements.models.PlanSummary`, which the home page reads instead of every plan).
    plan_version = models.BigIntegerField(default=0, editable=False)
    # "Only pay people you share expenses with": settle-up suggests a payment only between two
    # members named together in a live expense or payment (docs/settle-up.md, Wishes).
    pay_only_sharing = models.BooleanField(
        default=False,
        verbose_name=_("Only pay people you share expenses with"),
        help_text=_(
            "Settle-up then only suggests payments between people who share at least one "
            "expense or payment, even if that takes more payments."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(currency__in=sorted(CURRENCIES)), name="groups_group_known_currency"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="groups_group_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    @property
    def converts_at_settlement(self):
        return self.convert_at == ConvertAt.SETTLEMENT

    def update_settings(
        self,
        *,
        actor,
        name,
        description,
        currency,
        simplify_debts,
        convert_at=None,
        pay_only_sharing=None,
    ):
        """Saves the group's settings; the currency is fixed once the group has history, and
        "convert at" once it has an entry in another currency. `convert_at` and
        `pay_only_sharing` left out (None) stay as they are.

        Checked under the group's lock, which the first expense or payment also takes: a
        currency change racing the first expense either lands before it (the expense is then
        refused, its amounts having been typed in the old currency) or is refused itself.
        """
        with transaction.atomic():
            group = Group.objects.lock_for_ledger(self.pk)
            if currency != group.currency and group.has_ledger_history:
                raise CurrencyFixed()
            convert_at = ConvertAt(convert_at or group.convert_at)
            if convert_at != group.convert_at and group.has_foreign_entries:
                raise ConversionFixed()
            old_name = group.name
            group.name, group.description = name, description
            group.currency, group.simplify_debts = currency, simplify_debts
            group.convert_at = convert_at
            if pay_only_sharing is not None:
                group.pay_only_sharing = pay_only_sharing
            group.save(
                update_fields=[
                    "name",
                    "description",
                    "currency",
                    "simplify_debts",
                    "convert_at",
                    "pay_only_sharing",
                ]
            )
            summary = (
                gettext_noop(
                    "renamed the group from %(old)s to %(new)s", old=old_name, new=group.name
                )
                if old_name != group.name
                else gettext_noop("changed the group settings")
            )
            Activity.record(group, actor, Activity.Verb.GROUP_UPDATED, summary)
        self.refresh_from_db()
        return self

    def set_archived(self, archived, *, actor):
        """Archives or unarchives the group; asking for the state it is already in changes
        nothing and adds no line to the feed. Returns whether it changed."""
        with transaction.atomic():
            changed = Group.objects.filter(pk=self.pk).exclude(is_archived=archived)
            if not changed.update(is_archived=archived):
                self.is_archived = archived
                return False
            self.is_archived = archived
            if archived:
                verb, summary = Activity.Verb.GROUP_ARCHIVED, gettext_noop("archived the group")
            else:
                verb = Activity.Verb.GROUP_UNARCHIVED
                summary = gettext_noop("unarchived the group")
            Activity.record(self, actor, verb, summary)
        return True

    def create_invite(self, *, actor, expires_in_days, max_uses):
        """A new invite link, expiring after `expires_in_days` (0: never), for at most
        `max_uses` joins (None: no limit)."""
        with transaction.atomic():
            invite = self.invites.create(
                created_by=actor,
                expires_at=Invite.expiry_from_days(expires_in_days),
                max_uses=max_uses,
            )
            Activity.record(
                self, actor, Activity.Verb.INVITE_CREATED, gettext_noop("created an invite link")
            )
        return invite

    def _lock_for_membership_change(self, actor, *, as_support=False):
        """Takes the group lock and returns the role the actor acts with, as it is under it.

        Every membership change starts here. Concurrent changes to one group queue on the lock
        the ledger also holds, and each then re-reads the rows its rules depend on: two owners
        demoting each other at once end with one owner, not none. Only active owners and admins
        may change a group's members, themselves included; a member's own changes (`leave`,
        `undo_claim`) start at `_lock_for_own_membership` instead.
        Support staff (`as_support`, from the admin) are no members: they act with an owner's
        authority, and every other rule of the group still holds for them.
        """
        Group.objects.lock_for_ledger(self.pk)
        if as_support:
            if not actor.is_staff:
                raise MembershipError(gettext("Only support staff can change members as support."))
            return Role.OWNER
        actor_membership = self.members.filter(user=actor, is_active=True).first()
        if actor_membership is None or not actor_membership.can_manage:
            raise MembershipError(
                gettext("Only the group's owners and admins can change its members.")
            )
        return actor_membership.role

    def _record_membership_change(self, actor, verb, summary, *, as_support=False):
        # Members see who acted in the feed; a staff name alone would read as a stranger's.
        if as_support:
            summary = gettext_noop("%(change)s (support)", change=summary)
        Activity.record(self, actor, verb, summary)

    def _lock_for_own_membership(self, user):
        """Takes the group lock and returns `user`'s own active membership as it is under it.

        The start of the changes a member makes to their own place in the group (leaving,
        undoing a claim), which need no manager: they queue on the same lock as every other
        membership and ledger change.
        """
        Group.objects.lock_for_ledger(self.pk)
        membership = self.members.filter(user=user, is_active=True).first()
        if membership is None:
            raise MembershipError(gettext("You are not a member of this group."))
        return membership

    def _reread_member(self, member):
        """Refreshes the caller's `member` from its row under the lock; it must be in this group."""
        try:
            member.refresh_from_db()
        except Member.DoesNotExist:
            raise MembershipError(
                gettext("%(name)s is no longer in this group.") % {"name": member.display_name}
            ) from None
        if member.group_id != self.pk:
            raise MembershipError(
                gettext("%(name)s is not in this group.") % {"name": member.display_name}
            )

    def _check_leaving(self, member, actor_role, owners_only):
        """The rules for taking an active member out of the group (`owners_only` says why an
        admin cannot take an owner out this way)."""
        if not member.is_active:
            raise MembershipError(
                gettext("%(name)s is already deactivated.") % {"name": member.display_name}
            )
        if member.role == Role.OWNER:
            if actor_role != Role.OWNER:
                raise MembershipError(owners_only)
            self._keep_an_owner(member)

    @transaction.atomic
    def add_guest(self, name, *, actor):
        self._lock_for_membership_change(actor)
        name = " ".join(name.split())
        if self.members.filter(user__isnull=True, name__iexact=name).exists():
            raise MembershipError(
                gettext("There is already a guest called “%(name)s” in this group.")
                % {"name": name}
            )
        guest = self.members.create(name=name)
        Activity.record(
            self, actor, Activity.Verb.MEMBER_ADDED, gettext_noop("added guest %(name)s", name=name)
        )
        return guest

    @transaction.atomic
    def add_user(self, user, *, actor):
        """Adds a registered user, or brings back one who was deactivated."""
        self._lock_for_membership_change(actor)
        existing = self.members.filter(user=user).first()
        if existing and existing.is_active:
            raise MembershipError(
                gettext("%(name)s is already a member of this group.") % {"name": user.display_name}
            )
        if existing:
            return self.reactivate_member(existing, actor=actor)
        member = self.members.create(user=user)
        Activity.record(
            self,
            actor,
            Activity.Verb.MEMBER_ADDED,
            gettext_noop("added %(name)s", name=user.display_name),
            member_id=member.pk,
        )
        return member

    @transaction.atomic
    def change_role(self, member, role, *, actor, as_support=False):
        actor_role = self._lock_for_membership_change(actor, as_support=as_support)
        self._reread_member(member)
        if role not in Role.values:
            raise MembershipError(gettext("Choose owner, admin or member."))
        if member.is_guest:
            raise MembershipError(gettext("Guests have no role; invite them to give them one."))
        if not member.is_active:
            raise MembershipError(
                gettext("%(name)s is deactivated. Reactivate them before changing their role.")
                % {"name": member.display_name}
            )
        if Role.OWNER in (member.role, role) and actor_role != Role.OWNER:
            raise MembershipError(gettext("Only an owner can make or unmake owners."))
        if member.role == role:
            return
        if member.role == Role.OWNER:
            self._keep_an_owner(member)
        old_role = member.role
        member.role = role
        member.save(update_fields=["role"])
        self._record_membership_change(
            actor,
            Activity.Verb.ROLE_CHANGED,
            gettext_noop(
                "changed %(name)s from %(old_role)s to %(new_role)s",
                name=member.display_name,
                old_role=label_phrase(Role(old_role)),
                new_role=label_phrase(Role(role)),
            ),
            as_support=as_support,
        )

    @transaction.atomic
    def remove_member(self, member, *, actor):
        """Deletes a member with no history; one with history is deactivated instead.

        Ledger rows protect the members they name, so a member with history cannot be deleted.
        The balance is read under the group lock, which every ledger change also holds.
        """
        actor_role = self._lock_for_membership_change(actor)
        self._reread_member(member)
        self._check_leaving(member, actor_role, gettext("Only an owner can remove an owner."))
        if member.balance != 0:
            raise MembershipError(
                gettext(
                    "%(name)s still has a balance in this group. Settle up first, or deactivate "
                    "them: their balance then stays on the books."
                )
                % {"name": member.display_name}
            )
        name = member.display_name
        self._drop_wishes(member)
        if not self._delete_unless_history(member):
            return self.deactivate_member(member, actor=actor)
        Activity.record(
            self, actor, Activity.Verb.MEMBER_REMOVED, gettext_noop("removed %(name)s", name=name)
        )
        return None

    @staticmethod
    def _delete_unless_history(member):
        """Deletes the member and says so; one whom ledger rows name is kept (they protect it)."""
        try:
            with transaction.atomic():
                member.delete()
        except models.ProtectedError:
            return False
        return True

    def leaving_problem(self, member):
        """Why `member` cannot leave the group on their own right now, in words for them; or None.

        The rules removal applies: no balance left, and an owner leaves only if another owner
        stays. Read again under the group lock by `leave`; the leave page reads it to explain.
        """
        if member.role == Role.OWNER and not self._has_another_owner(member):
            return gettext("You are the only owner. Make someone else an owner before you leave.")
        if member.balance < 0:
            owed = localized_amount(-member.balance, self.currency)
            return gettext(
                "You still owe %(amount)s in this group. Settle up before you leave."
            ) % {"amount": owed}
        if member.balance > 0:
            owed = localized_amount(member.balance, self.currency)
            return gettext("The group still owes you %(amount)s. Settle up before you leave.") % {
                "amount": owed
            }
        return None

    @transaction.atomic
    def leave(self, user):
        """Takes `user` out of the group at their own request.

        A member with history is deactivated rather than deleted, as with removal, so their
        expenses keep their name; coming back then takes a manager (`reactivate_member`).
        Returns the deactivated membership, or None when it was deleted.
        """
        member = self._lock_for_own_membership(user)
        problem = self.leaving_problem(member)
        if problem:
            raise MembershipError(problem)
        self._drop_wishes(member)
        kept = not self._delete_unless_history(member)
        if kept:
            member.is_active = False
            member.save(update_fields=["is_active"])
        Activity.record(self, user, Activity.Verb.MEMBER_LEFT, gettext_noop("left the group"))
        return member if kept else None

    def _claim_of(self, member):
        """The feed entry of the claim that put `member`'s user on a guest, or None."""
        # Only a claim gives a registered member a guest's name: everyone else is answered
        # without a query, as the people panel asks this of every viewer.
        if member.is_guest or not member.name:
            return None
        return (
            self.activities.filter(verb=Activity.Verb.GUEST_CLAIMED, data__member_id=member.pk)
            .order_by("-id")
            .first()
        )

    def claim_undo_problem(self, member):
        """Why `member`'s user cannot say "that's not me" about the guest they took over; or None.

        Undoing is safe only while nothing was built on the claim: the member is still the
        plain member the claim made, and no expense or payment has been recorded, changed or
        deleted in the group since, by anyone, since any of them may have been meant for the
        person who claimed rather than for the guest. Read again under the lock by `undo_claim`.
        """
        claim = self._claim_of(member)
        if claim is None:
            return gettext("You did not join this group as one of its guests.")
        if member.role != Role.MEMBER:
            if member.role == Role.OWNER:
                return gettext(
                    "You are now an owner of this group. Ask another owner to sort out who is who."
                )
            return gettext(
                "You are now an admin of this group. Ask an owner to sort out who is who."
            )
        if self.activities.filter(pk__gt=claim.pk, verb__in=MONEY_VERBS).exists():
            return gettext(
                "Expenses or payments have been recorded since you joined as %(name)s, so this "
                "can no longer be undone here. Ask an owner or admin to sort it out."
            ) % {"name": member.name}
        if self.members.filter(user__isnull=True, name__iexact=member.name).exists():
            return gettext(
                "There is now another guest called %(name)s, so this can no longer be undone "
                "here. Ask an owner or admin to sort it out."
            ) % {"name": member.name}
        return None

    @transaction.atomic
    def undo_claim(self, user):
        """Undoes a wrong "I am Alice": the guest `user` claimed becomes a guest again, with its
        history, and `user` stays in the group as themselves, with none. Returns their new
        membership.
        """
        member = self._lock_for_own_membership(user)
        problem = self.claim_undo_problem(member)
        if problem:
            raise MembershipError(problem)
        member.user = None
        member.save(update_fields=["user"])
        own = self.members.create(user=user)
        Activity.record(
            self,
            user,
            Activity.Verb.GUEST_UNCLAIMED,
            gettext_noop("is not %(name)s after all: %(name)s is a guest again", name=member.name),
            member_id=member.pk,
        )
        return own

    @transaction.atomic
    def deactivate_member(self, member, *, actor, as_support=False):
        actor_role = self._lock_for_membership_change(actor, as_support=as_support)
        self._reread_member(member)
        self._check_leaving(member, actor_role, gettext("Only an owner can deactivate an owner."))
        self._drop_wishes(member)
        member.is_active = False
        member.save(update_fields=["is_active"])
        self._record_membership_change(
            actor,
            Activity.Verb.MEMBER_DEACTIVATED,
            gettext_noop("deactivated %(name)s", name=member.display_name),
            as_support=as_support,
        )
        return member

    @transaction.atomic
    def reactivate_member(self, member, *, actor, as_support=False):
        """Brings back a deactivated member; the only way back in, as invite links refuse them."""
        actor_role = self._lock_for_membership_change(actor, as_support=as_support)
        self._reread_member(member)
        if member.is_active:
            raise MembershipError(
                gettext("%(name)s is already an active member.") % {"name": member.display_name}
            )
        if member.role == Role.OWNER and actor_role != Role.OWNER:
            raise MembershipError(gettext("Only an owner can reactivate an owner."))
        member.is_active = True
        member.save(update_fields=["is_active"])
        self._record_membership_change(
            actor,
            Activity.Verb.MEMBER_REACTIVATED,
            gettext_noop("reactivated %(name)s", name=member.display_name),
            as_support=as_support,
        )
        return member

    # Settle-up wishes (docs/settle-up.md, "Wishes"). Every change takes the group lock, like
    # membership changes, and checks the rows it depends on as they are under it: two people
    # ticking "I'd rather not receive" at once cannot leave nobody to receive.

    def _lock_for_wishes(self, member, actor, *, as_support=False):
        """Takes the group lock for a change to `member`'s wishes by `actor`, re-reads
        `member` and refuses anyone but the member themselves, the group's owners and admins
        for a guest, and support staff."""
        Group.objects.lock_for_ledger(self.pk)
        self._reread_member(member)
        if not member.is_active:
            raise WishError(
                gettext("%(name)s has left the group: their wishes no longer count.")
                % {"name": member.display_name}
            )
        if as_support:
            if not actor.is_staff:
                raise WishError(gettext("Only support staff can change wishes as support."))
            return
        if member.user_id is not None and member.user_id == actor.pk:
            return
        acting = self.members.filter(user=actor, is_active=True).first()
        if member.is_guest and acting is not None and acting.can_manage:
            return
        raise WishError(
            gettext(
                "Only %(name)s can change their own wishes; owners and admins can change a guest's."
            )
            % {"name": member.display_name}
        )

    @transaction.atomic
    def set_wishes(self, member, *, actor, rather_not_receive, preferred_payee, as_support=False):
        """Saves `member`'s two settle-up wishes: "I'd rather not receive payments" and the
        person they prefer to pay (a Member, or None for no preference).

        Refused, with nothing saved: a preferred payee outside the group, oneself, someone who
        left, someone of one's own household or someone who would rather not receive; and
        "rather not receive" while someone prefers to pay this member, or when every other
        active member already would rather not receive (then nobody could be paid).
        """
        self._lock_for_wishes(member, actor, as_support=as_support)
        if preferred_payee is not None:
            self._check_preferred_payee(member, preferred_payee)
        if rather_not_receive:
            payers = self.members.filter(is_active=True, preferred_payee=member).exclude(
                pk=member.pk
            )
            payer = payers.first()
            if payer is not None:
                raise WishError(
                    gettext(
                        "%(payer)s prefers to pay you. You can't also rather not receive "
                        "payments: ask them to choose someone else first."
                    )
                    % {"payer": payer.display_name}
                )
            receivers = self.members.filter(is_active=True, rather_not_receive=False).exclude(
                pk=member.pk
            )
            if not receivers.exists():
                raise WishError(
                    gettext(
                        "Everyone else in the group would already rather not receive "
                        "payments. If you didn't either, nobody could be paid back."
                    )
                )
        changed = (member.rather_not_receive, member.preferred_payee_id) != (
            rather_not_receive,
            preferred_payee.pk if preferred_payee else None,
        )
        if not changed:
            return member
        member.rather_not_receive = rather_not_receive
        member.preferred_payee = preferred_payee
        member.save(update_fields=["rather_not_receive", "preferred_payee"])
        own = member.user_id is not None and member.user_id == actor.pk
        Activity.record(
            self,
            actor,
            Activity.Verb.WISHES_CHANGED,
            gettext_noop("changed their settle-up wishes")
            if own
            else gettext_noop("changed the settle-up wishes of %(name)s", name=member.display_name),
            member_id=member.pk,
        )
        return member

    def _check_preferred_payee(self, member, payee):
        """The rules for `payee` as the person `member` prefers to pay, as under the lock."""
        try:
            payee.refresh_from_db()
        except Member.DoesNotExist:
            raise WishError(gettext("That person is no longer in this group.")) from None
        if payee.group_id != self.pk:
            raise WishError(gettext("Choose someone from this group."))
        if payee.pk == member.pk:
            raise WishError(gettext("You can't prefer to pay yourself."))
        if not payee.is_active:
            raise WishError(
                gettext("%(name)s has left the group: choose someone else.")
                % {"name": payee.display_name}
            )
        if member.household_id is not None and payee.household_id == member.household_id:
            raise WishError(
                gettext(
                    "%(name)s is in your household: you settle as one, so there is nothing to "
                    "pay them in the plan."
                )
                % {"name": payee.display_name}
            )
        if payee.rather_not_receive:
            raise WishError(
                gettext(
                    "%(name)s would rather not receive payments. Choose someone else, or no one."
                )
                % {"name": payee.display_name}
            )

    @transaction.atomic
    def create_household(self, members, *, actor, as_support=False):
        """A household of `members` (Member rows of this group), who settle up as one.

        Refused, with nothing saved: fewer than two people, anyone outside the group, anyone
        who left (a guest who left included), anyone already in a household, and a member who
        prefers to pay another member of the new household.
        """
        self._lock_for_membership_change(actor, as_support=as_support)
        ids = {member.pk for member in members}
        found = list(self.members.with_people().filter(pk__in=ids))
        if len(found) != len(ids):
            raise WishError(gettext("Choose people from this group."))
        if len(found) < 2:
            raise WishError(gettext("A household needs at least two people."))
        for member in found:
            if not member.is_active:
                raise WishError(
                    gettext("%(name)s has left the group, so they can't be part of a household.")
                    % {"name": member.display_name}
                )
            if member.household_id is not None:
                raise WishError(
                    gettext("%(name)s is already in a household. Remove that one first.")
                    % {"name": member.display_name}
                )
            if member.preferred_payee_id in ids:
                raise WishError(
                    gettext(
                        "%(name)s prefers to pay %(payee)s, who would be in the same household. "
                        "Change that preference first."
                    )
                    % {
                        "name": member.display_name,
                        "payee": next(
                            other.display_name
                            for other in found
                            if other.pk == member.preferred_payee_id
                        ),
                    }
                )
        household = Household.objects.create(group=self)
        self.members.filter(pk__in=ids).update(household=household)
        self._record_membership_change(
            actor,
            Activity.Verb.HOUSEHOLD_CREATED,
            "made a household of " + household_names(found),
            as_support=as_support,
        )
        return household

    @transaction.atomic
    def remove_household(self, household, *, actor, as_support=False):
        """Ends a household: its members settle up on their own again."""
        self._lock_for_membership_change(actor, as_support=as_support)
        household = self.households.filter(pk=household.pk).first()
        if household is None:
            raise WishError(gettext("That household no longer exists."))
        names = household_names(household.members.with_people())
        household.members.update(household=None)
        household.delete()
        self._record_membership_change(
            actor,
            Activity.Verb.HOUSEHOLD_REMOVED,
            f"ended the household of {names}",
            as_support=as_support,
        )

    def _drop_wishes(self, member):
        """What leaving does to wishes, under the lock of the change that takes `member` out
        (leave, deactivate, remove): their own wishes go, nobody prefers to pay them any more,
        and they leave their household, which ends if fewer than two people stay in it."""
        self.members.filter(preferred_payee=member).update(preferred_payee=None)
        household_id = member.household_id
        member.rather_not_receive, member.preferred_payee, member.household = False, None, None
        Member.objects.filter(pk=member.pk).update(
            rather_not_receive=False, preferred_payee=None, household=None
        )
        if household_id is not None:
            staying = self.members.filter(household_id=household_id, is_active=True).exclude(
                pk=member.pk
            )
            if staying.count() < 2:
                staying.update(household=None)
                Household.objects.filter(pk=household_id).delete()

    def _has_another_owner(self, owner):
        return self.members.filter(role=Role.OWNER, is_active=True).exclude(pk=owner.pk).exists()

    def _keep_an_owner(self, leaving_owner):
        if not self._has_another_owner(leaving_owner):
            raise MembershipError(
                gettext("A group needs at least one owner. Make someone else an owner first.")
            )


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_people(self):
        return self.select_related("user").order_by("-is_active", Lower("name"), "id")


class MemberManager(models.Manager.from_queryset(MemberQuerySet)):
    def of_groups(self, group_ids):
        """Every member of the groups (ids) `with_people()`, in that order: the plan, and so
        every page of a group, reads them first. Compiled once, not on each request."""
        return GROUP_MEMBERS(group_ids=group_ids)

    def unseen_activity(self, member_ids):
        """{member id: how many lines others added to the group's history since the member last
        opened the group page (`Member.record_visit`)} for each of `member_ids`; 0 before the
        first visit. For the home page's groups.

        One query written once: built through the ORM, as a subquery, it cost a millisecond of
        CPU per home page. The feed index (group, -id) reads only the lines after the one last
        seen. On PostgreSQL the ids go as one array, so the text is the same however many groups
        are shown, and the statement is prepared once per connection.
        """
        if not member_ids:
            return {}
        connection = connections[router.db_for_read(self.model)]
        quote = connection.ops.quote_name
        member, line = quote(self.model._meta.db_table), quote(Activity._meta.db_table)
        if connection.vendor == "postgresql":
            chosen, params = "= ANY(%s)", [list(member_ids)]
        else:
            chosen, params = f"IN ({', '.join(['%s'] * len(member_ids))})", member_ids
        sql = (
            f"SELECT {member}.id, COUNT(*) FROM {member} JOIN {line}"
            f" ON {line}.group_id = {member}.group_id"
            f" AND {line}.id > {member}.last_seen_activity_id"
            f" WHERE {member}.id {chosen}"
            f" AND ({line}.actor_id IS NULL OR {line}.actor_id <> {member}.user_id)"
            f" GROUP BY {member}.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            counted = dict(cursor.fetchall())
        return {pk: counted.get(pk, 0) for pk in member_ids}


class Member(models.Model):
    """A person in a group: a registered user, or a named guest who has no account.

    A member with history is deactivated, never deleted, so old expenses keep their name.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    # The guest's name; kept after a user claims the guest so history still reads right.
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    # Kept in step with the ledger in the same transaction as every ledger change, so pages
    # read balances without scanning history. Positive: the group owes this member.
    balance = models.BigIntegerField(default=0, editable=False)
    # The newest line of the group's history the member had on screen when they last opened
    # the group page (`record_visit`); None until then. A plain id, not a key: lines are only
    # compared with it, never fetched through it.
    last_seen_activity_id = models.BigIntegerField(null=True, blank=True, editable=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Settle-up wishes, changed only through `Group.set_wishes`, `Group.create_household` and
    # `Group.remove_household`, which hold the rules; leaving drops them (`Group._drop_wishes`).
    rather_not_receive = models.BooleanField(
        default=False, editable=False, verbose_name=_("I'd rather not receive payments")
    )
    preferred_payee = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("Person I prefer to pay"),
    )
    household = models.ForeignKey(
        "Household",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        editable=False,
    )

    objects = MemberManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(user__isnull=False),
                name="groups_member_unique_user",
            ),
            models.UniqueConstraint(
                "group",
                Lower("name"),
                condition=Q(user__isnull=True),
                name="groups_member_unique_guest_name",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="groups_member_guest_has_name"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(role=Role.MEMBER),
                name="groups_member_guest_is_plain_member",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="groups_member_known_role"
            ),
            # "Every group keeps an active owner" spans rows, so no CHECK can hold it: the
            # migration adding this constraint installs a trigger for it as well.
        ]
        indexes = [
            # The home page: a user's memberships.
            models.Index(fields=["user", "is_active"], name="groups_member_user_active"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.user.display_name if self.user_id else self.name

    @property
    def is_guest(self):
        return self.user_id is None

    @property
    def can_manage(self):
        return self.role in MANAGER_ROLES

    def is_new_to(self, activity):
        """Whether `activity` happened since the member last looked, by someone else. Nothing is
        new before the member's first visit: a whole history would read as news."""
        return (
            self.last_seen_activity_id is not None
            and activity.pk > self.last_seen_activity_id
            and (activity.actor_id is None or activity.actor_id != self.user_id)
        )

    def record_visit(self, newest_activity_id):
        """Remembers that the member has seen the group's history up to `newest_activity_id`.

        One UPDATE, and none when nothing happened since the last visit. It only ever moves
        forward, so a slow page load finishing after a newer one cannot mark lines unseen again.
        """
        if newest_activity_id is None or newest_activity_id == self.last_seen_activity_id:
            return
        Member.objects.filter(
            Q(last_seen_activity_id__isnull=True) | Q(last_seen_activity_id__lt=newest_activity_id),
            pk=self.pk,
        ).update(last_seen_activity_id=newest_activity_id)


class Household(models.Model):
    """Members who settle up as one: the plan pays or is paid by them together, and what they
    owe each other is left to them (docs/settle-up.md, "Wishes"). Its members are the members
    whose `Member.household` it is, so nobody is in two. Made and ended only through
    `Group.create_household` and `Group.remove_household`, which hold the rules.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="households")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return gettext("Household %(id)s") % {"id": self.pk}


def household_names(members):
    """ "Ana & Bob", "Ana, Bob & Cia": how a household, or any unit of the plan, is named."""
    return names_together(sorted(member.display_name for member in members))


def names_together(names):
    """ "Ana & Bob", "Ana, Bob & Cia": `names` in their order, as one."""
    if len(names) < 2:
        return "".join(names)
    return gettext("%(first)s & %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def new_invite_token():
    return secrets.token_urlsafe(24)


class InviteQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(
            Q(revoked_at__isnull=True)
            & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            & (Q(max_uses__isnull=True) | Q(uses__lt=models.F("max_uses")))
        )


class Invite(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invites")
    token = models.CharField(max_length=64, unique=True, default=new_invite_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InviteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(max_uses__gt=0),
                name="groups_invite_max_uses_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses__lte=models.F("max_uses")),
                name="groups_invite_uses_within_max",
            ),
        ]

    def __str__(self):
        return f"Invite to {self.group}"

    @property
    def problem(self):
        """Why this link cannot be used any more, in words for the person holding it; or None."""
        if self.revoked_at:
            return gettext("This invite link was revoked. Ask the group for a new one.")
        if self.expires_at and self.expires_at <= timezone.now():
            return gettext("This invite link has expired. Ask the group for a new one.")
        if self.max_uses is not None and self.uses >= self.max_uses:
            return gettext("This invite link has been used up. Ask the group for a new one.")
        return None

    @transaction.atomic
    def revoke(self, *, actor):
        """Stops the link working. A link already revoked is left as it was, so revoking it
        twice at once records one line in the group's history."""
        now = timezone.now()
        revoked = Invite.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=now)
        if revoked:
            self.revoked_at = now
            Activity.record(
                self.group,
                actor,
                Activity.Verb.INVITE_REVOKED,
                gettext_noop("revoked an invite link"),
            )
        return bool(revoked)

    @staticmethod
    def expiry_from_days(days):
        return timezone.now() + timedelta(days=days) if days else None

    @transaction.atomic
    def redeem(self, user, *, claim_guest_id=None):
        """Joins `user` to the group, optionally as the guest they say they are.

        The invite row is locked so concurrent joins cannot exceed `max_uses`, then the group,
        as for every membership change. Someone deactivated stays out: only a manager brings
        them back (`Group.reactivate_member`), not the link they first joined through.
        """
        invite = Invite.objects.select_for_update().get(pk=self.pk)
        if invite.problem:
            raise MembershipError(invite.problem)
        group = Group.objects.lock_for_ledger(invite.group_id)
        previous = group.members.filter(user=user).first()
        if previous and previous.is_active:
            raise MembershipError(
                gettext("You are already a member of %(name)s.") % {"name": group.name}
            )
        if previous:
            raise MembershipError(
                gettext("You were a member of this group before; ask an admin to reactivate you.")
            )
        if claim_guest_id:
            guest = group.members.filter(pk=claim_guest_id).first()
            if guest is None or not guest.is_active:
                raise MembershipError(gettext("That guest is not in this group."))
            if not guest.is_guest:
                raise MembershipError(
                    gettext("%(name)s has already been claimed by someone else.")
                    % {"name": guest.name}
                )
            guest.user = user
            guest.save(update_fields=["user"])
            Activity.record(
                group,
                user,
                Activity.Verb.GUEST_CLAIMED,
                gettext_noop("joined and took over guest %(name)s", name=guest.name),
                member_id=guest.pk,
            )
            member = guest
        else:
            member = group.members.create(user=user)
            Activity.record(
                group,
                user,
                Activity.Verb.INVITE_USED,
                gettext_noop("joined through an invite link"),
            )
        invite.uses = models.F("uses") + 1
        invite.save(update_fields=["uses"])
        return member


class ActivityVerb(models.TextChoices):
    """What an activity line records: `Activity.Verb`, at module level so its Meta can name
    the values."""

    GROUP_CREATED = "group_created", "created the group"
    GROUP_UPDATED = "group_updated", "changed the group settings"
    GROUP_ARCHIVED = "group_archived", "archived the group"
    GROUP_UNARCHIVED = "group_unarchived", "unarchived the group"
    MEMBER_ADDED = "member_added", "added a member"
    MEMBER_REMOVED = "member_removed", "removed a member"
    MEMBER_DEACTIVATED = "member_deactivated", "deactivated a member"
    MEMBER_REACTIVATED = "member_reactivated", "reactivated a member"
    ROLE_CHANGED = "role_changed", "changed a role"
    INVITE_CREATED = "invite_created", "created an invite link"
    INVITE_REVOKED = "invite_revoked", "revoked an invite link"
    INVITE_EMAILED = "invite_emailed", "sent an invite by email"
    INVITE_USED = "invite_used", "joined through an invite link"
    GUEST_CLAIMED = "guest_claimed", "claimed a guest"
    GUEST_UNCLAIMED = "guest_unclaimed", "gave a claimed guest back"
    MEMBER_LEFT = "member_left", "left the group"
    EXPENSE_ADDED = "expense_added", "added an expense"
    EXPENSE_EDITED = "expense_edited", "edited an expense"
    EXPENSE_DELETED = "expense_deleted", "deleted an expense"
    EXPENSE_RESTORED = "expense_restored", "restored an expense"
    PAYMENT_RECORDED = "payment_recorded", "recorded a payment"
    PAYMENT_DELETED = "payment_deleted", "deleted a payment"
    PAYMENT_RESTORED = "payment_restored", "restored a payment"
    ENTRIES_IMPORTED = "entries_imported", "imported expenses and payments"
    RECURRING_ADDED = "recurring_added", "set up a recurring expense"
    RECURRING_CHANGED = "recurring_changed", "changed a recurring expense"
    BALANCES_CONVERTED = "balances_converted", "converted balances to the group's currency"
    PAYMENT_CONFIRMED = "payment_confirmed", "confirmed receiving a payment"
    PAYMENT_REJECTED = "payment_rejected", "did not receive a payment"
    WISHES_CHANGED = "wishes_changed", "changed settle-up wishes"
    HOUSEHOLD_CREATED = "household_created", "made a household"
    HOUSEHOLD_REMOVED = "household_removed", "ended a household"


# The lines that change someone's money in the group: every change to the books writes one
# (expenses and payments record, delete and restore through `ledger.books` with a feed line).
# Used by `Group.claim_undo_problem`.
MONEY_VERBS = {
    ActivityVerb.EXPENSE_ADDED,
    ActivityVerb.EXPENSE_EDITED,
    ActivityVerb.EXPENSE_DELETED,
    ActivityVerb.EXPENSE_RESTORED,
    ActivityVerb.PAYMENT_RECORDED,
    ActivityVerb.PAYMENT_DELETED,
    ActivityVerb.PAYMENT_RESTORED,
    ActivityVerb.PAYMENT_REJECTED,
    ActivityVerb.ENTRIES_IMPORTED,
    ActivityVerb.BALANCES_CONVERTED,
}


# The lines that concern members other than the actor: an expense or a payment they take part
# in, being added to the group. The tasks of settings.ACTIVITY_FOLLOWERS (the notification
# emails) are enqueued with each such line. Used by `Activity.record`.
FOLLOWED_VERBS = {
    ActivityVerb.EXPENSE_ADDED,
    ActivityVerb.EXPENSE_EDITED,
    ActivityVerb.EXPENSE_DELETED,
    ActivityVerb.PAYMENT_RECORDED,
    ActivityVerb.PAYMENT_REJECTED,
    ActivityVerb.MEMBER_ADDED,
}


def enqueue_activity_followers():
    """Enqueues the tasks that follow the group history (settings.ACTIVITY_FOLLOWERS).

    They read the committed lines themselves, so one enqueue, or a lost one, misses nothing:
    the worker also runs them on its schedule.
    """
    for path in settings.ACTIVITY_FOLLOWERS:
        import_string(path).enqueue()


class Activity(models.Model):
    """One line of a group's history: who did what, when.

    The feed shows the actor's name, then the summary: a summary starts with the verb
    ("joined through an invite link") and never repeats the actor's name. `summary` is the line
    in English, as written (search, the admin, the API's `summary`); `text` is the line in the
    reader's language, from the phrase kept in `data` under `PHRASE_KEY`.
    """

    PHRASE_KEY = "summary_phrase"

    Verb = ActivityVerb

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=40, choices=Verb)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(verb__in=ActivityVerb.values), name="groups_activity_known_verb"
            ),
        ]
        indexes = [
            # The group page's feed: newest first, paged by id; and what is new to a member since
            # their last visit (`MemberManager.unseen_activity`).
            models.Index(fields=["group", "-id"], name="groups_activity_feed"),
            # Whether a deleted expense in the feed is still deleted (groups.views.mark_restorable).
            models.Index(
                fields=["group", "id"],
                condition=Q(verb__in=["expense_deleted", "expense_restored"]),
                name="groups_activity_deletions",
            ),
        ]

    def __str__(self):
        return self.summary

    @property
    def text(self):
        return self.text_of(self.summary, self.data)

    @classmethod
    def text_of(cls, summary, data):
        """The line of `summary` and `data` in the active language; a line written before lines
        kept their phrase, or whose phrase no longer fits its template, reads as it was stored.
        """
        kept = data.get(cls.PHRASE_KEY)
        return summary if kept is None else cls.text_of_kept(summary, json.dumps(kept))

    @classmethod
    def text_of_kept(cls, summary, kept):
        """`text_of` a line whose phrase was read as the JSON text `kept` (None without one), as
        a query can read it: each line would otherwise write its phrase out again to look it up.
        """
        if kept is None:
            return summary
        try:
            return translated_json(kept)
        except (KeyError, TypeError, ValueError):
            # A template whose values were renamed since: the English line is still right.
            return summary

    @classmethod
    def record(cls, group, actor, verb, summary, **data):
        """Adds a line to the group's history; a summary too long for its column is shortened,
        so that quoting a long name or description never stops the change being saved.

        `summary` is a `Phrase` (`splitclone.phrases.gettext_noop`): its template and values
        are kept with the line, which `text` then writes in each reader's language, whatever
        language the actor used. A plain string is shown as it is, in every language.
        """
        if isinstance(summary, Phrase):
            data[cls.PHRASE_KEY] = to_json(summary)
        summary = str(shorten(summary, cls._meta.get_field("summary").max_length))
        activity = insert(cls(group=group, actor=actor, verb=verb, summary=summary, data=data))
        if verb in FOLLOWED_VERBS:
            # In the same transaction as the line: the queue is a table of this database
            # (django-tasks-db), so the task becomes visible with the line at the commit, or
            # never if the change rolls back, and saving an expense is a single commit.
            enqueue_activity_followers()
        return activity


GROUP_MEMBERS = CompiledQuery(
    lambda slot: Member.objects.filter(group_id__in=slot.group_ids).with_people(),
    group_ids=list[int],
)
