"""Dependencies point one way (STYLE.md): the arrows, checked on the source.

Imports are read with `ast`, function-level ones included; those under
`if TYPE_CHECKING:` are left out, since they name types and run nothing.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from paths import REPO

PACKAGE = REPO / "a2pctl"

# Module (or package) → the parts of a2pctl it may import. A module may always import
# inside its own package.
MAY_IMPORT: dict[str, set[str]] = {
    "a2pctl.errors": set(),
    "a2pctl.pacing": set(),
    "a2pctl.spec": {"a2pctl.errors"},
    "a2pctl.flows": {"a2pctl.spec", "a2pctl.errors"},
    "a2pctl.plan": {"a2pctl.flows", "a2pctl.spec", "a2pctl.errors"},
    "a2pctl.state": {"a2pctl.errors", "a2pctl.pacing"},
    "a2pctl.gateway": {"a2pctl.errors", "a2pctl.pacing"},
    "a2pctl.remediation": set(),
    "a2pctl.sandbox": set(),
}
# The CLI's wiring, in several modules by command group.
WIRING = {"a2pctl.cli", "a2pctl.cli_options", "a2pctl.cli_events", "a2pctl.cli_sandbox"}
# The composition roots: the only places that pick the real gateway or the simulator.
ROOTS = {"a2pctl.cli", "a2pctl.cli_sandbox", "a2pctl.runtime"}
# Rendering and wiring: the only modules that print.
PRINTERS = WIRING | {
    "a2pctl.entry",
    "a2pctl.report",
    "a2pctl.report_status",
    "a2pctl.report_events",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:`."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) == "TYPE_CHECKING":
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return found


def imports(module: str) -> set[str]:
    """Full names of what `module` imports at run time (`from a2pctl import x` → a2pctl.x)."""
    names: set[str] = set()
    for node in _runtime_nodes(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{module}: relative import"
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                names.add(full if full in MODULES else node.module)
    return names


def own(module: str) -> set[str]:
    return {name for name in imports(module) if name == "a2pctl" or name.startswith("a2pctl.")}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def rule_for(module: str) -> str | None:
    """The most specific MAY_IMPORT entry governing `module` (a2pctl.spec_models → a2pctl.spec)."""
    matches = [
        prefix for prefix in MAY_IMPORT if within(module, prefix) or module.startswith(prefix + "_")
    ]
    return max(matches, key=len, default=None)


@pytest.mark.parametrize("module", [m for m in MODULES if rule_for(m)])
def test_each_layer_imports_only_the_layers_below_it(module: str) -> None:
    prefix = rule_for(module)
    assert prefix is not None
    allowed = MAY_IMPORT[prefix] | {prefix}
    siblings = {n for n in own(module) if n.startswith(prefix + "_")}  # spec_models etc.
    foreign = {
        name for name in own(module) - siblings if not any(within(name, ok) for ok in allowed)
    }
    assert foreign == set()


def test_only_the_composition_roots_pick_the_twilio_gateway_or_the_sandbox() -> None:
    concrete = ("a2pctl.gateway.twilio", "a2pctl.sandbox")
    pickers = {
        module
        for module in MODULES
        if not any(within(module, c) for c in concrete)
        and any(within(name, c) for name in own(module) for c in concrete)
    }
    assert pickers == ROOTS


def test_nothing_but_the_wiring_and_python_dash_m_imports_the_cli() -> None:
    importers = {m for m in MODULES if (WIRING | {"a2pctl.entry"}) & own(m)}
    assert importers == {"a2pctl.__main__"} | WIRING - {"a2pctl.cli_options"}


def test_only_the_renderers_and_the_wiring_print() -> None:
    printers = {
        module
        for module in MODULES
        if {name.split(".")[0] for name in imports(module)} & {"rich", "typer"}
    }
    assert printers == PRINTERS


def test_only_the_twilio_gateway_module_imports_twilio_and_tenacity() -> None:
    importers = {
        module: found
        for module in MODULES
        if (found := {n.split(".")[0] for n in imports(module)} & {"twilio", "tenacity"})
    }
    assert importers == {"a2pctl.gateway.twilio": {"twilio", "tenacity"}}


def test_the_sandbox_imports_only_the_standard_library_and_itself() -> None:
    foreign = {
        f"{module}: {name}"
        for module in MODULES
        if within(module, "a2pctl.sandbox")
        for name in imports(module)
        if not within(name, "a2pctl.sandbox") and name.split(".")[0] not in sys.stdlib_module_names
    }
    assert foreign == set()
