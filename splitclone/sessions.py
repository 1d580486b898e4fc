"""Database sessions, read with one plain SELECT (SESSION_ENGINE).

Every signed-in request reads its session before anything else. Django's database store reads
it through the ORM, which spends some 0.2 ms of CPU building and compiling the same query each
time, several times what the database takes to answer it. This store reads the row with that
query written once; writing, expiring and clearing sessions stay Django's, on the same table, so
sessions made by either store work in the other.
"""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from accounts.backends import FORMER_PATHS


class SessionStore(db.SessionStore):
    def load(self):
        if self.session_key is None:  # no cookie, or one that is not a session key at all
            return {}
        data = self._live_session_data()
        if data is None:
            # Unknown or expired: a new session gets a new key (Django's store does the same).
            self._session_key = None
            return {}
        session = self.decode(data)
        backend = session.get(BACKEND_SESSION_KEY)
        if backend in FORMER_PATHS:
            session[BACKEND_SESSION_KEY] = FORMER_PATHS[backend]
        return session

    def _live_session_data(self):
        """The stored data of this key's session unless it has expired, else None."""
        connection = connections[router.db_for_read(self.model)]
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote('session_data')} FROM {quote(self.model._meta.db_table)}"
            f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        return row[0] if row else None
