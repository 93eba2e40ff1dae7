"""Demo data of the audits app, one module per noun; the seal comes last, because its
verification matrix reads the answers and evidence the other audit demos create."""

from typing import Any

from compromiso.audits.demo import seal


def load(context: dict[str, Any]) -> None:
    seal.load(context)
