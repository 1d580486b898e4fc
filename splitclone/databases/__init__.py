"""django-prometheus' database backends (DATABASES' ENGINE), with the class that counts a
database's queries, their errors and duration built once per process.

django-prometheus builds that class anew for every cursor it opens (SQLite) or connection it
takes (PostgreSQL): building a class costs more than some of the queries it counts. The class
depends only on what it is built from, so one per (cursor class, alias, vendor) serves every
cursor.

Its cursors record django-prometheus' own metrics, with the same labels, but look their
labelled series up when the class is built: theirs called `labels()` two or three times a
query, each checking and converting the labels, and built a timer and a context manager for
each, a quarter of what a small query cost the process.
"""

import functools
from timeit import default_timer

from django_prometheus.db import errors_total, execute_many_total, execute_total
from django_prometheus.db import query_duration_seconds as duration_seconds


@functools.cache
def exporting_cursor_class(cursor_class, alias, vendor):
    executed = execute_total.labels(alias, vendor)
    executed_in_bulk = execute_many_total.labels(alias, vendor)
    duration = duration_seconds.labels(alias, vendor)

    def timed(execute, *args, **kwargs):
        start = default_timer()
        try:
            return execute(*args, **kwargs)
        except BaseException as error:
            errors_total.labels(alias, vendor, type(error).__name__).inc()
            raise
        finally:
            # As prometheus_client's timer: the clock can go backwards.
            duration.observe(max(default_timer() - start, 0))

    class CursorWrapper(cursor_class):
        def execute(self, *args, **kwargs):
            executed.inc()
            return timed(super().execute, *args, **kwargs)

        def executemany(self, query, param_list, *args, **kwargs):
            executed.inc(len(param_list))
            executed_in_bulk.inc(len(param_list))
            return timed(super().executemany, query, param_list, *args, **kwargs)

    return CursorWrapper
