#!/usr/bin/env python3
"""Check the shape of ``src/auditmw``: imports run one way, and modules stay small.

Reads every module's imports with :mod:`ast` (nothing is imported or run; standard
library only) and fails, naming the modules, on:

- an **import circle**: modules that import each other when they load (module-level
  imports; an import inside a function runs later and cannot deadlock a load, but it
  still counts for the next rule);
- an import from a **lower layer to a higher one** (the layers are written down in
  docs/architecture.md and in ``LAYERS`` below; a module may import its own layer and
  any layer under it). Imports under ``if TYPE_CHECKING:`` only name types for the
  checker and are not counted;
- a module **longer than** ``MAX_LINES`` lines.

Usage: ``python scripts/check_layers.py [SRC_DIR]`` (default: this checkout's ``src``);
exit status 1 with one line per problem, 0 and a one-line summary when all is well.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 400
PACKAGE = "auditmw"

# Lowest first. A module belongs to the layer of the longest prefix that names it.
LAYERS: list[tuple[str, list[str]]] = [
    # "": the package's own __init__ (``__version__``; its public names load lazily,
    # through importlib, when first used)
    ("vocabulary", ["", "types", "errors", "ids", "codec", "event", "context", "tracing",
                    "access_keys"]),
    ("rules", ["config", "catalog", "outcome", "targets", "reading", "arguments",
               "redaction", "processors", "redact_cut", "formats", "exports"]),
    ("parts", ["capture", "sinks", "store", "integrity"]),
    ("delivery", ["delivery"]),
    ("trail", ["trail", "assembly", "audited", "holds", "testing", "capture.recorder",
               "capture.request_events"]),
    ("doors", ["asgi", "wsgi", "graphql", "coverage"]),
    ("server", ["server"]),
    ("launcher", ["launcher"]),
    ("cli", ["cli", "__main__"]),
]

# Imports that go up a layer on purpose (importer, imported; module names without
# ``auditmw.``), each with its reason. Keep this short.
ALLOWED_UP: dict[tuple[str, str], str] = {
    # Config validation asks the part that will use a value to read it, so a bad value
    # fails at load naming its key (not later, deep in the part); imported lazily.
    ("config.capture", "capture.tenant"): "capture.tenant parsed where it is validated",
    ("config.delivery", "integrity.seals"): "integrity.signing_key loaded when validated",
    # StoreConfig.retention_policy(): the store's policy built from its table (lazily).
    ("config.store", "store.retention"): "store.retention read into the store's policy",
}

# Modules still being split by another change; each must come off this list.
OVER_LENGTH_ALLOWED: set[str] = set()


@dataclass(frozen=True, slots=True)
class Import:
    target: str
    line: int
    at_load: bool  # a module-level import (runs when the importer loads)


def module_name(src: Path, path: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(tree: ast.Module, importer: str, is_package: bool,
               modules: set[str]) -> Iterator[Import]:
    """Every import of a module of ours, outside ``if TYPE_CHECKING:`` blocks."""

    def walk(node: ast.AST, at_load: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    yield from walk(other, at_load)
                continue
            inner = at_load and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(alias.name, child.lineno, at_load)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(importer, is_package, child)
                for alias in child.names:
                    # ``from auditmw import codec`` imports the module auditmw.codec
                    name = f"{base}.{alias.name}"
                    yield Import(name if name in modules else base, child.lineno, at_load)
            yield from walk(child, inner)

    for found in walk(tree, True):
        if found.target == PACKAGE or found.target.startswith(PACKAGE + "."):
            yield found


def layer_of(module: str) -> tuple[int, str]:
    """``(layer index, the prefix that placed it)`` of ``auditmw.X.Y``."""
    inner = module.removeprefix(PACKAGE).removeprefix(".")
    best: tuple[int, int, str] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            named = inner == prefix or (prefix and inner.startswith(prefix + "."))
            if named and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index, prefix)
    if best is None:
        raise SystemExit(f"check_layers: {module} is in no layer: add it to LAYERS "
                         "(and to docs/architecture.md)")
    return best[1], best[2]


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def check(src: Path) -> list[str]:
    files = {module_name(src, p): p for p in sorted((src / PACKAGE).rglob("*.py"))}
    modules = set(files)
    problems: list[str] = []
    at_load: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in files.items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (not text.endswith("\n") and bool(text))
        short = module.removeprefix(PACKAGE + ".")
        if lines > MAX_LINES and short not in OVER_LENGTH_ALLOWED:
            problems.append(f"{path}: {lines} lines (at most {MAX_LINES})")
        tree = ast.parse(text, filename=str(path))
        mine, _ = layer_of(module)
        for found in imports_of(tree, module, path.name == "__init__.py", modules):
            target = found.target
            while target not in modules and "." in target:  # a name inside a module
                target = target.rsplit(".", 1)[0]
            if found.at_load and target != module:
                at_load[module].add(target)
            theirs, _ = layer_of(target)
            pair = (short, target.removeprefix(PACKAGE + "."))
            if theirs > mine and pair not in ALLOWED_UP:
                problems.append(
                    f"{path}:{found.line}: {module} ({LAYERS[mine][0]}) imports {target} "
                    f"({LAYERS[theirs][0]}): a lower layer may not import a higher one")
    # A package's __init__ is loaded by every import of its modules: an import of
    # ``auditmw.x.y`` also loads ``auditmw.x``.
    for module in modules:
        for target in list(at_load[module]):
            parent = target.rsplit(".", 1)[0] if "." in target else None
            while parent and parent != PACKAGE:
                if parent in modules and parent != module and not module.startswith(
                        parent + "."):
                    at_load[module].add(parent)
                parent = parent.rsplit(".", 1)[0] if "." in parent else None
    for group in circles(at_load):
        problems.append("import circle: " + " -> ".join(group) + f" -> {group[0]}")
    return problems


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "src"
    problems = check(src)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} problem(s); layers in docs/architecture.md")
        return 1
    count = sum(1 for _ in (src / PACKAGE).rglob("*.py"))
    waiting = f" (still being split: {', '.join(sorted(OVER_LENGTH_ALLOWED))})" \
        if OVER_LENGTH_ALLOWED else ""
    print(f"check_layers: {count} modules, imports one way, none over {MAX_LINES} lines"
          + waiting)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
