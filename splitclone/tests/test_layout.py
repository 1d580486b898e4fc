"""The layout's parts worked out once per process (splitclone.templatetags.layout)."""

from django.template import engines
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix
from django.utils import translation


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
