from django.contrib import admin
from django.utils import timezone

from groups.models import Activity, Group, Invite, Member


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["user", "name", "role", "is_active", "balance"]
    readonly_fields = ["balance"]
    raw_id_fields = ["user"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "currency", "created_by", "is_archived", "created_at"]
    list_filter = ["is_archived", "currency"]
    search_fields = ["name", "members__user__email"]
    raw_id_fields = ["created_by"]
    inlines = [MemberInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "group", "role", "is_active", "balance"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "user__email", "user__display_name", "group__name"]
    list_select_related = ["group", "user"]
    raw_id_fields = ["group", "user"]
    readonly_fields = ["balance"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
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
    raw_id_fields = ["group", "created_by"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected invite links")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} invite link(s).")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "group", "actor", "summary"]
    list_filter = ["verb"]
    list_select_related = ["group", "actor"]
    search_fields = ["group__name", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
