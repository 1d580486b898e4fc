from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import ConfirmPaymentsForm, PaymentMethodForm
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
