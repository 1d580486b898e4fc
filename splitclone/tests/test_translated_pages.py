"""Every page, served in every language, speaks that language.

The walk takes the pages of the look walk (splitclone/tests/test_look.py: every named URL, filled
with its world) as a visitor, as someone invited, and as a member who owns the groups, plus the
error pages, and reads each one's text and the attributes people read (visible_text.py):

- in German, French, Spanish and Portuguese, no text is one of our English messages that has a
  translation in that language (a message marked but shown untranslated: missing from the
  catalog, or translated where the language is not active);
- in the pseudo-language (pseudo_locale.py), where every marked text shows between ⟦ and ⟧, no
  word stands outside the brackets unless it is somebody's data (names, descriptions, notes,
  the payment details people typed) or needs no translation (numbers, currency codes,
  Splitclone). This finds text nobody marked, wherever it comes from: a template, Python, a
  library.

Both skip while the settings name no language besides English (LANGUAGES).
"""

import datetime
import re
from collections import defaultdict
from contextlib import contextmanager, suppress

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import resolve
from django.utils import translation

from accounts.models import PaymentMethod, User
from accounts.paying import format_iban
from api.models import AccessToken
from expenses.models import Expense, RecurringExpense
from groups.models import Activity, Group, Member
from settlements.models import Payment
from splitclone import translations
from splitclone.money import currency_choices
from splitclone.tests import pseudo_locale
from splitclone.tests.catalog_checks import NAMED_PERCENT, POSITIONAL_PERCENT
from splitclone.tests.test_look import REQUIRED, crowded_world
from splitclone.tests.unmarked import needs_translation
from splitclone.tests.visible_text import visible_text

pytestmark = pytest.mark.django_db
# Read when the module is collected, before any test overrides the settings.
needs_languages = pytest.mark.skipif(
    not translations.translated_languages(),
    reason="the settings name no language besides English yet (LANGUAGES)",
)

# What people type, shown as they typed it: (model, fields). And the group's history, written
# once in English as it happened (unmarked.ALLOWED_CHOICES says why).
PEOPLES_TEXT = [
    (Activity, ["summary"]),
    (User, ["email", "display_name"]),
    (PaymentMethod, ["value", "bic", "holder", "label"]),
    (Group, ["name", "description"]),
    (Member, ["name"]),
    (Expense, ["description", "notes"]),
    (RecurringExpense, ["description", "notes"]),
    (Payment, ["note"]),
    (AccessToken, ["name"]),
]
ERROR_TEMPLATES = ["413.html", "500.html", "503.html"]
TARGET_LANGUAGES = ["de", "fr", "es", "pt"]


def peoples_text():
    """What people typed, and the names of the languages offered, each in its own language (the
    language switcher lists them so for people who cannot read the current one)."""
    values = set()
    for model, fields in PEOPLES_TEXT:
        for row in model.objects.values_list(*fields):
            values.update(value for value in row if value)
    # An IBAN is shown in groups of four, as on a bank card.
    values.update(
        format_iban(iban)
        for iban in PaymentMethod.objects.filter(kind="iban").values_list("value", flat=True)
    )
    # Currency names are CLDR's, in the page's language (money.currency_choices), not our
    # catalogs': the pseudo-language has none of its own, so its pages name them in English.
    values.update(label for _, label in currency_choices())
    for code, name in settings.LANGUAGES:
        values.add(str(name))
        with suppress(KeyError):
            values.add(translation.get_language_info(code)["name_local"])
    # Longest first: a name inside a description goes with the description.
    return sorted(values, key=len, reverse=True)


@contextmanager
def served_in(client, code):
    """Every way a page learns its language: the cookie the language switcher sets, the
    browser's Accept-Language, and the language active in this thread."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = code
    with translation.override(code):
        yield


class Crawl:
    """Fetches every page of the look walk's world, once per path, and keeps its HTML."""

    def __init__(self, client):
        self.client = client
        self.pages = {}  # where → html
        self.paths = set()
        self.shown = set()

    def visit(self, url, who):
        response = self.client.get(url, follow=True)
        if response.status_code == 405 or not response["Content-Type"].startswith("text/html"):
            return
        path = response.request["PATH_INFO"]
        match = resolve(path) if response.status_code != 404 else None
        if match:
            self.shown.add(match.view_name)
        # Pages that send a visitor to sign in all show the same page.
        if path not in self.paths:
            self.paths.add(path)
            self.pages[f"{who} {path} ({response.status_code})"] = response.content.decode()

    def everything(self, world):
        for url in world.urls.values():
            self.visit(url, "visitor")
        self.client.force_login(world.newcomer)
        self.visit(world.urls["groups:join"], "newcomer")
        self.client.force_login(world.owner)
        for url in [*world.urls.values(), world.deleted]:
            self.visit(url, "owner")
        self.visit("/no-such-page/", "owner")
        for name in ERROR_TEMPLATES:
            self.pages[name] = render_to_string(name)
        return self


def crawled(client, code):
    world = crowded_world()
    with served_in(client, code):
        crawl = Crawl(client).everything(world)
    assert crawl.shown >= REQUIRED, f"pages not seen: {sorted(REQUIRED - crawl.shown)}"
    return crawl


def report(problems):
    """Each problem once, with the first few pages it was seen on."""
    return f"{len(problems)} problems:\n" + "\n".join(
        f"{problem}\n    on {len(where)}: {', '.join(list(where)[:3])}"
        for problem, where in sorted(problems.items())
    )


# --- Languages --------------------------------------------------------------------------------


# "%(actor)s %(summary)s in %(group)s" would match any sentence with " in " in it: a message
# with placeholders is looked for only when enough of its own words surround them.
MIN_WORDS_AROUND_PLACEHOLDERS = 3


def english_messages(locale):
    """A pattern matching a text that is one of our English messages translated differently in
    `locale` (placeholders match anything)."""
    alternatives = set()
    for catalog in translations.catalogs():
        if catalog.locale != locale or catalog.domain != "django":
            continue
        for entry in catalog.read():
            forms = [(entry.msgid, entry.msgstr)]
            if entry.msgid_plural:
                plural = entry.msgstr_plural
                forms = [(entry.msgid, plural.get(0, "")), (entry.msgid_plural, plural.get(1, ""))]
            for english, translated in forms:
                if entry.obsolete or english == translated or not needs_translation(english):
                    continue
                text = " ".join(english.split())
                placeholders = {
                    match.group()
                    for pattern in (NAMED_PERCENT, POSITIONAL_PERCENT)
                    for match in pattern.finditer(text)
                }
                if placeholders and len(needs_translation(text)) < MIN_WORDS_AROUND_PLACEHOLDERS:
                    continue
                pattern = re.escape(text)
                for placeholder in placeholders:
                    pattern = pattern.replace(re.escape(placeholder), ".+?")
                alternatives.add(pattern)
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


def english_left(markup, messages):
    """Texts and attributes of the page that read exactly as an English message."""
    if messages is None:
        return []
    parser = visible_text(markup)
    texts = {" ".join(piece.text.split()) for piece in parser.found}
    return sorted(text for text in texts if text and messages.fullmatch(text))


@needs_languages
@pytest.mark.parametrize("language", TARGET_LANGUAGES)
def test_every_page_shows_no_english_message_in_another_language(client, language):
    if language not in translations.translated_languages():
        pytest.skip(f"the settings do not offer {language} yet (LANGUAGES)")
    messages = english_messages(translation.to_locale(language))
    assert messages, f"no catalog for {language}: run `make messages`"
    problems = defaultdict(dict)  # problem → the pages it is on, in order
    for where, markup in crawled(client, language).pages.items():
        for text in english_left(markup, messages):
            problems[f"shown in English: {text!r}"][where] = 1
    assert not problems, report(problems)


# --- Pseudo-language --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pseudo_catalog(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pseudo")
    assert pseudo_locale.write_catalog(folder) > 1000  # Django's messages alone are more
    return folder


@pytest.fixture
def pseudo_language(pseudo_catalog):
    """The pseudo-language, offered beside the project's languages while the test runs."""
    with override_settings(
        LANGUAGES=[*settings.LANGUAGES, (pseudo_locale.CODE, "Pseudo")],
        LOCALE_PATHS=[pseudo_catalog, *settings.LOCALE_PATHS],
    ):
        yield pseudo_locale.CODE


def unmarked_on_page(markup, data):
    """The lines of the page (and the attributes) with words outside the brackets that are
    nobody's data."""
    parser = visible_text(markup)
    found = []
    for text in [parser.text(), *(piece.text for piece in parser.attributes())]:
        left = pseudo_locale.outside_brackets(text)
        for value in data:
            left = left.replace(value, " ")
        found += [" ".join(line.split()) for line in left.splitlines() if needs_translation(line)]
    return found


@needs_languages
def test_every_page_in_the_pseudo_language_brackets_every_word(client, pseudo_language):
    crawl = crawled(client, pseudo_language)
    data = peoples_text()
    problems = defaultdict(dict)  # problem → the pages it is on, in order
    for where, markup in crawl.pages.items():
        if pseudo_locale.OPEN not in markup:
            problems["no marked text at all: the page is not served in the language asked"][
                where
            ] = 1
        for text in unmarked_on_page(markup, data):
            problems[f"not marked: {text!r}"][where] = 1
    assert not problems, report(problems)


# --- The checks, proven on fixtures ------------------------------------------------------------

FIXTURE = """{% load i18n %}<main>
  <h1 title="{% translate "Enter a valid value." %}">{% translate "Enter a valid value." %}</h1>
  <p>{{ name }} · {{ day|date:"j M Y" }} · 12.50 EUR · Splitclone</p>
  <select><option>EUR</option><option>JPY</option></select>
  <p>Forgot to mark this</p>
  <input type="submit" value="Send it">
  <script>const notShown = "words";</script>
</main>"""


def test_the_pseudo_language_brackets_marked_text_and_leaves_the_rest(pseudo_language):
    with translation.override(pseudo_language):
        markup = Template(FIXTURE).render(
            Context({"name": "Zé Ninguém", "day": datetime.date(2026, 11, 3)})
        )
    assert '<h1 title="⟦Enter a valid value.⟧">⟦Enter a valid value.⟧</h1>' in markup
    assert "3 ⟦Nov⟧ 2026" in markup  # Django's own messages are bracketed too
    assert unmarked_on_page(markup, ["Zé Ninguém"]) == ["Forgot to mark this", "Send it"]
    assert unmarked_on_page(markup, []) == [
        "Zé Ninguém · 3 2026 · 12.50 EUR · Splitclone",
        "Forgot to mark this",
        "Send it",
    ]


def test_brackets_inside_brackets_and_a_split_message_are_read_as_such():
    assert pseudo_locale.outside_brackets("⟦Paid by ⟦you⟧ today⟧ and more").split() == [
        "and",
        "more",
    ]
    assert pseudo_locale.outside_brackets("⟦yes no⟧ ⟦maybe").split() == ["⟦maybe"]


def test_the_language_check_finds_an_english_message_left_untranslated(tmp_path, monkeypatch):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for english, german in [
        ("Save", "Speichern"),
        ("Name", "Name"),  # the same in both: nothing to find
        ("You paid %(amount)s for the trip", "Du hast %(amount)s für die Reise bezahlt"),
        ("%(actor)s %(summary)s in %(group)s", "%(actor)s %(summary)s in %(group)s"),
        ("%(name)s in %(group)s", "%(name)s in der Gruppe %(group)s"),  # too few words
    ]:
        po.append(polib.POEntry(msgid=english, msgstr=german))
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    po.save(str(tmp_path / "de" / "LC_MESSAGES" / "django.po"))
    monkeypatch.setattr(translations, "locale_dirs", lambda: [tmp_path])
    markup = (
        '<button>Save</button><p>Speichern</p><input type="submit" value="Save"><p>Name</p>'
        "<p>\n  You paid 12,50 EUR for the trip\n</p><p>Du hast 12,50 EUR für die Reise bezahlt</p>"
        "<p>Save the date</p><p>Wird den Leuten in deinen Gruppen angezeigt.</p>"
    )
    assert english_left(markup, english_messages("de")) == [
        "Save",
        "You paid 12,50 EUR for the trip",
    ]
