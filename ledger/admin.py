from django.contrib import admin

from ledger.books import recompute_group
from ledger.models import (
    BalanceConversion,
    ConversionLine,
    CurrencyBalance,
    CurrencyPairBalance,
    GroupBooks,
    PairBalance,
)
from splitclone.admin import SupportAdmin


class LookOnlyInline(admin.TabularInline):
    """Rows to look at: only the ledger writes them."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PairBalanceInline(LookOnlyInline):
    """The kept pairwise balances in the group's currency."""

    model = PairBalance
    fields = ["member_a", "member_b", "amount"]


class CurrencyBalanceInline(LookOnlyInline):
    """Each member's balance kept in another currency (a group that converts at settlement)."""

    model = CurrencyBalance
    fields = ["member", "currency", "amount"]
    verbose_name_plural = "balances in other currencies"


class CurrencyPairBalanceInline(LookOnlyInline):
    """The pairwise balances kept in other currencies, which settle-up converts pair by pair."""

    model = CurrencyPairBalance
    fields = ["member_a", "member_b", "currency", "amount"]
    verbose_name_plural = "pair balances in other currencies"


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
    fields = ["name", "currency", "convert_at", "has_ledger_history", "has_foreign_entries"]
    inlines = [PairBalanceInline, CurrencyBalanceInline, CurrencyPairBalanceInline]
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


class ConversionLineInline(LookOnlyInline):
    model = ConversionLine
    fields = [
        "member_a",
        "member_b",
        "currency",
        "amount",
        "rate",
        "rate_source",
        "rate_date",
        "converted",
    ]


@admin.register(BalanceConversion)
class BalanceConversionAdmin(SupportAdmin):
    """The conversions booked before settle-up payments, to look at: the ledger books them under
    the group's lock, and a hand edit would leave the kept balances of two currencies wrong."""

    list_display = ["__str__", "group", "created_by", "created_at", "deleted_at"]
    list_select_related = ["group", "created_by"]
    search_fields = ["group__name"]
    fields = ["group", "date", "created_by", "created_at", "deleted_at"]
    inlines = [ConversionLineInline]
