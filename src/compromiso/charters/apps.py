from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChartersConfig(AppConfig):
    name = "compromiso.charters"
    label = "charters"
    verbose_name = _("Service charters")

    def ready(self) -> None:
        from compromiso.charters import home  # noqa: F401  (its staff home panels)
