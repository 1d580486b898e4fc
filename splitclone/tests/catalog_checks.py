"""What makes a catalog fit to ship: every message translated and none fuzzy, placeholders and
HTML tags kept exactly, and the compiled `.mo` (what Django reads) saying what the `.po` says.
Used by test_translations.py."""

import re
from collections import Counter

import polib

NAMED_PERCENT = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
POSITIONAL_PERCENT = re.compile(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
BRACE_FIELD = re.compile(r"(?<!\{)\{([^{}:!]*)(?:[:!][^{}]*)?\}(?!\})")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def placeholders(text, flags):
    """The placeholders the code fills in, by kind: names (a set, any order), positions (in
    order), and the HTML tags (a multiset), which a translation moves but keeps."""
    text = text.replace("%%", "")
    found = {
        "named": frozenset(NAMED_PERCENT.findall(text)),
        "positional": tuple(POSITIONAL_PERCENT.findall(text)),
        "tags": frozenset(Counter(HTML_TAG.findall(text)).items()),
    }
    if "python-brace-format" in flags:
        found["braces"] = frozenset(BRACE_FIELD.findall(text))
    return found


def placeholder_problems(entry):
    if not entry.msgid_plural:
        expected = placeholders(entry.msgid, entry.flags)
        actual = placeholders(entry.msgstr, entry.flags)
        return [
            f"{kind} {sorted(actual[kind])} instead of {sorted(expected[kind])}"
            for kind in expected
            if actual[kind] != expected[kind]
        ]
    singular = placeholders(entry.msgid, entry.flags)
    plural = placeholders(entry.msgid_plural, entry.flags)
    problems = []
    for index, text in sorted(entry.msgstr_plural.items()):
        actual = placeholders(text, entry.flags)
        for kind in plural:
            # The form for exactly one may say "one" instead of %(count)s; every other form
            # (and every positional placeholder, which Python would miss) must be kept.
            if index == 0 and kind in {"named", "braces"}:
                fits = actual[kind] <= singular[kind] | plural[kind]
            else:
                fits = actual[kind] == plural[kind]
            if not fits:
                problems.append(
                    f"form {index}: {kind} {sorted(actual[kind])} instead of {sorted(plural[kind])}"
                )
    return problems


def entry_problems(entry):
    if entry.fuzzy:
        return ["fuzzy (a guess by msgmerge, waiting for a translator)"]
    if not entry.translated():
        return ["not translated"]
    return placeholder_problems(entry)


def compiled(entries):
    """What Django looks up: (context, message, plural) → its translation(s)."""
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural): (
            tuple(text for _index, text in sorted(entry.msgstr_plural.items()))
            if entry.msgid_plural
            else entry.msgstr
        )
        for entry in entries
    }


def mo_problems(catalog, po):
    if not catalog.mo_path.exists():
        return [f"{catalog}: no compiled {catalog.mo_path.name}: run `make messages`"]
    mo = polib.mofile(str(catalog.mo_path))
    wanted = compiled(po.translated_entries())
    found = compiled(mo)
    if found == wanted and mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms"):
        return []
    stale = sorted(
        {key[1] for key in wanted.keys() ^ found.keys()}
        | {key[1] for key in wanted.keys() & found.keys() if wanted[key] != found[key]}
    )
    return [
        f"{catalog}: {catalog.mo_path.name} is not compiled from the .po ({len(stale)} messages "
        f"differ, e.g. {stale[:3]}): run `make messages`"
    ]


def catalog_problems(catalog):
    """Everything wrong with one catalog, each as a line naming the message."""
    po = catalog.read()
    problems = [
        f"{catalog}:{entry.linenum}: {entry.msgid!r}: {problem}"
        for entry in po
        if not entry.obsolete
        for problem in entry_problems(entry)
    ]
    return problems + mo_problems(catalog, po)
