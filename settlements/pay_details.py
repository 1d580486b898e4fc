"""What the settle-up page shows under a payment its viewer makes: how the payee likes to be
paid, with an EPC QR code for a bank transfer in euros and links that open the payment apps."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from accounts import paying
from groups.access import payment_methods_shown_to
from splitclone import qr
from splitclone.money import format_amount

REFERENCE_MAX = paying.EPC_REMITTANCE_MAX


@dataclass(frozen=True)
class PayWay:
    """One of the payee's payment methods, ready to use for one payment."""

    method: object  # accounts.models.PaymentMethod
    link: str | None = None
    qr_svg: str = ""


@dataclass(frozen=True)
class PayDetails:
    payee_name: str
    reference: str
    ways: list[PayWay]


def reference(group, payer, payee):
    """The transfer's reference: the payee sees which group and who paid."""
    return f"Splitclone {group.name}: {payer.display_name} → {payee.display_name}"[:REFERENCE_MAX]


def details_for(group, payer, payee, amount, methods):
    """The PayDetails of `payer` paying `payee` `amount` (a decimal string in the group's
    currency, like "12.50") by the payee's `methods`."""
    note = reference(group, payer, payee)
    ways = []
    for method in methods:
        if method.kind == paying.IBAN:
            qr_svg = ""
            # The EPC code only carries euros: in other currencies the IBAN is shown to copy.
            if group.currency == "EUR":
                payload = paying.epc_payload(
                    name=method.holder or payee.display_name,
                    iban=method.value,
                    bic=method.bic,
                    amount=Decimal(amount),
                    remittance=note,
                )
                qr_svg = qr.svg(
                    payload,
                    title=gettext("Bank transfer to %(payee)s") % {"payee": payee.display_name},
                    scale=3,
                )
            ways.append(PayWay(method, qr_svg=qr_svg))
        else:
            link = paying.payment_link(
                method.kind,
                method.value,
                amount=amount,
                currency=group.currency,
                note=note,
                payee_name=payee.display_name,
            )
            ways.append(PayWay(method, link=link))
    return PayDetails(payee.display_name, note, ways)


def pay_details(viewer_id, group, suggestions):
    """[PayDetails or None] for the suggested payments, in order: details only for those the
    viewer makes to someone who said how they like to be paid. One query, none when the viewer
    pays no one."""
    mine = [
        suggestion
        for suggestion in suggestions
        if suggestion.debtor.user_id == viewer_id
        and suggestion.creditor.user_id is not None
        and suggestion.can_record
    ]
    if not mine:
        return [None] * len(suggestions)
    methods = payment_methods_shown_to(viewer_id, {s.creditor.user_id for s in mine})
    return [
        details_for(
            group,
            suggestion.debtor,
            suggestion.creditor,
            format_amount(suggestion.amount, group.currency, with_code=False, grouping=False),
            methods[suggestion.creditor.user_id],
        )
        if suggestion in mine and suggestion.creditor.user_id in methods
        else None
        for suggestion in suggestions
    ]
