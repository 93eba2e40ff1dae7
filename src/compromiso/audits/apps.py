from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "compromiso.audits"
    label = "audits"
    verbose_name = _("Audits")

    def ready(self) -> None:
        from compromiso.audits import home  # noqa: F401  (its staff home panel and landing)
        from compromiso.audits.views.remedies import describe_finding_origin
        from compromiso.improvement.origins import register_origin_describer

        register_origin_describer("audit_finding", describe_finding_origin)
