"""What the settle-up page says about a plan made with the group's wishes: its payments as
people make them (a household pays or is paid as one), which wishes it keeps, why it needs
more payments than without wishes, the wishes it could not meet and what household members
still owe each other. Built from `SettleUp` by `settle_up_context`."""

from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from groups.models import Member, household_names, names_together
from settlements.models import SettleUp
from splitclone.templatetags.money import money


@dataclass(frozen=True)
class HouseholdPayment:
    """A payment of the plan made or received by a household: one line on the page, one button
    (`place` in the plan's unit transfers, from 1), booked as the member-level transfers."""

    place: int
    payers: list[Member]
    payees: list[Member]
    amount: int

    @property
    def payer_names(self):
        return household_names(self.payers)

    @property
    def payee_names(self):
        return household_names(self.payees)

    @property
    def can_record(self):
        return all(member.is_active for member in [*self.payers, *self.payees])


@dataclass
class WishSummary:
    kept: list[str] = field(default_factory=list)
    extra_payments: str = ""
    unmet: list[str] = field(default_factory=list)
    within_households: list[str] = field(default_factory=list)


def household_payments(settle_up: SettleUp):
    """The plan's payments that a household makes or receives, in plan order."""
    outcome = settle_up.plan.wishes
    if outcome is None:
        return []
    by_id = settle_up.by_id
    return [
        HouseholdPayment(place, [by_id[pk] for pk in payers], [by_id[pk] for pk in payees], amount)
        for place, (payers, payees, amount) in enumerate(outcome.unit_transfers, start=1)
        if len(payers) > 1 or len(payees) > 1
    ]


def in_household_payment(settle_up: SettleUp, suggestion):
    """Whether a member-level suggestion is part of a household's payment (shown as one)."""
    outcome = settle_up.plan.wishes
    if outcome is None:
        return False
    for payers, payees, _ in outcome.unit_transfers:
        if suggestion.debtor.pk in payers and suggestion.creditor.pk in payees:
            return len(payers) > 1 or len(payees) > 1
    return False


def unmet_sentence(kind, names, reason):
    """One sentence for a wish the plan could not meet, from its kind and reason code
    (`settlements.wishes.UnmetWish`); `names` are the members' names in its order."""
    first = names[0] if names else ""
    second = names[1] if len(names) > 1 else ""
    everyone = names_together(names)
    # The reason codes are documented in settlements/wishes.py.
    sentences = {
        ("households", "invalid"): gettext(
            "The household of %(everyone)s overlaps another one, so it settles as separate people."
        ),
        ("allowed_pairs", "unbalanced"): gettext(
            "Payments can't stay between people who share expenses: the balances of "
            "%(everyone)s don't add up to zero among themselves, so the plan pays across."
        ),
        ("rather_not_receive", "must_receive"): gettext(
            "%(first)s would rather not receive payments, but with the other wishes every plan "
            "has them pass money on."
        ),
        ("preferred_payee", "invalid"): gettext("%(first)s can't prefer to pay themselves."),
        ("preferred_payee", "same_household"): gettext(
            "%(first)s prefers to pay %(second)s, who is in the same household: nothing to pay."
        ),
        ("preferred_payee", "not_sharing"): gettext(
            "%(first)s prefers to pay %(second)s, but they share no expense or payment."
        ),
        ("preferred_payee", "would_relay"): gettext(
            "%(first)s prefers to pay %(second)s, but %(second)s would rather not receive "
            "payments and is owed less than that."
        ),
        ("preferred_payee", "contradiction"): gettext(
            "%(first)s prefers to pay %(second)s, but no plan can keep that together with the "
            "other wishes."
        ),
    }
    fallback = {
        "allowed_pairs": gettext(
            "Some payments are between people who share no expense or payment: there was no "
            "other way to settle."
        ),
        "rather_not_receive": gettext(
            "%(first)s would rather not receive payments, but the plan couldn't avoid it."
        ),
        "preferred_payee": gettext(
            "%(first)s prefers to pay %(second)s, but the plan couldn't follow it."
        ),
        "households": gettext("The household of %(everyone)s couldn't settle as one."),
    }
    text = (
        sentences.get((kind, reason)) or fallback.get(kind) or gettext("One wish couldn't be kept.")
    )
    return text % {"first": first, "second": second, "everyone": everyone}


def wish_summary(settle_up: SettleUp) -> WishSummary | None:
    """What the page says about the wishes; None when the plan was made without any."""
    wishes, outcome = settle_up.wishes, settle_up.plan.wishes
    if wishes is None or outcome is None:
        return None
    by_id = settle_up.by_id

    def name(pk):
        return by_id[pk].display_name

    unmet_kinds = {}
    for wish in outcome.unmet:
        unmet_kinds.setdefault(wish.kind, set()).update(wish.members)
    summary = WishSummary()
    if wishes.allowed_pairs is not None and "allowed_pairs" not in unmet_kinds:
        summary.kept.append(
            gettext("Payments only go between people who share an expense or payment.")
        )
    for members in wishes.households:
        if not members & unmet_kinds.get("households", set()):
            summary.kept.append(
                gettext("%(names)s settle up as one household.")
                % {"names": household_names([by_id[pk] for pk in members])}
            )
    for pk in sorted(wishes.rather_not_receive, key=name):
        if pk not in unmet_kinds.get("rather_not_receive", set()):
            summary.kept.append(
                gettext("%(name)s is paid only what they are owed, never money to pass on.")
                % {"name": name(pk)}
            )
    for debtor, payee in sorted(wishes.preferred_payee.items(), key=lambda item: name(item[0])):
        if debtor not in unmet_kinds.get("preferred_payee", set()):
            summary.kept.append(
                gettext("%(name)s pays only %(payee)s, if anyone, as they prefer.")
                % {"name": name(debtor), "payee": name(payee)}
            )
    extra = settle_up.plan.payment_count - outcome.unconstrained_count
    if extra > 0:
        reasons = []
        if wishes.allowed_pairs is not None:
            reasons.append(gettext("payments only go between people who share expenses"))
        if wishes.rather_not_receive:
            reasons.append(gettext("some people would rather not receive payments"))
        if wishes.preferred_payee:
            reasons.append(gettext("some people prefer whom they pay"))
        if wishes.households:
            reasons.append(gettext("households pay and are paid as one"))
        summary.extra_payments = ngettext(
            "This plan needs %(count)d more payment than without wishes, because %(reasons)s.",
            "This plan needs %(count)d more payments than without wishes, because %(reasons)s.",
            extra,
        ) % {"count": extra, "reasons": gettext("; ").join(reasons)}
    summary.unmet = [
        unmet_sentence(wish.kind, [name(pk) for pk in wish.members], wish.reason)
        for wish in outcome.unmet
    ]
    currency = settle_up.group.currency
    summary.within_households = [
        gettext("%(debtor)s owes %(creditor)s %(amount)s.")
        % {
            "debtor": name(debtor),
            "creditor": name(creditor),
            "amount": money(amount, currency),
        }
        for debtor, creditor, amount in outcome.within_households
    ]
    return summary
