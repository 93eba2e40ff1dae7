"""Demo of the audits app, one module per part, loaded in order (`compromiso demo`): the
programme and its audits first, then their evidence and findings, mystery shopping, and the seal
last, because its verification matrix reads the answers and evidence the others create."""

from typing import Any

from compromiso.audits.demo import evidence, mystery, programme, seal


def load(context: dict[str, Any]) -> None:
    programme.load(context)
    evidence.load(context)
    mystery.load(context)
    seal.load(context)
"""Demo of the audits app, one module per part, loaded in order (`compromiso demo`)."""

from typing import Any

from compromiso.audits.demo import fieldwork


def load(context: dict[str, Any]) -> None:
    fieldwork.load(context)
from compromiso.audits.demo import report


def load(context: dict[str, Any]) -> None:
    report.load(context)
