import io

from django.core.management import call_command


def assert_books_match_ledger():
    """`manage.py recompute_balances --check`, which exits 1 when a kept balance drifted."""
    output = io.StringIO()
    call_command("recompute_balances", "--check", stdout=output)
    assert output.getvalue() == "No drift: every kept balance matches the ledger.\n"
