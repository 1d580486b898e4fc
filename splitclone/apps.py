from django.apps import AppConfig


class SplitcloneConfig(AppConfig):
    name = "splitclone"
    verbose_name = "Splitclone"
