from django.contrib import admin

from settlements.models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Support staff look payments up here; they are recorded, deleted and restored in the app,
    where the kept balances move with them. Only the note can be corrected."""

    list_display = ["date", "group", "from_member", "to_member", "amount_display", "deleted_at"]
    list_select_related = ["group", "from_member__user", "to_member__user"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter), "currency"]
    ordering = ["group", "-id"]
    search_fields = [
        "group__name",
        "from_member__name",
        "from_member__user__display_name",
        "from_member__user__email",
        "to_member__name",
        "to_member__user__display_name",
        "to_member__user__email",
    ]
    fields = [
        "group",
        "from_member",
        "to_member",
        "amount_display",
        "date",
        "note",
        "recorded_by",
        "created_at",
        "deleted_at",
        "deleted_by",
        "submission_id",
    ]
    readonly_fields = [name for name in fields if name != "note"]

    def save_model(self, request, obj, form, change):
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, payment):
        return payment.amount_display

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
