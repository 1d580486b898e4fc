"""A test-only language whose every translation is its English message between ⟦ and ⟧.

Served in this language, a page shows every marked text between the brackets; a word outside
them that is not somebody's data (a name, a description) was never marked for translation.
Its catalog is written at test time from every message Django would translate: ours, Django's
and the libraries' (allauth's), so dates, form widgets and sign-in pages are bracketed too.
"""

import re
from pathlib import Path

import django
import polib
from django.apps import apps
from django.conf import settings

from splitclone import translations

CODE = "en-xa"  # the pseudo-locale code of Android and Chrome: English, accented
LOCALE = "en_XA"
OPEN, CLOSE = "⟦", "⟧"
INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# A complete catalog of every library, to take their messages from.
REFERENCE_LOCALE = "de"


def source_catalogs():
    """Every catalog Django reads, in the reference language, compiled (far quicker to read
    than a .po, and complete in a library's reference language), and ours in every language,
    untranslated messages included."""
    folders = [Path(django.__file__).parent / "conf" / "locale"]
    folders += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    folders += [Path(path) for path in settings.LOCALE_PATHS]
    for folder in dict.fromkeys(folders):
        mo = folder / REFERENCE_LOCALE / "LC_MESSAGES" / "django.mo"
        if mo.exists():
            yield polib.mofile(str(mo))
    for catalog in translations.catalogs():
        if catalog.domain == "django":
            yield catalog.read()


def bracketed(text):
    return f"{OPEN}{text}{CLOSE}"


def write_catalog(folder):
    """Writes `<folder>/en_XA/LC_MESSAGES/django.mo`; add `folder` to LOCALE_PATHS to use it."""
    pseudo = polib.POFile()
    pseudo.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    seen = set()
    for catalog in source_catalogs():
        for entry in catalog:
            key = (entry.msgctxt, entry.msgid)
            if not entry.msgid or entry.obsolete or key in seen:
                continue
            seen.add(key)
            pseudo.append(
                polib.POEntry(
                    msgctxt=entry.msgctxt,
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgstr="" if entry.msgid_plural else bracketed(entry.msgid),
                    msgstr_plural=(
                        {0: bracketed(entry.msgid), 1: bracketed(entry.msgid_plural)}
                        if entry.msgid_plural
                        else {}
                    ),
                )
            )
    path = Path(folder) / LOCALE / "LC_MESSAGES" / "django.mo"
    path.parent.mkdir(parents=True, exist_ok=True)
    pseudo.save_as_mofile(str(path))
    return len(pseudo)


def outside_brackets(text):
    """`text` with every bracketed (marked) part taken out, innermost first: a marked sentence
    may hold another (a label inside a message). A bracket left alone (a message split by the
    code that used it, like "yes,no") stays, with the words after it."""
    while True:
        text, count = INNERMOST.subn(" ", text)
        if not count:
            return text
