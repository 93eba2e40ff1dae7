"""Personal single-use invitations to answer a wave."""

from django.db import models

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Unit
from compromiso.surveys.models.waves import Wave, _token


class Invitation(TimeStampedModel):
    """A personal, single-use link to a wave sent by e-mail (also after a case is closed). The
    response is not linked to it, so answers stay anonymous; the address is erased once used."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    # None: the respondent says which service (internal waves ask about every service used).
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the invited person was served (a visit to a branch): the answer is segmented by it.
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    touch_point = models.ForeignKey(
        TouchPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(blank=True)
    token = models.CharField(max_length=43, unique=True, default=_token, editable=False)
    case_id_ref = models.PositiveIntegerField(null=True, blank=True, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "used_at", "reminded_at"])]

    def __str__(self) -> str:
        return f"{self.wave_id} {self.token[:6]}…"
