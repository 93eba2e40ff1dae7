from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "compromiso.audits"
    label = "audits"
    verbose_name = _("Audits")

    def ready(self) -> None:
        from compromiso.audits import home  # noqa: F401  (its staff home panel and landing)
