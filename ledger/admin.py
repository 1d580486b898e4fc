from django.contrib import admin

from ledger.books import recompute_group
from ledger.models import GroupBooks, PairBalance
from splitclone.admin import SupportAdmin


class PairBalanceInline(admin.TabularInline):
    """The kept pairwise balances, to look at: only the ledger writes them."""

    model = PairBalance
    fields = ["member_a", "member_b", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LedgerRowAdmin(SupportAdmin):
    """Expenses and payments: deleted and restored by their managers, which move the kept
    balances with them under the group's lock; never changed or destroyed by hand."""

    actions = ["soft_delete", "restore"]

    def delete_row(self, row, actor):
        raise NotImplementedError

    def restore_row(self, row, actor):
        raise NotImplementedError

    @admin.action(
        description="Delete the selected %(verbose_name_plural)s (they can be restored)",
        permissions=["support"],
    )
    def soft_delete(self, request, queryset):
        self.act_on_each(
            request,
            queryset.filter(deleted_at__isnull=True),
            lambda row: self.delete_row(row, request.user),
            f"Deleted {{count}} {self.opts.verbose_name}(s); they can be restored.",
        )

    @admin.action(
        description="Restore the selected deleted %(verbose_name_plural)s",
        permissions=["support"],
    )
    def restore(self, request, queryset):
        self.act_on_each(
            request,
            queryset.filter(deleted_at__isnull=False),
            lambda row: self.restore_row(row, request.user),
            f"Restored {{count}} {self.opts.verbose_name}(s).",
        )


@admin.register(GroupBooks)
class GroupBooksAdmin(SupportAdmin):
    """Support's view of a group's money: look, check against the ledger, rebuild."""

    list_display = ["name", "currency", "has_ledger_history", "is_archived"]
    search_fields = ["name", "members__user__email"]
    fields = ["name", "currency", "has_ledger_history"]
    inlines = [PairBalanceInline]
    actions = ["check_balances", "recompute_balances"]

    @admin.action(description="Check the kept balances against the ledger", permissions=["support"])
    def check_balances(self, request, queryset):
        self._compare_with_ledger(
            request, queryset, check=True, found="{count} balance(s) differ from the ledger."
        )

    @admin.action(description="Recompute balances from the ledger", permissions=["support"])
    def recompute_balances(self, request, queryset):
        self._compare_with_ledger(
            request, queryset, check=False, found="{count} drifting balance(s) corrected."
        )

    def _compare_with_ledger(self, request, queryset, *, check, found):
        for group in queryset:
            drift = recompute_group(group, check=check)
            count = len(drift.members) + len(drift.pairs)
            self.message_user(
                request,
                f"{group.name}: "
                + (found.format(count=count) if count else "balances match the ledger."),
            )
