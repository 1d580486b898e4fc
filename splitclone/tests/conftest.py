import pytest

from groups.tests.conftest import world  # noqa: F401  (the shared set-up)
from splitclone.tests.gunicorn_server import collect_static

SUMMARY_LINES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected once for every gunicorn the integration tests start."""
    return collect_static(tmp_path_factory.mktemp("collected"))


@pytest.fixture
def report_line(request):
    """Adds a line to the "figures" section of the terminal summary, shown after the run."""
    return request.config.stash.setdefault(SUMMARY_LINES, []).append


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(SUMMARY_LINES, [])
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)
