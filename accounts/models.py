from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import paying


class UserManager(BaseUserManager):
    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email=email.strip().lower())

    def language_of(self, email):
        """The language chosen by whoever has the account at `email`; "" when nobody has it or
        they follow their browser. Used by emails to addresses rather than to accounts."""
        found = self.filter(email=email.strip().lower()).values_list("language", flat=True)
        return found.first() or ""


class User(AbstractBaseUser, PermissionsMixin):
    """A registered person. The email address is the login; the display name is what others see."""

    email = models.EmailField("email address", max_length=254, unique=True)
    display_name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=_("Support staff: may sign in to the admin site.")
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # The currency this person last spent in other than a group's own: the currency selects of
    # the expense and payment forms offer it second, after the group's. Kept on the user (by
    # `ledger.books.remember_currency`) rather than looked up, so a form costs no query for it.
    last_currency = models.CharField(max_length=3, blank=True, db_default="", editable=False)
    # Payments to this person are recorded as pending until they say the money arrived
    # (`settlements.models.PaymentManager.record`); pending ones already count as paid.
    confirms_payments = models.BooleanField(
        _("I confirm payments I receive"),
        default=False,
        db_default=False,
        help_text=_("Payments to you show as pending until you confirm you received them."),
    )

    # The language of this person's pages on every device and of the emails sent to them
    # (splitclone.i18n.UserLanguageMiddleware, notifications.emails); blank follows the browser.
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        db_default="",
        choices=settings.LANGUAGES,
        help_text=_("Pages and emails are in this language."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            # Stored lower-cased so the unique index also rejects case variants.
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="accounts_user_email_lowercase"
            ),
        ]

    def __str__(self):
        return self.display_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        self.display_name = self.display_name.strip()


def translated(error):
    """The message of a `paying.InvalidValue` in the reader's language; its text params (the
    handle rules) are marked messages too, and names like "Revolut" pass through unchanged."""
    params = {
        name: gettext(value) if isinstance(value, str) else value
        for name, value in error.params.items()
    }
    return ValidationError(gettext(error.message), params=params)


class PaymentMethod(models.Model):
    """One way a person likes to be paid; several per person, in their chosen order. Shown to
    the people they share a group with (`groups.access.payment_methods_shown_to`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="payment_methods")
    kind = models.CharField(
        max_length=10, choices={kind: _(label) for kind, label in paying.KINDS.items()}
    )
    # The IBAN (capitals, no spaces), the handle, the UPI ID, the Lightning address or the text.
    value = models.CharField(max_length=paying.TEXT_MAX_LENGTH)
    # Bank transfers only: the BIC (optional within the EEA) and the account holder's name.
    bic = models.CharField("BIC", max_length=11, blank=True)
    holder = models.CharField(
        _("account holder"), max_length=paying.HOLDER_MAX_LENGTH, blank=True,
        help_text=_("As the bank knows it; your name if empty."),
    )  # fmt: skip
    label = models.CharField(max_length=40, blank=True, help_text=_("For example “joint account”."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=list(paying.KINDS)), name="accounts_payment_method_kind"
            ),
            models.CheckConstraint(
                condition=~models.Q(value=""), name="accounts_payment_method_value_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=paying.IBAN) | models.Q(bic="", holder=""),
                name="accounts_payment_method_bank_fields_for_iban",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "value"], name="accounts_payment_method_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.display_value}"

    def clean(self):
        super().clean()
        errors = {}
        try:
            self.value = paying.normalise_value(self.kind, self.value)
        except paying.InvalidValue as error:
            errors["value"] = translated(error)
        if self.kind == paying.IBAN:
            try:
                self.bic = paying.normalise_bic(self.bic)
            except paying.InvalidValue as error:
                errors["bic"] = translated(error)
            self.holder = " ".join(self.holder.split())
        elif self.bic or self.holder:
            errors["bic"] = gettext("Only a bank transfer has a BIC and an account holder.")
        self.label = self.label.strip()
        if errors:
            raise ValidationError(errors)

    @property
    def display_value(self):
        return paying.format_iban(self.value) if self.kind == paying.IBAN else self.value
