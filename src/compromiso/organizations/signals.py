"""Signals other apps listen to without organisations knowing about them."""

from django.dispatch import Signal

# Sent (after commit) when anything that decides business days changed: closure days, the
# country or region, the working week or office hours. Argument: organization_id.
calendar_changed = Signal()
