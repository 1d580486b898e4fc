import functools
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.renderers import get_default_renderer
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context
from django.template.backends.utils import csrf_input
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups.access import get_membership
from ledger.books import LedgerError
from ledger.covers import pair_covers
from settlements.across import AcrossPlan, load_groups, shared_people
from settlements.forms import (
    AcrossForm,
    AcrossRecordForm,
    HouseholdPaymentForm,
    PaymentForm,
    RatesForm,
)
from settlements.models import PAYMENTS_SHOWN, Payment, PaymentError, StalePlan, Suggestion
from settlements.pay_details import PayDetails, pay_details
from settlements.wish_rows import household_payments, in_household_payment, wish_summary
from splitclone import fx
from splitclone.confirm import confirmation_page
from splitclone.formats import localized_date
from splitclone.links import address, link
from splitclone.money import format_amount
from splitclone.sentences import filled, per_language
from splitclone.templatetags.layout import CSRF_SLOT
from splitclone.templatetags.money import balance_class, money

# Up to this many people with a balance, the explanation's table of balances is on the page,
# and every suggestion has an amount field for a partial payment. In a bigger plan (a group of
# 50 has some 40 suggestions) the table is one link away and only the viewer's own suggestions
# have the field: the others are recorded in full with their button, or in part with "Record
# another payment". Together they would weigh three times the rest of the page.
SHOWN_IN_FULL = 12


@dataclass(frozen=True)
class SuggestionRow:
    """A suggested payment with the amount its "Record as paid" button records.

    The plan is one form, each suggestion a line of it (`suggestion_lines`) with a button and, if
    `editable`, an amount field (`suggestion_payment` reads them back): a form of their own
    each, rendered from a `PaymentForm` with its token and hidden fields, made most of a big
    group's page time and weight. `form` is the submitted form when it came back with errors
    for this suggestion.
    """

    suggestion: Suggestion
    # "<strong>Ana</strong> pays <strong>Ben</strong>" and the amount, as the page shows them.
    who: str
    shown_amount: str
    # What its amount field is called to a screen reader.
    amount_label: str
    # What goes in its amount field: the amount to type over, or what came back.
    amount: str
    editable: bool
    # What its button says: "I’ve sent it" to a payer whose payee confirms what arrives.
    button: str
    form: PaymentForm | None = None
    # How the payee likes to be paid, when the viewer is the one paying.
    pay: PayDetails | None = None
    # Its place in the plan's suggestions, from 1: what its button sends.
    place: int = 0


# The page's lines of payments and of balances are written here rather than by a template, as
# `{% blocktranslate %}`, `{% url %}` and `{% csrf_token %}` would write them: through the
# template, a line cost some 50 µs.
PAYMENT_LINE = (
    '<li class="member%(inactive)s"><span class="member-name">%(who)s</span> '
    '<span class="amount">%(amount)s</span> <span class="member-actions inline-fields">'
    '<span class="muted">%(details)s</span> %(confirm)s%(action)s</span></li>'
)
CONFIRM_FORMS = (
    '<form method="post" action="%(received_url)s" hx-post="%(received_url)s">%(csrf)s'
    '<button type="submit" class="button-small">%(received)s</button></form>'
    '<form method="post" action="%(not_received_url)s" hx-post="%(not_received_url)s">%(csrf)s'
    '<button type="submit" class="button-small button-secondary">%(not_received)s</button>'
    "</form>"
)
RESTORE_FORM = (
    '<form method="post" action="%(url)s" hx-post="%(url)s">%(csrf)s'
    '<button type="submit" class="button-small">%(restore)s</button></form>'
)
DELETE_LINK = (
    '<a class="button button-small button-destructive" href="%(url)s" hx-post="%(url)s" '
    'hx-confirm="%(question)s">%(delete)s</a>'
)


@per_language
def payment_words():
    """(paid, delete question, pending, the buttons' and details' words) of `payment_rows`."""
    return (
        gettext("%(payer)s paid %(payee)s"),
        gettext("Delete the payment %(payment)s?"),
        gettext('<strong class="pending">pending</strong>: %(payee)s has not confirmed it yet'),
        {
            "deleted": gettext("deleted"),
            "received": gettext("Received"),
            "not_received": gettext("Not received"),
            "restore": gettext("Undo: restore"),
            "delete": pgettext("button", "Delete"),
        },
    )


def payment_rows(request, group, payments):
    """`payments` as the page lists them, a line of HTML each, its words translated once per
    language (`payment_words`). Its payee (`request.user`) confirms a pending payment from its
    line."""

    @functools.cache
    def url(action):
        # Reversed once per process (`link`): the `url` tag costs some 15 µs a line.
        return link(f"settlements:{action}", 2)

    @functools.cache
    def csrf():
        return csrf_input(request)

    language = get_language()
    paid, delete_question, pending, words = payment_words.in_language(language)
    lines = []
    for payment in payments:
        payer, payee = payment.from_member, payment.to_member
        payee_name = payee.display_name
        # As the template's `date` filter writes it, in the page's language.
        details = [localized_date(payment.date, "j M Y", language)]
        if payment.is_converted:
            details.append(payment.rate_display)
        if payment.note:
            details.append(payment.note)
        if payment.deleted_at:
            details.append(words["deleted"])
        elif payment.is_pending:
            details.append(filled(pending, payee=payee_name))
        confirm = ""
        if payment.is_pending and not payment.deleted_at and payee.user_id == request.user.pk:
            confirm = filled(
                CONFIRM_FORMS,
                received_url=url("confirm")(group.pk, payment.pk),
                not_received_url=url("not_received")(group.pk, payment.pk),
                csrf=csrf(),
                received=words["received"],
                not_received=words["not_received"],
            )
        if payment.deleted_at:
            action = filled(
                RESTORE_FORM,
                url=url("restore")(group.pk, payment.pk),
                csrf=csrf(),
                restore=words["restore"],
            )
        else:
            question = filled(delete_question, payment=payment.summary)
            action = filled(
                DELETE_LINK,
                url=url("delete")(group.pk, payment.pk),
                question=question,
                delete=words["delete"],
            )
        lines.append(
            filled(
                PAYMENT_LINE,
                inactive=" inactive" if payment.deleted_at else "",
                who=filled(paid, payer=payer.display_name, payee=payee_name),
                amount=payment.spent_display,
                details=mark_safe(" · ".join(conditional_escape(detail) for detail in details)),
                confirm=confirm,
                action=action,
            )
        )
    return lines


BALANCE_LINE = (
    '<tr><th scope="row">%(name)s</th>'
    '<td class="num"><span class="amount %(before_class)s">%(before)s</span></td>'
    '<td class="num">%(change)s</td>'
    '<td class="num"><span class="amount %(after_class)s">%(after)s</span></td></tr>'
)


@per_language
def balance_words():
    """(pays, gets): the two sentences of `explained_balances`."""
    return (
        gettext('pays <span class="amount">%(amount)s</span>'),
        gettext('gets <span class="amount">%(amount)s</span>'),
    )


def explained_balances(settle_up):
    """The lines of the table of each member's balance before and after the plan, its two
    sentences translated once per language (`balance_words`)."""
    currency = settle_up.group.currency
    language = get_language()
    pays, gets = balance_words.in_language(language)

    def shown(amount):
        # As the `money` filter writes it, in the language read once for the table.
        return format_amount(amount, currency, language=language)

    lines = []
    for row in settle_up.rows():
        # What they pay and get: "pays 12.00 EUR", "gets …", or both on two lines.
        change = [
            filled(sentence, amount=shown(amount))
            for sentence, amount in ((pays, row.pays), (gets, row.receives))
            if amount
        ]
        after = row.after
        lines.append(
            filled(
                BALANCE_LINE,
                name=row.member.display_name,
                before=shown(row.before),
                before_class=balance_class(row.before),
                change=mark_safe("<br>".join(change)),
                after=shown(after),
                after_class=balance_class(after),
            )
        )
    return lines


def explained_parts(settle_up):
    """(names, how many payments) for each part of a simplified plan: a big group's 50 names
    are joined here, not one by one in the template."""
    return [
        (
            ", ".join(member.display_name for member in part),
            ngettext(
                "%(size)s people, %(payments)s payment",
                "%(size)s people, %(payments)s payments",
                len(part) - 1,
            )
            % {"size": len(part), "payments": len(part) - 1},
        )
        for part in settle_up.parts
    ]


def suggest_with_rates(group, data):
    """(settle-up, the form asking for today's rates of the open currencies the ECB does not
    publish, or None when none needs one). With valid typed rates in `data`, the plan converts
    at them."""
    settle_up = Payment.objects.suggest(group)
    conversion = settle_up.conversion
    if conversion is None or not conversion.problem:
        return settle_up, None
    unpublished = set(conversion.pairs) - fx.published_currencies()
    rates_form = RatesForm(data or None, group=group, currencies=unpublished)
    if rates_form.rates:
        settle_up = Payment.objects.suggest(group, typed_rates=rates_form.rates)
    return settle_up, rates_form


def offered_currencies(settle_up):
    """The currencies the other-payment form lists besides the group's and the viewer's last
    one: those the group's latest entries were spent in and those its balances are open in.
    "Other currency…" lists every one (`ALL_CURRENCIES`), and any is accepted either way."""
    open_currencies = settle_up.conversion.pairs if settle_up.conversion else ()
    return Payment.objects.currencies_in_use(settle_up.group).union(open_currencies)


# The query parameter of "Other currency…": the other-payment form lists every currency.
ALL_CURRENCIES = "currencies"


def awaits_confirmation(suggestion, membership):
    """Whether the viewer pays this suggestion to someone who confirms what arrives: it is then
    recorded as pending until they do."""
    payee = suggestion.creditor.user
    return (
        payee is not None
        and payee.confirms_payments
        and suggestion.debtor.user_id == membership.user_id
    )


@per_language
def suggestion_words():
    """(I've sent it, Record as paid, who pays whom, the amount field's label): what each of
    the plan's some 50 lines says, translated once per language rather than per line."""
    return (
        gettext("I’ve sent it"),
        gettext("Record as paid"),
        gettext("<strong>%(debtor)s</strong> pays <strong>%(creditor)s</strong>"),
        gettext("Amount %(debtor)s pays %(creditor)s (%(currency)s)"),
    )


@per_language
def deactivated_sentence():
    """What a suggestion between two people one of whom has been deactivated says instead of
    its button (`suggestion_lines`)."""
    return gettext(
        "%(name)s has been deactivated: reactivate them in the group to record this payment."
    )


# A line of the plan for each `SuggestionRow`, written here rather than by the template, where
# each line's tags and lookups cost more than the rest of the line's work: a big group's plan has
# some 50 lines and a pairwise one hundreds. What few lines have (a sent-back form's errors, how
# the payee likes to be paid, what the payment covers) is still rendered by its template.
SUGGESTION_LINE = (
    '<li class="member suggestion"><span class="member-name">%(who)s</span> '
    '<span class="amount">%(amount)s</span> %(actions)s%(pay)s%(covers)s</li>'
)
NOT_RECORDABLE = '<p class="member-actions muted">%(message)s</p>\n'
AMOUNT_FIELD = (
    '<div class="member-actions">%(errors)s<div class="inline-fields"><input type="text" '
    'name="amount_%(n)s" value="%(amount)s" inputmode="decimal" aria-label="%(label)s"%(invalid)s>'
    ' <button name="pay" value="%(n)s">%(button)s</button></div></div>\n'
)
INVALID_AMOUNT = ' aria-invalid="true" aria-describedby="plan%(n)s_amount_error"'
RECORD_BUTTON = '<button name="pay" value="%(n)s">%(button)s</button>'


def suggestion_lines(rows, settle_up, covers_per_payment):
    """The plan's lines of HTML, one per `SuggestionRow` (`settle_up.html`'s `#suggestions`)."""

    @functools.cache
    def covers_page():
        # One context for every line's "What this covers": `covers_link` reverses its address
        # once per render context.
        return (
            get_template("settlements/_covers.html#payment").template,
            Context({"settle_up": settle_up, "group": settle_up.group}),
        )

    lines = []
    for row in rows:
        suggestion, form, n = row.suggestion, row.form, row.place
        if not suggestion.can_record:
            # The one who has been deactivated: the payee, unless the payer was.
            who = suggestion.creditor if suggestion.debtor.is_active else suggestion.debtor
            actions = filled(
                NOT_RECORDABLE,
                message=filled(deactivated_sentence(), name=who.display_name),
            )
        elif row.editable:
            errors, invalid = "", ""
            if form is not None:
                errors = mark_safe(
                    get_template("settlements/settle_up.html#suggestion-errors").render(
                        {"form": form, "n": n}
                    )
                )
                if form["amount"].errors:
                    invalid = filled(INVALID_AMOUNT, n=n)
            actions = filled(
                AMOUNT_FIELD,
                errors=errors,
                n=n,
                amount=row.amount,
                label=row.amount_label,
                invalid=invalid,
                button=row.button,
            )
        else:
            actions = filled(RECORD_BUTTON, n=n, button=row.button)
        pay = covers = ""
        if row.pay:
            pay = mark_safe(get_template("settlements/_pay.html").render({"pay": row.pay}))
        if row.editable and covers_per_payment:
            template, context = covers_page()
            with context.push(suggestion=suggestion):
                covers = mark_safe(template.render(context))
        lines.append(
            filled(
                SUGGESTION_LINE,
                who=row.who,
                amount=row.shown_amount,
                actions=actions,
                pay=pay,
                covers=covers,
            )
        )
    return lines


# Stands for the form's submission id in the other-payment form's kept markup
# (`another_payment`): no markup contains it.
SUBMISSION_SLOT = "\x00submission\x00"
# The versions of the other-payment form a process keeps (a few kilobytes each): one per group,
# language and day that has been shown lately. When full it starts over.
KEPT_FORMS = 500
_kept_forms = {}


def another_payment(settle_up, today, last_currency, currencies, record_url, all_currencies_url):
    """The fresh other-payment form's markup (`settle_up.html#another-payment`), for the viewer
    whose last other currency is `last_currency`, listing `currencies` (`PaymentForm`), dated
    `today`.

    Building the form and rendering its fields cost a fifth of the page, and what they write
    follows from the values of `key` alone: kept once rendered, with stand-ins for the page's CSRF
    token and a new submission id, which are put in on each page. A member who joins, leaves or
    is renamed makes another key.
    """
    group = settle_up.group
    key = (
        # What writes the fields' markup (settings.FORM_RENDERER).
        get_default_renderer(),
        get_language(),
        today,
        group.currency,
        last_currency,
        None if currencies is None else tuple(sorted(currencies)),
        tuple((member.pk, member.display_name) for member in settle_up.members if member.is_active),
        record_url,
        all_currencies_url,
    )
    markup = _kept_forms.get(key)
    if markup is None:
        form = PaymentForm(
            settle_up=settle_up,
            last_currency=last_currency,
            currencies=currencies,
            initial={"submission_id": SUBMISSION_SLOT, "date": today},
        )
        context = {
            "another_form": form,
            "record_url": record_url,
            "all_currencies_url": all_currencies_url,
            "csrf_token": CSRF_SLOT,
        }
        markup = get_template("settlements/settle_up.html#another-payment").render(context)
        if len(_kept_forms) >= KEPT_FORMS:
            _kept_forms.clear()
        _kept_forms[key] = markup
    # The id a double submission repeats. The page puts in its CSRF token (`with_csrf_token`).
    return markup.replace(SUBMISSION_SLOT, str(uuid.uuid4()))


def lines_of(lines):
    """`lines` as the template wrote them, one to a line."""
    return mark_safe("".join(f"{line}\n" for line in lines))


def settle_up_context(
    request,
    membership,
    settle_up,
    form=None,
    rates_form=None,
    explain=False,
    last_currency="",
    all_currencies=False,
):
    """The plan with a "Record as paid" button per suggestion, the other-payment form, payments.

    A form that was sent back with errors takes the place of the fresh form it came from;
    `last_currency` is the viewer's, which the other-payment form offers second; it lists the
    group's currencies (`offered_currencies`), or all of them with `all_currencies`.
    """
    group = membership.group
    small = len(settle_up.balances) <= SHOWN_IN_FULL
    explain_table = explain or small
    payments = Payment.objects.shown_on_settle_up(group, membership, settle_up.by_id)
    rows = []
    details = pay_details(membership.user_id, group, settle_up.suggestions)
    sent_it, record_as_paid, pays, amount_label = suggestion_words()
    currency = conditional_escape(group.currency)
    language = get_language()
    for place, (suggestion, pay) in enumerate(
        zip(settle_up.suggestions, details, strict=True), start=1
    ):
        if in_household_payment(settle_up, suggestion):
            # Shown once, as the household's payment (`household_payments`).
            continue
        sent_back = (
            form is not None
            and form.is_suggestion
            and form["from_member"].value() == str(suggestion.debtor.pk)
            and form["to_member"].value() == str(suggestion.creditor.pk)
        )
        button = sent_it if awaits_confirmation(suggestion, membership) else record_as_paid
        # The names are escaped; the words are the catalog's, as a template tag would take them.
        names = {
            "debtor": conditional_escape(suggestion.debtor.display_name),
            "creditor": conditional_escape(suggestion.creditor.display_name),
            "currency": currency,
        }
        shown = (
            suggestion,
            mark_safe(pays % names),
            money(suggestion.amount, group.currency),
            mark_safe(amount_label % names),
        )
        if sent_back:
            row = SuggestionRow(*shown, form["amount"].value(), True, button, form, pay, place)
        else:
            amount = format_amount(
                suggestion.amount,
                group.currency,
                with_code=False,
                grouping=False,
                language=language,
            )
            own = membership.pk in (suggestion.debtor.pk, suggestion.creditor.pk)
            row = SuggestionRow(*shown, amount, small or own, button, pay=pay, place=place)
        rows.append(row)
    covers_per_payment = not settle_up.simplified or len(settle_up.parts) > 1
    record_url = address("settlements:record", group.pk)
    today = timezone.localdate()
    # The form sent back with errors, which takes the fresh form's place.
    another = form if form is not None and not form.is_suggestion else None
    all_currencies_url = None
    if not (another.lists_every_currency if another is not None else all_currencies):
        query = request.GET.copy()
        query[ALL_CURRENCIES] = ""
        all_currencies_url = f"{address('settlements:settle_up', group.pk)}?{query.urlencode()}"
    return {
        "group": group,
        "membership": membership,
        "settle_up": settle_up,
        # Each list's lines joined here: the template's loop costs some 3 µs a line.
        "suggestion_lines": mark_safe(
            "".join(suggestion_lines(rows, settle_up, covers_per_payment))
        ),
        "record_url": record_url,
        "all_currencies_url": all_currencies_url,
        "household_payments": household_payments(settle_up),
        "wish_summary": wish_summary(settle_up),
        "plan_submission_id": uuid.uuid4(),
        "explain_open": explain,
        "explain_table": explain_table,
        "explained_balances": lines_of(explained_balances(settle_up) if explain_table else ()),
        "explained_parts": explained_parts(settle_up) if settle_up.simplified else (),
        "shown_in_full": small,
        # "What this covers" goes with the amount field (`SuggestionRow.editable`), unless the
        # plan is one part, which says it once for all (`_covers.html#note`).
        "covers_for_own_only": not small,
        # As the `date` filter writes it, 'Y-m-d'.
        "today": today.isoformat(),
        "another_form": another,
        "another_payment": None
        if another is not None
        else another_payment(
            settle_up,
            today,
            last_currency,
            None if all_currencies else offered_currencies(settle_up),
            record_url,
            all_currencies_url,
        ),
        "payment_rows": lines_of(payment_rows(request, group, payments)),
        "more_payments": len(payments) >= PAYMENTS_SHOWN,
        "rates_form": rates_form,
        "pending": Payment.objects.pending_total(group),
        "viewer_is_paid": any(row.suggestion.creditor.pk == membership.pk for row in rows),
    }


def render_settle_up(request, membership, settle_up=None, form=None, status=200, rates_form=None):
    """The settle-up fragment for htmx, or the whole page without JavaScript."""
    if settle_up is None:
        settle_up, rates_form = suggest_with_rates(membership.group, request.GET)
    context = settle_up_context(
        request,
        membership,
        settle_up,
        form,
        rates_form,
        explain="explain" in request.GET,
        last_currency=request.user.last_currency,
        all_currencies=ALL_CURRENCIES in request.GET,
    )
    template = (
        "settlements/settle_up.html#settle-up" if request.htmx else "settlements/settle_up.html"
    )
    return render(request, template, context, status=status)


@require_safe
@login_required
def settle_up(request, group_id):
    return render_settle_up(request, get_membership(request, group_id))


def pair_covers_for(group, member_id, other_id):
    """(member, other, `ledger.covers.PairCovers` of what member owes other), or 404 unless both
    are members of `group` and not the same one. The pairwise page and the API."""
    people = {
        member.pk: member
        for member in group.members.with_people().filter(pk__in=[member_id, other_id])
    }
    if member_id == other_id or len(people) != 2:
        raise Http404("No such pair of members in this group.")
    covers = pair_covers(group, member_id, other_id, on_date=timezone.localdate())
    return people[member_id], people[other_id], covers


@require_safe
@login_required
def payment_covers(request, group_id, member_id, other_id):
    """What a pairwise payment covers: the entries behind what one member owes the other.

    Linked from each pairwise suggestion (settle-up and who-owes-whom), debtor first; the other
    order redirects there, so the amounts always read as what the debtor owes.
    """
    group = get_membership(request, group_id).group
    owes, owed, covers = pair_covers_for(group, member_id, other_id)
    owing = covers.total if covers.total is not None else covers.currencies[0].balance
    if owing < 0:
        return redirect("settlements:covers", group_id, other_id, member_id)
    context = {"group": group, "covers": covers, "owes": owes, "owed": owed}
    return render(request, "settlements/covers.html", context)


def submission_id(post):
    """The id a double submission of this POST repeats.

    The plan's form has one id for all its buttons; each button's payment gets its own,
    derived from it and the button, as the cross-group settlement derives its bookings' ids.
    A household's payment ("unit") derives one more level for each payment it is booked as.
    """
    if "pay" in post:
        button = post["pay"]
    elif "unit" in post:
        button = f"unit-{post['unit']}"
    else:
        return post.get("submission_id")
    try:
        return uuid.uuid5(uuid.UUID(post.get("submission_id", "")), button)
    except ValueError:
        return None


def suggestion_payment(post, settle_up, submitted):
    """What a "Record as paid" button sends, as the fields of a `PaymentForm`; None when it
    names no payment of the plan in force (the balances changed since the page was shown).

    The button's value is the payment's place in the plan, the fingerprint says which plan.
    """
    place = post.get("pay", "")
    if post.get("fingerprint") != settle_up.fingerprint or not place.isdigit():
        return None
    if not 1 <= int(place) <= len(settle_up.suggestions):
        return None
    suggestion = settle_up.suggestions[int(place) - 1]
    # A suggestion without an amount field is recorded in full.
    currency = settle_up.group.currency
    planned = format_amount(
        suggestion.amount, currency, with_code=False, grouping=False, language=get_language()
    )
    return {
        "from_member": str(suggestion.debtor.pk),
        "to_member": str(suggestion.creditor.pk),
        "amount": post.get(f"amount_{place}", planned),
        "date": post.get("date", ""),
        "submission_id": submitted,
        "fingerprint": settle_up.fingerprint,
        # The plan's one form may hold a "Yes, record it anyway" box: it is another button's
        # unless it came back with this one.
        "confirm": post.get("confirm", "") if post.get("confirming") == place else "",
    }


@require_POST
@login_required
def record_payment(request, group_id):
    membership = get_membership(request, group_id)
    group = membership.group
    submitted = submission_id(request.POST)
    if "unit" in request.POST:
        return record_household_payment(request, membership, submitted)
    # Before the form: the balances a double submission is checked against have already moved.
    duplicate = Payment.objects.submitted(group, submitted)
    if duplicate is not None:
        messages.success(
            request, gettext("Recorded: %(payment)s.") % {"payment": duplicate.summary}
        )
        return after_change(request, membership)
    settle_up, rates_form = suggest_with_rates(group, request.POST)
    data = request.POST
    if "pay" in request.POST:
        data = suggestion_payment(request.POST, settle_up, submitted)
        if data is None:
            messages.error(request, StalePlan().message)
            return render_settle_up(
                request, membership, settle_up, status=422, rates_form=rates_form
            )
    form = PaymentForm(
        data,
        settle_up=settle_up,
        auto_id="id_sent_%s",
        last_currency=request.user.last_currency,
        currencies=offered_currencies(settle_up),
    )
    if form.is_valid():
        try:
            payment = form.record(request.user, rates_form.rates if rates_form else None)
        except StalePlan as error:
            messages.error(request, error.message)
            return render_settle_up(request, membership, status=422)
        except (PaymentError, LedgerError) as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, gettext("Recorded: %(payment)s.") % {"payment": payment.summary}
            )
            return after_change(request, membership)
    elif form.is_suggestion and form["fingerprint"].value() != settle_up.fingerprint:
        # The suggestion this form came from is gone: show the current plan instead. (A valid
        # form goes to `record`, which refuses it under the group lock.)
        messages.error(request, StalePlan().message)
        return render_settle_up(request, membership, settle_up, status=422, rates_form=rates_form)
    return render_settle_up(request, membership, settle_up, form, 422, rates_form)


def record_household_payment(request, membership, submitted):
    """A "Record as paid" button of a payment a household makes or receives as one."""
    settle_up, rates_form = suggest_with_rates(membership.group, request.POST)
    data = {
        "unit": request.POST.get("unit", ""),
        "date": request.POST.get("date", ""),
        "submission_id": submitted or "",
        "fingerprint": request.POST.get("fingerprint", ""),
    }
    form = HouseholdPaymentForm(data, settle_up=settle_up)
    if not form.is_valid():
        messages.error(request, StalePlan().message)
        return render_settle_up(request, membership, settle_up, status=422, rates_form=rates_form)
    try:
        payments = form.record(request.user, rates_form.rates if rates_form else None)
    except (PaymentError, LedgerError) as error:
        messages.error(request, " ".join(error.messages))
        return render_settle_up(request, membership, status=422)
    messages.success(
        request,
        gettext("Recorded: %(payments)s.")
        % {"payments": "; ".join(payment.summary for payment in payments)},
    )
    return after_change(request, membership)


def after_change(request, membership):
    if request.htmx:
        return render_settle_up(request, membership)
    return redirect("settlements:settle_up", group_id=membership.group_id)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def payment_delete(request, group_id, payment_id):
    membership = get_membership(request, group_id)
    payment = get_object_or_404(membership.group.payments, pk=payment_id)
    if request.method != "POST":
        return confirmation_page(
            request,
            question=gettext("Delete the payment %(payment)s?") % {"payment": payment.summary},
            details=[
                gettext(
                    "It stops counting towards anyone's balance. You can restore it from the "
                    "settle-up page."
                )
            ],
            action=gettext("Delete the payment"),
            cancel_url=reverse("settlements:settle_up", args=[group_id]),
        )
    payment = Payment.objects.delete_payment(payment, actor=request.user)
    messages.success(
        request,
        gettext("Deleted the payment %(payment)s. Restore it below if that was a mistake.")
        % {"payment": payment.summary},
    )
    return after_change(request, membership)


@require_POST
@login_required
def payment_restore(request, group_id, payment_id):
    membership = get_membership(request, group_id)
    payment = get_object_or_404(membership.group.payments, pk=payment_id)
    payment = Payment.objects.restore_payment(payment, actor=request.user)
    messages.success(
        request, gettext("Restored the payment %(payment)s.") % {"payment": payment.summary}
    )
    return after_change(request, membership)


def payee_decision(request, group_id, payment_id, decide, done):
    """Confirms or rejects a pending payment for its payee (`decide` is the manager method);
    anyone else gets 403. `done(payment)` words the success message."""
    membership = get_membership(request, group_id)
    payment = get_object_or_404(membership.group.payments.with_people(), pk=payment_id)
    if payment.to_member.user_id != request.user.pk:
        raise PermissionDenied(
            gettext("Only the person who was paid can say whether the money arrived.")
        )
    try:
        payment = decide(payment, actor=request.user)
    except PaymentError as error:
        messages.error(request, error.message)
        return render_settle_up(request, membership, status=422)
    messages.success(request, done(payment))
    return after_change(request, membership)


@require_POST
@login_required
def payment_confirm(request, group_id, payment_id):
    return payee_decision(
        request,
        group_id,
        payment_id,
        Payment.objects.confirm_payment,
        lambda payment: gettext("Confirmed: %(payment)s.") % {"payment": payment.summary},
    )


@require_POST
@login_required
def payment_not_received(request, group_id, payment_id):
    return payee_decision(
        request,
        group_id,
        payment_id,
        Payment.objects.reject_payment,
        lambda payment: (
            gettext("The payment %(payment)s no longer counts: %(payer)s still owes it.")
            % {"payment": payment.summary, "payer": payment.from_member}
        ),
    )


def render_across(request, states, form, status=200):
    plan = AcrossPlan(form.chosen_states()) if form.is_bound and form.is_valid() else None
    context = {
        "people": shared_people(request.user, states),
        "form": form,
        "plan": plan,
        "submission_id": uuid.uuid4(),
    }
    return render(
        request, "settlements/across.html", context, status=422 if form.errors else status
    )


@require_safe
@login_required
def across(request):
    """Everyone the user shares groups with, and settling several groups in one go."""
    states = load_groups(request.user)
    return render_across(request, states, AcrossForm(request.GET or None, states=states))


def across_url(group_ids):
    return f"{reverse('settlements:across')}?{urlencode({'groups': group_ids}, doseq=True)}"


def describe(bookings):
    return "; ".join(
        gettext("in %(group)s, %(payer)s paid %(payee)s %(amount)s")
        % {
            "group": row.group.name,
            "payer": row.payer.display_name,
            "payee": row.payee.display_name,
            "amount": money(row.amount, row.group.currency),
        }
        for row in bookings
    )


def recorded_message(recorded):
    """Says what was written into which group, so people can recognise the entries later."""
    parts = []
    if recorded.transfer is not None:
        transfer = recorded.transfer
        currency = transfer.bookings[0].group.currency
        parts.append(
            gettext("Recorded: %(payer)s paid %(payee)s %(amount)s. Booked as: %(bookings)s.")
            % {
                "payer": transfer.debtor.display_name,
                "payee": transfer.creditor.display_name,
                "amount": money(transfer.amount, currency),
                "bookings": describe(transfer.bookings),
            }
        )
    if recorded.netting:
        parts.append(
            gettext("Netted between groups, with no money changing hands: %(bookings)s.")
            % {"bookings": describe(recorded.netting)}
        )
    return " ".join(parts)


@require_POST
@login_required
def across_record(request):
    states = load_groups(request.user)
    form = AcrossRecordForm(request.POST, states=states)
    if not form.is_valid():
        messages.error(request, gettext("That payment is not part of a plan for your groups."))
        return render_across(request, states, AcrossForm(states=states), status=422)
    data = form.cleaned_data
    try:
        recorded = form.record(request.user)
    except PaymentError as error:
        messages.error(request, " ".join(error.messages))
        states = load_groups(request.user)
        chosen = AcrossForm({"groups": data["groups"]}, states=states)
        return render_across(request, states, chosen, status=422)
    if recorded is None:
        messages.info(request, gettext("That payment was already recorded."))
    else:
        messages.success(request, recorded_message(recorded))
    return redirect(across_url(data["groups"]))
