"""Ready for a right-to-left language: the styles name logical sides (inline-start and -end), so
that `<html dir="rtl">` mirrors every page by itself.

The style check reads the stylesheets, `<style>` blocks and `style` attributes of our templates;
the browser test sets `dir="rtl"` on a few pages at phone and desktop widths and measures that
what sat at the left now sits, as far, at the right.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pages.tests.factories import barcelona
from splitclone.tests.browser import log_in
from splitclone.tests.unmarked import template_files

STATIC = Path(settings.BASE_DIR) / "static"

# Declarations that name a physical side although they must not mirror, each with its reason:
# (path relative to the project, property).
PHYSICAL_ALLOWED = {
    # Email clients (Outlook for Windows, several webmail apps) ignore logical properties, so the
    # emails keep physical sides; a right-to-left email would mirror them in its own template.
    ("notifications/templates/notifications/email/_layout.html", "padding-left"),
    ("notifications/templates/notifications/email/digest.html", "padding-left"),
}

PHYSICAL_PROPERTY = re.compile(r"(?:^|-)(?:left|right)(?:$|-)")
# Properties whose value may name a side: `text-align: left` does not follow the direction,
# `text-align: start` does.
SIDE_VALUES = {
    "text-align",
    "text-align-last",
    "float",
    "clear",
    "justify-content",
    "justify-items",
    "justify-self",
    "background-position",
    "background-position-x",
    "caption-side",
}
SIDE_VALUE = re.compile(r"\b(?:left|right)\b")
# Shorthands whose four values go top, right, bottom, left: a different right and left is a side.
BOX_SHORTHANDS = {"margin", "padding", "inset", "scroll-margin", "scroll-padding", "border-width"}
DECLARATION = re.compile(r"([-\w]+)\s*:\s*([^;]+)")


def physical_sides(css):
    """(offset, declaration) of each declaration that names a physical side, in a stylesheet or
    a style attribute."""
    css = re.sub(r"/\*.*?\*/", lambda comment: " " * len(comment.group()), css, flags=re.S)
    blocks = [(match.start(1), match.group(1)) for match in re.finditer(r"\{([^{}]*)\}", css)]
    if "{" not in css:
        blocks = [(0, css)]  # a style attribute: declarations only
    for start, block in blocks:
        for match in DECLARATION.finditer(block):
            name, value = match.group(1).lower(), match.group(2).strip()
            values = value.replace("!important", "").split()
            if (
                PHYSICAL_PROPERTY.search(name)
                or (name in SIDE_VALUES and SIDE_VALUE.search(value))
                or (name in BOX_SHORTHANDS and len(values) == 4 and values[1] != values[3])
            ):
                yield start + match.start(), f"{name}: {value}"


def style_sources():
    """(path, offset in the file, css) for every stylesheet and inline style of ours."""
    for path in sorted(STATIC.rglob("*.css")):
        yield path, 0, path.read_text()
    for path in template_files():
        source = path.read_text()
        for match in re.finditer(r"<style[^>]*>(.*?)</style>", source, flags=re.S | re.I):
            yield path, match.start(1), match.group(1)
        for match in re.finditer(r"""\sstyle=(["'])(.*?)\1""", source, flags=re.S | re.I):
            yield path, match.start(2), match.group(2)


def test_styles_name_logical_sides_not_left_or_right():
    problems = []
    for path, offset, css in style_sources():
        where = str(path.relative_to(settings.BASE_DIR))
        text = path.read_text()
        for position, declaration in physical_sides(css):
            if (where, declaration.split(":")[0]) in PHYSICAL_ALLOWED:
                continue
            line = text.count("\n", 0, offset + position) + 1
            problems.append(f"{where}:{line}: {declaration}")
    assert not problems, (
        "Use logical sides (margin-inline-start, padding-inline-end, inset-inline-start, "
        "text-align: start/end, border-inline-start, float: inline-start), so that a "
        "right-to-left language mirrors the page:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(
    ("css", "found"),
    [
        (".a { margin-left: auto; }", ["margin-left: auto"]),
        (".a { text-align: right !important; }", ["text-align: right !important"]),
        ("@media (min-width: 1px) { .a { float: left; left: 0; } }", ["float: left", "left: 0"]),
        (".a { border-top-right-radius: 2px; }", ["border-top-right-radius: 2px"]),
        (".a { padding: 0 1rem 0 0.5rem; }", ["padding: 0 1rem 0 0.5rem"]),
        ("padding-left: 1.25rem; margin: 0", ["padding-left: 1.25rem"]),
        (
            ".a { margin-inline-start: auto; text-align: end; padding: 0 1rem 0 1rem; "
            "inset-inline-start: 0; float: inline-start; border-inline-start: 1px solid; }",
            [],
        ),
        ("/* left and right */ .a:hover { color: red; } .leftover { padding: 0 0.4rem; }", []),
    ],
)
def test_the_style_check_finds_physical_sides(css, found):
    assert [declaration for _offset, declaration in physical_sides(css)] == found


# --- In a browser ------------------------------------------------------------------------------

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots" / "rtl"
SIZES = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 800}}
LOOK_JS = Path(__file__).with_name("look.js")
# Off by this much is rounding, not a side left unmirrored.
TOLERANCE_PX = 3
# What must change sides on every page: the header, the heading, the page's actions.
EVERY_PAGE = [".brand", ".nav-links > li", "h1", ".page-header .actions > *"]
PAGES = {
    "group": (
        "pages:group",
        [
            "#balances .balance-line .member-name",
            "#balances .balance-line .amount",
            ".payment-line > *",
            ".expense-main",
            ".expense-amounts",
        ],
    ),
    "expense-form": (
        "expenses:create",
        [".field > label", ".split-kind legend", ".people-table th", ".actions > button"],
    ),
    "settle-up": (
        "settlements:settle_up",
        [".suggestion > *", ".member-name", ".member > .amount"],
    ),
}

# Where each element's content sits across the page: the extent of its text and children (a
# block's own box spans its column whichever side its text keeps to).
MEASURE_JS = """(selectors) => {
  const found = [];
  for (const selector of selectors) {
    document.querySelectorAll(selector).forEach((el, index) => {
      if (!el.getClientRects().length) return;
      const range = document.createRange();
      range.selectNodeContents(el);
      const box = range.getBoundingClientRect();
      if (box.width < 1) return;
      found.push({selector, index, left: box.left, right: box.right,
                  text: el.textContent.trim().replace(/\\s+/g, " ").slice(0, 40)});
    });
  }
  return {width: document.documentElement.clientWidth, found};
}"""


def mirror_problems(ltr, rtl):
    """Each element whose right-to-left place is not its left-to-right place mirrored."""
    width = ltr["width"]
    problems = []
    assert len(rtl["found"]) == len(ltr["found"]), "the same elements show in both directions"
    for before, after in zip(ltr["found"], rtl["found"], strict=True):
        mirrored = width - before["right"]
        if (
            abs(after["left"] - mirrored) > TOLERANCE_PX
            or abs((after["right"] - after["left"]) - (before["right"] - before["left"]))
            > TOLERANCE_PX
        ):
            problems.append(
                f"{before['selector']} #{before['index']} “{before['text']}”: "
                f"{before['left']:.0f}–{before['right']:.0f} left to right, "
                f"{after['left']:.0f}–{after['right']:.0f} right to left "
                f"(mirrored: {mirrored:.0f}–{width - before['left']:.0f})"
            )
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", SIZES)
def test_pages_mirror_right_to_left(browser, live_server, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    group, (alice, *_others) = barcelona(simplify_debts=True)
    page = browser.new_page(viewport=SIZES[size])
    page.add_init_script(path=LOOK_JS)
    log_in(page, live_server, alice.user.email)
    problems = []
    for name, (url_name, selectors) in PAGES.items():
        page.goto(live_server.url + reverse(url_name, args=[group.pk]))
        selectors = EVERY_PAGE + selectors
        ltr = page.evaluate(MEASURE_JS, selectors)
        page.screenshot(path=SCREENSHOTS / f"{name}-{size}-ltr.png", full_page=True)
        # As the page would be served in a right-to-left language: the direction is the only
        # change, set here rather than by any switch the site offers.
        page.evaluate("document.documentElement.dir = 'rtl'")
        rtl = page.evaluate(MEASURE_JS, selectors)
        page.screenshot(path=SCREENSHOTS / f"{name}-{size}-rtl.png", full_page=True)
        assert len(ltr["found"]) >= 8, f"{name}: too few elements measured: {ltr['found']}"
        problems += [f"{name}: {problem}" for problem in mirror_problems(ltr, rtl)]
        problems += [
            f"{name}: sticks out: {problem}" for problem in page.evaluate("look.overflow()")
        ]
    page.close()
    assert not problems, "\n".join(problems)
