"""The layers' import rules (ARCHITECTURE.md): the front-ends import only the service layer
and `report/` of wfm, imports go one way down scenarios -> sim -> optimise -> report, and
`sim/` has no import circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["scenarios", "sim", "optimise", "report"]  # each may import only those before it
FRONT_ENDS = ["app.py", "cli.py", "cli_capacity.py", "cli_forecast.py", "cli_options.py",
              "cli_plans.py", "cli_support.py"]  # fmt: skip
WFM_PACKAGES = {"scenarios", "sim", "optimise", "report", "runs", "services", "ui"}


def _imports(path: Path) -> set[str]:
    """The modules `path` imports (absolute names; relative imports are not used)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _package(module: str) -> str:
    return module.split(".")[0]


def test_front_ends_import_only_services_and_report():
    files = [ROOT / name for name in FRONT_ENDS] + sorted((ROOT / "ui").glob("*.py"))
    allowed = {"services", "report", "ui"} | {Path(n).stem for n in FRONT_ENDS}
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in sorted(_imports(path))
        if _package(module) in WFM_PACKAGES - allowed
    ]
    assert wrong == []


def test_layers_import_one_way():
    wrong = []
    for i, layer in enumerate(LAYERS):
        later = set(LAYERS[i + 1 :]) | {"services", "ui", "runs"}
        for path in sorted((ROOT / layer).rglob("*.py")):
            wrong += [
                f"{path.relative_to(ROOT)} imports {module}"
                for module in sorted(_imports(path))
                if _package(module) in later
            ]
    assert wrong == []


def test_no_import_circle_in_sim():
    modules = {p.stem: _imports(p) for p in (ROOT / "sim").glob("*.py")}
    edges = {
        name: {m.split(".")[1] for m in imported if m.startswith("sim.") and m.count(".") == 1}
        for name, imported in modules.items()
    }
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        assert name not in path, " -> ".join([*path, name])
        if name in done:
            return
        for other in sorted(edges.get(name, ())):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])
