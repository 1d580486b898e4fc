"""Importing a file: upload it, look at the preview, then one click books all of it or nothing.

One view per URL serves the three steps. A POST with a file is an upload: the file is read,
kept (`imports.pending`) and previewed. A POST with the preview's token reads the kept file
again, as the format chosen on the preview, and either shows the preview for the choices made
(`action=preview`) or imports (`action=import`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from groups.access import get_membership
from imports import pending, services
from imports.detect import available_formats
from imports.forms import ImportForm, UploadForm
from imports.models import ImportedFile
from imports.parsed import ImportRefused
from imports.preview import person_rows
from splitclone.translation import translated

NEW_GROUP = "new"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def start(request):
    """Import a file into a new group, owned by the one importing."""
    return import_page(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def into(request, group_id):
    """Import a file into an existing group: its owners and admins only."""
    membership = get_membership(request, group_id, require_manager=True)
    return import_page(request, membership.group)


def import_page(request, group):
    scope = NEW_GROUP if group is None else group.pk
    if request.method == "POST" and "token" in request.POST:
        return preview_or_import(request, group, scope)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_valid():
        token = pending.keep(form.cleaned_data["file"], user=request.user, scope=scope)
        initial = {"token": token, "format": form.parsed.format}
        return preview(request, group, import_form(request, group, form.parsed, initial=initial))
    context = {"form": form, "group": group}
    return render(request, "imports/upload.html", context, status=422 if form.errors else 200)


def preview_or_import(request, group, scope):
    token = request.POST["token"]
    try:
        data = pending.load(token, user=request.user, scope=scope)
    except pending.UploadGone as gone:
        context = {"form": UploadForm(), "group": group, "problem": gone.message}
        return render(request, "imports/upload.html", context, status=422)
    chosen = request.POST.get("format")
    formats = {name: translated(label) for name, label in available_formats().items()}
    try:
        parsed = services.read_file(data, chosen if chosen in formats else None)
    except ImportRefused as refused:
        context = {
            "group": group,
            "token": token,
            "formats": formats,
            "chosen": chosen,
            "problem": translated(refused.message),
        }
        return render(request, "imports/unreadable.html", context, status=422)
    form = import_form(request, group, parsed, data=request.POST)
    if request.POST.get("action") != "import":
        return preview(request, group, form)
    if form.is_valid():
        try:
            imported = book(request, group, form)
        except services.NeedsConfirmation as refused:
            form.add_error(
                "confirm" if "confirm" in form.fields else None, translated(refused.message)
            )
        except ImportRefused as refused:
            form.add_error(None, translated(refused.message))
        else:
            pending.discard(token, user=request.user, scope=scope)
            messages.success(request, imported_message(imported))
            return redirect("pages:group", group_id=imported.group.pk)
    return preview(request, group, form, status=422)


def imported_message(imported):
    expenses = ngettext("%(count)s expense", "%(count)s expenses", imported.expenses) % {
        "count": f"{imported.expenses:,}"
    }
    payments = ngettext("%(count)s payment", "%(count)s payments", imported.payments) % {
        "count": f"{imported.payments:,}"
    }
    return gettext("Imported %(expenses)s and %(payments)s into %(group)s.") % {
        "expenses": expenses,
        "payments": payments,
        "group": imported.group.name,
    }


def import_form(request, group, parsed, **kwargs):
    members = list(group.members.with_people()) if group else ()
    return ImportForm(parsed=parsed, user=request.user, group=group, members=members, **kwargs)


def book(request, group, form):
    if group is None:
        return services.import_new_group(
            form.parsed,
            user=request.user,
            mapping=form.mapping(),
            name=form.cleaned_data["name"],
            currency=form.cleaned_data.get("currency"),
        )
    return services.book(
        form.parsed,
        group.pk,
        user=request.user,
        mapping=form.mapping(),
        confirmed=form.cleaned_data.get("confirm", False),
    )


def preview(request, group, form, status=200):
    parsed = form.parsed
    rows = person_rows(form)
    earlier = (
        ImportedFile.objects.filter(
            content_hash=services.fingerprint(parsed),
            group__members__user=request.user,
            group__members__is_active=True,
        )
        .select_related("group")
        .order_by("imported_at")
    )
    context = {
        "group": group,
        "form": form,
        "parsed": parsed,
        "currency": form.currency,
        "rows": rows,
        "differs": any(row.difference for row in rows),
        "notices": [translated(notice) for notice in services.notices(parsed)],
        "earlier": earlier,
    }
    return render(request, "imports/preview.html", context, status=status)
