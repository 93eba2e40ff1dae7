"""Signals other apps listen to without organisations knowing about them."""

from django.dispatch import Signal

# Sent (after commit) when anything that decides business days changed: closure days, the
# country or region, the working week or office hours. Argument: organization_id.
calendar_changed = Signal()

# Sent inside the transaction that creates an organisation, so what listeners seed for it (the
# standard root-cause coding) commits or rolls back with it. Arguments: organization, by.
organization_created = Signal()
