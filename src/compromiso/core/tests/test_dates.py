"""Month abbreviations as each language writes them: lower case in Spanish and Catalan."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from compromiso.core.templatetags.dates import month_case

DAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("language", "shown"),
    [("es", "4 dic 2026"), ("ca", "4 des. 2026"), ("en", "4 Dec 2026")],
)
def test_every_template_writes_month_abbreviations_the_languages_way(language, shown):
    template = Template('{{ day|date:"j M Y" }}')

    with translation.override(language):
        assert template.render(Context({"day": DAY})) == shown


def test_escaped_letters_and_named_formats_are_left_alone():
    assert month_case(r"j \M M", "es") == r"j \M b"
    assert month_case("j M Y", "en") == "j M Y"
    with translation.override("es"):
        assert Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": DAY})) == (
            "4 de diciembre de 2026"
        )
        assert Template("{{ day|date }}").render(Context({"day": DAY})) == "4 de diciembre de 2026"
