"""Imports go one way: an app imports only the apps below it.

    core < organizations < catalog < {cases, servicemodel} < surveys < insights < charters
         < improvement < audits < portal, api  (portal and api never import each other)
         < config and the package's own top modules (the wiring, which may import anything)

Every module under src/compromiso (tests and migrations aside) is read with `ast`; an upward
import fails the test, naming the file, the line and the imported module. What counts:

- `import x` and `from x import y`, at the top of a module or inside a function (a lazy import
  is still a dependency), relative imports resolved;
- `apps.get_model("<app>", ...)` (or `"<app>.<Model>"`) naming a higher app: a model reached by
  its name is a dependency all the same.

What does not count:

- imports inside an `if TYPE_CHECKING:` block: they exist for the type checker only and never
  run, so they may name a higher app's type (typing only — never call what they import);
- the pure math of `compromiso.insights` (`PURE_MODULES`): plain values in and out, importable
  by any layer. They themselves import nothing of ours but one another, and no Django.

Domain apps never import portal or api. Lower apps hear of what happens above through signals.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # src/compromiso
SRC = PACKAGE.parent

LAYERS: dict[str, int] = {
    "core": 0,
    "organizations": 1,
    "catalog": 2,
    "cases": 3,
    "servicemodel": 3,
    "surveys": 4,
    "insights": 5,
    "attention": 5,
    "charters": 6,
    "improvement": 7,
    "audits": 8,
    "portal": 9,
    "api": 9,
    "config": 10,  # settings, urls, wsgi: the wiring sees every app
}
TOP = 10  # compromiso/__init__.py and cli.py are wiring too

# Importable by every layer: numbers in, numbers out.
PURE_MODULES = frozenset(
    f"compromiso.insights.{name}"
    for name in ("netscore", "weighting", "drivers", "charts", "words")
)


@dataclass(frozen=True)
class Violation:
    file: str  # relative to src/, e.g. "compromiso/core/views.py"
    line: int
    module: str  # the imported module, or the app label given to get_model

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.module}"


def app_of(module: str) -> str | None:
    """The app a dotted module name belongs to (None outside compromiso)."""
    parts = module.split(".")
    if parts[0] != "compromiso":
        return None
    if len(parts) == 1 or parts[1] not in LAYERS:
        return "<top>"
    return parts[1]


def rank(app: str) -> int:
    return TOP if app == "<top>" else LAYERS[app]


def is_upward(importer: str, imported: str) -> bool:
    if importer == imported:
        return False
    if {importer, imported} == {"portal", "api"}:
        return True
    return rank(imported) > rank(importer)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module_name: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module_name.split(".") if is_package else module_name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_names(tree: ast.AST, module_name: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) for each import outside TYPE_CHECKING, and (line, "get_model:<app>") for
    each get_model("<app>", ...) naming one of our apps."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module_name, is_package, node)
            for alias in node.names:
                # `from compromiso.insights import netscore` imports the module netscore.
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if candidate in PURE_MODULES else base))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0] if node.args else None
            if (
                name == "get_model"
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                label = first.value.split(".")[0]
                if label in LAYERS:
                    found.append((node.lineno, f"get_model:{label}"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def check_source(source: str, path: str) -> list[Violation]:
    """The upward imports of one module, `path` relative to src/ (e.g. compromiso/core/x.py)."""
    parts = Path(path).with_suffix("").parts
    is_package = parts[-1] == "__init__"
    module_name = ".".join(parts[:-1] if is_package else parts)
    importer = app_of(module_name)
    assert importer is not None, path
    violations = []
    for line, module in imported_names(ast.parse(source, path), module_name, is_package):
        if module in PURE_MODULES:
            continue
        imported = app_of(module.replace("get_model:", "compromiso.", 1))
        found = Violation(path, line, module)
        if imported is not None and is_upward(importer, imported) and found not in violations:
            violations.append(found)
    return violations


def modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.relative_to(PACKAGE).parts
        and "migrations" not in path.relative_to(PACKAGE).parts
    )


def all_violations() -> list[Violation]:
    found = []
    for path in modules():
        relative = path.relative_to(SRC).as_posix()
        found.extend(check_source(path.read_text(encoding="utf-8"), relative))
    return found


def test_no_app_imports_an_app_above_it():
    unexpected = all_violations()
    assert not unexpected, "Upward imports (call down, send news up by signals):\n" + "\n".join(
        str(v) for v in unexpected
    )


def test_pure_math_imports_nothing_of_ours_nor_django():
    for name in sorted(PURE_MODULES):
        path = SRC / (name.replace(".", "/") + ".py")
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, module in imported_names(tree, name, is_package=False):
            top = module.split(".")[0]
            assert top != "django", f"{name}:{line} imports {module}"
            assert top != "compromiso" or module in PURE_MODULES, f"{name}:{line} imports {module}"


def test_the_check_reports_a_core_module_importing_cases():
    source = "import os\n\nfrom compromiso.cases.models import Case\n"
    assert check_source(source, "compromiso/core/example.py") == [
        Violation("compromiso/core/example.py", 3, "compromiso.cases.models")
    ]


def test_the_check_reports_lazy_relative_and_get_model_references():
    source = (
        "from django.apps import apps\n"
        "def later():\n"
        "    from ..charters import services\n"
        "    return apps.get_model('improvement', 'ImprovementAction')\n"
    )
    found = check_source(source, "compromiso/catalog/example.py")
    assert [(v.line, v.module) for v in found] == [
        (3, "compromiso.charters"),
        (4, "get_model:improvement"),
    ]


def test_the_check_allows_downward_typing_only_and_pure_math_imports():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from compromiso.organizations.models import User\n"
        "from compromiso.insights import netscore\n"
        "from compromiso.insights.drivers import quadrant\n"
        "if TYPE_CHECKING:\n"
        "    from compromiso.charters.models import Charter\n"
    )
    assert check_source(source, "compromiso/catalog/example.py") == []


def test_portal_and_api_may_not_import_each_other_and_domain_apps_neither():
    assert check_source("from compromiso.api import auth\n", "compromiso/portal/x.py")
    assert check_source("import compromiso.portal.views\n", "compromiso/api/x.py")
    assert check_source("from compromiso.portal import views\n", "compromiso/improvement/x.py")
    assert not check_source("from compromiso.api import urls\n", "compromiso/config/urls.py")
