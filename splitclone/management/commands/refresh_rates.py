"""Downloads the ECB's history of reference rates and, when it is valid and newer than the rates
in use, puts it in place of them (settings.FX_RATES_FILE), which `splitclone.fx` then reads."""

import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from splitclone import fx

# The history is about 0.7 MB zipped; anything far larger is not it.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 30
KEPT = "The rates in use stay as they are."


class Unreachable(CommandError):
    """The ECB could not be reached at all (no network, no name, a refused connection): not a
    fault of the rates, which stay, and tomorrow's run tries again."""


def fetch(url):
    """The bytes at ``url``; CommandError, saying why, when they cannot be had."""
    request = urllib.request.Request(url, headers={"User-Agent": "Splitclone refresh_rates"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise CommandError(
            f"The ECB answered {error.code} {error.reason} for {url}. {KEPT}"
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        raise Unreachable(f"Could not download {url}: {reason}. {KEPT}") from None
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise CommandError(f"{url} is larger than {MAX_DOWNLOAD_BYTES:,} bytes. {KEPT}")
    return data


def replace_file(path, data):
    """Writes ``data`` to ``path`` all at once: readers see the old file or the new, never half
    of one (a temporary file in the same folder, synced, then renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Download the ECB's reference rates (settings.FX_RATES_URL) and keep them in "
        "settings.FX_RATES_FILE when they are valid and newer than those in use."
    )

    def handle(self, **options):
        if not settings.FX_RATES_FILE:
            raise CommandError("FX_RATES_FILE is not set: there is nowhere to keep the rates.")
        path = Path(settings.FX_RATES_FILE)
        data = fetch(settings.FX_RATES_URL)
        try:
            history = fx.parse_history(data, check_rates=True)
        except fx.HistoryError as error:
            raise CommandError(
                f"The downloaded file is not the ECB's history: {error}. {KEPT}"
            ) from None
        latest = history[fx.BASE].dates[-1]
        in_use = fx.date_range()[1]
        if latest < in_use:
            raise CommandError(
                f"The downloaded rates end on {latest}, before those in use ({in_use}). {KEPT}"
            )
        if latest == in_use:
            self.stdout.write(f"Already up to date: the rates in use end on {in_use}.")
            return
        replace_file(path, data)
        published = sum(1 for entry in history.values() if entry.dates[-1] == latest)
        self.stdout.write(
            self.style.SUCCESS(
                f"Rates updated: {published} currencies, up to {latest} (before: {in_use}), "
                f"kept in {path}."
            )
        )
