"""Checking an import: the columns' mapping (guessed from the headers), and every row against the
wave — service, channel, touch point, date, answers, repeated respondents — a column at a time."""

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from polars.datatypes import DataType

from compromiso.catalog.models import Channel, TouchPoint
from compromiso.surveys import moments, services
from compromiso.surveys.imports.storing import ANSWER_COLUMNS
from compromiso.surveys.models import (
    AgeBand,
    ImportJob,
    QuestionKind,
    ResponseSource,
    UserType,
    Wave,
)

FIELDS = ("service", "channel", "touch_point", "date", "user_type", "age_band", "respondent")
BLANK = "blank"  # the column of empty cells that an unmapped field or question reads


def guess_mapping(job: ImportJob) -> dict[str, str]:
    """Columns named like a field or a question (its text, q<order> or its id) map themselves."""
    lowered = {h.lower(): h for h in job.headers}
    aliases = {
        "service": ("service", "servicio", "servei", "service_code"),
        "channel": ("channel", "canal"),
        "date": ("date", "fecha", "data", "submitted_at"),
        "touch_point": ("touch_point", "office", "oficina", "sucursal", "punto de atención"),
        "user_type": ("user_type", "tipo", "tipus"),
        "age_band": ("age_band", "edad", "edat", "tramo de edad"),
        "respondent": (
            "respondent",
            "respondent_id",
            "response_id",
            "id",
            "folio",
            "encuestado",
            "id_respuesta",
        ),
    }
    mapping: dict[str, str] = {}
    for field, names in aliases.items():
        for alias in names:
            if alias in lowered:
                mapping[field] = lowered[alias]
                break
    for question in job.wave.questionnaire.questions.all():
        for alias in (f"q{question.order}", str(question.pk), question.text.lower()):
            if alias.lower() in lowered:
                mapping[f"q{question.pk}"] = lowered[alias.lower()]
                break
    return mapping


def _parse_date(value: str, zone: dt.tzinfo) -> dt.datetime:
    """A moment from the file; one without an offset is a time where the organisation is."""
    value = value.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        return timezone.make_aware(moment, zone) if timezone.is_naive(moment) else moment
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M"):
        try:
            return timezone.make_aware(dt.datetime.strptime(value, pattern), zone)
        except ValueError:
            continue
    raise ValueError(value)


def _month(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The first day of the moment's month where the organisation is."""
    return timezone.localtime(moment, zone).date().replace(day=1)


@dataclass(frozen=True)
class _Column:
    """A question and the column of the file that answers it."""

    question_id: int
    position: int | None
    label: str
    kind: str
    required: bool
    scores: dict[str, int]
    allowed: frozenset[str]
    messages: dict[str, str]
    overall: bool = False
    segment: bool = False

    @property
    def cell(self) -> str:
        """The table's column with this question's cells."""
        return BLANK if self.position is None else str(self.position)

    @property
    def grade(self) -> str:
        """The checked column with the grade of a scale question."""
        return f"grade_{self.question_id}"

    @property
    def answer(self) -> str:
        """The checked column with the choices (JSON) or the text of another question."""
        return f"answer_{self.question_id}"


def _columns(questions: list[Any], mapping: dict[str, str], index: dict[str, int]) -> list[_Column]:
    columns = []
    for question in questions:
        column = mapping.get(f"q{question.pk}")
        scale = question.scale
        columns.append(
            _Column(
                question_id=question.pk,
                position=index.get(column) if column else None,
                label=question.text[:60],
                kind=question.kind,
                required=question.required,
                scores={str(v): v for v in scale},
                allowed=frozenset(v for v, _label in question.choice_items()),
                overall=question.is_overall and bool(scale),
                segment=question.is_segment and question.kind == QuestionKind.SINGLE,
                messages={
                    "required": _("Please answer this question."),
                    "scale": _("Choose a value from %(low)s to %(high)s.")
                    % {"low": question.scale_min, "high": question.scale_max},
                    "yes_no": _("Answer yes or no."),
                    "choice": _("Choose among the options offered."),
                    "text": _("At most %(limit)s characters.") % {"limit": services.TEXT_LIMIT},
                },
            )
        )
    return columns


def _answer(column: _Column, cell: str) -> tuple[int | None, str | None, str | None]:
    """A cell of a scale, yes/no or choice question as (grade, choices as JSON, reason it is
    refused after the question's label); all None when the cell is empty and may be."""
    if not cell:
        return None, None, _refusal(column, "required") if column.required else None
    kind = column.kind
    if kind == QuestionKind.SCALE:
        score = column.scores.get(cell)
        if score is None:
            digits = cell.lstrip("-")
            if (
                digits.isascii()
                and digits.isdigit()
                and len(digits) <= 4
                and str(int(cell)) in column.scores
            ):
                score = int(cell)
            else:
                return None, None, _refusal(column, "scale")
        return score, None, None
    if kind == QuestionKind.YES_NO:
        value = YES_NO.get(cell.lower())
        if value is None:
            return None, None, _refusal(column, "yes_no")
        return None, f'["{value}"]', None
    values = [v.strip() for v in cell.split("|") if v.strip()] if kind == "multiple" else [cell]
    if not values:
        return None, None, _refusal(column, "required") if column.required else None
    if any(v not in column.allowed for v in values):
        return None, None, _refusal(column, "choice")
    return None, json.dumps(values), None


def _refusal(column: _Column, reason: str) -> str:
    return f"{column.label}: {column.messages[reason]}"


YES_NO = {"sí": "yes", "si": "yes", "yes": "yes", "no": "no"}


def _each_distinct(
    table: pl.DataFrame,
    name: str,
    outcome: Callable[[str], tuple[Any, ...]],
    dtypes: Sequence[DataType | type[DataType]],
) -> list[pl.Expr]:
    """What `outcome` makes of each cell of column `name`, one expression per result, worked
    out once per distinct cell: a file holds few distinct services, dates or grades."""
    distinct = table.get_column(name).unique().to_list()
    results = [outcome(cell) for cell in distinct]
    return [
        pl.col(name).replace_strict(
            distinct, [result[i] for result in results], default=None, return_dtype=dtype
        )
        for i, dtype in enumerate(dtypes)
    ]


class RowCheck:
    """The checks of every row of a file for a wave, and what the valid rows store and count."""

    def __init__(
        self, wave: Wave, questions: list[Any], headers: list[str], mapping: dict[str, str]
    ) -> None:
        index = {h: i for i, h in enumerate(headers)}
        self.wave = wave
        self.fields = {f: index.get(mapping.get(f, "")) for f in FIELDS}
        self.columns = _columns(questions, mapping, index)
        self.positions = sorted(
            {
                p
                for p in (*self.fields.values(), *(c.position for c in self.columns))
                if p is not None
            }
        )
        measured = list(wave.services.all())
        self.services = {s.code.lower(): s.pk for s in measured} | {
            s.name.lower(): s.pk for s in measured
        }
        self.channels = {
            key.lower(): c.pk
            for c in Channel.objects.filter(organization=wave.organization)
            for key in (c.kind, c.name)
        }
        self.touch_points = {
            t.name.lower(): t.pk for t in TouchPoint.objects.filter(organization=wave.organization)
        }
        self.zone = wave.organization.zone
        now = timezone.now()
        self.now = (f"{now.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}+00", _month(now, self.zone))

    def _field_cell(self, field: str) -> str:
        position = self.fields[field]
        return BLANK if position is None else str(position)

    def _service(self, cell: str) -> tuple[int | None, str | None]:
        found = self.services.get(cell.lower())
        if found is None:
            return None, _("Unknown service “%(value)s”.") % {"value": cell[:60]}
        return found, None

    def _channel(self, cell: str) -> tuple[int | None, str | None]:
        found = self.channels.get(cell.lower()) if cell else None
        if cell and found is None:
            return None, _("Unknown channel “%(value)s”.") % {"value": cell[:60]}
        return found, None

    def _touch_point(self, cell: str) -> tuple[int | None, str | None]:
        found = self.touch_points.get(cell.lower()) if cell else None
        if cell and found is None:
            return None, _("Unknown touch point “%(value)s”.") % {"value": cell[:60]}
        return found, None

    def _date(self, cell: str) -> tuple[str | None, dt.date | None, str | None]:
        """The moment in UTC as COPY text and its local month; now when there is no date."""
        if not cell:
            return *self.now, None
        try:
            moment = _parse_date(cell, self.zone)
        except ValueError:
            return (
                None,
                None,
                _("“%(value)s” is not a date (use 2026-03-31).") % {"value": cell[:40]},
            )
        return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}+00", _month(moment, self.zone), None

    @staticmethod
    def _user_type(cell: str) -> tuple[str | None, str | None]:
        if cell and cell not in UserType.values:
            return None, _("Unknown user type “%(value)s”.") % {"value": cell[:40]}
        return cell, None

    @staticmethod
    def _age_band(cell: str) -> tuple[str | None, str | None]:
        if cell and cell not in AgeBand.values:
            return None, _("Unknown age band “%(value)s”.") % {"value": cell[:40]}
        return cell, None

    def check(self, table: pl.DataFrame) -> tuple[pl.DataFrame, list[list[Any]]]:
        """The valid rows with what they store, and [row number, reasons] for each rejected
        row: a duplicate of an earlier row is only that; otherwise every reason the row is
        refused, in the order of the columns. A row is a duplicate only when the mapped
        respondent or response identifier repeats an earlier row's: identical anonymous answers
        (all 7s, no identifier) are different people and all count."""
        table = table.with_columns(pl.lit("").alias(BLANK))
        values: list[pl.Expr] = []
        errors: list[pl.Expr] = []
        for field, outcome, dtypes in (
            ("service", self._service, [pl.Int64]),
            ("channel", self._channel, [pl.Int64]),
            ("touch_point", self._touch_point, [pl.Int64]),
            ("date", self._date, [pl.String, pl.Date]),
            ("user_type", self._user_type, [pl.String]),
            ("age_band", self._age_band, [pl.String]),
        ):
            *found, error = _each_distinct(
                table, self._field_cell(field), outcome, [*dtypes, pl.String]
            )
            names = ["submitted_at", "month"] if field == "date" else [field]
            values += [value.alias(name) for value, name in zip(found, names, strict=True)]
            errors.append(error)
        for column in self.columns:
            if column.kind == QuestionKind.TEXT:
                cell = pl.col(column.cell)
                values.append(pl.when(cell != "").then(cell).alias(column.answer))
                errors.append(
                    pl.when(cell.str.len_chars() > services.TEXT_LIMIT)
                    .then(pl.lit(_refusal(column, "text")))
                    .when((cell == "") & column.required)
                    .then(pl.lit(_refusal(column, "required")))
                )
                continue
            score, choices, error = _each_distinct(
                table, column.cell, partial(_answer, column), [pl.Int16, pl.String, pl.String]
            )
            values.append(
                score.alias(column.grade) if column.scores else choices.alias(column.answer)
            )
            errors.append(error)
        template = _("Duplicate of row %(row)s (same respondent or response identifier).") % {
            "row": "\0"
        }
        before, _row, after = template.partition("\0")
        identifier = pl.col(self._field_cell("respondent"))
        first = pl.col("number").min().over(identifier)
        checked = table.with_columns(
            *values,
            pl.when((identifier != "") & (first != pl.col("number")))
            .then(pl.concat_str(pl.lit(before), first.cast(pl.String), pl.lit(after)))
            .otherwise(pl.concat_str(errors, separator=" ", ignore_nulls=True))
            .alias("reason"),
        )
        rejected = checked.filter(pl.col("reason") != "").select("number", "reason")
        return checked.filter(pl.col("reason") == ""), [list(row) for row in rejected.rows()]

    # --- what the valid rows store --------------------------------------------------------------

    def responses(self, valid: pl.DataFrame) -> pl.DataFrame:
        """The valid rows as responses, in the columns of RESPONSE_COLUMNS. The grades are the
        JSON object question id → grade, written compactly."""
        grades = [
            pl.concat_str(pl.lit(f'"{c.question_id}":'), pl.col(c.grade).cast(pl.String))
            for c in self.columns
            if c.scores
        ]
        return valid.select(
            pl.col("id"),
            pl.lit(self.wave.pk, dtype=pl.Int64).alias("wave_id"),
            pl.col("service").alias("service_id"),
            pl.col("channel").alias("channel_id"),
            pl.col("touch_point").alias("touch_point_id"),
            pl.lit(None, dtype=pl.Int64).alias("client_unit_id"),
            pl.col("user_type"),
            pl.col("age_band"),
            pl.lit(ResponseSource.IMPORT.value).alias("source"),
            pl.col("submitted_at"),
            pl.concat_str(
                pl.lit("{"),
                pl.concat_str(grades, separator=",", ignore_nulls=True) if grades else pl.lit(""),
                pl.lit("}"),
            ).alias("grades"),
            pl.lit(False).alias("contact_ok"),
            pl.lit("").alias("contact_email"),
            pl.lit("").alias("panel_key"),
        )

    def answers(self, valid: pl.DataFrame) -> pl.DataFrame:
        """The answers that are not grades (yes/no, choices, open text), in the columns of
        ANSWER_COLUMNS: a response's answers together, in the order of the questions."""
        parts = [
            valid.filter(pl.col(c.answer).is_not_null()).select(
                pl.col("id").alias("response_id"),
                pl.lit(c.question_id, dtype=pl.Int64).alias("question_id"),
                (pl.lit("[]") if c.kind == QuestionKind.TEXT else pl.col(c.answer)).alias(
                    "choices"
                ),
                (pl.col(c.answer) if c.kind == QuestionKind.TEXT else pl.lit("")).alias("text"),
            )
            for c in self.columns
            if not c.scores
        ]
        if not parts:
            return pl.DataFrame(schema=dict.fromkeys(ANSWER_COLUMNS, pl.String))
        return pl.concat(parts).sort("response_id", maintain_order=True)

    # --- what the valid rows count --------------------------------------------------------------

    def cells(self, valid: pl.DataFrame) -> list[tuple[Any, ...]]:
        """(wave, question, service, channel, touch point, client unit, month, score, count)."""
        keys = ["service", "channel", "touch_point", "month"]
        rows = valid.lazy().select(
            "service",
            pl.col("channel").fill_null(0),
            pl.col("touch_point").fill_null(0),
            "month",
            *(pl.col(c.grade) for c in self.columns if c.scores),
        )
        counts = [
            rows.drop_nulls(c.grade)
            .group_by(*keys, c.grade)
            .len()
            .select(
                pl.lit(c.question_id, dtype=pl.Int64).alias("question"),
                *keys,
                pl.col(c.grade).alias("score"),
                "len",
            )
            for c in self.columns
            if c.scores
        ]
        if not counts:
            return []
        return [
            (self.wave.pk, question, service, channel, touch_point, 0, month, score, count)
            for question, service, channel, touch_point, month, score, count in pl.concat(counts)
            .sort(pl.all())
            .collect()
            .iter_rows()
        ]

    def moments(
        self, valid: pl.DataFrame, scale_questions: list[int]
    ) -> dict[int, tuple[int, Any, Any]]:
        """Key-driver sums per service from the responses that graded every scale question,
        the columns in the order of moments.scale_questions (`scale_questions`)."""
        grade = {c.question_id: c.grade for c in self.columns if c.scores}
        if not grade:
            return {}
        complete = valid.filter(pl.all_horizontal(pl.col(list(grade.values())).is_not_null()))
        if complete.is_empty():
            return {}
        order = [grade[q] for q in scale_questions]
        matrix = complete.select(pl.col(order).cast(pl.Int64)).to_numpy(order="c")
        return moments.group(complete.get_column("service").to_numpy(), matrix)

    def segment_rows(self, valid: pl.DataFrame) -> list[tuple[Any, ...]]:
        """(wave, overall question, service, segment, value, overall grade, count) for the
        user type, the age band and each segment question's answer (its first 60 characters)."""
        overall = next((c for c in self.columns if c.overall), None)
        if overall is None:
            return []
        graded = valid.filter(pl.col(overall.grade).is_not_null())
        segments_of = [
            ("user_type", pl.col("user_type")),
            ("age_band", pl.col("age_band")),
            *(
                (f"q{c.question_id}", pl.col(c.cell).str.slice(0, 60))
                for c in self.columns
                if c.segment
            ),
        ]
        parts = [
            graded.select(
                "service",
                pl.lit(name).alias("segment"),
                value.alias("value"),
                pl.col(overall.grade).alias("score"),
            )
            .filter(pl.col("value") != "")
            .group_by("service", "segment", "value", "score")
            .len()
            for name, value in segments_of
        ]
        return [
            (self.wave.pk, overall.question_id, *row)
            for part in parts
            for row in part.sort(pl.all()).iter_rows()
        ]
