import pytest
from django.db import DatabaseError, connection
from prometheus_client import REGISTRY

# What each driver raises for a column that is not there.
NO_SUCH_COLUMN = {"sqlite": "OperationalError", "postgresql": "UndefinedColumn"}


def samples(*names, **labels):
    labels = {"alias": "default", "vendor": connection.vendor, **labels}
    return [REGISTRY.get_sample_value(name, labels) or 0.0 for name in names]


@pytest.mark.django_db
def test_each_query_is_counted_and_timed_and_bulk_statements_count_each_row():
    names = (
        "django_db_execute_total",
        "django_db_execute_many_total",
        "django_db_query_duration_seconds_count",
    )
    executed, in_bulk, timed = samples(*names)

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.executemany(
            "UPDATE django_content_type SET model = model WHERE id = %s", [(-1,), (-2,)]
        )

    assert samples(*names) == [executed + 3, in_bulk + 2, timed + 2]


@pytest.mark.django_db
def test_a_failed_query_is_counted_timed_and_counted_as_an_error_of_its_type():
    names = ("django_db_execute_total", "django_db_query_duration_seconds_count")
    executed, timed = samples(*names)
    error_type = NO_SUCH_COLUMN[connection.vendor]
    [errors] = samples("django_db_errors_total", type=error_type)

    with pytest.raises(DatabaseError) as raised, connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column")

    # Counted by the driver's own error, which Django's wraps.
    assert type(raised.value.__cause__).__name__ == error_type
    assert samples(*names) == [executed + 1, timed + 1]
    assert samples("django_db_errors_total", type=error_type) == [errors + 1]
