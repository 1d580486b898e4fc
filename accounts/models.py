from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


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


class User(AbstractBaseUser, PermissionsMixin):
    """A registered person. The email address is the login; the display name is what others see."""

    email = models.EmailField("email address", max_length=254, unique=True)
    display_name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Support staff: may sign in to the admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # The currency this person last spent in other than a group's own: the currency selects of
    # the expense and payment forms offer it second, after the group's. Kept on the user (by
    # `ledger.books.remember_currency`) rather than looked up, so a form costs no query for it.
    last_currency = models.CharField(max_length=3, blank=True, db_default="", editable=False)

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
