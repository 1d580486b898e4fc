"""Writing many rows at once, for the demo data set and for imports."""

from django.db import connection

# Rows per INSERT statement where there is no COPY. One statement per row (executemany) made
# the database parse, bind and run each row on its own.
BATCH_ROWS = 1000


def insert_rows(model, columns, rows):
    """Inserts plain tuples: PostgreSQL's COPY, elsewhere many rows per INSERT statement.

    Hundreds of thousands of rows: building model instances for them costs several times more
    than the database insert itself, and on PostgreSQL COPY takes half the time of INSERTs
    (a 50,000-entry import). Every constraint holds as for any insert. Values must already be
    in the database's form (see `Field.get_db_prep_value`).
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: Django's wrapper has no COPY.
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        batch = max(1, min(BATCH_ROWS, connection.features.max_query_params // len(columns)))
        values = f"({', '.join(['%s'] * len(columns))})"
        for first in range(0, len(rows), batch):
            chunk = rows[first : first + batch]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                + ", ".join([values] * len(chunk)),
                [value for row in chunk for value in row],
            )
