"""The lines of a group's feed (`groups/activity.html#feed`, on the group page and the activity
page), written in Python: through the template, its twenty lines were a tenth of the group page."""

from html import escape

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from splitclone.links import Link
from splitclone.templatetags.when import ago_each

register = template.Library()

FEED_LINE = """
        <li class="feed-entry">
          <span>{new}{who} {text}</span>
          {restore}
          <time class="muted" datetime="{moment}">{ago}</time>
        </li>
      """
RESTORE_FORM = """
            <form method="post" action="{url}" class="inline-form">
              {csrf}
              <button type="submit" class="link-button">{label}</button>
            </form>
          """
NEW_BADGE = '<span class="badge badge-new">{}</span> '
CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'


@register.simple_tag
def feed_lines(feed, group, csrf_token):
    """`feed`'s entries (`groups.views.FeedEntry`s, marked by `groups.views.mark_restorable` and,
    on the group page, `pages.last_visit.mark_news`), each offering to restore the expense it
    deleted while it can, through a form carrying `csrf_token`.

    Values are escaped with the standard library's `escape`, which is what Django's calls,
    without the check for lazy text its wrapper makes on every call: three a line."""
    new = format_html(NEW_BADGE, gettext("new"))
    restore = None
    if any(entry.restorable for entry in feed):
        restore = Link("expenses:restore", group.pk, None).escaped()
        # As `{% csrf_token %}` writes it: nothing without a token, or when the view needs none.
        csrf = ""
        if csrf_token and csrf_token != "NOTPROVIDED":
            csrf = format_html(CSRF_INPUT, csrf_token)
        label = escape(gettext("Restore"))
    zone = timezone.get_current_timezone()
    someone = escape(gettext("Someone"))
    lines = []
    for entry, when in zip(feed, ago_each([entry.created_at for entry in feed]), strict=True):
        if entry.actor_id is not None:
            who = escape(entry.actor_name)
        elif entry.data.get("automatic"):
            who = "Splitclone"
        else:
            who = someone
        form = ""
        if entry.restorable:
            form = RESTORE_FORM.format(
                url=restore(entry.data["expense_id"]), csrf=csrf, label=label
            )
        # Each value escaped as it goes in, the markup around it written as it is: `format_html`
        # per line was a third of the feed's time.
        lines.append(
            FEED_LINE.format(
                new=new if entry.is_new else "",
                who=who,
                text=escape(str(entry.text)),
                restore=form,
                moment=timezone.localtime(entry.created_at, zone).isoformat(),
                ago=escape(str(when)),
            )
        )
    return mark_safe("".join(lines))
