from django.apps import AppConfig


class SplitcloneConfig(AppConfig):
    name = "splitclone"
    verbose_name = "Splitclone"

    def ready(self):
        from splitclone import metrics

        metrics.connect_signals()
