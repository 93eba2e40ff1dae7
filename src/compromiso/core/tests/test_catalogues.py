"""Every string a user can see has a Spanish and a Catalan translation.

The msgids are extracted here from the source itself (Python gettext calls and templates run
through Django's own `templatize`), so the test needs no gettext tools and fails as soon as a new
string is added without its translations.
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

PACKAGE = Path(settings.PACKAGE_DIR)
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
CONTEXT_NAMES = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
# templatize quotes a string with u'…', or with u"…" when it holds an apostrophe.
_QUOTED = r"u'(?:[^'\\]|\\.)*'|u\"(?:[^\"\\]|\\.)*\""
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:(?:" + _QUOTED + r")\s*,?\s*)+)")
TEMPLATE_STRING = re.compile(r"""u('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def _is_source(path: Path) -> bool:
    return not {"tests", "migrations"} & set(path.relative_to(PACKAGE).parts)


def _python_msgids(path: Path) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        strings = [
            a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if name in GETTEXT_NAMES and strings:
            found.add(("", strings[0]))
        elif name in CONTEXT_NAMES and len(strings) >= 2:
            found.add((strings[0], strings[1]))
    return found


def _template_msgids(path: Path) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for function, arguments in TEMPLATE_CALL.findall(code):
        strings = [ast.literal_eval(s) for s in TEMPLATE_STRING.findall(arguments)]
        if "p" in function.replace("gettext", ""):
            found.add((strings[0], strings[1]))
        else:
            found.add(("", strings[0]))
    return found


def source_msgids() -> set[tuple[str, str]]:
    """(context, msgid) of every translatable string in the package."""
    msgids: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        if _is_source(path):
            msgids |= _python_msgids(path)
    for pattern in ("*.html", "*.txt"):
        for path in PACKAGE.rglob(f"templates/**/{pattern}"):
            msgids |= _template_msgids(path)
    return msgids


def test_extraction_finds_strings_from_code_and_templates():
    msgids = {msgid for _context, msgid in source_msgids()}

    assert "Skip to main content" in msgids  # a template
    assert "Unit head" in msgids  # a TextChoices label in Python


@pytest.mark.parametrize("language", ["es", "ca"])
def test_every_user_visible_string_is_translated(language):
    catalogue = polib.pofile(
        str(Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po")
    )
    translated = {
        (entry.msgctxt or "", entry.msgid)
        for entry in catalogue
        if entry.msgstr.strip() or any(v.strip() for v in entry.msgstr_plural.values())
        if "fuzzy" not in entry.flags and not entry.obsolete
    }

    missing = sorted(msgid for context, msgid in source_msgids() - translated)

    assert not missing, f"{len(missing)} strings lack a {language} translation: {missing[:20]}"
