import pytest

from splitclone.text import search_key, shorten


def test_text_that_fits_is_kept_whole():
    assert shorten("Dinner at Ana's", 15) == "Dinner at Ana's"


@pytest.mark.parametrize("max_length", [1, 5, 10, 299, 300])
def test_longer_text_is_cut_to_the_length_with_an_ellipsis(max_length):
    shortened = shorten("x" * 1000, max_length)

    assert len(shortened) == max_length
    assert shortened.endswith("…")


def test_a_cut_before_a_space_drops_the_space():
    assert shorten("Taxi to the airport", 9) == "Taxi to…"


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Família", "familia"),
        ("ÉCOLE", "ecole"),
        ("naïve", "naive"),
        ("Straße", "strasse"),
        ("İstanbul", "istanbul"),
        ("ﬁsh", "fish"),
        ("  Taxi \t to\n the   airport ", "taxi to the airport"),
    ],
)
def test_search_key_drops_case_accents_and_extra_spaces(typed, folded):
    assert search_key(typed) == folded


def test_search_key_keeps_texts_apart():
    assert search_key("Dinner", "with Ana") == "dinner\nwith ana"
    assert search_key("Dinner ", "") == "dinner\n"
