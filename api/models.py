"""Personal access tokens: how scripts and other programs sign in to the API."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "sc_"
# What the token list shows of a token, so its owner can tell which one a script uses.
SHOWN_LENGTH = 10
# Last use is noted to the minute: a busy script should not write on every request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class Scope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class AccessTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class AccessTokenManager(models.Manager.from_queryset(AccessTokenQuerySet)):
    def issue(self, *, user, name, scope):
        """A new token and its secret. Only the secret's hash is stored: it is shown once."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.create(
            user=user, name=name, scope=scope, shown=secret[:SHOWN_LENGTH], digest=digest(secret)
        )
        return token, secret

    def authenticate(self, secret):
        """The usable token with this secret, its last use noted, or None."""
        token = (
            self.usable()
            .select_related("user")
            .filter(digest=digest(secret), user__is_active=True)
            .first()
        )
        if token is not None:
            now = timezone.now()
            if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
                self.filter(pk=token.pk).update(last_used_at=now)
                token.last_used_at = now
        return token


class AccessToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=5, choices=Scope, default=Scope.READ)
    shown = models.CharField(max_length=SHOWN_LENGTH)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessTokenManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="api_accesstoken_known_scope"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.shown}…)"

    @property
    def can_write(self):
        return self.scope == Scope.WRITE

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
