from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "compromiso.improvement"
    label = "improvement"
    verbose_name = _("Continuous improvement")

    def ready(self) -> None:
        from compromiso.improvement import home  # noqa: F401  (its staff home panels)
