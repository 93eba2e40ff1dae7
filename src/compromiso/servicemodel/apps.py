from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceModelConfig(AppConfig):
    name = "compromiso.servicemodel"
    label = "servicemodel"
    verbose_name = _("Service model")

    def ready(self) -> None:
        from compromiso.servicemodel import home  # noqa: F401  (its staff home panel)
