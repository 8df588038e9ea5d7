"""The layering rules of docs/DESIGN.md, checked on the source: a stage never imports another
stage, the library below the stages never imports a stage (or the pipeline and job wiring), and
development tools stay out of the package that ships to executors."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "kpreco"
WIRING = ("kpreco.stages", "kpreco.pipeline", "kpreco.cli")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (function-level imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def module_name(path: Path) -> str:
    return ".".join(("kpreco", *path.relative_to(PACKAGE).with_suffix("").parts))


def test_no_stage_imports_another_stage() -> None:
    stages = sorted((PACKAGE / "stages").glob("*.py"))
    assert len(stages) >= 8
    offending = {
        module_name(path): sorted(
            name
            for name in imported_modules(path)
            if name.startswith("kpreco.stages.") and name != module_name(path)
        )
        for path in stages
    }
    assert {stage: names for stage, names in offending.items() if names} == {}


def test_the_library_never_imports_the_stages_or_the_wiring() -> None:
    library = [
        path
        for path in PACKAGE.rglob("*.py")
        if "stages" not in path.relative_to(PACKAGE).parts
        and path.name not in ("pipeline.py", "cli.py")
    ]
    offending = {
        module_name(path): sorted(n for n in imported_modules(path) if n.startswith(WIRING))
        for path in library
    }
    assert {module: names for module, names in offending.items() if names} == {}


def test_development_tools_are_not_in_the_shipped_package() -> None:
    # The fault-injecting HTTP test server and the set-up downloader live in tests/ and
    # scripts/: executors get src/kpreco zipped, and neither belongs there.
    names = {module_name(path) for path in PACKAGE.rglob("*.py")}
    assert "kpreco.judge.server" not in names and "kpreco.assets" not in names
    for path in PACKAGE.rglob("*.py"):
        assert not imported_modules(path) & {"http.server", "subprocess"}, path
