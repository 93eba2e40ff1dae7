"""The counts kept with every response, that every figure is read from: score counts per cell,
segment counts and the key-driver sums."""

from django.db import models

from compromiso.catalog.models import Service
from compromiso.surveys.models.questionnaires import Question
from compromiso.surveys.models.waves import Wave


class ScoreCount(models.Model):
    """How many answers gave `score` to a question, per wave, service, channel, touch point and
    month — additive, kept current on every response, so dashboards never scan raw answers.
    0 stands for "none" in the channel and touch point keys."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    channel_key = models.PositiveIntegerField(default=0)
    touch_point_key = models.PositiveIntegerField(default=0)
    client_unit_key = models.PositiveIntegerField(default=0)
    month = models.DateField()
    score = models.SmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "wave",
                    "question",
                    "service",
                    "channel_key",
                    "touch_point_key",
                    "client_unit_key",
                    "month",
                    "score",
                ],
                name="score_count_cell",
            )
        ]
        indexes = [models.Index(fields=["service", "month"])]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.score}={self.count}"


class SegmentCount(models.Model):
    """How many respondents in a segment gave `score` to the overall question, per wave and
    service — additive like ScoreCount. A segment is a field of the response ("user_type",
    "age_band") or a segment question ("q<id>"), and `value` its answer."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    segment = models.CharField(max_length=20)
    value = models.CharField(max_length=60)
    score = models.SmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "question", "service", "segment", "value", "score"],
                name="segment_count_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.segment}={self.value}:{self.score}={self.count}"


class DriverMoments(models.Model):
    """Sums over a wave's complete responses for one service (every scale question answered):
    how many, each question's total score and each pair's total product. Additive like the score
    counts and kept current with them, they give the correlation matrix that key-driver analysis
    needs, so the wave page never reads raw answers."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    # The questionnaire's scale questions, in order: the rows and columns of the sums.
    questions = models.JSONField(default=list)
    n = models.PositiveBigIntegerField(default=0)
    sums = models.JSONField(default=list)
    products = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "service"], name="driver_moments_cell")
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.service_id}: {self.n}"
