"""Taking a group's history away: CSV and JSON downloads, and a person's whole archive."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from groups.access import get_membership
from imports.export import (
    export_filename,
    group_csv,
    group_json,
    load_histories,
    personal_archive,
)

# What each export file is made by, and served as.
GROUP_FILES = {
    "csv": (group_csv, "text/csv; charset=utf-8"),
    "json": (group_json, "application/json"),
}


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def group_download(group, extension):
    """The group's export file ("csv" or "json") as a download, for the pages and the API."""
    make, content_type = GROUP_FILES[extension]
    (history,) = load_histories([group])
    return _download(make(history), content_type, export_filename(group.name, extension))


@require_safe
@login_required
def export_csv(request, group_id):
    """Every member may take the group's history away, as they can read all of it here."""
    return group_download(get_membership(request, group_id).group, "csv")


@require_safe
@login_required
def export_json(request, group_id):
    return group_download(get_membership(request, group_id).group, "json")


@require_safe
@login_required
def my_data(request):
    """Everything of the signed-in person's, across their groups, in one zip."""
    filename = export_filename("splitclone my data", "zip")
    return _download(personal_archive(request.user), "application/zip", filename)
