from groups.tests.conftest import (  # noqa: F401  (the shared set-ups)
    staff_client,
    support,
    world,
)
