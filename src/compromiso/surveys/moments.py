"""Key-driver sums kept current with the responses (see DriverMoments): each complete response
(every scale question answered) adds 1 to n, its scores to the sums and the products of its
scores to the products. From them come the means, the covariances and so the correlation matrix
of overall satisfaction and the attributes, whatever the number of responses."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import QuerySet
from numpy.typing import NDArray

from compromiso.catalog.models import Service
from compromiso.surveys.models import DriverMoments, QuestionKind, Response, Wave


def scale_questions(wave: Wave) -> list[int]:
    """The ids of the wave's scale questions, in questionnaire order: the sums' axes."""
    return list(
        wave.questionnaire.questions.filter(kind=QuestionKind.SCALE)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class Moments:
    questions: list[int]
    n: int
    sums: NDArray[np.float64]
    products: NDArray[np.float64]

    def correlation(self) -> NDArray[np.float64] | None:
        """The correlation matrix of the questions' scores; None with fewer than 2 responses
        or when a question's scores do not vary (nothing to correlate)."""
        if self.n < 2:
            return None
        mean = self.sums / self.n
        covariance = self.products / self.n - np.outer(mean, mean)
        spread = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
        if np.any(spread <= 1e-12):
            return None
        return np.asarray(covariance / np.outer(spread, spread), dtype=np.float64)


def group(service_ids: NDArray[Any], scores: NDArray[Any]) -> dict[int, tuple[int, Any, Any]]:
    """Sums per service from complete responses: one row of `scores` per response."""
    found: dict[int, tuple[int, Any, Any]] = {}
    values = np.asarray(scores, dtype=np.int64)
    for service_id in np.unique(service_ids).tolist():
        rows = values[service_ids == service_id]
        found[int(service_id)] = (len(rows), rows.sum(axis=0), rows.T @ rows)
    return found


def add(wave: Wave, questions: list[int], by_service: Mapping[int, tuple[int, Any, Any]]) -> None:
    """Add sums to the wave's rows (call inside the transaction that stores the responses; a
    row is locked while it is updated, so concurrent answers add up)."""
    size = len(questions)
    for service_id, (n, sums, products) in by_service.items():
        if not n:
            continue
        row, _created = DriverMoments.objects.select_for_update().get_or_create(
            wave=wave,
            service_id=service_id,
            defaults={
                "questions": questions,
                "sums": [0] * size,
                "products": [[0] * size for _ in range(size)],
            },
        )
        if row.questions != questions:  # the questionnaire of a wave never changes
            raise ValueError("the wave's scale questions changed")
        row.n += int(n)
        row.sums = (np.asarray(row.sums, dtype=np.int64) + sums).tolist()
        row.products = (np.asarray(row.products, dtype=np.int64) + products).tolist()
        row.save(update_fields=["n", "sums", "products"])


def add_response(response: Response) -> None:
    questions = scale_questions(response.wave)
    scores = [response.grade(q) for q in questions]
    if not questions or None in scores:
        return
    vector = np.array(scores, dtype=np.int64)
    add(response.wave, questions, {response.service_id: (1, vector, np.outer(vector, vector))})


def rebuild(wave: Wave) -> None:
    """Recompute a wave's sums from its responses' grades (after a bulk load)."""
    DriverMoments.objects.filter(wave=wave).delete()
    questions = scale_questions(wave)
    if not questions:
        return
    keys = [str(q) for q in questions]
    vectors: list[list[int]] = []
    services: list[int] = []
    graded = Response.objects.filter(wave=wave).values_list("service_id", "grades")
    for service_id, grades in graded.iterator(5000):
        if all(key in grades for key in keys):
            vectors.append([int(grades[key]) for key in keys])
            services.append(service_id)
    if not vectors:
        return
    matrix = np.array(vectors, dtype=np.int64)
    add(wave, questions, group(np.array(services, dtype=np.int64), matrix))


def load(wave: Wave, services: QuerySet[Service]) -> Moments | None:
    """The sums over the given services (those the viewer may see); None without any."""
    found = list(DriverMoments.objects.filter(wave=wave, service__in=services))
    if not found:
        return None
    questions = found[0].questions
    return Moments(
        questions=questions,
        n=sum(r.n for r in found),
        sums=np.sum([np.asarray(r.sums, dtype=np.float64) for r in found], axis=0),
        products=np.sum([np.asarray(r.products, dtype=np.float64) for r in found], axis=0),
    )
