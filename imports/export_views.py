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


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
@login_required
def export_csv(request, group_id):
    """Every member may take the group's history away, as they can read all of it here."""
    group = get_membership(request, group_id).group
    (history,) = load_histories([group])
    return _download(
        group_csv(history), "text/csv; charset=utf-8", export_filename(group.name, "csv")
    )


@require_safe
@login_required
def export_json(request, group_id):
    group = get_membership(request, group_id).group
    (history,) = load_histories([group])
    return _download(group_json(history), "application/json", export_filename(group.name, "json"))


@require_safe
@login_required
def my_data(request):
    """Everything of the signed-in person's, across their groups, in one zip."""
    filename = export_filename("splitclone my data", "zip")
    return _download(personal_archive(request.user), "application/zip", filename)
