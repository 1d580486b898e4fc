"""Reading what pages tell a person, as text: who pays whom, balances, totals, in minor units."""

import html
import re

from splitclone.money import parse_amount

CURRENCY = "EUR"


def text_of(fragment):
    """The words of an HTML fragment, tags dropped and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page, element_id):
    """The HTML of the element with this id up to its closing tag (sections do not nest)."""
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', page, re.DOTALL)
    return found.group(2) if found else ""


def items(fragment, css_class):
    """The text of each `<li class="css_class">` in the fragment."""
    pattern = rf'<li class="{css_class}[^"]*">(.*?)</li>'
    return [text_of(item) for item in re.findall(pattern, fragment, re.DOTALL)]


def minor(text):
    """ "1,234.56 EUR" in minor units."""
    number, currency = text.rsplit(" ", 1)
    assert currency == CURRENCY
    return parse_amount(number, CURRENCY)


# "What this covers" under a payment line: a link, or a disclosure naming people.
COVERS = re.compile(r'<(a|details) class="covers".*?</\1>', re.DOTALL)
LINE = re.compile(rf"^(?P<debtor>.+?) pays? (?P<creditor>.+) (?P<amount>[0-9,.]+ {CURRENCY})$")


def payment_lines(fragment, viewer):
    """{(debtor, creditor): amount} of the "X pays Y" lines, "You"/"you" read as the viewer."""
    lines = {}
    for line in items(COVERS.sub("", fragment), "payment-line"):
        found = LINE.match(line)
        assert found, line
        debtor, creditor = (
            viewer if name in ("You", "you") else name for name in found.group("debtor", "creditor")
        )
        lines[debtor, creditor] = minor(found.group("amount"))
    return lines


def suggestions(settle_up_page):
    """{(debtor, creditor): amount} of the settle-up page's suggested payments."""
    lines = {}
    for row in re.findall(
        r'<li class="member suggestion">(.*?)<span class="amount">([^<]*)</span>',
        section(settle_up_page, "suggestions"),
        re.DOTALL,
    ):
        debtor, creditor = text_of(row[0]).split(" pays ")
        lines[debtor, creditor] = minor(row[1])
    return lines


BALANCE = re.compile(
    rf"^(?P<name>.+?)(?: guest)?(?: inactive)? (?:(?P<sign>gets? back|owes?) "
    rf"(?P<amount>[0-9,.]+ {CURRENCY})|(?:is|are) settled up)$"
)


def balances(group_page, viewer):
    """{name: balance} of the group page's balances in words, "You" read as the viewer."""
    read = {}
    for line in items(section(group_page, "balances"), "balance-line"):
        found = BALANCE.match(line)
        assert found, line
        amount = minor(found.group("amount")) if found.group("amount") else 0
        name = viewer if found.group("name") == "You" else found.group("name")
        read[name] = -amount if found.group("sign") in ("owe", "owes") else amount
    return read


def position(text):
    """The viewer's balance from "You owe 5.00 EUR", "You get back 5.00 EUR", "You are settled
    up" (and "... in EUR" on the home page)."""
    if text.startswith("You are settled up"):
        return 0
    found = re.fullmatch(rf"You (owe|get back) ([0-9,.]+ {CURRENCY})", text)
    assert found, text
    amount = minor(found.group(2))
    return -amount if found.group(1) == "owe" else amount


PERSON = re.compile(
    r"^(?:(?P<owes_you>.+?)(?: guest)? owes you|You owe (?P<you_owe>.+?)(?: guest)?"
    rf"|You and (?P<even>.+?)(?: guest)? are even)(?: (?P<amount>[0-9,.]+ {CURRENCY}))?$"
)


def people(home_page):
    """{name: amount} of the home page's people: positive when they owe the viewer."""
    read = {}
    totals = re.findall(r'<div class="person-total">(.*?)</div>', home_page, re.DOTALL)
    for total in map(text_of, totals):
        found = PERSON.match(total)
        assert found, total
        amount = minor(found.group("amount")) if found.group("amount") else 0
        if found.group("owes_you"):
            read[found.group("owes_you")] = amount
        elif found.group("you_owe"):
            read[found.group("you_owe")] = -amount
        else:
            read[found.group("even")] = amount
    return read
