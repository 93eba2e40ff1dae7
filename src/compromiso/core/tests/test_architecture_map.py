"""The map at the top of docs/architecture.md matches the tree: every module or package it names
exists, and every app of the product is on it, in the order the layer check enforces."""

import re
from pathlib import Path

from compromiso.core.tests.test_layers import LAYERS

PACKAGE = Path(__file__).resolve().parents[2]  # src/compromiso
DOC = PACKAGE.parents[1] / "docs" / "architecture.md"
NAMED_PATH = re.compile(r"`([a-z_]+/[a-z_/]*(?:\.py|/))`")


def _map() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index("## The map") : text.index("## The organisation boundary")]


def test_every_module_the_map_names_exists():
    named = set(NAMED_PATH.findall(_map()))
    assert "cases/services/" in named  # the pattern finds what it must
    missing = sorted(p for p in named if not (PACKAGE / p).exists())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_app_is_on_the_map_in_its_layer():
    apps = {p.parent.name for p in PACKAGE.glob("*/apps.py")}
    diagram = _map().split("```")[1]
    order = [
        line.split()[0]
        for line in diagram.splitlines()
        if line.strip() and line.split()[0].isalpha()
    ]
    on_map = [name for name in order if name in apps or name in ("portal", "api")]
    assert set(apps) - {"config"} <= set(on_map) | {"portal", "api"}
    assert {"portal", "api"} <= set(diagram.split())
    ranks = [LAYERS[name] for name in reversed(on_map)]
    assert ranks == sorted(ranks), "the diagram lists the apps from the top layer down"
