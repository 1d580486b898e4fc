"""Support looks up the files imported into a group; only imports write them."""

import pytest
from django.urls import reverse

from imports.models import ImportedFile
from imports.tests.test_services import import_basic

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(importer):
    import_basic(importer)
    return ImportedFile.objects.select_related("group").get()


def test_imported_files_are_found_by_group_and_shown_read_only(staff_client, imported):
    listing = staff_client.get(
        reverse("admin:imports_importedfile_changelist"), {"q": imported.group.name}
    )
    page = staff_client.get(reverse("admin:imports_importedfile_change", args=[imported.pk]))

    assert list(listing.context["cl"].result_list) == [imported]
    assert page.status_code == 200
    assert imported.content_hash in page.text
    assert 'name="expense_count"' not in page.text


def test_imported_files_are_not_made_edited_or_deleted_in_the_admin(staff_client, imported):
    change = reverse("admin:imports_importedfile_change", args=[imported.pk])

    assert staff_client.get(reverse("admin:imports_importedfile_add")).status_code == 403
    staff_client.post(change, {"expense_count": 0, "content_hash": "x"})
    delete = staff_client.post(
        reverse("admin:imports_importedfile_delete", args=[imported.pk]), {"post": "yes"}
    )

    assert delete.status_code == 403
    assert ImportedFile.objects.get(pk=imported.pk).content_hash == imported.content_hash
