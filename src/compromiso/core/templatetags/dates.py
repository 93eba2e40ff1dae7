"""Django's `date` filter, with month abbreviations as each language writes them. Django's `M`
capitalises the abbreviation ("Dic", "Des."), right in English but wrong in Spanish and Catalan,
which write months in lower case ("4 dic 2026", "4 des. 2026"). Loaded as a built-in library
(settings.TEMPLATES), so every template's `|date:"j M Y"` follows the language."""

from typing import Any

from django.template import Library, defaultfilters
from django.utils.formats import FORMAT_SETTINGS, get_format
from django.utils.translation import get_language

register = Library()

# Languages that write month names in lower case.
LOWER_CASE_MONTHS = frozenset({"es", "ca"})


def month_case(format_string: str, language: str | None) -> str:
    """In a lower-case-month language, the format with each unescaped `M` (capitalised
    abbreviation) replaced by `b` (the abbreviation as translated, lower case)."""
    if not format_string or (language or "").split("-")[0] not in LOWER_CASE_MONTHS:
        return format_string
    if format_string in FORMAT_SETTINGS:
        format_string = str(get_format(format_string))
    out: list[str] = []
    escaped = False
    for char in format_string:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "M":
            char = "b"
        out.append(char)
    return "".join(out)


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """{{ day|date:"j M Y" }}: "4 Dec 2026", "4 dic 2026", "4 des. 2026"."""
    return str(defaultfilters.date(value, month_case(arg, get_language()) if arg else arg))
