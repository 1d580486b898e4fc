"""Finds text shown to people that is not marked for translation, in our templates and in our
Python code, without rendering or running either. Used by test_translations.py.

Templates are parsed with Django's template engine: everything inside `{% translate %}` and
`{% blocktranslate %}` is marked, a variable is someone else's business (its value is marked where
it is made), and what remains (the template's own text) is read as HTML by visible_text.py.

Python is read as a syntax tree: a string literal is unmarked when it sits where people will read
it (the sinks below) and is not the argument of a gettext function.
"""

import ast
import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.base import (
    FilterExpression,
    Origin,
    Template,
    TextNode,
    VariableNode,
    filter_re,
)
from django.template.defaulttags import CommentNode, FirstOfNode, IfNode, WithNode
from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils.text import unescape_string_literal

from splitclone.money import CURRENCIES
from splitclone.tests.visible_text import LETTERS, visible_text
from splitclone.translations import project_apps

# Names the translations keep as they are (docs/translations.md): they need no marking.
SAME_IN_EVERY_LANGUAGE = [
    "Splitclone",
    "PayPal.me",
    "PayPal",
    "IBAN",
    "BIC",
    "Revolut",
    "Venmo",
    "UPI",
    "Lightning",
    "CSV",
    "JSON",
    "API",
    "QR",
    # The apps whose exports Splitclone imports.
    "Splitwise",
    "IHateMoney",
    "Spliit",
    "Cospend",
]
SAME_WORDS = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(word) for word in SAME_IN_EVERY_LANGUAGE) + r")(?![\w])"
)
# Placeholders of the two formats a message may use: %(name)s or %s, and {name}.
PLACEHOLDERS = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[^{}]*\}")
# Characters (of Unicode's private use area) that stand in for a template's tags in its text:
VARIABLE = "\ue000"  # a value shown
MARKED = "\ue001"  # translated text shown
# and from here on, one for each unmarked literal a tag shows (`{{ payer|default:"Nobody" }}`),
# reported only where it lands in text people read.
SHOWN_LITERAL = 0xE100
STAND_IN = re.compile("[\ue000-\uf8ff]")
OWN_TEXT = re.compile("[^\ue000-\uf8ff]+")


@dataclass(frozen=True)
class Unmarked:
    path: Path
    line: int
    text: str

    def __str__(self):
        where = self.path.relative_to(settings.BASE_DIR, walk_up=True)
        return f"{where}:{self.line}: {self.text!r}"


def needs_translation(text):
    """The words of `text` a translator must see: [] for symbols, numbers, placeholders, currency
    codes and names that read the same in every language."""
    text = SAME_WORDS.sub(" ", PLACEHOLDERS.sub(" ", text))
    return [word for word in LETTERS.findall(text) if word not in CURRENCIES]


# --- Templates ---------------------------------------------------------------------------------

TEMPLATE_SUFFIXES = {".html", ".txt"}
# What a template keyword argument holds when it is not text: ids, classes, names, URLs.
TECHNICAL_KEYWORD = re.compile(r"(?:^|_)(?:id|class|name|url|kind|method|target|partial)$")
# Filters whose argument is text shown in place of the value; the arguments of the others are
# formats (date:"j M"), numbers or names.
TEXT_FILTER_ARGUMENTS = {"default", "default_if_none", "yesno", "pluralize"}


def template_files():
    """Every template of our apps and of the project's templates/ folder (not a library's)."""
    folders = [Path(app.path) / "templates" for app in project_apps()]
    folders += [Path(folder) for config in settings.TEMPLATES for folder in config["DIRS"]]
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.suffix in TEMPLATE_SUFFIXES and path.is_file()
    )


class Flattened:
    """A template's own text with its tags replaced: `VARIABLE` where it shows a value, `MARKED`
    where it shows translated text, a character of its own for each unmarked literal a tag
    shows (`shown_literals`). A template that extends another is read inside its parent,
    its blocks in place of the parent's, so that a block's text is read where it lands (in an
    attribute or between tags). Every branch of an `{% if %}` is kept, one after the other.
    Remembers the template and line each piece came from."""

    def __init__(self):
        self.pieces = []  # (offset in self.text, template path, line, piece)
        self.shown_literals = []  # Unmarked literals a tag shows: {{ x|default:"Nobody" }}
        self.given_literals = []  # Unmarked literals given to another template to show
        self.length = 0

    def add(self, piece, path, line):
        self.pieces.append((self.length, path, line, piece))
        self.length += len(piece)

    @property
    def text(self):
        return "".join(piece[-1] for piece in self.pieces)

    def place_of(self, offset):
        """(template path, line) of the character at `offset` in `text`."""
        index = bisect.bisect_right([piece[0] for piece in self.pieces], offset) - 1
        start, path, line, piece = self.pieces[max(index, 0)]
        return path, line + piece[: offset - start].count("\n")

    def walk(self, nodelist, path, overrides):
        for node in nodelist:
            line = node.token.lineno if getattr(node, "token", None) else 0
            if isinstance(node, TextNode):
                self.add(node.s, path, line)
            elif isinstance(node, TranslateNode | BlockTranslateNode):
                self.add(MARKED, path, line)
            elif isinstance(node, CommentNode):
                continue
            elif isinstance(node, ExtendsNode):
                parent = engines["django"].engine.get_template(node.parent_name.var)
                self.walk(parent.nodelist, Path(parent.origin.name), {**node.blocks, **overrides})
            elif isinstance(node, BlockNode) and overrides.get(node.name, node) is not node:
                child = overrides[node.name]
                self.walk(child.nodelist, Path(child.origin.name), overrides)
            else:
                self.check_given_literals(node, path, line)
                if isinstance(node, IfNode):
                    children = [branch for _condition, branch in node.conditions_nodelists]
                else:
                    children = [getattr(node, name, None) for name in node.child_nodelists]
                children = [child for child in children if child]
                for index, child in enumerate(children):
                    if index:
                        # Branches are alternatives: their texts are not one sentence.
                        self.add(VARIABLE, path, line)
                    self.walk(child, path, overrides)
                if not children:
                    # {{ value }}, {% url %}, {% csrf_token %}: what they show is not the
                    # template's own text, unless it is a literal written in the tag.
                    self.add(
                        self.shown_literal_placeholders(node, path, line) or VARIABLE, path, line
                    )

    def shown_literal_placeholders(self, node, path, line):
        """`{{ x|default:"Nobody" }}`, `{% firstof a "Someone" %}`: one placeholder character
        for each unmarked literal the tag may show."""
        if isinstance(node, VariableNode):
            expressions = [node.filter_expression]
        elif isinstance(node, FirstOfNode):
            expressions = node.vars
        else:
            return ""
        placeholders = ""
        for expression in expressions:
            for text in unmarked_literals(expression):
                placeholders += chr(SHOWN_LITERAL + len(self.shown_literals))
                self.shown_literals.append(Unmarked(path, line, text))
        return placeholders

    def check_given_literals(self, node, path, line):
        """`{% include ... with title="..." %}`: the included template shows it, as text."""
        if isinstance(node, IncludeNode | WithNode):
            for key, value in node.extra_context.items():
                if not TECHNICAL_KEYWORD.search(key):
                    self.given_literals += [
                        Unmarked(path, line, text) for text in unmarked_literals(value)
                    ]


def unmarked_literals(expression):
    """Constants are resolved (and translated) when parsed: only the source says whether one was
    written _("...")."""
    if not isinstance(expression, FilterExpression):
        return
    for match in filter_re.finditer(expression.token):
        if match["constant"]:
            constant = match["constant"]
        elif match["filter_name"] in TEXT_FILTER_ARGUMENTS and match["constant_arg"]:
            constant = match["constant_arg"]
        else:
            continue
        if not constant.startswith("_("):
            text = unescape_string_literal(constant)
            if needs_translation(text):
                yield text


def unmarked_in_template(path, source=None):
    """The unmarked text of one template (and of the parents it extends, when they are ours),
    each with the template and line it is on."""
    engine = engines["django"].engine
    origin = Origin(str(path), template_name=path.name)
    template = Template(path.read_text() if source is None else source, origin, path.name, engine)
    flattened = Flattened()
    flattened.walk(template.nodelist, path, {})
    found = list(flattened.given_literals)
    text = flattened.text
    if path.suffix == ".txt":
        pieces = [(0, text)]  # a plain-text email: every character is read
    else:
        line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        pieces = [
            (line_starts[shown.position[0] - 1] + shown.position[1], shown.text)
            for shown in visible_text(text).found
        ]
    for offset, piece in pieces:
        found += [
            flattened.shown_literals[ord(character) - SHOWN_LITERAL]
            for character in STAND_IN.findall(piece)
            if ord(character) >= SHOWN_LITERAL
        ]
        for match in OWN_TEXT.finditer(piece):
            words = needs_translation(match.group())
            if words:
                where, line = flattened.place_of(
                    offset + match.start() + match.group().index(words[0])
                )
                found.append(Unmarked(where, line, " ".join(match.group().split())))
    return found


def unmarked_in_templates(paths):
    """Each problem once, though a parent template is read with every child."""
    ours = set(paths)
    found = {problem for path in paths for problem in unmarked_in_template(path)}
    return sorted(
        (problem for problem in found if problem.path in ours),
        key=lambda problem: (problem.path, problem.line, problem.text),
    )


# --- Python ------------------------------------------------------------------------------------

TRANSLATING = {
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "_",
}
WITH_CONTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
# Translating now, not when shown: at import time these would freeze the default language.
TRANSLATING_NOW = {"gettext", "ngettext", "pgettext", "npgettext"}
# Keyword arguments people read, wherever they are given: form and model fields, widgets' labels.
SHOWN_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "subject",
}
# Dictionary keys people read: error messages by code, widget attributes, email subjects, and the
# `detail` the API answers with.
SHOWN_KEYS = {"placeholder", "title", "aria-label", "subject", "detail"}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
# Folders whose text people never read in the app: tests, migrations (their field labels are
# copies of the models'), and management commands (console output for operators).
NOT_READ_FOLDERS = {"tests", "migrations", "management"}
# Support staff work in the Django admin in English; its own pages are Django's. An app's
# verbose_name (apps.py) shows only there.
NOT_READ_FILES = {"admin.py", "apps.py"}
# Modules only migrations use, like the migrations folder: ledger/schema.py adds columns.
NOT_READ_MODULES = {"ledger/schema.py"}

# Literals in a sink on purpose, each with its reason: (path relative to the project, text).
ALLOWED_PYTHON = {
    # Load balancer probes and the metrics scraper read these, not people.
    ("splitclone/health.py", "ok\n"),
    ("splitclone/health.py", "database unavailable\n"),
    ("splitclone/metrics.py", "Not Found\n"),
    # Only a broken client sends a malformed Content-Length; no browser does.
    ("splitclone/limits.py", "Bad Content-Length header."),
    # Help for developers and support staff on how a model stores a value, shown only in the
    # admin: no form shows these fields, or its form gives its own (PreferencesForm.Meta).
    ("expenses/models.py", "In minor units of the currency."),
    ("expenses/models.py", "In minor units of the currency spent."),
    ("settlements/models.py", "In minor units of the currency."),
    ("ledger/models.py", "In minor units of the original currency."),
    ("ledger/models.py", "Group currency units per unit of the original currency."),
    ("ledger/models.py", "Group currency units per unit of the currency."),
    ("ledger/models.py", "The day, or the first day of the month."),
    ("notifications/models.py", "A weekly email while they owe more than the threshold."),
}
# Choices whose labels stay English on purpose, each with its reason: (path, class name).
ALLOWED_CHOICES = {
    # The group's history is written once, in English, as it happened (Activity.summary, made
    # from these labels by groups.models.stored_label); translating it would mean composing
    # each line from the verb and its data when shown.
    ("groups/models.py", "ActivityVerb"),
    # Shown only in the admin's log of emails, to support staff.
    ("notifications/models.py", "EmailKind"),
    ("notifications/models.py", "EmailStatus"),
    # The grain of the spending tables behind the statistics, never shown.
    ("ledger/models.py", "Span"),
}


def python_files():
    files = []
    for app in project_apps():
        for path in sorted(Path(app.path).rglob("*.py")):
            parts = set(path.relative_to(app.path).parts)
            module = path.relative_to(settings.BASE_DIR).as_posix()
            if (
                not parts & NOT_READ_FOLDERS
                and path.name not in NOT_READ_FILES
                and module not in NOT_READ_MODULES
            ):
                files.append(path)
    return files


def call_name(call):
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    if isinstance(function, ast.Name):
        return function.id
    return None


def argument(call, position, keyword):
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[position] if len(call.args) > position else None


def unmarked_text(node):
    """The unmarked text `node` evaluates to, or None when it is marked, not text, or unknown
    here (a name, a call to anything but the formatting of a literal)."""
    match node:
        case ast.Constant(value=str() as value):
            return value if needs_translation(value) else None
        case ast.JoinedStr():
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
            return text if needs_translation(text) else None
        case ast.BinOp(op=ast.Mod() | ast.Add()):
            return unmarked_text(node.left) or unmarked_text(node.right)
        case ast.IfExp():
            return unmarked_text(node.body) or unmarked_text(node.orelse)
        case ast.Call(func=ast.Attribute(attr="format", value=value)):
            return unmarked_text(value)
        case ast.Call() if call_name(node) in {"format_html", "format_lazy", "mark_safe"}:
            return unmarked_text(node.args[0]) if node.args else None
        case ast.List() | ast.Tuple():
            return next(filter(None, map(unmarked_text, node.elts)), None)
        case ast.Dict():
            return next(filter(None, map(unmarked_text, node.values)), None)
    return None


def built_text(node):
    """Whether `node` builds a string out of literal text: an f-string, `"..." + x`, `"..." %
    x`, `"...".format(x)`."""
    match node:
        case ast.JoinedStr():
            return True
        case ast.BinOp(op=ast.Add() | ast.Mod()):
            return any(
                (isinstance(side, ast.Constant) and isinstance(side.value, str)) or built_text(side)
                for side in (node.left, node.right)
            )
        case ast.Call(func=ast.Attribute(attr="format", value=ast.Constant(value=str()))):
            return True
    return False


class UnmarkedPython(ast.NodeVisitor):
    """Collects (line, text, why) for unmarked text in the sinks of one module."""

    def __init__(self, where):
        self.where = where
        self.found = []
        self.depth_in_functions = 0

    def report(self, node, expression, why):
        text = unmarked_text(expression) if expression is not None else None
        if text:
            self.found.append((expression.lineno, text, why))

    def visit_FunctionDef(self, node):
        self.depth_in_functions += 1
        self.generic_visit(node)
        self.depth_in_functions -= 1

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_ClassDef(self, node):
        bases = {
            base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
            for base in node.bases
        }
        if bases & {"TextChoices", "IntegerChoices", "Choices"} and (
            (self.where, node.name) not in ALLOWED_CHOICES
        ):
            self.check_choices(node)
        self.generic_visit(node)

    def check_choices(self, node):
        for statement in node.body:
            if not isinstance(statement, ast.Assign) or not isinstance(
                statement.targets[0], ast.Name
            ):
                continue
            name = statement.targets[0].id
            value = statement.value
            if isinstance(value, ast.Tuple) and len(value.elts) > 1:
                self.report(statement, value.elts[-1], f"label of choice {name}")
            elif isinstance(value, ast.Constant) and not name.startswith("_"):
                # Django makes the label from the member's name, in English.
                self.found.append(
                    (statement.lineno, name, f"choice {name} has no translated label")
                )

    def visit_Call(self, node):
        name = call_name(node)
        if name in TRANSLATING:
            self.check_translation_call(node, name)
        elif name == "ValidationError":
            self.report(node, argument(node, 0, "message"), "validation error")
        elif name == "HttpError":
            self.report(node, argument(node, 1, "message"), "API error")
        elif name == "add_error":
            self.report(node, argument(node, 1, "error"), "form error")
        elif (
            name in MESSAGE_LEVELS
            and getattr(node.func, "value", None) is not None
            and (getattr(node.func.value, "id", None) == "messages")
        ):
            self.report(node, argument(node, 1, "message"), "message")
        elif name == "add_message" and getattr(node.func.value, "id", None) == "messages":
            self.report(node, argument(node, 2, "message"), "message")
        elif name and name.startswith("HttpResponse"):
            self.report(node, argument(node, 0, "content"), "response shown as a page")
        elif name in {"send_mail", "EmailMessage", "EmailMultiAlternatives"}:
            self.report(node, argument(node, 0, "subject"), "email subject")
        for given in node.keywords:
            if given.arg in SHOWN_KEYWORDS:
                self.report(node, given.value, given.arg)
            elif given.arg == "error_messages" and isinstance(given.value, ast.Dict):
                self.report(node, given.value, "error message")
            elif given.arg == "choices" and isinstance(given.value, ast.List | ast.Tuple):
                for choice in given.value.elts:
                    if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                        self.report(node, choice.elts[1], "choice label")
        self.generic_visit(node)

    def visit_Dict(self, node):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in SHOWN_KEYS:
                self.report(node, value, f"{key.value!r}")
        self.generic_visit(node)

    def check_translation_call(self, node, name):
        if not node.args:
            return
        message = node.args[1] if name in WITH_CONTEXT and len(node.args) > 1 else node.args[0]
        if built_text(message):
            # makemessages only finds a literal: an f-string or a built string is never in the
            # catalog. (A name is fine: its value is a message marked where it was written.)
            self.found.append((node.lineno, ast.unparse(message), f"{name}() of a built string"))
        if name in TRANSLATING_NOW and self.depth_in_functions == 0:
            self.found.append(
                (node.lineno, ast.unparse(message), f"{name}() at import time: use {name}_lazy")
            )


def unmarked_in_python(path, source=None):
    source = path.read_text() if source is None else source
    where = str(path.relative_to(settings.BASE_DIR, walk_up=True))
    visitor = UnmarkedPython(where)
    visitor.visit(ast.parse(source, filename=str(path)))
    return [
        Unmarked(path, line, f"{text} ({why})")
        for line, text, why in sorted(visitor.found)
        if (where, text) not in ALLOWED_PYTHON
    ]
