"""Issue 23: the package's shape, measured on its source. Each test lists every offender.

* sizes: no module over 400 lines, no class over 250, no function over 60 (from its ``def`` line
  to its last line, docstring included);
* no import cycle among gan_lib's modules, imports inside functions included (a lazy import
  hides a cycle from Python, not from the reader);
* the generic train step names no loss: what differs between losses lives in losses.py.
"""
import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "gan_lib"
MAX_MODULE, MAX_CLASS, MAX_FUNCTION = 400, 250, 60


def _sources():
    """(path relative to the repository, parsed tree, number of lines) of every gan_lib module."""
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        yield path.relative_to(REPO).as_posix(), ast.parse(text), len(text.splitlines())


# ------------------------------------------------------------------------ sizes
def _too_long():
    offenders = []
    for name, tree, lines in _sources():
        if lines > MAX_MODULE:
            offenders.append(f"module {name}: {lines} lines (at most {MAX_MODULE})")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                kind, most = (("class", MAX_CLASS) if isinstance(node, ast.ClassDef)
                              else ("function", MAX_FUNCTION))
                length = node.end_lineno - node.lineno + 1
                if length > most:
                    offenders.append(f"{kind} {name}:{node.lineno} {node.name}: {length} lines "
                                     f"(at most {most})")
    return offenders


def test_modules_classes_and_functions_are_short():
    offenders = _too_long()
    assert not offenders, "too long:\n  " + "\n  ".join(offenders)


# ------------------------------------------------------------------------ import cycles
def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node, module: str, is_package: bool, known: set) -> set:
    """The gan_lib modules one import statement of ``module`` names."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names}
    if node.level:  # relative: from the module's package, one level up per extra dot
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module
                                                                   else []))
    else:
        base = node.module or ""
    # ``from gan_lib.metrics import knn`` imports the submodule when there is one
    return {base} | {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known}


def _import_graph() -> dict:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    graph = {}
    for module, path in paths.items():
        is_package = path.name == "__init__.py"
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found |= _imported(node, module, is_package, known)
        graph[module] = sorted(found & known - {module, "gan_lib"})
    return graph


def _cycles(graph: dict) -> list:
    """One cycle (as a path a -> b -> ... -> a) through each strongly connected group of modules
    that import each other (Tarjan's algorithm, then a path back within the group)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return [_path_back(graph, group) for group in groups]


def _path_back(graph: dict, group: set) -> str:
    """The shortest import path from the group's first module back to itself, within the group."""
    start = min(group)
    trails, seen = [[start]], set()
    while trails:
        trail = trails.pop(0)
        for w in graph.get(trail[-1], ()):
            if w == start:
                return " -> ".join(trail + [start])
            if w in group and w not in seen:
                seen.add(w)
                trails.append(trail + [w])
    return " <-> ".join(sorted(group))


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": []}
    assert _cycles(graph) == ["a -> b -> c -> a"]
    assert _cycles({"a": ["b"], "b": []}) == []


def test_no_import_cycle_among_the_modules():
    cycles = _cycles(_import_graph())
    assert not cycles, "import cycles:\n  " + "\n  ".join(cycles)


# ------------------------------------------------------------------------ the generic step
def _docstrings(tree) -> set:
    nodes = [tree] + [n for n in ast.walk(tree) if isinstance(
        n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return {id(n.body[0].value) for n in nodes if n.body and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)}


def _is_config(node) -> bool:
    """Is ``node`` the run's config: ``config``, ``c`` (the kit's short name) or ``x.config``?"""
    return (isinstance(node, ast.Name) and node.id in ("config", "c")
            or isinstance(node, ast.Attribute) and node.attr == "config")


def _loss_specific(path: Path) -> list:
    """Where ``path`` names a loss (a string such as "wgan-gp" outside a docstring) or reads the
    configured loss's name (``config.loss``, ``c.loss``, ``self.config.loss``)."""
    from gan_lib.losses import LOSSES

    tree = ast.parse(path.read_text())
    docstrings = _docstrings(tree)
    found = [f"{path.name}:{node.lineno} names the loss {node.value!r}"
             for node in ast.walk(tree) if isinstance(node, ast.Constant)
             and id(node) not in docstrings and node.value in LOSSES]
    return found + [f"{path.name}:{node.lineno} reads the loss's name ({ast.unparse(node)})"
                    for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                    and node.attr == "loss" and _is_config(node.value)]


def test_the_generic_step_names_no_loss():
    """"What does WGAN-GP change?" has one answer, losses.py: the generic step neither compares
    a loss's name nor reads the configured name to decide anything."""
    offenders = _loss_specific(PACKAGE / "train_step.py")
    assert not offenders, "loss-specific code in the generic step:\n  " + "\n  ".join(offenders)
