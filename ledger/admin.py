from django.contrib import admin

from ledger.books import recompute_group
from ledger.models import GroupBooks, PairBalance


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


@admin.register(GroupBooks)
class GroupBooksAdmin(admin.ModelAdmin):
    """Support's view of a group's money: look, check against the ledger, rebuild."""

    list_display = ["name", "currency", "has_ledger_history", "is_archived"]
    search_fields = ["name", "members__user__email"]
    fields = ["name", "currency", "has_ledger_history"]
    readonly_fields = fields
    inlines = [PairBalanceInline]
    actions = ["check_balances", "recompute_balances"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Staff look at the books here; only the ledger changes them (see the actions).
        return False

    @admin.action(description="Check the kept balances against the ledger")
    def check_balances(self, request, queryset):
        self._compare_with_ledger(
            request, queryset, check=True, found="{count} balance(s) differ from the ledger."
        )

    @admin.action(description="Recompute balances from the ledger")
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
