from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from groups.models import Activity, ConversionFixed, CurrencyFixed, Group, Invite, Member, Role
from splitclone.admin import SupportAdmin


class MemberInline(admin.TabularInline):
    """The group's members, to look at: they change through the member admin's actions."""

    model = Member
    extra = 0
    # Settle-up wishes are shown, not edited: they change through `Group.set_wishes` and the
    # household methods, which hold their rules.
    fields = [
        "user",
        "name",
        "role",
        "is_active",
        "balance",
        "household",
        "rather_not_receive",
        "preferred_payee",
    ]
    readonly_fields = ["balance", "household", "rather_not_receive", "preferred_payee"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    """Support corrects a group's settings here, through `Group.update_settings` as the settings
    page does. Groups are created by their owners, and never deleted with their history."""

    list_display = ["name", "currency", "created_by", "is_archived", "created_at"]
    list_filter = ["is_archived", "currency"]
    search_fields = ["name", "members__user__email"]
    fields = [
        "name",
        "description",
        "currency",
        "simplify_debts",
        "convert_at",
        "pay_only_sharing",
        "is_archived",
        "has_ledger_history",
        "has_foreign_entries",
        "created_by",
        "created_at",
    ]
    readonly_fields = [
        "is_archived",
        "has_ledger_history",
        "has_foreign_entries",
        "created_by",
        "created_at",
    ]
    inlines = [MemberInline]

    def get_readonly_fields(self, request, obj=None):
        fixed = []
        if obj is not None and obj.has_ledger_history:
            fixed.append("currency")
        if obj is not None and obj.has_foreign_entries:
            fixed.append("convert_at")
        return [*self.readonly_fields, *fixed]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.update_settings(
            actor=request.user,
            name=obj.name,
            description=obj.description,
            currency=obj.currency,
            simplify_debts=obj.simplify_debts,
            convert_at=obj.convert_at,
            pay_only_sharing=obj.pay_only_sharing,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (CurrencyFixed, ConversionFixed) as refused:
            # The group's first expense or payment (in another currency) landed after the form
            # was read; the page shown again has the currency (or "convert at") read-only.
            self.message_user(request, refused.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Member)
class MemberAdmin(SupportAdmin):
    """Support deactivates, reactivates and makes owners with the group's own methods, which
    keep an owner in every group; a member's group, person and balance never change here."""

    list_display = ["__str__", "group", "role", "is_active", "balance"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "user__email", "user__display_name", "group__name"]
    list_select_related = ["group", "user"]
    actions = ["deactivate", "reactivate", "make_owner"]

    @admin.action(description="Deactivate the selected members", permissions=["support"])
    def deactivate(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            lambda member: member.group.deactivate_member(
                member, actor=request.user, as_support=True
            ),
            "Deactivated {count} member(s).",
        )

    @admin.action(description="Reactivate the selected members", permissions=["support"])
    def reactivate(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            lambda member: member.group.reactivate_member(
                member, actor=request.user, as_support=True
            ),
            "Reactivated {count} member(s).",
        )

    @admin.action(description="Make the selected members owners", permissions=["support"])
    def make_owner(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            lambda member: member.group.change_role(
                member, Role.OWNER, actor=request.user, as_support=True
            ),
            "Made {count} member(s) owner.",
        )


@admin.register(Invite)
class InviteAdmin(SupportAdmin):
    list_display = [
        "group",
        "created_by",
        "created_at",
        "expires_at",
        "uses",
        "max_uses",
        "revoked_at",
    ]
    list_select_related = ["group", "created_by"]
    search_fields = ["group__name", "token"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected invite links", permissions=["support"])
    def revoke(self, request, queryset):
        self.act_on_each(
            request,
            queryset.filter(revoked_at__isnull=True),
            lambda invite: invite.revoke(actor=request.user),
            "Revoked {count} invite link(s).",
        )


@admin.register(Activity)
class ActivityAdmin(SupportAdmin):
    list_display = ["created_at", "group", "actor", "summary"]
    list_filter = ["verb"]
    list_select_related = ["group", "actor"]
    search_fields = ["group__name", "summary"]
