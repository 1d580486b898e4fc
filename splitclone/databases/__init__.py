"""django-prometheus' database backends (DATABASES' ENGINE), with the class that counts a
database's queries, their errors and duration built once per process.

django-prometheus builds that class anew for every cursor it opens (SQLite) or connection it
takes (PostgreSQL): building a class costs more than some of the queries it counts. The class
depends only on what it is built from, so one per (cursor class, alias, vendor) serves every
cursor; the metrics it records are django-prometheus' own, unchanged.
"""

import functools

from django_prometheus.db.common import ExportingCursorWrapper

exporting_cursor_class = functools.cache(ExportingCursorWrapper)
