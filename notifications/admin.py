from django.contrib import admin

from notifications.models import Email, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """What was sent, for support: written by the tasks only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "status", "attempts", "sent_at", "subject"]
    list_filter = ["kind", "status"]
    search_fields = ["user__email", "subject"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "activity", "email"]
    search_fields = ["user__email"]
    list_select_related = ["user", "activity", "email__user"]
    raw_id_fields = ["activity", "user", "email"]
