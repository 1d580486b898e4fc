"""The suggested payments as who owes whom and the group page write them."""

from django import template
from django.utils.translation import gettext

from splitclone.formats import localized_amount
from splitclone.sentences import filled

register = template.Library()


@register.simple_tag(takes_context=True)
def payment_lines(context, payments):
    """[(sentence, amount, suggestion)] for each of `payments` (`Suggestion`s of `group`'s
    plan), the sentence from `viewer`'s side. Each sentence is translated once for all lines:
    a pairwise plan of 50 people has 1,225, and a `{% blocktranslate %}` a line cost a third of
    the page."""
    viewer, currency = context["viewer"].pk, context["group"].currency
    you_pay = gettext("You pay <strong>%(creditor)s</strong>")
    pays_you = gettext("<strong>%(debtor)s</strong> pays you")
    pays = gettext("%(debtor)s pays %(creditor)s")
    lines = []
    for suggestion in payments:
        debtor, creditor = suggestion.debtor, suggestion.creditor
        if debtor.pk == viewer:
            sentence = filled(you_pay, creditor=creditor.display_name)
        elif creditor.pk == viewer:
            sentence = filled(pays_you, debtor=debtor.display_name)
        else:
            sentence = filled(pays, debtor=debtor.display_name, creditor=creditor.display_name)
        amount = localized_amount(suggestion.amount, currency)
        lines.append((sentence, amount, suggestion))
    return lines
