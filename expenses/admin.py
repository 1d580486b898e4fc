from django.contrib import admin

from expenses.models import Expense, ExpensePayer, ExpenseShare
from ledger.admin import LedgerRowAdmin


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
class ExpenseAdmin(LedgerRowAdmin):
    list_display = ["description", "group", "amount_display", "date", "category", "deleted_at"]
    list_filter = ["category", "split_kind", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["group"]
    search_fields = ["description", "group__name"]
    date_hierarchy = "date"
    inlines = [PayerInline, ShareInline]
    fields = [
        "group",
        "description",
        "amount_display",
        "date",
        "category",
        "split_kind",
        "notes",
        "receipt",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
        "deleted_at",
        "deleted_by",
        "version",
        "submission_id",
    ]

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, expense):
        return expense.amount_display

    def delete_row(self, expense, actor):
        Expense.objects.delete_expense(expense, actor=actor)

    def restore_row(self, expense, actor):
        Expense.objects.restore_expense(expense, actor=actor)
