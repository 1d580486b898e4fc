"""One database cursor for the statements of one change under a group's lock.

Saving an expense sends nine statements of its own (the lock, the expense, its payers and
shares, the balances and totals, the history line and its followers' task). Opening and closing
a cursor through Django, django-prometheus and psycopg for each cost more than half of what
executing it did in Python. Inside `sharing()`, `cursor()` lends them all the cursor `sharing`
opened; outside, it opens a new one, as `connection.cursor()` does.

Only statements whose results are read at once use it: one borrower's statement discards the
rows of the previous one.
"""

from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

_shared = ContextVar("shared_cursor", default=None)


@contextmanager
def sharing(alias=DEFAULT_DB_ALIAS):
    """Lends one cursor of the `alias` database to every `cursor()` inside the block."""
    with connections[alias].cursor() as shared:
        token = _shared.set(shared)
        try:
            yield shared
        finally:
            _shared.reset(token)


def cursor(alias=DEFAULT_DB_ALIAS):
    """A context manager giving a cursor of the `alias` database: the shared one inside
    `sharing()` of that database (left open on exit), a new one otherwise (closed on exit)."""
    shared = _shared.get()
    if shared is not None and shared.db.alias == alias:
        return nullcontext(shared)
    return connections[alias].cursor()
