"""Dependencies point one way (docs/architecture.md §2): the arrows, checked on the source.

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

# Package (or module) → the parts of a2pctl it may import; the most specific entry
# governs. A module may always import inside its own package.
MAY_IMPORT: dict[str, set[str]] = {
    "a2pctl.errors": set(),
    "a2pctl.pacing": set(),
    "a2pctl.spec": {"a2pctl.errors"},
    "a2pctl.flows": {"a2pctl.spec", "a2pctl.errors"},
    "a2pctl.engine": {
        "a2pctl.flows",
        "a2pctl.spec",
        "a2pctl.gateway",
        "a2pctl.state",
        "a2pctl.remediation",
        "a2pctl.errors",
        "a2pctl.pacing",
    },
    "a2pctl.engine.plan": {"a2pctl.flows", "a2pctl.spec", "a2pctl.errors"},
    "a2pctl.state": {"a2pctl.errors", "a2pctl.pacing"},
    "a2pctl.gateway": {"a2pctl.errors", "a2pctl.pacing"},
    "a2pctl.remediation": {"a2pctl.spec", "a2pctl.gateway.records"},
    "a2pctl.status": {
        "a2pctl.state",
        "a2pctl.gateway",
        "a2pctl.remediation",
        "a2pctl.spec",
        "a2pctl.errors",
        "a2pctl.pacing",
    },
    "a2pctl.events": {"a2pctl.state", "a2pctl.gateway", "a2pctl.errors", "a2pctl.pacing"},
    "a2pctl.report": {
        "a2pctl.engine",
        "a2pctl.status",
        "a2pctl.events",
        "a2pctl.spec",
        "a2pctl.remediation",
        "a2pctl.errors",
    },
    "a2pctl.sandbox": set(),
}
# The CLI's wiring, in several modules by command group.
WIRING = {
    "a2pctl.cli.app",
    "a2pctl.cli.options",
    "a2pctl.cli.events",
    "a2pctl.cli.sandbox",
    "a2pctl.cli.files",
    "a2pctl.cli.bulk",
    "a2pctl.cli.brand",
    "a2pctl.cli.offboard",
    "a2pctl.cli.otp",
    "a2pctl.cli.numbers",
    "a2pctl.cli.status",
    "a2pctl.cli.unlock",
}
# The composition roots: the only places that pick the real gateway or the simulator.
ROOTS = {"a2pctl.cli.app", "a2pctl.cli.sandbox", "a2pctl.cli.runtime"}
# Rendering and wiring: the only modules that print.
PRINTERS = WIRING | {
    "a2pctl.cli.entry",
    "a2pctl.cli.values",  # option values refused with Typer's usage error
    "a2pctl.report.registrations",
    "a2pctl.report.progress",
    "a2pctl.report.status",
    "a2pctl.report.events",
    "a2pctl.report.bulk",
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
    """The most specific MAY_IMPORT entry governing `module` (a2pctl.spec.models → a2pctl.spec)."""
    return max((p for p in MAY_IMPORT if within(module, p)), key=len, default=None)


def package_of(module: str) -> str:
    """The package a module belongs to: a2pctl.spec.models → a2pctl.spec."""
    return ".".join(module.split(".")[:2])


@pytest.mark.parametrize("module", [m for m in MODULES if m != "a2pctl"])
def test_every_module_is_governed_by_a_rule_or_is_the_wiring(module: str) -> None:
    assert rule_for(module) or within(module, "a2pctl.cli") or module == "a2pctl.__main__"


@pytest.mark.parametrize("module", [m for m in MODULES if rule_for(m)])
def test_each_layer_imports_only_the_layers_below_it(module: str) -> None:
    prefix = rule_for(module)
    assert prefix is not None
    allowed = MAY_IMPORT[prefix] | {package_of(module)}
    foreign = {name for name in own(module) if not any(within(name, ok) for ok in allowed)}
    assert foreign == set()


def test_no_top_level_modules_share_a_prefix_family() -> None:
    top = [p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("__")]
    prefixes = [name.split("_")[0] for name in top]
    assert sorted(set(prefixes)) == sorted(prefixes), top


@pytest.mark.parametrize("package", sorted(p.parent for p in PACKAGE.rglob("__init__.py")))
def test_each_package_opens_with_a_docstring_saying_its_role(package: Path) -> None:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
    assert docstring and len(docstring) > 40, package


def test_no_module_is_much_over_400_lines() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 440
    }
    assert long == {}


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
    importers = {m for m in MODULES if (WIRING | {"a2pctl.cli.entry"}) & own(m)}
    assert importers == {"a2pctl.__main__"} | WIRING - {"a2pctl.cli.options"}
    cli = {m for m in MODULES if within(m, "a2pctl.cli")}
    users = {
        m
        for m in MODULES
        if not within(m, "a2pctl.cli") and any(within(n, "a2pctl.cli") for n in own(m))
    }
    assert users == {"a2pctl.__main__"}, cli


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


def test_a_runs_global_flags_live_in_the_run_not_in_module_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from a2pctl.cli import options
    from a2pctl.cli.app import main

    with pytest.raises(SystemExit):
        main(["--no-color", "-v", "validate", str(tmp_path / "missing.yaml")])
    capsys.readouterr()
    after = options.current()
    assert (after.no_color, after.verbose, after.clock) == (False, False, None)
    mutable = (list, dict, set, options.Globals)
    assert [n for n, v in vars(options).items() if isinstance(v, mutable) and n[0] != "_"] == []
