"""Demo of the audits app, one module per part, loaded in order (`compromiso demo`): the
programme and its audits first; then the fieldwork (requests, sampling, the checklist and its
answers), the evidence and findings, the report and its remedies; mystery shopping; and the seal
last, because its verification matrix reads the answers and evidence the others create."""

from typing import Any

from compromiso.audits.demo import evidence, fieldwork, mystery, programme, report, seal


def load(context: dict[str, Any]) -> None:
    programme.load(context)
    fieldwork.load(context)
    evidence.load(context)
    report.load(context)
    mystery.load(context)
    seal.load(context)
