"""The layout's parts worked out once per process (splitclone.templatetags.layout)."""

import re
from types import SimpleNamespace
from unittest.mock import patch

import pytest
from django.template import Context, TemplateSyntaxError, engines
from django.template.base import TextNode
from django.template.loader import render_to_string
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape

from accounts.tests.factories import UserFactory


def render(source):
    return engines["django"].from_string("{% load layout %}" + source).render({})


def test_a_fixed_url_is_the_url_tags(db):
    assert render("{% fixed_url 'accounts:language' %}") == reverse("accounts:language")


def test_a_fixed_url_follows_the_script_prefix(db):
    render("{% fixed_url 'home' %}")
    set_script_prefix("/splitclone/")
    try:
        assert render("{% fixed_url 'home' %}") == "/splitclone/home/"
    finally:
        set_script_prefix("/")


def test_the_language_options_select_the_pages_language(db):
    with translation.override("en"):
        english = render("{% language_options %}")
    with translation.override("de"):
        german = render("{% language_options %}")

    assert '<option value="en" lang="en" selected>English</option>' in english
    assert '<option value="de" lang="de">Deutsch</option>' in english
    assert '<option value="de" lang="de" selected>Deutsch</option>' in german
    # Each language keeps its own name whatever the page's language.
    assert '<option value="en" lang="en">English</option>' in german


def test_a_fixed_static_is_the_static_tags():
    assert render("{% fixed_static 'css/site.css' %}") == static("css/site.css")


def test_a_fixed_static_follows_the_static_url(settings):
    render("{% fixed_static 'css/site.css' %}")
    settings.STATIC_URL = "/assets/"

    assert render("{% fixed_static 'css/site.css' %}") == "/assets/css/site.css"


def test_fixed_markup_is_the_markup_inside_in_the_pages_language(db):
    template = engines["django"].from_string(
        "{% load i18n layout %}"
        "{% fixed %}<a href=\"{% fixed_url 'home' %}\">{% translate 'Log out' %}</a>{% endfixed %}"
    )
    with translation.override("en"):
        english = template.render({})
    with translation.override("de"):
        german = template.render({})

    assert english == f'<a href="{reverse("home")}">Log out</a>'
    assert german == f'<a href="{reverse("home")}">Abmelden</a>'


def test_fixed_markup_is_rendered_once_per_language(db):
    template = engines["django"].from_string(
        "{% load i18n layout %}{% fixed %}{% translate 'Log out' %}{% endfixed %}"
    )
    with translation.override("en"):
        template.render({})
        with patch.object(TranslateNode, "render", side_effect=AssertionError("rendered again")):
            assert template.render({}) == "Log out"


def test_fixed_markup_keeps_nothing_of_the_page(db):
    """Whoever's page renders it first, what it shows everyone else has none of their data."""
    source = "{% fixed %}<b>{{ user.display_name }}</b>{% endfixed %}"
    template = engines["django"].from_string("{% load layout %}" + source)

    assert template.render({"user": {"display_name": "Ana"}}) == "<b></b>"
    assert template.render({"user": {"display_name": "Ben"}}) == "<b></b>"


def test_fixed_markup_follows_the_script_prefix(db):
    source = "{% fixed %}{% fixed_url 'home' %}{% endfixed %}"
    template = engines["django"].from_string("{% load layout %}" + source)
    template.render({})
    set_script_prefix("/splitclone/")
    try:
        assert template.render({}) == "/splitclone/home/"
    finally:
        set_script_prefix("/")


def test_a_block_cannot_be_fixed():
    with pytest.raises(TemplateSyntaxError):
        render("{% fixed %}{% block title %}{% endblock %}{% endfixed %}")


def test_fixed_markup_is_not_searched_for_the_pages_blocks(db):
    """A page extending the layout searches the layout's nodes for blocks on every render."""
    from django.template.loader_tags import BlockNode

    template = engines["django"].from_string(
        "{% load layout %}{% fixed %}<b>x</b>{% endfixed %}{% block a %}{% endblock %}"
    )
    blocks = template.template.nodelist.get_nodes_by_type(BlockNode)

    assert [block.name for block in blocks] == ["a"]
    assert template.template.nodelist.get_nodes_by_type(TextNode) == []


def test_lazy_values_are_resolved_into_the_objects_they_stand_for():
    person = SimpleNamespace(display_name="Ana")
    template = engines["django"].from_string(
        '{% load layout %}{% resolve_lazy "user" "page" "missing" %}{{ user.display_name }}'
    )
    context = Context({"user": SimpleLazyObject(lambda: person), "page": "plain"})

    assert template.template.render(context) == "Ana"
    assert context["user"] is person
    assert context["page"] == "plain"
    assert "missing" not in context


def test_a_lazy_value_not_named_stays_lazy():
    calls = []
    template = engines["django"].from_string('{% load layout %}{% resolve_lazy "user" %}')
    context = Context({"user": "Ana", "csrf_token": SimpleLazyObject(lambda: calls.append(1))})

    template.template.render(context)

    assert calls == []


@pytest.mark.parametrize("context", [{"csp_nonce": "n0nce-1"}, {}], ids=["nonce", "no nonce"])
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_the_fixed_htmx_script_is_django_htmxs(settings, context, debug):
    settings.DEBUG = debug
    theirs = engines["django"].from_string("{% load django_htmx %}{% htmx_script %}")
    ours = engines["django"].from_string("{% load layout %}{% fixed_htmx_script %}")

    assert ours.render(context) == theirs.render(context)
    assert ours.render({"csp_nonce": "other"}) == theirs.render({"csp_nonce": "other"})


def header_and_token(client, url):
    page = client.get(url).content.decode()
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    return header, re.search(r'"X-CSRFToken": "(\w+)"', page).group(1)


def test_the_header_has_each_pages_person_and_csrf_token(client, db):
    tokens = set()
    for name in ['Ana <&> "Q"', "Ben"]:
        client.force_login(UserFactory(display_name=name))
        header, token = header_and_token(client, reverse("accounts:language"))

        assert f'title="Account settings">{escape(name)}</a>' in header
        assert f'name="csrfmiddlewaretoken" value="{token}"' in header
        tokens.add(token)
    assert len(tokens) == 2


def test_the_header_marks_the_home_link_on_the_home_page_only(client, db):
    client.force_login(UserFactory())

    assert 'aria-current="page"' in header_and_token(client, reverse("home"))[0]
    assert 'aria-current="page"' not in header_and_token(client, reverse("accounts:language"))[0]


def test_a_page_without_a_request_keeps_no_stand_ins(db):
    page = render_to_string("404.html")

    assert "\x00" not in page
    assert '<input type="hidden" name="next" value="">' in page
