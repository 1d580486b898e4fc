"""The project's translation catalogs: where they live, what they hold, how much is translated.

Read with polib rather than gettext's tools, so that the translation checks
(splitclone/tests/test_translations.py) and `manage.py translation_coverage` need no gettext
installed. polib is a development requirement: this module serves tests and release notes only.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.utils.translation import to_locale

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Catalog:
    """One `.po` file: `<locale dir>/<locale>/LC_MESSAGES/<domain>.po`, beside its `.mo`."""

    po_path: Path

    @property
    def locale(self):
        return self.po_path.parents[1].name

    @property
    def domain(self):
        return self.po_path.stem

    @property
    def mo_path(self):
        return self.po_path.with_suffix(".mo")

    def read(self):
        return polib.pofile(str(self.po_path))

    def __str__(self):
        return str(self.po_path.relative_to(settings.BASE_DIR, walk_up=True))


def project_apps():
    """The installed apps whose code is ours, each a folder at the top of the project; a
    library's is elsewhere (even in a virtualenv inside the project)."""
    base = Path(settings.BASE_DIR).resolve()
    return [app for app in apps.get_app_configs() if Path(app.path).resolve().parent == base]


def locale_dirs():
    """Every folder our catalogs live in: each app's `locale/`, then the project's, which holds
    the strings of the project's `templates/` and of the static JavaScript, and any other
    folder of LOCALE_PATHS."""
    dirs = [Path(app.path) / "locale" for app in project_apps()]
    dirs += [project_locale_dir(), *map(Path, settings.LOCALE_PATHS)]
    return list(dict.fromkeys(path.resolve() for path in dirs))


def project_locale_dir():
    """Where `make messages` writes the catalogs of templates/ and of the static JavaScript."""
    return Path(settings.BASE_DIR) / "locale"


def catalogs():
    """Every catalog of the project, in a stable order."""
    found = []
    for folder in locale_dirs():
        found += [Catalog(path) for path in sorted(Path(folder).glob("*/LC_MESSAGES/*.po"))]
    return found


def translated_languages():
    """The language codes people can choose besides English, as the settings name them.

    Empty while the settings keep Django's default LANGUAGES (every language Django knows),
    which the project has not chosen.
    """
    if not settings.is_overridden("LANGUAGES"):
        return []
    return [code for code, _name in settings.LANGUAGES if not code.startswith(SOURCE_LANGUAGE)]


def translated_locales():
    """The catalog folder names of `translated_languages()`: "pt-br" lives in "pt_BR"."""
    return [to_locale(code) for code in translated_languages()]


def coverage(found):
    """(translated, total) messages per (locale, domain), over the catalogs `found`.

    A fuzzy entry is a guess waiting for a translator: it counts as untranslated, as gettext
    does. Obsolete entries (kept commented out for reuse) do not count at all.
    """
    translated, total = Counter(), Counter()
    for catalog in found:
        po = catalog.read()
        key = (catalog.locale, catalog.domain)
        translated[key] += len(po.translated_entries())
        total[key] += len([entry for entry in po if not entry.obsolete])
    return {key: (translated[key], total[key]) for key in sorted(total)}
