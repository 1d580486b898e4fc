from unittest import mock

import pytest
from django.db import Error, transaction

from splitclone import cursors


@pytest.mark.django_db
def test_inside_sharing_every_cursor_is_the_shared_one_and_stays_open():
    with transaction.atomic(), cursors.sharing() as shared:
        with cursors.cursor() as first:
            first.execute("SELECT 1")
        with cursors.cursor() as second:
            second.execute("SELECT 2")
            assert second.fetchone() == (2,)

    assert first is shared
    assert second is shared


@pytest.mark.django_db
def test_outside_sharing_each_cursor_is_new_and_closed_on_exit():
    with cursors.cursor() as first:
        first.execute("SELECT 1")
    with cursors.cursor() as second:
        pass

    assert first is not second
    with pytest.raises(Error):
        first.execute("SELECT 1")


@pytest.mark.django_db
def test_a_cursor_of_another_database_is_not_the_shared_one():
    other = mock.Mock()
    with (
        transaction.atomic(),
        cursors.sharing(),
        mock.patch("splitclone.cursors.connections", {"other": other}),
    ):
        assert cursors.cursor("other") is other.cursor.return_value
