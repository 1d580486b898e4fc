import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_pass_djangos_checks_including_the_database_ones():
    # `migrate` runs the database checks (index name lengths, for one) and refuses to start on
    # an error; the test database is created without them.
    call_command("check", databases=["default"], fail_level="WARNING")
