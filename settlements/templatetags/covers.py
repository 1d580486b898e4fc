"""What a suggested payment covers, on settle-up and who owes whom."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from splitclone.links import Link

register = template.Library()


@register.simple_tag(takes_context=True)
def covers_link(context, suggestion):
    """The link to the history a pairwise payment settles (`settlements:covers`) in `group`,
    its address reversed and its words translated once per page: a pairwise plan of 50 people
    has 1,225 payments."""
    # The whole page's render context: an include's or a partial's lasts one line.
    page = context.render_context.dicts[0]
    group_id = context["group"].pk
    made = page.get((covers_link, group_id))
    if made is None:
        made = page[covers_link, group_id] = (
            Link("settlements:covers", group_id, None, None).escaped(),
            escape(gettext("What this covers")),
        )
    link, words = made
    href = link(suggestion.debtor.pk, suggestion.creditor.pk)
    return mark_safe(f'<a class="covers" href="{href}">{words}</a>')
