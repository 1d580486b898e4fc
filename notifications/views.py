from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.emails import user_id_from_token
from notifications.forms import PreferencesForm
from notifications.models import Frequency, Preferences


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def preferences(request):
    """The signed-in person's email notifications: how often, reminders, muted groups."""
    current = Preferences.objects.for_user(request.user)
    form = PreferencesForm(request.POST or None, instance=current, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your email preferences are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


# The link works without logging in, from a mail program's one-click button (RFC 8058: a POST
# with no cookies, hence no CSRF token); the signature is what proves whose link it is.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, signed):
    """GET asks to confirm; POST turns off every notification email of the link's person."""
    try:
        user_id = user_id_from_token(signed)
    except signing.SignatureExpired:
        return render(
            request, "notifications/unsubscribe_invalid.html", {"expired": True}, status=410
        )
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", {}, status=400)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", {}, status=400)
    if request.method != "POST":
        return render(request, "notifications/unsubscribe.html", {"person": user})
    with transaction.atomic():
        Preferences.objects.update_or_create(
            user=user, defaults={"frequency": Frequency.OFF, "reminders": False}
        )
    return render(request, "notifications/unsubscribe.html", {"person": user, "done": True})
