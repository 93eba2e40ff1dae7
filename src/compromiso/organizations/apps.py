from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "compromiso.organizations"
    label = "organizations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from compromiso.core.permissions import provide_sources
        from compromiso.organizations.grants import is_network_member, membership_rows

        provide_sources(grants=membership_rows, network_analyst=is_network_member)
        from compromiso.organizations import sign_ins  # noqa: F401  (connects the sign-in log)
