"""The house's plan, drawn from the code: the import graph (every import statement, lazy ones inside
functions and `if TYPE_CHECKING:` ones included) has no circle; the core imports no stage; input
never reaches an output stage; no stage imports a form plug-in; and no shared module or template
names a form's kind, so that a form is one folder and one entry point."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator.core import registry

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
STAGES = ("core", "input", "render", "pdf", "excel", "site", "scaffold")
OUTPUTS = ("render", "pdf", "excel", "site", "scaffold")
# What forms/ holds beside the plug-ins, that stages may build on.
FORM_HELPERS = ("indicators", "taxonomy")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports, wherever the import statement stands."""
    modules = {_module_name(path): path for path in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here[: len(here) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                for alias in node.names:
                    targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_plugin(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 2 and parts[1] == "forms" and parts[2] not in FORM_HELPERS


GRAPH = import_graph()


def test_the_import_graph_has_no_circle():
    assert circles(GRAPH) == []


def test_circles_are_found_when_there_are_some():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_imports_no_stage_and_no_form():
    for module, targets in GRAPH.items():
        if _stage(module) == "core":
            assert {t for t in targets if t != "generator" and _stage(t) != "core"} == set(), module


def test_input_never_reaches_an_output_stage_or_a_form():
    for module in GRAPH:
        if _stage(module) == "input":
            reached = reachable(GRAPH, module)
            assert {r for r in reached if _stage(r) in OUTPUTS or _stage(r) == "forms"} == set(), module


def test_no_stage_imports_a_form_plugin():
    for module, targets in GRAPH.items():
        if _stage(module) in STAGES:
            assert {t for t in targets if _is_plugin(t)} == set(), module


def test_a_form_plugin_imports_no_other_plugin():
    for module, targets in GRAPH.items():
        if _is_plugin(module):
            family = module.split(".")[2]
            assert {t for t in targets if _is_plugin(t) and t.split(".")[2] not in (family, "self_evaluation")} == set(), module


def test_every_stage_says_what_it_takes_and_gives():
    for stage in (*STAGES, "forms"):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 120, f"generator/{stage}/__init__.py needs its paragraph"


def _shared_files() -> list[Path]:
    plugin_folders = [form.folder.resolve() for form in registry.forms().values()]
    shared = [
        path for path in PACKAGE.rglob("*.py")
        if not any(folder in path.resolve().parents for folder in plugin_folders)
    ]
    templates = [path for path in (ROOT / "templates").rglob("*") if path.is_file() and path.suffix in (".html", ".yaml", ".yml", ".md", ".js", ".css", ".txt")]
    return shared + templates


@pytest.mark.parametrize("kind", sorted(registry.forms()))
def test_no_shared_module_or_template_names_a_form_kind(kind):
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _shared_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if kind in line
    ]
    assert hits == [], f"「{kind}」 is named outside its form's folder: ask the form what it is instead"


def test_the_kind_check_sees_the_shared_modules_and_the_templates():
    names = {str(path.relative_to(ROOT)) for path in _shared_files()}
    assert {"generator/site/review.py", "generator/cli.py", "templates/init/departments.yaml", "templates/print.html"} <= names
    assert not any(name.startswith("generator/forms/project_target/") for name in names)
