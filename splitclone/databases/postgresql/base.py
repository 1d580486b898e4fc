from django_prometheus.db.backends.postgresql import base

from splitclone.databases import exporting_cursor_class


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        # Django's parameters, skipping django-prometheus' override, which builds the class.
        conn_params = super(base.DatabaseWrapper, self).get_connection_params()
        conn_params["cursor_factory"] = exporting_cursor_class(
            conn_params["cursor_factory"], self.alias, self.vendor
        )
        return conn_params
