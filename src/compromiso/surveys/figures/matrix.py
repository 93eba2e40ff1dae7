"""The internal-customer matrix of an internal wave: each client unit's score of each provider
unit's services."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from compromiso.catalog.models import Service
from compromiso.insights import netscore
from compromiso.surveys.figures.cells import Cell, Counts, bands_of
from compromiso.surveys.models import ScoreCount, Wave

# Internal waves: no cell is shown with fewer answers than this, whatever the wave's minimum,
# so colleagues cannot be recognised in a small client unit.
INTERNAL_ANONYMITY = 5


@dataclass(frozen=True)
class Matrix:
    providers: list[tuple[int, str]]
    clients: list[tuple[int, str]]
    cells: dict[tuple[int, int], Cell]  # (client unit id, provider unit id) → cell


def internal_matrix(wave: Wave, services: QuerySet[Service]) -> Matrix | None:
    """The internal-customer matrix: each client unit's net score of each provider unit's
    services (overall question), with n; small cells suppressed."""
    from compromiso.organizations.models import Unit

    if wave.audience != "internal":
        return None
    overall = (
        wave.questionnaire.questions.filter(is_overall=True).select_related("questionnaire").first()
    )
    if overall is None:
        return None
    bands = bands_of(overall)
    grouped: dict[tuple[int, int], Counts] = defaultdict(dict)
    rows = (
        ScoreCount.objects.filter(wave=wave, question=overall, service__in=services)
        .exclude(client_unit_key=0)
        .values("client_unit_key", "service__provider_unit_id", "score")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        key = (row["client_unit_key"], row["service__provider_unit_id"])
        grouped[key][row["score"]] = grouped[key].get(row["score"], 0) + row["total"]
    if not grouped:
        return Matrix([], [], {})
    minimum = max(wave.min_publish, INTERNAL_ANONYMITY)
    names = dict(
        Unit.objects.filter(pk__in={k for pair in grouped for k in pair}).values_list("pk", "name")
    )
    cells = {}
    for key, counts in grouped.items():
        summary = netscore.summarise(counts, bands)
        cells[key] = Cell(label=names.get(key[0], "?"), summary=summary, shown=summary.n >= minimum)
    providers = sorted({(p, names.get(p, "?")) for _c, p in grouped}, key=lambda i: i[1])
    clients = sorted({(c, names.get(c, "?")) for c, _p in grouped}, key=lambda i: i[1])
    return Matrix(providers=providers, clients=clients, cells=cells)
