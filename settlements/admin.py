from django.contrib import admin

from ledger.admin import LedgerRowAdmin
from settlements.models import Payment


@admin.register(Payment)
class PaymentAdmin(LedgerRowAdmin):
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
        "version",
        "submission_id",
    ]

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, payment):
        return payment.amount_display

    def delete_row(self, payment, actor):
        Payment.objects.delete_payment(payment, actor=actor)

    def restore_row(self, payment, actor):
        Payment.objects.restore_payment(payment, actor=actor)
