"""The notification emails: their text and HTML parts, the story of who owes whom, and the
signed unsubscribe link every one of them carries (RFC 8058 one-click)."""

import email.policy
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from notifications.dispatch import owing_memberships
from notifications.models import Email, Preferences
from settlements.models import Payment
from splitclone.formats import localized_amount

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# An unsubscribe link works this long after its email was sent.
UNSUBSCRIBE_MAX_AGE = 60 * 24 * 60 * 60


def unsubscribe_token(user):
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user):
    return site_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user)]))


def user_id_from_token(token):
    """The user id signed into `token`. Raises `signing.SignatureExpired` for a link older
    than `UNSUBSCRIBE_MAX_AGE`, `signing.BadSignature` for one that was not made here."""
    return signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)


def site_url(path):
    return settings.SITE_URL + path


class NotificationMessage(EmailMultiAlternatives):
    def message(self, *, policy=email.policy.default):
        # Email policies (the SMTP backend passes its own) fold headers at 78 characters and
        # write a longer unbreakable word, such as an unsubscribe URL, as an RFC 2047 encoded
        # word, which mail programs do not read as a URL in List-Unsubscribe. RFC 5322 allows
        # lines of up to 998 characters.
        return super().message(policy=policy.clone(max_line_length=998))


@dataclass(frozen=True)
class GroupStory:
    """Where the person stands in one group, in the words and amounts of its settle-up plan:
    the one source the group page, the home page and settle-up read."""

    group: object
    balance: str
    payments: list[str]
    url: str


def group_stories(user, groups):
    """{group id: GroupStory} of `user` in each of `groups` (plans read together)."""
    stories = {}
    for group_id, settle_up in Payment.objects.plans_for(groups).items():
        group = settle_up.group
        member = next((m for m in settle_up.members if m.user_id == user.pk), None)
        if member is None:
            continue
        mine, _ = settle_up.involving(member)
        payments = [
            gettext("You pay %(person)s %(amount)s")
            % {
                "person": s.creditor.display_name,
                "amount": localized_amount(s.amount, group.currency),
            }
            if s.debtor.pk == member.pk
            else gettext("%(person)s pays you %(amount)s")
            % {
                "person": s.debtor.display_name,
                "amount": localized_amount(s.amount, group.currency),
            }
            for s in mine
        ]
        if member.balance < 0:
            balance = gettext("You owe %(amount)s in all.") % {
                "amount": localized_amount(-member.balance, group.currency)
            }
        elif member.balance > 0:
            balance = gettext("You are owed %(amount)s in all.") % {
                "amount": localized_amount(member.balance, group.currency)
            }
        else:
            balance = gettext("You are settled up.")
        url = site_url(reverse("pages:group", args=[group_id]))
        stories[group_id] = GroupStory(group, balance, payments, url)
    return stories


def _activity_context(email):
    notification = email.notifications.select_related("activity__group", "activity__actor").get()
    activity = notification.activity
    actor = activity.actor.display_name if activity.actor else gettext("Someone")
    story = group_stories(email.user, [activity.group]).get(activity.group_id)
    return {
        # The group history's line in the recipient's language, the one the email is written in.
        "subject": gettext("%(actor)s %(summary)s in %(group)s")
        % {"actor": actor, "summary": activity.text, "group": activity.group.name},
        "entries": [{"actor": actor, "summary": activity.text, "group": activity.group}],
        "stories": [story] if story else [],
    }


def _digest_context(email):
    notifications = list(
        email.notifications.select_related("activity__group", "activity__actor").order_by(
            "activity__group__name", "activity_id"
        )
    )
    groups = {n.activity.group_id: n.activity.group for n in notifications}
    stories = group_stories(email.user, groups.values())
    return {
        "subject": ngettext(
            "%(count)d update in your groups",
            "%(count)d updates in your groups",
            len(notifications),
        )
        % {"count": len(notifications)}
        if notifications
        else "",
        "entries": [
            {
                "actor": n.activity.actor.display_name if n.activity.actor else gettext("Someone"),
                "summary": n.activity.text,
                "group": n.activity.group,
            }
            for n in notifications
        ],
        "stories": [stories[pk] for pk in groups if pk in stories],
    }


def _reminder_context(email):
    preferences = Preferences.objects.for_user(email.user)
    owing = owing_memberships(email.user_id, preferences)
    stories = group_stories(email.user, [member.group for member in owing])
    return {
        "subject": gettext("A reminder of what you owe") if owing else "",
        "entries": [],
        "stories": [stories[member.group_id] for member in owing if member.group_id in stories],
    }


CONTEXTS = {
    Email.Kind.ACTIVITY: _activity_context,
    Email.Kind.DIGEST: _digest_context,
    Email.Kind.REMINDER: _reminder_context,
}


def build_message(email, address):
    """The email to send to `address`, or None when there is nothing left to say (a reminder
    to someone who has paid since, a digest whose lines went away)."""
    context = CONTEXTS[email.kind](email)
    if not context["subject"]:
        return None
    unsubscribe = unsubscribe_url(email.user)
    context |= {
        "user": email.user,
        "unsubscribe_url": unsubscribe,
        "preferences_url": site_url(reverse("notifications:preferences")),
    }
    message = NotificationMessage(
        # Names and descriptions are quoted in it: a line break there would be a header break.
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(context["subject"].split()),
        body=render_to_string(f"notifications/email/{email.kind}.txt", context),
        to=[address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Mail systems should not answer these with out-of-office replies.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{email.kind}.html", context), "text/html"
    )
    return message
