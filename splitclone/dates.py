"""The dates an expense or a payment may be entered with."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

EARLIEST_DATE = datetime.date(1900, 1, 1)
# Far enough ahead for a booking paid in advance; further is almost always a mistyped year.
FURTHEST_AHEAD = datetime.timedelta(days=366)


def validate_entry_date(date):
    """Refuses a date before 1900 or more than a year from today. Used by the expense form
    and the payment form."""
    if date < EARLIEST_DATE:
        raise ValidationError(gettext("Pick a date in 1900 or later."), code="too_early")
    if date > timezone.localdate() + FURTHEST_AHEAD:
        raise ValidationError(
            gettext("That date is more than a year away; check the year."), code="too_far_ahead"
        )
