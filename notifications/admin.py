from django.contrib import admin

from notifications.models import Email, Notification
from splitclone.admin import SupportAdmin


@admin.register(Email)
class EmailAdmin(SupportAdmin):
    """What was sent, for support: written by the tasks only."""

    list_display = ["created_at", "user", "kind", "status", "attempts", "sent_at", "subject"]
    list_filter = ["kind", "status"]
    search_fields = ["user__email", "subject"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(SupportAdmin):
    list_display = ["created_at", "user", "activity", "email"]
    search_fields = ["user__email"]
    list_select_related = ["user", "activity", "email__user"]
    raw_id_fields = ["activity", "user", "email"]
