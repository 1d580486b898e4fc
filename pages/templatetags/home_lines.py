"""The home page's lists: the people the user pays or is paid by, the user's groups, and the
latest lines of their history.

Each list's line is written here, its sentences translated once per language and process
(the same on every view) and filled in per line as `{% blocktranslate %}` would, with escaped
values, and its links reversed once (`splitclone.links`): twenty people and forty groups
through `{% blocktranslate %}` and an include a line cost more than the rest of the page; with
`?all`, hundreds of lines. Text is escaped as Django's `escape` does, without its check for
lazy text on every call, and the lines are plain text until the whole list is marked safe:
marking each piece cost as much. Each line's markup is an f-string, which is put together
from its pieces: `str.format` read the whole markup again, character by character, for every
line.
"""

from functools import cache, lru_cache
from html import escape

from django import template
from django.template.defaultfilters import date
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext

from splitclone.links import link
from splitclone.money import format_amount
from splitclone.templatetags.money import balance_class
from splitclone.templatetags.when import ago

register = template.Library()


# The same few amounts come back on every view, each twice or more on one page (a person's
# total and their one debt): escaped once per process, as `format_amount` formats them.
@lru_cache(maxsize=4096)
def unsigned_amount(minor_units, currency, language):
    """What the `unsigned_money` filter writes, escaped, in `language` read once per list."""
    return escape(format_amount(abs(minor_units), currency, language=language))


@cache
def person_sentences(language):
    """The sentences of `person_lines` in `language`, the active one."""
    return (
        escape(gettext("guest")),
        gettext("<strong>%(name)s</strong> owes you"),
        gettext('<strong>%(name)s</strong> <span class="badge">%(guest)s</span> owes you'),
        gettext("You owe <strong>%(name)s</strong>"),
        gettext('You owe <strong>%(name)s</strong> <span class="badge">%(guest)s</span>'),
        gettext("You and <strong>%(name)s</strong> are even"),
        gettext('You and <strong>%(name)s</strong> <span class="badge">%(guest)s</span> are even'),
        gettext("%(name)s pays you"),
        gettext("you pay %(name)s"),
        gettext("Settle up with %(name)s across these groups"),
        gettext("Settle up with %(name)s"),
    )


@cache
def group_sentences(language):
    """The sentences of `group_lines` in `language`, the active one."""
    return (
        gettext('you get back <span class="amount">%(amount)s</span>'),
        gettext('you owe <span class="amount">%(amount)s</span>'),
        escape(gettext("settled up")),
    )


@cache
def total_sentences(language):
    """The sentences of `total_lines` in `language`, the active one."""
    return (
        gettext("You get back %(amount)s"),
        gettext("You owe %(amount)s"),
        gettext("You are settled up in %(currency)s"),
    )


@register.simple_tag
def total_lines(totals):
    """A line for each of `totals` (currency, what the plans pay the user there in all): what
    the user gets back or owes, in words."""
    language = get_language()
    get_back, owe, settled = total_sentences(language)
    lines = []
    for currency, total in totals:
        amount = unsigned_amount(total, currency, language)
        if total > 0:
            sentence = get_back % {"amount": amount}
        elif total < 0:
            sentence = owe % {"amount": amount}
        else:
            sentence = settled % {"currency": escape(currency)}
        lines.append(
            f"""
        <li class="position-total amount {balance_class(total)}">{sentence}</li>
      """
        )
    return mark_safe("".join(lines))


@register.simple_tag
def show_all(kind, count):
    """The words of the link to all `count` people, groups or archived groups (`kind`:
    "people", "groups" or "archived"), as `{% blocktranslate count %}` writes them."""
    if kind == "people":
        words = ngettext("Show all %(count)s people", "Show all %(count)s people", count)
    elif kind == "groups":
        words = ngettext("Show all %(count)s groups", "Show all %(count)s groups", count)
    else:
        words = ngettext(
            "Show all %(count)s archived groups", "Show all %(count)s archived groups", count
        )
    return mark_safe(words % {"count": escape(localize(count))})


@register.simple_tag
def person_lines(people):
    """A line for each of `people`, (`settlements.debts.PersonDebts`, where to settle with
    them): what they pay the user or the user pays them in all, in each group, and the link."""
    language = get_language()
    (
        guest,
        owes_you,
        guest_owes_you,
        you_owe,
        you_owe_guest,
        even,
        even_with_guest,
        pays_you,
        you_pay,
        settle_across,
        settle,
    ) = person_sentences(language)
    lines = []
    for person, url in people:
        currency, net = person.currency, person.net
        values = {"name": escape(person.person.display_name), "guest": guest}
        if net > 0:
            sentence = guest_owes_you if person.is_guest else owes_you
        elif net < 0:
            sentence = you_owe_guest if person.is_guest else you_owe
        else:
            sentence = even_with_guest if person.is_guest else even
        debts = "\n            ".join(
            f"<li>{escape(group_name)}: {(pays_you if to_user > 0 else you_pay) % values} "
            f'<span class="amount">{unsigned_amount(to_user, currency, language)}</span></li>'
            for _, group_name, to_user in person.debts
        )
        total = ""
        if net:
            amount = unsigned_amount(net, currency, language)
            total = f'<span class="amount {balance_class(net)}">{amount}</span>'
        settle_with = (settle_across if len(person.debts) > 1 else settle) % values
        lines.append(
            f"""<li class="person">
          <div class="person-total">
            <span class="person-name">{sentence % values}</span>
            {total}
          </div>
          <ul class="person-groups muted">
            {debts}
          </ul>
          <a href="{escape(url)}">{settle_with} →</a>
        </li>"""
        )
    return mark_safe("\n        ".join(lines))


@register.simple_tag
def group_lines(groups):
    """A line for each of `groups` (`pages.views.GroupLine`): its name linking to its page,
    how many things others did there since the user last looked, and the user's balance."""
    group_page = link("pages:group", 1).escaped()
    language = get_language()
    get_back, owe, settled = group_sentences(language)
    lines = []
    for group_id, name, currency, balance, unseen_activity in groups:
        news = ""
        if unseen_activity:
            count = ngettext("%(n)s new", "%(n)s new", unseen_activity)
            count %= {"n": escape(localize(unseen_activity))}
            news = f' <span class="badge badge-new">{count}</span>'
        if balance:
            words = (get_back if balance > 0 else owe) % {
                "amount": unsigned_amount(balance, currency, language)
            }
        else:
            words = settled
        # The words may wrap on a phone; the amount itself stays whole (`.amount`).
        lines.append(
            f"""<li class="group-row">
  <a href="{group_page(group_id)}">{escape(name)}{news}</a>
  <span class="balance-words {balance_class(balance)}">{words}</span>
</li>"""
        )
    return mark_safe("\n      ".join(lines))


@register.simple_tag
def feed_lines(entries):
    """A line for each of `entries` (`pages.home_reading.FeedEntry`): who did what, in which
    group, and when, as `{{ moment|date:"c" }}` and `{{ moment|ago }}` write it."""
    someone = escape(gettext("Someone"))
    where = gettext('in <a href="%(group_url)s">%(group)s</a>')
    group_page = link("pages:group", 1).escaped()
    lines = []
    for entry in entries:
        actor = escape(entry.actor_name) if entry.actor_id else someone
        # A line's text may come marked safe, which the template did not escape.
        text = conditional_escape(entry.text)
        group = where % {"group_url": group_page(entry.group_id), "group": escape(entry.group_name)}
        moment = escape(date(template_localtime(entry.created_at), "c"))
        when = conditional_escape(ago(entry.created_at))
        lines.append(
            f"""
        <li class="feed-entry">
          <span>{actor} {text} <span class="muted">{group}</span></span>
          <time class="muted" datetime="{moment}">{when}</time>
        </li>
      """
        )
    return mark_safe("".join(lines))
