from groups.tests.conftest import world  # noqa: F401  (the shared owner/member/outsider set-up)
