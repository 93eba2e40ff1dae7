"""Demo data of the audits app, one module per part, loaded in order by `compromiso demo`."""

from typing import Any

from compromiso.audits.demo import programme


def load(context: dict[str, Any]) -> None:
    programme.load(context)
"""Demo of the audits app, one module per noun, loaded in order (`compromiso demo`)."""

from typing import Any

from compromiso.audits.demo import evidence


def load(context: dict[str, Any]) -> None:
    evidence.load(context)
from compromiso.audits.demo import mystery


def load(context: dict[str, Any]) -> None:
    mystery.load(context)
"""Demo data of the audits app, one module per noun; the seal comes last, because its
verification matrix reads the answers and evidence the other audit demos create."""

from typing import Any

from compromiso.audits.demo import seal


def load(context: dict[str, Any]) -> None:
    seal.load(context)
