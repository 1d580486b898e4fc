from django.contrib import admin

from expenses.models import Expense, ExpensePayer, ExpenseShare


class LedgerRowInline(admin.TabularInline):
    """Payer and share rows are the ledger: support staff read them, never edit them."""

    extra = 0
    fields = ["member", "amount"]
    readonly_fields = ["member", "amount"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PayerInline(LedgerRowInline):
    model = ExpensePayer


class ShareInline(LedgerRowInline):
    model = ExpenseShare
    fields = ["member", "amount", "entered"]
    readonly_fields = ["member", "amount", "entered"]


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    list_display = ["description", "group", "amount_display", "date", "category", "deleted_at"]
    list_filter = ["category", "split_kind", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["group"]
    search_fields = ["description", "group__name"]
    date_hierarchy = "date"
    inlines = [PayerInline, ShareInline]
    readonly_fields = [
        "group",
        "amount",
        "currency",
        "split_kind",
        "submission_id",
        "version",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by",
    ]
    fields = ["description", "category", "date", "notes", "receipt", *readonly_fields]

    def save_model(self, request, obj, form, change):
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        # New expenses go through the group's form so the kept balances move with them.
        return False
