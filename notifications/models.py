"""Who gets told about what, by email: preferences, the events each person is told about, and
the emails sent, each with the unique key that lets it be sent once."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.models import Activity, Group


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("As it happens")
    DAILY = "daily", _("A daily digest")
    OFF = "off", _("Never")


# Reminders go to people who owe more than this many whole units of a group's currency.
DEFAULT_REMINDER_THRESHOLD = 10


class PreferencesManager(models.Manager):
    def for_user(self, user):
        """The person's preferences; the defaults (unsaved) for someone who never chose."""
        return self.filter(user=user).first() or Preferences(user=user)


class Preferences(models.Model):
    """What one person wants to hear about; without a row, the defaults apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    frequency = models.CharField(max_length=12, choices=Frequency, default=Frequency.IMMEDIATELY)
    reminders = models.BooleanField(
        default=False, help_text="A weekly email while they owe more than the threshold."
    )
    # Whole units (euros, yen, dinars) of each group's own currency.
    reminder_threshold = models.PositiveIntegerField(default=DEFAULT_REMINDER_THRESHOLD)
    muted_groups = models.ManyToManyField(Group, blank=True, related_name="+")

    objects = PreferencesManager()

    class Meta:
        verbose_name_plural = "preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values),
                name="notifications_preferences_known_frequency",
            ),
        ]

    def __str__(self):
        return f"Notifications of {self.user}"


class DispatchCursor(models.Model):
    """How far the group history has been read for notifications: every followed line up to
    `position` has been dispatched. One row, locked by the dispatcher, so two dispatchers take
    turns (`notifications.dispatch.dispatch_new_activity`)."""

    position = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Activity read up to #{self.position}"


class DispatchedActivity(models.Model):
    """A followed history line that has been dispatched, for the lines after the cursor (still
    recent enough that an earlier one may commit later). Kept small: rows before the cursor
    can go."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"Dispatched #{self.activity_id}"


class EmailKind(models.TextChoices):
    ACTIVITY = "activity", "Something happened"
    DIGEST = "digest", "Daily digest"
    REMINDER = "reminder", "Weekly reminder"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    # Nothing left to say when its time came (a reminder to someone who has paid since).
    SKIPPED = "skipped", "Not needed"
    FAILED = "failed", "Failed"


class Email(models.Model):
    """One email to one person, sent by the `send_email` task, at most once.

    A digest is unique per person and day, a reminder per person and ISO week (`period`: the
    day, the week's Monday); an activity email is the one of its `Notification`.
    """

    Kind = EmailKind
    Status = EmailStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_emails"
    )
    kind = models.CharField(max_length=10, choices=EmailKind)
    period = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=EmailStatus, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due (a retry waits, with backoff), or when sending began.
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"],
                condition=Q(period__isnull=False),
                name="notifications_email_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(kind=EmailKind.ACTIVITY) | Q(period__isnull=False),
                name="notifications_email_period_for_digests_and_reminders",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EmailKind.values) & Q(status__in=EmailStatus.values),
                name="notifications_email_known_kind_and_status",
            ),
        ]
        indexes = [
            # The periodic job's look for emails whose task was lost or whose send was cut off.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=[EmailStatus.QUEUED, EmailStatus.SENDING]),
                name="notifications_email_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.user} ({self.get_status_display()})"


class Notification(models.Model):
    """That `user` is to be told about `activity`: at most one per person and line, whichever
    dispatcher got there. `email` is the email that told them (immediately, or in a digest);
    None while a digest is still to come."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    email = models.ForeignKey(
        Email, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], name="notifications_notification_once"
            ),
        ]
        indexes = [
            # The daily digest: each person's notifications not emailed yet.
            models.Index(
                fields=["user", "created_at"],
                condition=Q(email__isnull=True),
                name="notifications_undigested",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.activity}"


def iso_week_start(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s ISO week: a reminder's period."""
    return day - datetime.timedelta(days=day.weekday())
