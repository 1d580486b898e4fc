from django.contrib import admin

from api.models import AccessToken
from splitclone.admin import SupportAdmin


@admin.register(AccessToken)
class AccessTokenAdmin(SupportAdmin):
    """Support finds a person's API tokens and revokes one that leaked, as its owner would on
    the tokens page. The stored hash is never shown: only the start the owner sees too."""

    list_display = ["name", "user", "scope", "shown", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "user__email", "user__display_name", "shown"]
    date_hierarchy = "created_at"
    fields = ["name", "user", "scope", "shown", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens", permissions=["support"])
    def revoke(self, request, queryset):
        self.act_on_each(
            request,
            queryset.filter(revoked_at__isnull=True),
            AccessToken.revoke,
            "Revoked {count} token(s); programs using them are refused from now on.",
        )
