from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import ConfirmPaymentsForm, LanguageForm, PaymentMethodForm
from accounts.models import PaymentMethod


def render_payment_methods(request, form, status=200):
    context = {
        "methods": request.user.payment_methods.all(),
        "form": form,
        "confirm_form": ConfirmPaymentsForm(instance=request.user),
    }
    return render(request, "accounts/payment_methods.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def payment_methods(request):
    """How the signed-in person likes to be paid: the list, and a form to add one."""
    method = PaymentMethod(user=request.user, position=request.user.payment_methods.count())
    form = PaymentMethodForm(request.POST or None, instance=method)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, gettext("Added %(method)s.") % {"method": form.instance})
            return redirect("accounts:payment_methods")
        return render_payment_methods(request, form, status=422)
    return render_payment_methods(request, form)


@require_POST
@login_required
def confirming_payments(request):
    form = ConfirmPaymentsForm(request.POST, instance=request.user)
    form.save()
    if request.user.confirms_payments:
        messages.success(request, gettext("Payments to you now wait for you to confirm them."))
    else:
        messages.success(
            request, gettext("Payments to you count as received when they are recorded.")
        )
    return redirect("accounts:payment_methods")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def payment_method_edit(request, method_id):
    method = get_object_or_404(request.user.payment_methods, pk=method_id)
    form = PaymentMethodForm(request.POST or None, instance=method)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Saved %(method)s.") % {"method": form.instance})
        return redirect("accounts:payment_methods")
    return render(
        request,
        "accounts/payment_method_edit.html",
        {"form": form, "method": method},
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
def payment_method_remove(request, method_id):
    method = get_object_or_404(request.user.payment_methods, pk=method_id)
    method.delete()
    messages.success(request, gettext("Removed %(method)s.") % {"method": method})
    return redirect("accounts:payment_methods")


@require_POST
def switch_language(request):
    """The footer's switcher: Django's `set_language` (the cookie, then back to `next`), and for a
    signed-in person their setting too, which would otherwise win over the cookie."""
    response = i18n.set_language(request)
    chosen = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if request.user.is_authenticated and chosen in dict(settings.LANGUAGES):
        request.user.language = chosen
        request.user.save(update_fields=["language"])
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def language(request):
    """The account page's language setting, which also governs the emails sent to the person."""
    form = LanguageForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        # The message is shown on the next page, which is already in the new language.
        with translation.override(request.user.language or translation.get_language()):
            messages.success(request, gettext("Saved your language."))
        return redirect("accounts:language")
    return render(
        request, "accounts/language.html", {"form": form}, status=422 if form.errors else 200
    )
