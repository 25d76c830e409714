"""The floors of the house: no module imports from a floor above its own, and no two modules import each other.

Floors, lowest first: ``autograd.conventions`` (files, errors, terminal text, argument checks, the command
lines' convention) < ``autograd`` (the engine) < ``nn`` < ``viz``; ``bench``, ``examples`` and ``tests`` sit
on top. Every import statement counts, also one inside a function or under ``if TYPE_CHECKING``: a
late import still makes the lower floor depend on the upper one. A circle is a circle of imports that run:
one inside a function counts (it only delays the circle), one under ``if TYPE_CHECKING`` does not.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("autograd", "nn", "viz")
FLOORS = (("autograd.conventions", 0), ("autograd", 1), ("nn", 2), ("viz", 3),
          ("examples", 4), ("bench", 4), ("tests", 4))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def floor(module: str) -> int | None:
    """The floor ``module`` lives on; None for the standard library and third-party packages."""
    for prefix, number in FLOORS:
        if module == prefix or module.startswith(prefix + "."):
            return number
    return None


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _type_only(tree: ast.Module) -> set[int]:
    """The ids of the import statements under ``if TYPE_CHECKING:`` (never run, read by the type checker)."""
    blocks = [node for node in ast.walk(tree) if isinstance(node, ast.If)
              and "TYPE_CHECKING" in {getattr(node.test, "id", None), getattr(node.test, "attr", None)}]
    return {id(inner) for block in blocks for statement in block.body for inner in ast.walk(statement)}


def imported(module: str, *, type_only: bool = True) -> list[tuple[int, str]]:
    """(line, module) for every import in ``module``'s file (without those under ``if TYPE_CHECKING`` when
    ``type_only`` is False): ``from P import name`` counts as ``P.name`` when that is a module of ours, else
    as ``P``; relative imports are resolved."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    skipped = set() if type_only else _type_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(module).split(".")
                anchor = ".".join(package[:len(package) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.append((node.lineno, whole if whole in MODULES else base))
    return found


def test_the_package_tree_is_read():
    assert {"autograd", "autograd.conventions.files", "nn.module", "viz.live.app"} <= MODULES.keys()
    assert (floor("autograd.conventions.errors"), floor("autograd.value"), floor("nn.io"), floor("viz.dot"),
            floor("numpy")) == (0, 1, 2, 3, None)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_from_a_floor_above_its_own(module):
    upward = [f"line {line}: {target} (floor {floor(target)})" for line, target in imported(module)
              if floor(target) is not None and floor(target) > floor(module)]
    assert not upward, f"{module} (floor {floor(module)}) imports from above: {upward}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, components, counter = {}, {}, set(), [], [], 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def test_imports_for_the_type_checker_alone_are_told_apart():
    tree = ast.parse("import a\nif TYPE_CHECKING:\n    import b\nif typing.TYPE_CHECKING:\n    from c import d\n"
                     "def f():\n    import e\n")
    skipped = _type_only(tree)
    names = {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
             and id(node) not in skipped for alias in node.names}
    assert names == {"a", "e"}


def test_the_cycle_finder_finds_a_circle_and_nothing_else():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


# The circles left, inside the engine: listed so that a new one fails, and so does a listed one once it is gone
# (then delete its entry).
KNOWN_CIRCLES = {("autograd.graph", "autograd.value"):
                 "Value.backward() (micrograd's method) runs graph.backward, whose walk is written over Values"}


def test_no_modules_import_each_other_round_a_circle():
    graph = {module: {target for _, target in imported(module, type_only=False)
                      if target in MODULES and target != module} for module in MODULES}
    found, known = {tuple(component) for component in _cycles(graph)}, set(KNOWN_CIRCLES)
    assert not found - known, f"modules that import each other, round a circle: {found - known}"
    assert not known - found, f"gone, delete from KNOWN_CIRCLES: {known - found}"
