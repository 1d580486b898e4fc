import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.translation import gettext

register = template.Library()

# Under a minute, counting seconds ("0 minutes ago", "12 seconds ago") only looks like a clock.
JUST_NOW = datetime.timedelta(minutes=1)


@register.filter
def ago(moment):
    """`{{ entry.created_at|ago }}`: "just now", then humanize's "3 minutes ago", "2 days ago"."""
    [text] = ago_each([moment])
    return text


def ago_each(moments):
    """`ago` of each of `moments`, for the lines of a list: the clock read once and "just now"
    translated once, rather than on every line of a busy group's feed."""
    now = timezone.now()
    just_now = None
    texts = []
    for moment in moments:
        if now - moment >= JUST_NOW:
            texts.append(naturaltime(moment))
        else:
            if just_now is None:
                just_now = gettext("just now")
            texts.append(just_now)
    return texts
