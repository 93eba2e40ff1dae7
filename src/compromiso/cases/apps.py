from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "compromiso.cases"
    label = "cases"
    verbose_name = _("Complaints, suggestions and inquiries")

    def ready(self) -> None:
        from compromiso.cases import home, reference, signals  # noqa: F401  (connect their receivers)
        from compromiso.cases.metrics import cases_received
        from compromiso.core.metrics import register_collector

        register_collector(cases_received)
