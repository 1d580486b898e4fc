"""Which language a page is in, the footer's switcher and the account's language setting."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:switch_language")
SETTING = reverse("accounts:language")


def page_language(response):
    """The lang and dir of the page's <html> element."""
    match = re.search(r'<html lang="([^"]*)" dir="([^"]*)"', response.text)
    return match.groups() if match else None


@pytest.fixture
def person(db):
    return UserFactory(display_name="Grete")


def test_english_without_any_preference(client):
    response = client.get(reverse("landing"))

    assert page_language(response) == ("en", "ltr")
    assert response["Content-Language"] == "en"


def test_the_browser_accept_language_is_followed(client):
    response = client.get(reverse("landing"), headers={"accept-language": "fr-CH,fr;q=0.9"})

    assert page_language(response) == ("fr", "ltr")


def test_a_language_we_do_not_have_falls_back_to_english(client):
    response = client.get(reverse("landing"), headers={"accept-language": "ar"})

    assert page_language(response) == ("en", "ltr")


def test_the_switchers_cookie_beats_accept_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = client.get(reverse("landing"), headers={"accept-language": "de"})

    assert page_language(response) == ("es", "ltr")


def test_the_persons_setting_beats_the_cookie_and_accept_language(client, person):
    person.language = "pt"
    person.save()
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = client.get(SETTING, headers={"accept-language": "de"})

    assert page_language(response) == ("pt", "ltr")
    assert response["Content-Language"] == "pt"


def test_without_a_setting_a_signed_in_person_follows_the_browser(client, person):
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    assert page_language(client.get(SETTING)) == ("es", "ltr")


@pytest.mark.parametrize("name", ["landing", "manifest"])
def test_answers_vary_by_cookie_and_accept_language(client, name):
    # The manifest has no form, so nothing else (CSRF, the session) says it varies by Cookie.
    response = client.get(reverse(name))

    varies = {header.strip().lower() for header in response["Vary"].split(",")}
    assert {"cookie", "accept-language"} <= varies


def test_the_footer_switcher_is_a_plain_form_back_to_the_same_page(client):
    response = client.get(reverse("landing") + "?from=here")

    form = re.search(r'<form class="language-switcher".*?</form>', response.text, re.S).group()
    assert f'action="{SWITCH}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/?from=here">' in form
    assert '<option value="de" lang="de">Deutsch</option>' in form
    assert '<option value="en" lang="en" selected>English</option>' in form


def test_switching_while_signed_out_sets_the_cookie_and_goes_back(client):
    response = client.post(SWITCH, {"language": "de", "next": "/home/"})

    assert response.status_code == 302
    assert response.url == "/home/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert page_language(client.get(reverse("landing"))) == ("de", "ltr")


def test_switching_while_signed_in_also_saves_the_setting(client, person):
    client.force_login(person)

    response = client.post(SWITCH, {"language": "fr", "next": SETTING})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "fr"
    assert page_language(client.get(SETTING)) == ("fr", "ltr")


def test_an_unknown_language_changes_nothing(client, person):
    client.force_login(person)

    response = client.post(SWITCH, {"language": "xx", "next": SETTING})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    person.refresh_from_db()
    assert person.language == ""


def test_the_switcher_goes_back_only_to_this_site(client):
    response = client.post(SWITCH, {"language": "de", "next": "https://evil.example/"})

    assert response.url == "/"


def test_the_switcher_needs_the_csrf_token(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)

    response = client.post(SWITCH, {"language": "de", "next": "/"})

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.language == ""


def test_each_page_s_switcher_carries_that_page_s_token_and_path(person):
    """The switcher's markup is kept per language; the token and the path are each page's."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    forms = []
    for path in ("/home/?a=1&b=<2>", "/account/language/"):
        page = client.get(path).text
        form = re.search(r'<form class="language-switcher".*?</form>', page, re.S).group()
        logout = re.search(r"<form[^>]*data-logout.*?</form>", page, re.S).group()
        forms.append((form, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', logout)[1]))
    (home, home_token), (setting, setting_token) = forms

    assert '<input type="hidden" name="next" value="/home/?a=1&amp;b=%3C2%3E">' in home
    assert f'<input type="hidden" name="next" value="{SETTING}">' in setting
    assert f'name="csrfmiddlewaretoken" value="{home_token}"' in home
    assert f'name="csrfmiddlewaretoken" value="{setting_token}"' in setting
    assert home_token != setting_token  # masked afresh for each page
    response = client.post(
        SWITCH, {"language": "de", "next": SETTING, "csrfmiddlewaretoken": setting_token}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "de"


def test_the_switcher_takes_only_posts(client):
    assert client.get(SWITCH).status_code == 405


def test_the_setting_page_is_for_signed_in_people(client):
    response = client.get(SETTING)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={SETTING}"
    assert client.post(SETTING, {"language": "de"}).status_code == 302
    assert not User.objects.filter(language="de").exists()


def test_the_setting_page_shows_and_saves_the_language(client, person, django_assert_num_queries):
    client.force_login(person)

    # The session, the person.
    with django_assert_num_queries(2):
        page = client.get(SETTING)
    response = client.post(SETTING, {"language": "de"}, follow=True)

    assert page.status_code == 200
    assert '<option value="" selected>As my browser asks</option>' in page.text
    person.refresh_from_db()
    assert person.language == "de"
    assert page_language(response) == ("de", "ltr")
    assert "Deine Sprache ist gespeichert." in response.text


def test_the_setting_can_go_back_to_following_the_browser(client, person):
    person.language = "de"
    person.save()
    client.force_login(person)

    client.post(SETTING, {"language": ""})

    person.refresh_from_db()
    assert person.language == ""


def test_the_setting_refuses_a_language_we_do_not_have(client, person):
    client.force_login(person)

    response = client.post(SETTING, {"language": "xx"})

    assert response.status_code == 422
    assert "Select a valid choice." in response.text
    person.refresh_from_db()
    assert person.language == ""


def test_the_setting_page_takes_no_other_method(client, person):
    client.force_login(person)

    assert client.patch(SETTING).status_code == 405
    assert client.put(SETTING).status_code == 405


def test_a_german_page_carries_the_scripts_german_words(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    response = client.get(reverse("landing"))

    assert '<script id="script-strings" type="application/json">' in response.text
    assert '"Copied": "Kopiert"' in response.text


def test_an_english_page_carries_no_translations(client):
    response = client.get(reverse("landing"))

    assert '<script id="script-strings" type="application/json">{}</script>' in response.text


def test_an_account_email_is_in_the_recipients_language(client, person):
    person.language = "de"
    person.save()

    # Asked for from an English page.
    client.post(reverse("account_reset_password"), {"email": person.email})

    [message] = mail.outbox
    assert message.subject == "[Splitclone] E-Mail zum Zurücksetzen des Passworts"


def test_an_account_email_for_someone_without_a_setting_is_in_the_pages_language(client, person):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    client.post(reverse("account_reset_password"), {"email": person.email})

    [message] = mail.outbox
    assert message.subject == "[Splitclone] E-mail de réinitialisation de mot de passe"
