from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "compromiso.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from compromiso.surveys import privacy, receivers

        privacy.connect()
        receivers.connect()
