"""Pages work under the strict content security policy: no template carries an inline style (the
policy would drop it, as it did with the sample-design progress bars), and charts are drawn by
the server as SVG, with no chart library shipped."""

import re
from pathlib import Path

import pytest

import compromiso

SOURCE = Path(compromiso.__file__).parent
TEMPLATES = sorted(
    path for path in SOURCE.glob("*/templates/**/*") if path.suffix in (".html", ".txt", ".svg")
)
INLINE_STYLE = re.compile(r"""<style\b|\sstyle\s*=\s*["'{]""", re.IGNORECASE)


def test_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_template_uses_an_inline_style(path):
    text = path.read_text(encoding="utf-8")

    assert not INLINE_STYLE.search(text), "an inline style is blocked by the CSP"


def test_one_way_to_draw_charts():
    shipped = [p for p in SOURCE.glob("*/static/**/*") if "echarts" in p.name.lower()]
    templates = [p for p in TEMPLATES if "echarts" in p.read_text(encoding="utf-8").lower()]

    assert shipped == []
    assert templates == []
