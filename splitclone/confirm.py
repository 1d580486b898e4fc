"""The confirmation step every destructive action shares."""

from django.shortcuts import render


def confirmation_page(
    request, *, question, action, cancel_url, details=(), problem=None, status=200
):
    """What a destructive action's URL answers to GET: what will happen, and a form that POSTs
    to the same URL to do it.

    Lists link each such action to its URL, so without JavaScript this page is the "Are you
    sure?"; with it, htmx asks in place (`hx-confirm`) and posts directly. `problem`, when the
    action cannot be done now, replaces the button with the reason (status 422 when a POST was
    refused for it).
    """
    context = {
        "question": question,
        "action": action,
        "cancel_url": cancel_url,
        "details": details,
        "problem": problem,
    }
    return render(request, "confirm.html", context, status=status)
