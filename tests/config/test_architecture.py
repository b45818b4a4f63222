"""The apps import one way (docs/architecture.md): each only the apps below it, so a
lower app never depends on one above, and what an upper app adds to a lower one goes
through that app's hooks.py. Read from the source, so it holds for code no test runs."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Each app and the apps it may import. `config` wires everything together and may import all.
BELOW = {
    "core": set(),
    "customers": {"core"},
    "mail": {"core", "customers"},
    "groups": {"core", "customers", "mail"},
    "client_groups": {"core", "customers", "groups"},
    "linking": {"core", "customers", "mail", "groups", "client_groups"},
    "billing": {"core", "customers", "mail"},
    "bookings": {"core", "customers", "mail", "groups", "linking", "billing"},
}
APPS = set(BELOW) | {"config"}


def _imported_apps(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]


def _modules(app):
    return sorted((ROOT / app).rglob("*.py"))


@pytest.mark.parametrize("app", sorted(BELOW))
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {other}"
        for path in _modules(app)
        for line, other in _imported_apps(path)
        if other in APPS and other != app and other not in BELOW[app]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_layers_have_no_cycle():
    seen, order = set(), []

    def visit(app, path=()):
        assert app not in path, f"cycle: {' → '.join((*path, app))}"
        if app not in seen:
            for lower in BELOW[app]:
                visit(lower, (*path, app))
            seen.add(app)
            order.append(app)

    for app in BELOW:
        visit(app)
    assert order[0] == "core"
