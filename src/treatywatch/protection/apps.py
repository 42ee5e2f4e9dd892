from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "treatywatch.protection"
    label = "protection"
    default_auto_field = "django.db.models.BigAutoField"
