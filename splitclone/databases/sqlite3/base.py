from django_prometheus.db.backends.sqlite3 import base

from splitclone.databases import exporting_cursor_class


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(
            factory=exporting_cursor_class(self.CURSOR_CLASS, self.alias, self.vendor)
        )
