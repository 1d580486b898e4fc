"""`manage.py refresh_rates`: the ECB's history downloaded from a local fake, checked, and put in
place of the rates in use all at once, or refused with the rates in use kept."""

import datetime
import http.server
import io
import threading
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from splitclone import fx
from splitclone.management.commands.run_worker import Schedule
from splitclone.tests.gunicorn_server import free_port

SHIPPED_LAST_DAY = datetime.date(2026, 10, 30)
NEXT_MONDAY = datetime.date(2026, 11, 2)


def shipped_csv():
    with zipfile.ZipFile(io.BytesIO(fx.shipped_history_bytes())) as archive:
        return archive.read(fx.HISTORY_MEMBER).decode("ascii")


def zipped(text, member=fx.HISTORY_MEMBER):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return buffer.getvalue()


def newer_history(usd="1.2000"):
    """The shipped history with one more day, 2 November 2026, on which 1 EUR = ``usd`` USD."""
    header, latest, rest = shipped_csv().split("\n", 2)
    cells = latest.split(",")
    cells[0], cells[header.split(",").index("USD")] = NEXT_MONDAY.isoformat(), usd
    return zipped("\n".join([header, ",".join(cells), latest, rest]))


def older_history():
    """The shipped history without its last day."""
    header, _latest, rest = shipped_csv().split("\n", 2)
    return zipped(f"{header}\n{rest}")


class FakeECB:
    """A loopback HTTP server answering every GET with ``status`` and ``body``."""

    def __init__(self):
        self.status, self.body, self.requests = 200, b"", 0
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                fake.requests += 1
                self.send_response(fake.status)
                self.send_header("Content-Length", str(len(fake.body)))
                self.end_headers()
                self.wfile.write(fake.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/eurofxref-hist.zip"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ecb(settings, tmp_path):
    """The fake ECB, FX_RATES_FILE in a temporary folder, and splitclone.fx reading it."""
    fake = FakeECB()
    settings.FX_RATES_URL = fake.url
    settings.FX_RATES_FILE = str(tmp_path / "rates" / "eurofxref-hist.zip")
    fx.use_rates_file(settings.FX_RATES_FILE)
    yield fake
    fx.use_rates_file(None)
    fake.close()


def refresh():
    out = io.StringIO()
    call_command("refresh_rates", stdout=out)
    return out.getvalue()


def kept_file():
    return fx.Path(settings.FX_RATES_FILE)


def test_newer_rates_are_kept_and_used_at_once(ecb):
    ecb.body = newer_history(usd="1.2000")
    assert fx.date_range()[1] == SHIPPED_LAST_DAY

    output = refresh()

    assert "Rates updated: 30 currencies, up to 2026-11-02 (before: 2026-10-30)" in output
    assert kept_file().read_bytes() == ecb.body
    assert fx.date_range()[1] == NEXT_MONDAY
    assert fx.rate("EUR", "USD", NEXT_MONDAY) == fx.Rate(Decimal("1.2000"), NEXT_MONDAY)
    # Nothing but the file is left in its folder (the temporary file was renamed over it).
    assert [path.name for path in kept_file().parent.iterdir()] == ["eurofxref-hist.zip"]


def test_running_again_changes_nothing(ecb):
    ecb.body = newer_history()
    refresh()
    written = kept_file().stat().st_mtime_ns

    assert refresh() == "Already up to date: the rates in use end on 2026-11-02.\n"
    assert kept_file().stat().st_mtime_ns == written
    assert ecb.requests == 2


def test_older_rates_are_refused_and_the_newer_ones_kept(ecb):
    ecb.body = newer_history()
    refresh()
    before = kept_file().read_bytes()
    ecb.body = older_history()

    refused = r"end on 2026-10-29, before those in use \(2026-11-02\)"
    with pytest.raises(CommandError, match=refused):
        refresh()

    assert kept_file().read_bytes() == before
    assert fx.date_range()[1] == NEXT_MONDAY


def test_the_shipped_rates_are_up_to_date_without_a_download(ecb):
    ecb.body = fx.shipped_history_bytes()
    assert refresh() == "Already up to date: the rates in use end on 2026-10-30.\n"
    assert not kept_file().exists()


def test_the_network_down_is_said_and_the_rates_in_use_kept(ecb, settings):
    settings.FX_RATES_URL = f"http://127.0.0.1:{free_port()}/eurofxref-hist.zip"
    with pytest.raises(CommandError, match=r"Could not download .*The rates in use stay as"):
        refresh()
    assert not kept_file().exists()
    assert fx.date_range()[1] == SHIPPED_LAST_DAY


def test_an_http_error_is_said(ecb):
    ecb.status, ecb.body = 503, b"Service Unavailable"
    with pytest.raises(CommandError, match="The ECB answered 503 Service Unavailable"):
        refresh()
    assert not kept_file().exists()


BAD_FILES = {
    "a truncated zip": (lambda: newer_history()[:20_000], "not a readable zip"),
    "no zip at all": (lambda: b"<html>Maintenance</html>", "not a readable zip"),
    "another file in the zip": (lambda: zipped("Date,USD\n", member="x.csv"), "holds no"),
    "a malformed date": (
        lambda: zipped(shipped_csv().replace("2026-10-30", "2026-13-30", 1)),
        "a line is malformed",
    ),
    "a malformed rate": (
        lambda: zipped(shipped_csv().replace("1.1172", "1.11.72", 1)),
        "a line is malformed",
    ),
    "a negative rate": (
        lambda: zipped(shipped_csv().replace("1.1172", "-1.1172", 1)),
        "not a positive rate",
    ),
    "a few currencies only": (
        lambda: zipped("Date,USD,JPY\n2026-11-02,1.2,170\n"),
        "only 2 currencies on its last day",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_and_the_previous_one_kept(ecb, case):
    ecb.body = newer_history()
    refresh()
    before = kept_file().read_bytes()
    make, reason = BAD_FILES[case]
    ecb.body = make()

    with pytest.raises(CommandError, match=f"not the ECB's history: .*{reason}"):
        refresh()

    assert kept_file().read_bytes() == before
    assert fx.date_range()[1] == NEXT_MONDAY


def test_a_kept_file_no_newer_than_the_shipped_one_is_not_read(ecb):
    fx.Path(settings.FX_RATES_FILE).parent.mkdir(parents=True)
    kept_file().write_bytes(older_history())
    assert fx.date_range()[1] == SHIPPED_LAST_DAY


def test_a_damaged_kept_file_falls_back_to_the_shipped_rates(ecb):
    kept_file().parent.mkdir(parents=True)
    kept_file().write_bytes(newer_history()[:20_000])
    assert fx.date_range()[1] == SHIPPED_LAST_DAY


@pytest.mark.django_db
def test_the_worker_enqueues_it_daily_once():
    job = ("splitclone.tasks.refresh_rates", 24 * 60 * 60)
    assert job in settings.PERIODIC_TASKS
    schedule = Schedule([job])
    queued = DBTaskResult.objects.filter(task_path=job[0])
    schedule.enqueue_due(0)
    schedule.enqueue_due(23 * 60 * 60)
    assert queued.count() == 1
    # A day later, with the first run still waiting, it is not queued a second time.
    schedule.enqueue_due(24 * 60 * 60)
    assert queued.count() == 1
    queued.update(status=TaskResultStatus.SUCCESSFUL)
    schedule.enqueue_due(48 * 60 * 60)
    assert queued.count() == 2


def test_the_task_keeps_the_rates_and_succeeds_when_the_ecb_cannot_be_reached(
    ecb, settings, caplog
):
    from splitclone.tasks import refresh_rates

    settings.FX_RATES_URL = f"http://127.0.0.1:{free_port()}/eurofxref-hist.zip"
    with caplog.at_level("WARNING", logger="splitclone.tasks"):
        refresh_rates.call()
    assert "Could not download" in caplog.text
    assert not kept_file().exists()
    assert fx.date_range()[1] == SHIPPED_LAST_DAY


def test_the_task_fails_on_a_download_that_is_not_the_history(ecb):
    from splitclone.tasks import refresh_rates

    ecb.body = b"<html>maintenance</html>"
    with pytest.raises(CommandError, match="not the ECB's history"):
        refresh_rates.call()
    assert not kept_file().exists()


def test_the_task_runs_the_command(ecb):
    from splitclone.tasks import refresh_rates

    ecb.body = newer_history()
    refresh_rates.call()
    assert fx.date_range()[1] == NEXT_MONDAY
