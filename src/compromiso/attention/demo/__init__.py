"""Demo of the attention app, one module per part, loaded in order (`compromiso demo`, after the
surveys and before the charters, which measure commitments from these visits): the branches with
their hours, queues and desks; the procedure directory (with a second institution of the network
served under an agreement); appointment plans and bookings; a month of visits and a live morning;
the call centre's imported figures and the contacts on other channels."""

from typing import Any

from compromiso.attention.demo import appointments, branches, contacts, directory, visits


def load(context: dict[str, Any]) -> None:
    branches.load(context)
    directory.load(context)
    appointments.load(context)
    visits.load(context)
    contacts.load(context)
