"""Markup kept once rendered (`settlements.views.another_payment`), filled in on each page."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

# Stands for the page's CSRF token in kept markup: no markup contains it.
CSRF_SLOT = "\x00csrf\x00"


@register.filter
def with_csrf_token(markup, token):
    """`{{ markup|with_csrf_token:csrf_token }}`: the page's token in place of the stand-in, as
    `{% csrf_token %}` writes it: the one token every form of the page carries, masked once."""
    return mark_safe(markup.replace(CSRF_SLOT, conditional_escape(token)))
