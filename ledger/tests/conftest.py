from groups.tests.conftest import world  # noqa: F401  (the shared owner/member/outsider set-up)
from settlements.tests.conftest import four  # noqa: F401  (a group of four with debts)
