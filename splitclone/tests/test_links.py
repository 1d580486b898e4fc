"""Addresses reversed once and filled in many times say what `reverse` says."""

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from splitclone.links import Link, address


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("ids", [(1, 2), (7, 123456), (9_223_372_036_854_775_807, 40)])
def test_a_link_fills_in_ids_as_reverse_writes_them(ids):
    link = Link("settlements:covers", 5, None, None)

    assert link(*ids) == reverse("settlements:covers", args=[5, *ids])
    assert Link("settlements:settle_up", None)(ids[1]) == reverse(
        "settlements:settle_up", args=[ids[1]]
    )


def test_a_link_takes_exactly_its_ids():
    link = Link("settlements:covers", 5, None, None)

    with pytest.raises(ValueError, match="longer"):
        link(1)
    with pytest.raises(ValueError, match="shorter"):
        link(1, 2, 3)


def test_an_escaped_link_escapes_the_fixed_pieces_once(script_prefix):
    script_prefix("/a&b/")
    link = Link("settlements:covers", 5, None, None)

    assert link(1, 2) == "/a&b/groups/5/covers/1/2/"
    assert link.escaped()(1, 2) == "/a&amp;b/groups/5/covers/1/2/"
    assert link(1, 2) == "/a&b/groups/5/covers/1/2/"


@pytest.mark.parametrize(
    ("viewname", "ids"),
    [("pages:group", (7,)), ("expenses:detail", (7, 123456)), ("pages:group", (8,))],
)
def test_an_address_is_what_reverse_says(viewname, ids):
    assert address(viewname, *ids) == reverse(viewname, args=ids)


def test_an_address_follows_the_script_prefix(script_prefix):
    assert address("pages:group", 7) == "/groups/7/"
    script_prefix("/splitclone/")

    assert address("pages:group", 7) == "/splitclone/groups/7/"


def test_an_address_follows_the_urlconf(settings):
    assert address("pages:group", 7) == "/groups/7/"
    settings.ROOT_URLCONF = "splitclone.tests.prefixed_urls"

    assert address("pages:group", 7) == "/app/groups/7/"


def test_the_address_tag_writes_the_url_tags_address(script_prefix):
    script_prefix("/a&b/")
    template = engines["django"].from_string(
        "{% load links %}{% address 'pages:group' 7 %} "
        "{% address 'expenses:detail' 7 8 as link %}{{ link }}"
    )

    assert template.render({}) == "/a&amp;b/groups/7/ /a&amp;b/groups/7/expenses/8/"
