from django import template

from splitclone.formats import localized_amount

register = template.Library()


@register.filter
def money(minor_units, currency):
    """`{{ member.balance|money:group.currency }}`: minor units shown in the currency's format,
    written the way the page's language writes amounts."""
    return localized_amount(minor_units, currency)


@register.filter
def balance_class(minor_units):
    """CSS class for a balance: owed (positive), owes (negative) or settled."""
    if minor_units > 0:
        return "owed"
    return "owes" if minor_units < 0 else "settled"


@register.filter
def unsigned_money(minor_units, currency):
    """The amount without its sign, for sentences that say the direction in words ("owes")."""
    return localized_amount(abs(minor_units), currency)


@register.filter
def bare_money(minor_units, currency):
    """The amount without its currency code, for a table column whose header names it."""
    return localized_amount(minor_units, currency, with_code=False)
