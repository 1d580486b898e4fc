from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's email addresses already sit under "Accounts" in the admin.
    verbose_name = "Users"
