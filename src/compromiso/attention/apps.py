from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttentionConfig(AppConfig):
    name = "compromiso.attention"
    label = "attention"
    verbose_name = _("Attention management")

    def ready(self) -> None:
        from compromiso.attention import privacy

        privacy.connect()
