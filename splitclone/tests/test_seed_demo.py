import pytest
from django.core.management import call_command

from accounts.models import User
from splitclone.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_the_login(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in output
    assert "already present" in output
    assert User.objects.get().check_password(DEMO_PASSWORD)
