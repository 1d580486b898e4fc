from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_EMAIL = "demo@splitclone.test"
DEMO_PASSWORD = "splitclone-demo"


class Command(BaseCommand):
    help = "Loads demo data; running it again changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        demo_user, created = get_user_model().objects.get_or_create(
            email=DEMO_EMAIL, defaults={"display_name": "Demo Dana"}
        )
        if created:
            demo_user.set_password(DEMO_PASSWORD)
            demo_user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=demo_user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
        )
        state = "created" if created else "already present"
        self.stdout.write(f"Demo account {state}: log in as {DEMO_EMAIL} / {DEMO_PASSWORD}")
