from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from groups.tests.conftest import world  # noqa: F401  (the shared set-up)

DATA = Path(__file__).parent / "data"


def data(name):
    """The bytes of a test file in imports/tests/data."""
    return (DATA / name).read_bytes()


@pytest.fixture
def importer(db):
    return UserFactory(email="zoe@example.com", display_name="Zoë")
