"""Every page, at phone and desktop width, in light and dark mode, filled with the longest names,
unbroken words, pasted links and largest amounts people can enter.

On each page: nothing sticks out sideways (neither past the screen nor past its card), every
piece of text and every button reads at WCAG AA contrast, and every checkbox and radio button
is big enough to tap on a phone. The pages are found from the URL configuration, so a new page
joins the walk by itself once the ids it takes are known here.
"""

import datetime
import re
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import PaymentMethod
from accounts.tests.factories import UserFactory
from expenses.models import Expense
from expenses.tests.factories import add_expense
from groups.models import Invite, Role
from groups.tests.factories import GroupFactory, GuestFactory, MemberFactory
from notifications.emails import unsubscribe_token
from settlements.tests.factories import record_payment
from splitclone.money import MAX_AMOUNT
from splitclone.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "look"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 800}

# The longest text each field takes, without a space to break it at.
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessenschaf"
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitaenswitwenrentenauszahlungsstelle"
LONG_URL = (
    "https://example.com/trips/2026/barcelona/receipts/"
    "a8f5f167f44f4964e6c998dee827110c?utm_source=whatsapp&utm_medium=share&ref=restaurant-bill"
)

# Pages served at URLs these names cannot reach, or that belong to another audience: the admin
# (support staff), and the API ("rest"), whose docs page is the vendored Swagger UI.
NOT_PAGES = {"admin", "rest"}
# Pages a person must be able to read on a phone: the walk fails if one of these is missing.
REQUIRED = {
    "landing",
    "home",
    "pages:group",
    "pages:pairs",
    "groups:create",
    "groups:members",
    "groups:member_search",
    "groups:activity",
    "groups:edit",
    "groups:wishes",
    "groups:invites",
    "groups:join",
    "pages:ledger",
    "pages:stats",
    "pages:my_spending",
    "expenses:detail",
    "expenses:create",
    "expenses:edit",
    "settlements:settle_up",
    "settlements:covers",
    "settlements:across",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_email",
    "account_change_password",
    "notifications:preferences",
    "notifications:unsubscribe",
    "accounts:payment_methods",
    "accounts:payment_method_edit",
    "accounts:language",
}

# Loaded into every page as `window.look`: the measurements, made where the layout is.
LOOK_JS = Path(__file__).with_name("look.js")

BUTTON_VARIANTS = """
  <button type="submit">Primary</button>
  <a class="button" href="#">Primary link</a>
  <input type="submit" value="Input submit">
  <button type="button" class="button">Plain button</button>
  <button type="submit" class="button-secondary">Secondary</button>
  <a class="button button-secondary" href="#">Secondary link</a>
  <button type="button" class="button button-secondary">Copy link</button>
  <button type="submit" class="button-danger">Danger</button>
  <a class="button button-danger" href="#">Danger link</a>
  <button type="submit" class="button-small">Small</button>
  <a class="button button-small" href="#">Small link</a>
  <button type="submit" class="button-small button-secondary">Add “Zoë” as a guest</button>
  <a class="button button-small button-secondary" href="#">Small secondary link</a>
  <button type="submit" class="button-small button-danger">Remove</button>
  <button type="submit" class="link-button">Restore</button>
"""


def measured_page(browser, **options):
    page = browser.new_page(**options)
    page.add_init_script(path=LOOK_JS)
    return page


def brightness(css_rgb):
    return sum(int(part) for part in re.findall(r"\d+", css_rgb)[:3])


def named_pages():
    """(URL name, names of the values it takes) for every named URL outside `NOT_PAGES`."""

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace not in NOT_PAGES:
                    yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                regex = entry.pattern.regex
                prefix = f"{namespace}:" if namespace else ""
                yield prefix + entry.name, set(regex.groupindex)

    return walk(get_resolver().url_patterns, None)


def page_urls(values, queries):
    """The URL of every page whose values the world has, with the query a page needs."""
    urls = {}
    for name, takes in named_pages():
        if takes <= values.keys():
            url = reverse(name, kwargs={key: values[key] for key in takes})
            urls[name] = url + queries.get(name, "")
    return urls


def crowded_world():
    """Two groups full of the longest names, words, links and amounts a person can enter."""
    owner = UserFactory(email="owner@example.com", display_name=LONG_NAME)
    friend = UserFactory(display_name=f"{LONG_WORD[:40]} {LONG_NAME[:39]}")
    newcomer = UserFactory(email="newcomer@example.com", display_name="Nia")
    group = GroupFactory(
        name=f"{LONG_WORD} {LONG_WORD[:25]}",
        description=f"Receipts are here: {LONG_URL} {LONG_WORD}",
        created_by=owner,
    )
    me = MemberFactory(group=group, user=owner, role=Role.OWNER)
    them = MemberFactory(group=group, user=friend)
    guest = GuestFactory(group=group, name=(LONG_WORD + LONG_NAME)[:100])
    away = GuestFactory(group=group, name="Sam")
    biggest = add_expense(
        group,
        owner,
        paid={me: MAX_AMOUNT - 1},
        among=[me, them, guest],
        description=LONG_URL[:200],
        notes=f"{LONG_URL} {LONG_WORD} " * 3,
    )
    add_expense(group, owner, paid={them: 123456789012}, among=[me, them], description=LONG_WORD)
    add_expense(group, owner, paid={me: 1250}, among=[me, them], description="Coffee")
    gone = add_expense(group, owner, paid={guest: 4200}, among=[guest, away], description="Taxi")
    Expense.objects.delete_expense(gone, actor=owner)
    payment = record_payment(
        them, me, 98765432101, actor=owner, note=f"{LONG_URL} {LONG_WORD}"[:200]
    )
    group.deactivate_member(away, actor=owner)
    # Settle-up wishes: a household shown as one line, and the box saying what the plan keeps.
    group.create_household([them, guest], actor=owner)
    group.set_wishes(me, actor=owner, rather_not_receive=False, preferred_payee=guest)
    group.update_settings(
        actor=owner,
        name=group.name,
        description=group.description,
        currency=group.currency,
        simplify_debts=True,
        pay_only_sharing=True,
    )
    invite = Invite.objects.create(group=group, created_by=owner, max_uses=3)
    PaymentMethod.objects.create(
        user=owner, kind="text", value=f"{LONG_URL} {LONG_WORD} "[:300], label=LONG_WORD[:40]
    )
    bank = PaymentMethod.objects.create(
        user=owner,
        kind="iban",
        value="MT84MALT011000012345MTLCAST001S",
        bic="MALTMTMTXXX",
        holder=LONG_NAME[:70],
        label=LONG_WORD[:40],
        position=1,
    )
    other = GroupFactory(name=LONG_WORD[:60], created_by=owner)
    other_me = MemberFactory(group=other, user=owner, role=Role.OWNER)
    other_them = MemberFactory(group=other, user=friend)
    add_expense(
        other,
        owner,
        paid={other_them: MAX_AMOUNT - 3},
        among=[other_me, other_them],
        date=datetime.date(2026, 10, 3),
        description=LONG_URL[:200],
    )
    values = {
        "group_id": group.pk,
        "expense_id": biggest.pk,
        # The guest: the owner may open their wishes, and removing them asks first.
        "member_id": guest.pk,
        "other_id": me.pk,
        "payment_id": payment.pk,
        "method_id": bank.pk,
        "invite_id": invite.pk,
        "token": invite.token,
        "signed": unsubscribe_token(owner),
    }
    queries = {
        "groups:member_search": f"?q={LONG_WORD}",
        "settlements:across": f"?groups={group.pk}&groups={other.pk}",
    }
    return SimpleNamespace(
        owner=owner,
        newcomer=newcomer,
        urls=page_urls(values, queries),
        deleted=reverse("expenses:detail", args=[group.pk, gone.pk]),
    )


class Walk:
    """Visits pages and gathers every problem found, so one run reports them all."""

    def __init__(self, live_server):
        self.live_server = live_server
        self.problems = defaultdict(list)
        self.shown = set()
        self.seen = set()
        self.figures = {"pages": 0, "texts": 0, "tap targets": 0}

    def visit(self, page, name, url, who):
        # Asked first, since a browser shows nothing for an empty 405 (an action, not a page).
        response = page.request.get(self.live_server.url + url)
        content_type = response.headers.get("content-type", "")
        if response.status == 405 or not content_type.startswith("text/html"):
            return
        page.goto(self.live_server.url + url)
        path = urlsplit(page.url).path
        shown = resolve(path).view_name
        self.shown.add(shown)
        # Pages that send a visitor to log in all show the same page.
        if path in self.seen:
            return
        self.seen.add(path)
        self.figures["pages"] += 1
        label = f"{who}-{shown.replace(':', '-')}-{self.figures['pages']}"
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for width, size in (("phone", PHONE), ("desktop", DESKTOP)):
                page.set_viewport_size(size)
                where = f"{name} ({who}, {scheme}, {size['width']}px)"
                self.check(page, where, phone=width == "phone")
                page.screenshot(path=SCREENSHOTS / f"{label}-{width}-{scheme}.png", full_page=True)
        page.emulate_media(color_scheme="light")

    def report(self):
        """Each problem once, with the first few places it was seen."""
        return "\n".join(
            f"{problem}\n    on {len(where)}: {', '.join(where[:4])}"
            for problem, where in self.problems.items()
        )

    def check(self, page, where, phone):
        for problem in page.evaluate("look.overflow()"):
            self.problems[f"sticks out: {problem}"].append(where)
        self.contrast(page, where, "body *")
        if phone:
            for problem in page.evaluate("look.cutSelects()"):
                self.problems[f"cut short: {problem}"].append(where)
            for target in page.evaluate("look.tapTargets()"):
                self.figures["tap targets"] += 1
                # 24px is WCAG's minimum; the label makes the target 44px tall, as advised.
                if min(target["width"], target["height"]) < 24 or target["labelHeight"] < 44:
                    self.problems[f"too small to tap: {target}"].append(where)

    def contrast(self, page, where, selector):
        for found in page.evaluate("(selector) => look.contrast(selector)", selector):
            self.figures["texts"] += 1
            if found["ratio"] < found["needed"]:
                self.problems[f"hard to read: {found}"].append(where)


def test_every_page_fits_a_phone_and_reads_clearly(browser, live_server, report_line):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    world = crowded_world()
    walk = Walk(live_server)

    visitor = measured_page(browser)
    for name, url in world.urls.items():
        walk.visit(visitor, name, url, "visitor")
    visitor.close()

    newcomer = measured_page(browser)
    log_in(newcomer, live_server, world.newcomer.email)
    walk.visit(newcomer, "groups:join", world.urls["groups:join"], "newcomer")
    newcomer.close()

    owner = measured_page(browser)
    log_in(owner, live_server, world.owner.email)
    for name, url in [*world.urls.items(), ("expenses:detail", world.deleted)]:
        walk.visit(owner, name, url, "owner")
    owner.close()

    report_line(
        f"look: {walk.figures['pages']} pages × 2 widths × 2 colour schemes, "
        f"{walk.figures['texts']} texts checked for contrast, "
        f"{walk.figures['tap targets']} checkboxes and radios measured at 360 px"
    )
    assert walk.shown >= REQUIRED, f"pages not seen: {sorted(REQUIRED - walk.shown)}"
    problems = walk.report()
    assert not problems, problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_button_variant_reads_clearly(browser, live_server, scheme):
    """Each variant alone and combined, at rest and under the pointer."""
    page = measured_page(browser, color_scheme=scheme, viewport=PHONE)
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "(html) => { const box = document.createElement('div');"
        " box.id = 'variants'; box.className = 'actions'; box.innerHTML = html;"
        " document.querySelector('main').prepend(box); }",
        BUTTON_VARIANTS,
    )
    # The scheme is the device's: dark mode is light text on a dark page.
    text, background = page.evaluate(
        "() => [getComputedStyle(document.body).color,"
        " getComputedStyle(document.documentElement).backgroundColor]"
    )
    assert (brightness(text) > brightness(background)) == (scheme == "dark")
    variants = page.locator("#variants > *")
    assert variants.count() == BUTTON_VARIANTS.count("\n  <")
    walk = Walk(live_server)
    walk.contrast(page, f"{scheme}, at rest", "#variants > *")
    for index in range(variants.count()):
        variants.nth(index).hover()
        walk.contrast(page, f"{scheme}, hovered", f"#variants > :nth-child({index + 1})")
    page.screenshot(path=SCREENSHOTS / f"buttons-{scheme}.png")
    assert walk.figures["texts"] == 2 * variants.count()
    problems = walk.report()
    assert not problems, problems
