from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe


@require_safe
def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "landing.html")


@require_safe
@login_required
def home(request):
    return render(request, "home.html")
