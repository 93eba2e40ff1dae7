"""Attention management: branch queues (tickets, desks, displays), appointments, contacts on the
other channels, the procedure directory of a one-stop service, and the figures that measure the
commitments on waiting and answering."""
