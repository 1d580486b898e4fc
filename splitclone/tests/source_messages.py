"""The messages our sources mark, found as `make messages` finds them but without gettext's
tools: Python by its syntax tree, templates through Django's own `templatize` (what makemessages
hands to xgettext), the static JavaScript by its calls of `gettext()`. Used by
test_translations.py to tell a catalog that misses a message, or keeps one no longer used, from
one that is current.
"""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

from splitclone.translations import project_apps, project_locale_dir

# Where each function takes its message, as xgettext's keywords for Python in makemessages:
# (context, singular, plural) argument positions.
MESSAGE_ARGUMENTS = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "_": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
STRING = r"""[ru]?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
# A call with literal arguments, as templatize writes each message among blanked-out text
# (` gettext('Hello') `) and as the JavaScript calls them.
LITERAL_CALL = re.compile(
    r"(?<![\w.])(" + "|".join(MESSAGE_ARGUMENTS) + r")\(((?:\s*" + STRING + r"\s*,?)+)"
)
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
# makemessages skips these folders (the Makefile ignores tests; dot-folders by default).
SKIPPED_FOLDERS = {"tests", "locale", "__pycache__"}


def message_key(function, arguments):
    """(context, message) of one call, or None when its message is not a literal."""
    context_at, singular_at, _plural_at = MESSAGE_ARGUMENTS[function]
    wanted = [singular_at] if context_at is None else [context_at, singular_at]
    if len(arguments) <= max(wanted) or not all(
        isinstance(arguments[index], str) for index in wanted
    ):
        return None
    return (arguments[context_at] if context_at is not None else None, arguments[singular_at])


def python_messages(source):
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func.attr if isinstance(node.func, ast.Attribute) else None
        function = node.func.id if isinstance(node.func, ast.Name) else function
        if function in MESSAGE_ARGUMENTS:
            arguments = [
                argument.value if isinstance(argument, ast.Constant) else None
                for argument in node.args
            ]
            key = message_key(function, arguments)
            if key:
                found.add(key)
    return found


def template_messages(source):
    return called_messages(templatize(source))


def called_messages(source):
    found = set()
    for match in LITERAL_CALL.finditer(source):
        literals = match.group(2).strip().rstrip(",")
        key = message_key(match.group(1), list(ast.literal_eval(f"({literals},)")))
        if key:
            found.add(key)
    return found


def messages_in(path):
    source = path.read_text()
    if path.suffix == ".py":
        return python_messages(source)
    if path.suffix == ".js":
        return called_messages(source)
    return template_messages(source)


def sources_by_catalog():
    """{(locale folder, domain): the files whose messages `make messages` writes there}."""
    base = Path(settings.BASE_DIR)
    sources = {}
    for app in project_apps():
        folder = Path(app.path)
        sources[folder / "locale", "django"] = [
            path
            for path in sorted(folder.rglob("*"))
            if path.suffix in SOURCE_SUFFIXES
            and not SKIPPED_FOLDERS & set(path.relative_to(folder).parts)
            and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        ]
    sources[project_locale_dir(), "django"] = sorted(base.glob("*.py")) + [
        path for path in sorted((base / "templates").rglob("*")) if path.suffix in SOURCE_SUFFIXES
    ]
    sources[project_locale_dir(), "djangojs"] = sorted((base / "static").rglob("*.js"))
    return sources
