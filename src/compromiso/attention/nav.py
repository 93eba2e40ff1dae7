"""The tabs of attention management: (tab, url name, label, permission needed somewhere in the
organisation). Each part adds its own line."""

from django.utils.translation import gettext_lazy as _

from compromiso.core.permissions import Perm

TABS: list[tuple[str, str, object, Perm]] = [
    ("branches", "attention:home", _("Branches"), Perm.VIEW),
    ("contacts", "attention:contacts", _("Contacts"), Perm.VIEW),
    ("imports", "attention:imports", _("Imports"), Perm.MANAGE_ATTENTION),
    ("appointments", "attention:appointments_home", _("Appointments"), Perm.VIEW),
    ("figures", "attention:figures", _("Figures"), Perm.VIEW),
]
TABS.append(("procedures", "attention:procedures", _("Procedures"), Perm.VIEW))  # -- directory
