"""Which of our categories a category named in a file becomes.

Splitwise and Spliit share one list of category names (Spliit copied it); Cospend's are the
project's own. A name we have no match for is filed under Other, and the preview says which.
"""

from collections import Counter

from expenses.models import Category

C = Category
# Splitwise's and Spliit's names (English, and Splitwise's German), folded to lower case.
NAMES = {
    "general": C.GENERAL,
    "uncategorized": C.GENERAL,
    "allgemein": C.GENERAL,
    "food and drink": C.FOOD,
    "essen und trinken": C.FOOD,
    "liquor": C.FOOD,
    "alkohol": C.FOOD,
    "dining out": C.RESTAURANTS,
    "restaurant": C.RESTAURANTS,
    "groceries": C.GROCERIES,
    "lebensmittel": C.GROCERIES,
    "rent": C.RENT,
    "miete": C.RENT,
    "mortgage": C.RENT,
    "home": C.HOUSEHOLD,
    "household supplies": C.HOUSEHOLD,
    "haushaltsgegenstände": C.HOUSEHOLD,
    "furniture": C.HOUSEHOLD,
    "maintenance": C.HOUSEHOLD,
    "electronics": C.SHOPPING,
    "clothing": C.SHOPPING,
    "utilities": C.UTILITIES,
    "nebenkosten": C.UTILITIES,
    "electricity": C.UTILITIES,
    "heat/gas": C.UTILITIES,
    "water": C.UTILITIES,
    "trash": C.UTILITIES,
    "cleaning": C.UTILITIES,
    "tv/phone/internet": C.UTILITIES,
    "transportation": C.TRANSPORT,
    "verkehrsmittel": C.TRANSPORT,
    "bus/train": C.TRANSPORT,
    "bus/zug": C.TRANSPORT,
    "taxi": C.TRANSPORT,
    "car": C.TRANSPORT,
    "parking": C.TRANSPORT,
    "bicycle": C.TRANSPORT,
    "gas/fuel": C.FUEL,
    "treibstoff": C.FUEL,
    "plane": C.TRAVEL,
    "flugzeug": C.TRAVEL,
    "hotel": C.ACCOMMODATION,
    "entertainment": C.ENTERTAINMENT,
    "unterhaltung": C.ENTERTAINMENT,
    "games": C.ENTERTAINMENT,
    "movies": C.ENTERTAINMENT,
    "music": C.ENTERTAINMENT,
    "sports": C.SPORTS,
    "sport": C.SPORTS,
    "medical expenses": C.HEALTH,
    "gifts": C.GIFTS,
    "geschenke": C.GIFTS,
    # Ours, by value and by label: our own export names them so.
    **{category.value: category for category in C},
    **{category.label.casefold(): category for category in C},
}


def match(name):
    """Our category named `name` in a file, or None. Spliit writes "Food and Drink/Groceries"
    (grouping/name), so the part after the last slash is tried too."""
    key = name.strip().casefold()
    return NAMES.get(key) or NAMES.get(key.rsplit("/", 1)[-1].strip())


def category_for(name):
    """Our category for a name from a file: its match, General for none, Other for unknown."""
    if not name.strip():
        return C.GENERAL
    return match(name) or C.OTHER


def unmatched(parsed):
    """How many expenses carry each category name we have no match for (filed under Other)."""
    return Counter(
        expense.category.strip()
        for expense in parsed.expenses
        if expense.category.strip() and match(expense.category) is None
    )
