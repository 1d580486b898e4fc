"""Group operations that send email: the invite by email, for the invites page and the API."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from groups.models import Activity
from splitclone.phrases import gettext_noop

INVITE_EMAILS_PER_HOUR = 20
# An emailed link is for one person: it works once, for a month.
EMAILED_INVITE_DAYS = 30


class InviteLimitReached(ValidationError):
    def __init__(self):
        super().__init__(
            gettext(
                "You have sent %(count)d invites by email in the last hour. Please wait a while, "
                "or share an invite link instead."
            )
            % {"count": INVITE_EMAILS_PER_HOUR}
        )


def invite_email_allowed(user):
    """Counts the invites `user` emails per hour, in the cache every app server shares.

    They go to addresses nobody has verified, so a cap keeps the feature from mailing strangers
    in bulk.
    """
    key = f"invite-emails:{user.pk}"
    cache.add(key, 0, timeout=3600)
    return cache.incr(key) <= INVITE_EMAILS_PER_HOUR


def email_invite(group, *, actor, email, link_for):
    """Makes a single-use invite and mails its link (`link_for(invite)`, an absolute URL) to
    `email`. Raises `InviteLimitReached` past the hourly cap, before anything is made."""
    if not invite_email_allowed(actor):
        raise InviteLimitReached()
    invite = group.create_invite(actor=actor, expires_in_days=EMAILED_INVITE_DAYS, max_uses=1)
    # In the invitee's language if they have an account, else the inviter's: the best guess, as
    # they likely share one.
    names = {"person": actor.display_name, "group": group.name}
    with translation.override(User.objects.language_of(email) or translation.get_language()):
        send_mail(
            subject=gettext("%(person)s invites you to %(group)s on Splitclone") % names,
            message=gettext(
                "%(person)s invites you to share expenses in “%(group)s”.\n\n"
                "Join here (the link works once and expires in %(days)d days):\n"
                "%(link)s\n"
            )
            % (names | {"days": EMAILED_INVITE_DAYS, "link": link_for(invite)}),
            from_email=None,
            recipient_list=[email],
        )
    Activity.record(
        group, actor, Activity.Verb.INVITE_EMAILED, gettext_noop("sent an invite by email")
    )
    return invite
