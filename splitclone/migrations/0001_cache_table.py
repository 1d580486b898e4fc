"""Creates the database cache table when the cache is configured to live in the database.

Production keeps rate limits in a cache every app server shares; without Redis that is the
database, and its table must exist before the first request.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
