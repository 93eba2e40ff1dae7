"""A newcomer finds a use case in one step: no module of the product grows past 600 lines.

A module that outgrows this becomes a package split by noun (`cases/services/intake.py`,
`…/lifecycle.py`) whose `__init__.py` re-exports the public doors. Migrations are generated and
tests are read one function at a time, so they are left out.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # src/compromiso
LIMIT = 600


def product_modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts and "tests" not in path.parts
    ]


def test_the_product_has_modules_to_measure():
    names = {path.relative_to(PACKAGE).as_posix() for path in product_modules()}
    assert "cases/services/intake.py" in names
    assert not any(name.startswith("cases/tests/") for name in names)


def test_no_module_is_over_six_hundred_lines():
    too_long = {
        path.relative_to(PACKAGE).as_posix(): count
        for path in product_modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not too_long, f"Split these by noun into packages (lines): {too_long}"
