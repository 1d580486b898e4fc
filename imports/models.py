from django.conf import settings
from django.db import models

from groups.models import Group


class ImportedFile(models.Model):
    """A file whose entries were imported into a group: a second import of it is refused.

    `content_hash` is the fingerprint of the entries read from the file
    (`imports.services.fingerprint`), not of its bytes: the same export saved again by a
    spreadsheet, with other line endings or quoting, is still the same file.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="imported_files")
    content_hash = models.CharField(max_length=64)
    format = models.CharField(max_length=20)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    expense_count = models.PositiveIntegerField()
    payment_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "content_hash"], name="imports_importedfile_unique_file"
            ),
        ]
        indexes = [
            # The preview's "you imported this file into … before": by hash, across groups.
            models.Index(fields=["content_hash"], name="imports_importedfile_hash"),
        ]

    def __str__(self):
        return f"{self.format} file into {self.group_id}"
