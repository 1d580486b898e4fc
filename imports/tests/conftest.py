from pathlib import Path

import pytest

from accounts.tests.factories import UserFactory
from groups.tests.conftest import (  # noqa: F401  (the shared set-ups)
    staff_client,
    support,
    world,
)

DATA = Path(__file__).parent / "data"


def data(name):
    """The bytes of a test file in imports/tests/data."""
    return (DATA / name).read_bytes()


@pytest.fixture
def importer(db):
    return UserFactory(email="zoe@example.com", display_name="Zoë")
