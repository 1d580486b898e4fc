from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import TokenForm
from api.models import AccessToken


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tokens(request):
    """The signed-in person's API tokens; a new token's secret is shown on this answer only."""
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _, secret = AccessToken.objects.issue(user=request.user, **form.cleaned_data)
        form = TokenForm()
    context = {
        "form": form,
        "secret": secret,
        "tokens": request.user.access_tokens.order_by("revoked_at", "-created_at"),
    }
    response = render(request, "api/tokens.html", context, status=422 if form.errors else 200)
    # The secret must not stay in a cache or the browser's history of pages.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def revoke(request, token_id):
    get_object_or_404(request.user.access_tokens, pk=token_id).revoke()
    return redirect("api:tokens")
