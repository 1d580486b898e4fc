import pytest
from django.http import Http404

from groups.access import MAX_ID, parse_id


@pytest.mark.parametrize(("text", "expected"), [("7", 7), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_ascii_digits_are_an_id(text, expected):
    assert parse_id(text) == expected


# "²" passes `str.isdigit()` and fails `int()`; "١٢", " 12" and "1_2" pass `int()`.
@pytest.mark.parametrize(
    "text",
    ["", "²", "١٢", " 12", "12\n", "1_2", "+1", "-1", "1.0", str(MAX_ID + 1), "9" * 40, None],
)
def test_anything_else_is_404(text):
    with pytest.raises(Http404):
        parse_id(text)
