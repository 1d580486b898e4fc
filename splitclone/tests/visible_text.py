"""What a person reads on a page: its text outside scripts and styles, and the attributes a
browser shows or reads aloud. Used by the check of our templates for text not marked for
translation (unmarked.py) and by the walk of every page in every language
(test_translated_pages.py)."""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Read aloud or shown as a tooltip or in an empty field, whatever the element.
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "aria-description", "alt"}
# Input buttons show their value; other inputs' values are what the person typed, and a
# <button>'s value is sent, not shown (it shows its content).
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
NOT_SHOWN = {"script", "style"}

# A run of letters in any script: a word, or the part of one between digits and marks.
LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Shown:
    """A piece of text a person reads, and where it starts in the parsed source (line, column).

    `attribute` names the attribute it was read from; None for the text of the page itself."""

    text: str
    position: tuple[int, int]
    attribute: str | None = None


def shown_attribute(tag, attrs, name):
    if name in READ_ATTRIBUTES:
        return True
    if name == "value":
        return tag == "input" and (attrs.get("type") or "").lower() in BUTTON_INPUT_TYPES
    if name == "content":
        return tag == "meta" and (attrs.get("name") or "").lower() == "description"
    return name == "label" and tag == "optgroup"


class VisibleText(HTMLParser):
    """Collects `Shown` pieces in document order; `texts()` joins the page's text.

    Character references arrive as pieces of their own (convert_charrefs off), so that every
    piece's position is exact in the source."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found = []
        self.inside_hidden = None
        # The text between two tags, character references joined back in.
        self.runs = []
        self.new_run = True

    def handle_starttag(self, tag, attrs):
        self.new_run = True
        if tag in NOT_SHOWN:
            self.inside_hidden = tag
        attributes = dict(attrs)
        for name, value in attrs:
            if value and shown_attribute(tag, attributes, name):
                self.found.append(Shown(value, self.getpos(), name))

    def handle_endtag(self, tag):
        self.new_run = True
        if tag == self.inside_hidden:
            self.inside_hidden = None

    def handle_data(self, data):
        if not self.inside_hidden:
            self.found.append(Shown(data, self.getpos()))
            if self.new_run:
                self.runs.append("")
                self.new_run = False
            self.runs[-1] += data

    def handle_entityref(self, name):
        self.handle_data(html.unescape(f"&{name};"))

    def handle_charref(self, name):
        self.handle_data(html.unescape(f"&#{name};"))

    def attributes(self):
        return [piece for piece in self.found if piece.attribute]

    def text(self):
        """The page's text in reading order, as one string (a translated sentence may span an
        element, like the link inside it), a line break between elements' texts so that those
        shown apart (the options of a list) are not read as one word."""
        return "\n".join(self.runs)


def visible_text(markup):
    parser = VisibleText()
    parser.feed(markup)
    parser.close()
    return parser
