from django.contrib import admin

from imports.models import ImportedFile
from splitclone.admin import SupportAdmin


@admin.register(ImportedFile)
class ImportedFileAdmin(SupportAdmin):
    """The files imported into each group, to look at when a member asks why a file is refused
    as already imported, or where a group's entries came from. Only imports write them."""

    list_display = [
        "group",
        "format",
        "imported_by",
        "imported_at",
        "expense_count",
        "payment_count",
    ]
    list_filter = ["format", "imported_at"]
    search_fields = ["group__name", "imported_by__email", "content_hash"]
    date_hierarchy = "imported_at"
    fields = [
        "group",
        "format",
        "imported_by",
        "imported_at",
        "expense_count",
        "payment_count",
        "content_hash",
    ]
