"""The JavaScript's words in the page's language (static/js/site.js reads them)."""

import functools

from django import template
from django.conf import settings
from django.utils.html import json_script
from django.utils.translation import get_language
from django.utils.translation.trans_real import DjangoTranslation
from django.views.i18n import JavaScriptCatalog

register = template.Library()


@functools.cache
def catalog(language):
    """{English: translated} of the djangojs catalog in the project's `locale/`.

    Read once per language and process, like Django's own catalogs. Only the project's folder:
    without it DjangoTranslation would also gather the admin's calendar strings.
    """
    view = JavaScriptCatalog()
    view.translation = DjangoTranslation(
        language, domain="djangojs", localedirs=[str(path) for path in settings.LOCALE_PATHS]
    )
    return {msgid: text for msgid, text in view.get_catalog().items() if isinstance(text, str)}


@register.simple_tag
def script_strings():
    """A JSON script element (not run, so the CSP allows it) rather than Django's
    JavaScriptCatalog URL: a page kept by the service worker for offline reading then carries
    its words in the language it was seen in, whatever the language is when it is read."""
    return script_element(get_language())


@functools.cache
def script_element(language):
    """The element itself, the same on every page in ``language``: encoded once."""
    return json_script(catalog(language), "script-strings")
