from groups.tests.conftest import world  # noqa: F401  (the shared set-up)
