"""Prints how much of each language is translated (translated / total messages), per locale and
domain, for the release note. Reads the `.po` catalogs with polib (a development requirement)."""

import math

from django.core.management.base import BaseCommand, CommandError

from splitclone import translations


class Command(BaseCommand):
    help = "Translated and total messages per locale and domain, from the project's catalogs."

    def handle(self, *args, **options):
        figures = translations.coverage(translations.catalogs())
        if not figures:
            raise CommandError("No translation catalogs found: run `make messages` first.")
        self.stdout.write(f"{'locale':<8}{'domain':<10}{'translated':>12}{'total':>8}{'share':>8}")
        for (locale, domain), (translated, total) in figures.items():
            # Rounded down: 99.96% is not yet 100%.
            share = f"{math.floor(1000 * translated / total) / 10}%" if total else "-"
            self.stdout.write(f"{locale:<8}{domain:<10}{translated:>12}{total:>8}{share:>8}")
