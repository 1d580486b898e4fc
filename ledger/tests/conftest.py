from groups.tests.conftest import (  # noqa: F401  (the shared set-ups)
    staff_client,
    support,
    world,
)
from settlements.tests.conftest import four  # noqa: F401  (a group of four with debts)
