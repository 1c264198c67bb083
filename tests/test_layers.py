"""The layout's rule, checked on the source: model <- eval <- training <- newsstance, no import cycles."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LAYERS = {"model": 0, "eval": 1, "training": 2, "newsstance": 3}


def module_files() -> dict[str, Path]:
    files = {}
    for package in LAYERS:
        for path in (REPO / package).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join(parts)] = path
    return files


def imported_modules(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module a file imports, at the top or inside a function (lazy imports count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import submodule` imports the submodule's file, not just the package's
            names = [f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in modules]
            names = names or [node.module]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imported_modules(path, modules) - {name} for name, path in modules.items()}


def test_imports_run_one_way_between_layers() -> None:
    against = [
        f"{importer} imports {imported}"
        for importer, imports in import_graph().items()
        for imported in imports
        if LAYERS[imported.split(".")[0]] > LAYERS[importer.split(".")[0]]
    ]
    assert against == [], "imports against model <- eval <- training <- newsstance:\n" + "\n".join(against)


def test_no_import_cycles_between_files() -> None:
    graph = import_graph()
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [node, nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert cycles == []


def test_the_checker_sees_a_violation() -> None:
    """The walk must find real imports, or the two tests above would pass on anything."""
    graph = import_graph()
    assert "model.classifier" in graph["eval.evaluate"]
    assert "eval.calibrate" in graph["training.train"]
    assert "newsstance.score" in graph["newsstance.cli"]


def test_ruff_finds_nothing() -> None:
    """The style the project keeps (pyproject's [tool.ruff]); ruff comes with the test extra."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]


def test_command_line_runs_as_a_module() -> None:
    result = subprocess.run([sys.executable, "-m", "newsstance", "--help"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for command in ("train", "score", "suggest", "export", "evaluate", "calibrate", "agree", "serve"):
        assert command in result.stdout


def test_building_the_command_line_does_not_load_torch() -> None:
    """`newsstance --help` and argument errors answer at once: only a command's run imports the heavy stack."""
    probe = (
        "import sys; from newsstance.cli import build_parser; build_parser(); "
        "print(sorted({'torch', 'transformers', 'fastapi'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_benchmark_script_imports() -> None:
    """Benchmarks are not run by the suite, so a moved module would break them silently; importing catches it."""
    probe = (
        "import importlib, pathlib, sys; sys.path.insert(0, 'benchmarks'); "
        "[importlib.import_module(p.stem) for p in sorted(pathlib.Path('benchmarks').glob('*.py'))]; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-2000:]
