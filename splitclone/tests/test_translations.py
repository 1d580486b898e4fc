"""Every text a person reads is marked for translation, and every catalog is complete.

The checks over the whole project skip while the settings name no language besides English
(LANGUAGES): until then nothing is translated on purpose. The checks themselves are proven on
small fixtures below, whatever the settings say.
"""

import io
import textwrap
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from splitclone import translations
from splitclone.tests import source_messages
from splitclone.tests.catalog_checks import catalog_problems
from splitclone.tests.unmarked import (
    python_files,
    template_files,
    unmarked_in_python,
    unmarked_in_template,
    unmarked_in_templates,
)

HOW_TO_FIX = "Mark them (docs/translations.md), then run `make messages`."


def require_languages():
    if not translations.translated_languages():
        pytest.skip("the settings name no language besides English yet (LANGUAGES)")


def listing(problems, what):
    return f"{len(problems)} {what}. {HOW_TO_FIX}\n" + "\n".join(map(str, problems))


def test_every_template_marks_the_text_it_shows():
    require_languages()
    problems = unmarked_in_templates(template_files())
    assert not problems, listing(problems, "texts in templates are not marked for translation")


def test_python_marks_the_text_people_read():
    require_languages()
    problems = [problem for path in python_files() for problem in unmarked_in_python(path)]
    assert not problems, listing(problems, "texts in Python are not marked for translation")


def test_every_language_has_every_catalog_complete_and_compiled():
    require_languages()
    locale_paths = {Path(path).resolve() for path in settings.LOCALE_PATHS}
    assert translations.project_locale_dir().resolve() in locale_paths, (
        "Django reads the catalogs of templates/ and the JavaScript only from LOCALE_PATHS"
    )
    found = translations.catalogs()
    assert found, "no catalogs: run `make messages`"
    present = {(catalog.po_path.parents[2], catalog.domain) for catalog in found}
    missing = [
        f"{folder}/{locale}/LC_MESSAGES/{domain}.po"
        for folder, domain in sorted(present)
        for locale in translations.translated_locales()
        if not (folder / locale / "LC_MESSAGES" / f"{domain}.po").exists()
    ]
    problems = missing + [problem for catalog in found for problem in catalog_problems(catalog)]
    assert not problems, f"{len(problems)} problems in the catalogs:\n" + "\n".join(problems)


def named(message):
    context, text = message
    return f"{text!r} (context {context!r})" if context else repr(text)


def test_every_catalog_holds_the_messages_its_sources_mark_and_no_others():
    """Marked but missing from the catalog, a text stays English; `make messages` adds it."""
    require_languages()
    problems = []
    locales = translations.translated_locales()
    for (folder, domain), paths in source_messages.sources_by_catalog().items():
        marked = set().union(*map(source_messages.messages_in, paths))
        for locale in locales:
            po_path = folder / locale / "LC_MESSAGES" / f"{domain}.po"
            if marked and not po_path.exists():
                problems.append(f"{po_path.relative_to(settings.BASE_DIR)}: no such catalog")
            if not po_path.exists():
                continue
            po = polib.pofile(str(po_path))
            catalog = {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}
            where = po_path.relative_to(settings.BASE_DIR)
            problems += [
                f"{where}: missing {named(message)}"
                for message in sorted(marked - catalog, key=str)
            ]
            problems += [
                f"{where}: no longer used {named(message)}"
                for message in sorted(catalog - marked, key=str)
            ]
    assert not problems, f"{len(problems)} problems: run `make messages`.\n" + "\n".join(problems)


# --- The checks, proven on fixtures ------------------------------------------------------------


def template_problems(source, name="fixture.html"):
    path = Path(__file__).with_name(name)
    return [
        (problem.line, problem.text)
        for problem in unmarked_in_template(path, textwrap.dedent(source))
        if problem.path == path
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", [(1, "Hello")]),
        ("{% load i18n %}<p>{% translate 'Hello' %}</p>", []),
        ("{% load i18n %}<p>{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}</p>", []),
        ("<p>{{ name }} paid {{ amount }}</p>", [(1, "paid")]),
        ("\n\n<ul>\n  <li>\n    Settle up</li></ul>", [(5, "Settle up")]),
        ('<button title="Delete">×</button>', [(1, "Delete")]),
        ('<img src="x.png" alt="Receipt">', [(1, "Receipt")]),
        ('<input type="submit" value="Save">', [(1, "Save")]),
        ('<button type="submit" name="action" value="preview">{{ label }}</button>', []),
        ('<input type="text" name="q" value="{{ query }}" class="wide search">', []),
        ('<input type="search" placeholder="Find a person">', [(1, "Find a person")]),
        ('<meta name="description" content="Share costs">', [(1, "Share costs")]),
        ('{% load i18n %}<a aria-label="{% translate "Close" %}" href="#">×</a>', []),
        ("<script>const greeting = 'Hello';</script><style>p::after { content: 'x'; }</style>", []),
        ("<p>{{ total }} EUR · Splitclone &nbsp; 12.50 — IBAN</p>", []),
        ("<!-- a note for developers --><p>{# and this #}{{ x }}</p>", []),
        ('{% if a %}<p class="warning">Edit</p>{% else %}<p>{{ b }}</p>{% endif %}', [(1, "Edit")]),
        ('{{ payer|default:"Nobody" }}', [(1, "Nobody")]),
        ('{{ payer|default:_("Nobody") }} {{ day|date:"D j M" }}', []),
        ('<p class="{{ tags|default:"info" }}">{% firstof a "Someone" %}</p>', [(1, "Someone")]),
        ('{% include "_field.html" with label="Name" chart_id="months" %}', [(1, "Name")]),
    ],
)
def test_the_template_check_finds_unmarked_text(source, expected):
    assert template_problems(source) == expected


def test_the_template_check_reads_a_block_where_it_lands_in_the_parent():
    # base.html puts the block content_class in a class attribute: not text.
    source = """
        {% extends "base.html" %}
        {% block content_class %}card wide{% endblock %}
        {% block content %}<h1>Statistics</h1>{% endblock %}
    """
    assert template_problems(source) == [(4, "Statistics")]


def test_the_template_check_reads_every_character_of_a_plain_text_email():
    assert template_problems("{{ name }} paid you.\n", name="fixture.txt") == [(1, "paid you.")]


def python_problems(source):
    path = Path(__file__).with_name("fixture.py")
    return [problem.text for problem in unmarked_in_python(path, textwrap.dedent(source))]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('raise ValidationError("Enter a date.")', ["Enter a date. (validation error)"]),
        ('raise ValidationError(_("Enter a date."))', []),
        ('raise forms.ValidationError(message=f"Over {limit}.")', ["Over {}. (validation error)"]),
        ('messages.success(request, f"Saved {name}.")', ["Saved {}. (message)"]),
        ('messages.success(request, _("Saved %(name)s.") % {"name": name})', []),
        ('form.add_error("amount", "Too large.")', ["Too large. (form error)"]),
        ('name = forms.CharField(label="Name", help_text=_("Yours"))', ["Name (label)"]),
        (
            'f = forms.ChoiceField(choices=[("a", "Apple"), ("b", _("Bean"))])',
            ["Apple (choice label)"],
        ),
        (
            'f = forms.CharField(error_messages={"required": "Say it."})',
            ["Say it. (error message)"],
        ),
        (
            'f = forms.CharField(widget=forms.TextInput(attrs={"placeholder": "Ann"}))',
            ["Ann ('placeholder')"],
        ),
        # A model's own name shows in the admin only; its fields' names show in forms.
        ("class Meta:\n    verbose_name = 'activity'", []),
        ("when = models.DateField(verbose_name='day')", ["day (verbose_name)"]),
        (
            "class Kind(models.TextChoices):\n"
            "    APPLE = 'apple', 'Apple'\n"
            "    BEAN = 'bean', _('Bean')\n"
            "    CORN = 'corn'",
            ["Apple (label of choice APPLE)", "CORN (choice CORN has no translated label)"],
        ),
        (
            'raise HttpError(403, "This token can only read.")',
            ["This token can only read. (API error)"],
        ),
        ('return {"subject": "A reminder"}', ["A reminder ('subject')"]),
        ('send_mail("Welcome", body, None, [to])', ["Welcome (email subject)"]),
        ('return HttpResponse("Gone for good")', ["Gone for good (response shown as a page)"]),
        ('label = _(f"Paid {amount}")', ["f'Paid {amount}' (_() of a built string)"]),
        (
            'def label(who):\n    return pgettext("money", "Paid " + who)',
            ["'Paid ' + who (pgettext() of a built string)"],
        ),
        ("def label(kind):\n    return gettext(KINDS[kind])", []),
        ('TITLE = gettext("Groups")', ["'Groups' (gettext() at import time: use gettext_lazy)"]),
        ('def title():\n    return gettext("Groups")', []),
        ('logger.info("Saved the group")\nraise ValueError("bad cursor")', []),
        ('raise ValidationError("%(amount)s · EUR")', []),
    ],
)
def test_the_python_check_finds_unmarked_text(source, expected):
    assert python_problems(source) == expected


def write_catalog(folder, entries, locale="de", compile_it=True):
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for entry in entries:
        po.append(entry)
    path = folder / locale / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    if compile_it:
        po.save_as_mofile(str(path.with_suffix(".mo")))
    return translations.Catalog(path)


def complete_entries():
    return [
        polib.POEntry(msgid="Save", msgstr="Speichern"),
        polib.POEntry(
            msgid="%(name)s paid <strong>%(amount)s</strong>",
            msgstr="%(name)s hat <strong>%(amount)s</strong> bezahlt",
            flags=["python-format"],
        ),
        polib.POEntry(
            msgid="One expense",
            msgid_plural="%(count)s expenses",
            msgstr_plural={0: "Eine Ausgabe", 1: "%(count)s Ausgaben"},
            flags=["python-format"],
        ),
        polib.POEntry(msgid="{name} owes", msgstr="{name} schuldet", flags=["python-brace-format"]),
    ]


def test_a_complete_compiled_catalog_passes(tmp_path):
    assert catalog_problems(write_catalog(tmp_path, complete_entries())) == []


@pytest.mark.parametrize(
    ("index", "change", "problem"),
    [
        (0, {"msgstr": ""}, "not translated"),
        (0, {"flags": ["fuzzy"]}, "fuzzy"),
        (
            1,
            {"msgstr": "%(name)s hat <strong>%(betrag)s</strong> bezahlt"},
            "named ['betrag', 'name']",
        ),
        (1, {"msgstr": "%(name)s hat %(amount)s bezahlt"}, "tags [] instead of"),
        (2, {"msgstr_plural": {0: "Eine Ausgabe", 1: "Ausgaben"}}, "form 1: named []"),
        (2, {"msgstr_plural": {0: "Eine Ausgabe", 1: ""}}, "not translated"),
        (3, {"msgstr": "{nom} schuldet"}, "braces ['nom'] instead of ['name']"),
    ],
)
def test_the_catalog_check_finds_what_is_not_ready(tmp_path, index, change, problem):
    entries = complete_entries()
    for name, value in change.items():
        setattr(entries[index], name, value)
    problems = catalog_problems(write_catalog(tmp_path, entries))
    assert len(problems) == 1
    assert problem in problems[0]


def test_the_catalog_check_finds_a_missing_or_stale_compiled_catalog(tmp_path):
    catalog = write_catalog(tmp_path, complete_entries(), compile_it=False)
    assert "no compiled django.mo" in catalog_problems(catalog)[0]
    write_catalog(tmp_path, complete_entries())
    changed = complete_entries()
    changed[0].msgstr = "Sichern"
    write_catalog(tmp_path, changed, compile_it=False)
    (problem,) = catalog_problems(catalog)
    assert "django.mo is not compiled from the .po (1 messages differ, e.g. ['Save'])" in problem


def test_translation_coverage_counts_translated_messages_per_locale_and_domain(
    tmp_path, monkeypatch
):
    entries = complete_entries()
    entries[0].msgstr = ""
    entries[3].flags = ["fuzzy"]
    write_catalog(tmp_path, entries, locale="de")
    write_catalog(tmp_path, complete_entries(), locale="fr")
    monkeypatch.setattr(translations, "locale_dirs", lambda: [tmp_path])
    output = io.StringIO()
    call_command("translation_coverage", stdout=output)
    assert output.getvalue().splitlines() == [
        "locale  domain      translated   total   share",
        "de      django               2       4   50.0%",
        "fr      django               4       4  100.0%",
    ]


def test_translation_coverage_says_when_there_are_no_catalogs(tmp_path, monkeypatch):
    monkeypatch.setattr(translations, "locale_dirs", lambda: [tmp_path])
    with pytest.raises(CommandError, match="make messages"):
        call_command("translation_coverage")


def test_the_checks_switch_on_with_the_languages_the_settings_offer(settings):
    settings.LANGUAGES = [("en", "English")]
    assert translations.translated_languages() == []
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("pt-br", "Português")]
    assert translations.translated_languages() == ["de", "pt-br"]
    assert translations.translated_locales() == ["de", "pt_BR"]


def test_messages_are_found_in_sources_as_make_messages_finds_them():
    template = textwrap.dedent("""
        {% load i18n %}<h1>{% translate "Settle up" %}</h1>
        <p>{% translate "May" context "month" %} {{ day|default:_("never") }}</p>
        {% blocktranslate trimmed count counter=n %}
          One expense
        {% plural %}
          {{ counter }} expenses
        {% endblocktranslate %}
        <p>Not marked</p>
    """)
    assert source_messages.template_messages(template) == {
        (None, "Settle up"),
        ("month", "May"),
        (None, "never"),
        (None, "One expense"),
    }
    python = textwrap.dedent("""
        LABEL = gettext_lazy("Amount")
        def f(n, name):
            ngettext("%(n)s day", "%(n)s days", n)
            pgettext_lazy("verb", "Split")
            _(f"Hello {name}")
            gettext(name)
            return "Not marked"
    """)
    script = (
        'interpolate(gettext("Saved %s."), [name]); ngettext("One day", "%s days", n); x_("no")'
    )
    assert source_messages.called_messages(script) == {(None, "Saved %s."), (None, "One day")}
    assert source_messages.python_messages(python) == {
        (None, "Amount"),
        (None, "%(n)s day"),
        ("verb", "Split"),
    }


def test_every_message_reads_as_its_catalog_translates_it():
    """Django merges every installed app's catalog, the first app listed winning: the admin's
    "Save" ("Sichern") would beat ours ("Speichern"), or two of our apps could translate one
    text two ways. Every message must read as its own catalog says, or carry a context."""
    require_languages()
    problems = []
    for catalog in translations.catalogs():
        if catalog.domain != "django":
            continue
        with translation.override(catalog.locale):
            for entry in catalog.read():
                if entry.obsolete or entry.msgid_plural or not entry.msgstr:
                    continue
                if entry.msgctxt:
                    shown = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    shown = translation.gettext(entry.msgid)
                if shown != entry.msgstr:
                    problems.append(
                        f"{catalog}: {entry.msgid!r} reads {shown!r}, not {entry.msgstr!r}"
                    )
    assert not problems, (
        f"{len(problems)} messages read otherwise than their catalog says; give them a context "
        '(`{% translate "Save" context "button" %}`) or one translation:\n' + "\n".join(problems)
    )
