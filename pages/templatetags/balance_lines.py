"""The members' balances as the group page lists them."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from splitclone.formats import localized_amount
from splitclone.sentences import filled
from splitclone.templatetags.money import balance_class

register = template.Library()

BALANCE_LINE = """
          <li class="balance-line{inactive_class}">
            <span class="member-name">{name}{badges}</span>
            <span class="amount {balance_class}">{amount}</span>
            {parts}
          </li>
        """


@register.simple_tag
def balance_lines(rows, approx, currency):
    """The lines of `rows` (`pages.views.BalanceRow`), amounts in `currency` after `approx`
    ("≈ " when converted at today's rates). Each sentence is translated once for all lines:
    through the template, a `{% blocktranslate %}` a line was the most of the section's time."""
    you, guest, inactive = (
        escape(gettext("You")),
        escape(gettext("guest")),
        escape(gettext("inactive")),
    )
    several = escape(gettext("in several currencies"))
    are_settled, is_settled = escape(gettext("are settled up")), escape(gettext("is settled up"))
    get_back, owe = gettext("get back %(approx)s%(amount)s"), gettext("owe %(approx)s%(amount)s")
    gets_back = gettext("gets back %(approx)s%(amount)s")
    owes = gettext("owes %(approx)s%(amount)s")
    lines = []
    for row in rows:
        member, balance = row.member, row.balance
        badges = ""
        if member.is_guest:
            badges += f' <span class="badge">{guest}</span>'
        if not member.is_active:
            badges += f' <span class="badge">{inactive}</span>'
        if row.needs_rate:
            amount = several
        elif not balance:
            amount = are_settled if row.is_viewer else is_settled
        else:
            if row.is_viewer:
                sentence = get_back if balance > 0 else owe
            else:
                sentence = gets_back if balance > 0 else owes
            amount = filled(
                sentence, approx=approx, amount=localized_amount(abs(balance), currency)
            )
        parts = ""
        if row.parts:
            parts = f'<span class="muted balance-parts">{escape(row.parts_display)}</span>'
        lines.append(
            BALANCE_LINE.format(
                inactive_class="" if member.is_active else " inactive",
                name=you if row.is_viewer else escape(member.display_name),
                badges=badges,
                balance_class=balance_class(balance),
                amount=amount,
                parts=parts,
            )
        )
    return mark_safe("".join(lines))
