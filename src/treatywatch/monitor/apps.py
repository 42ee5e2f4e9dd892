from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "treatywatch.monitor"
    label = "monitor"
    default_auto_field = "django.db.models.BigAutoField"
