from django.apps import AppConfig


class SplitcloneConfig(AppConfig):
    name = "splitclone"
    verbose_name = "Splitclone"

    def ready(self):
        from django.conf import settings

        from splitclone import fx, metrics

        metrics.connect_signals()
        fx.use_rates_file(settings.FX_RATES_FILE)
