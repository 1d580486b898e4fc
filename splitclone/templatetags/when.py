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
    if timezone.now() - moment < JUST_NOW:
        return gettext("just now")
    return naturaltime(moment)
