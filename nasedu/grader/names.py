"""Which names a piece of code uses: how tasks done *by hand* are told apart from library calls.

A task such as "count the encodings of a block" is meant to be worked out, not answered by
calling the library function that the grader itself compares with.  The answer key lists such
names per task (``Task.by_hand``); the grader reads the student's source text -- outside the
sandbox, without running it -- and gives no points for a solution that uses one.  The same
function lets the notebook's self-check warn the student first
(:func:`nasedu.grading.expect_by_hand`).
"""

from __future__ import annotations

import ast
import symtable

__all__ = ["defined_names", "implied", "names_used", "parse_cell"]


def names_used(
    sources: list[str],
    forbidden: tuple[str, ...] | list[str],
    others: list[str] | None = None,
    roots: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """The names of ``forbidden`` that the code ``sources`` uses, in the order of ``forbidden``.

    ``"Name"`` matches a name, an import of it or an attribute of that name (``module.Name``),
    also when spelt as a string (``getattr(m, "Name")``, ``m.__dict__["Name"]``); ``".attr"``
    an attribute (also in ``getattr(space, "size")``).  Returned in backquotes, ready to print.

    ``others``: the student's other cells.  Of those, the statements that the code ``sources``
    can reach count too: the ones that (re)bind a name it uses -- a helper function, an import, a
    later ``f = library_call`` -- and, in turn, what those use; and every statement that binds
    names in ways a reader cannot follow (``exec``, ``globals()``, ``setattr``...).  A scratch
    cell that merely tries the library out does not count.  ``roots``: names the task's answer
    is made of (e.g. the function it defines), followed wherever the student defines them.
    A cell longer than :data:`MAX_SCAN` cannot be read, so it could hide anything: it is
    reported instead of a name.
    """
    if not forbidden:
        return []
    if any(len(source) > MAX_SCAN for source in [*sources, *(others or [])]):
        return [f"a cell longer than the grader reads ({MAX_SCAN:,} characters)"]
    forbidden = implied(forbidden)
    trees = [parse_cell(source) for source in sources]
    trees += _reachable([parse_cell(source) for source in others or []], trees, roots)
    names, attributes, strings, hidden = set(), set(), set(), {}
    for tree in trees:
        called = {
            id(node.func)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and (node.args or node.keywords)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                if node.attr not in VALUE_ATTRIBUTES or id(node) not in called:
                    attributes.add(node.attr)
            elif isinstance(node, ast.alias):
                names.update({node.name.split(".")[-1], node.asname or ""})
            elif isinstance(node, ast.Call) and _callee(node) in ATTRIBUTE_GETTERS:
                # getattr(x, "size") spells an attribute as a string
                attributes.update(
                    a.value for a in node.args if isinstance(a, ast.Constant) and a.value
                )
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                strings.add(node.slice.value)  # module.__dict__["Name"]
            what = _unfollowable(node)
            if what:
                hidden.setdefault(what, None)
    spelt = names | attributes | strings
    used = [
        f"`{name}`"
        for name in forbidden
        if (name[1:] in attributes if name.startswith(".") else name in spelt)
    ]
    return used + [f"`{what}` (code the grader cannot follow)" for what in hidden]


UNFOLLOWABLE_NAMES = ("eval", "exec", "compile", "globals", "locals", "vars", "__import__")
UNFOLLOWABLE_NAMES += ("get_ipython", "__builtins__")
UNFOLLOWABLE_ATTRIBUTES = ("__dict__", "modules", "import_module", "__globals__", "__code__")
UNFOLLOWABLE_ATTRIBUTES += ("__subclasses__", "__closure__", "__builtins__", "__getattribute__")
UNFOLLOWABLE_ATTRIBUTES += ("f_globals", "f_locals", "f_back", "__loader__", "__spec__")
UNFOLLOWABLE_MODULES = ("importlib", "builtins", "operator", "inspect", "gc", "ctypes")


def _unfollowable(node: ast.AST) -> str | None:
    """Code that can reach a library function without spelling its name (by-hand tasks give
    no points for it): ``exec``, ``globals()``, ``module.__dict__[...]``, ``importlib``,
    ``getattr`` with a computed name..."""
    if isinstance(node, ast.Name) and node.id in UNFOLLOWABLE_NAMES:
        return node.id
    if isinstance(node, ast.Attribute) and node.attr in UNFOLLOWABLE_ATTRIBUTES:
        return "." + node.attr
    if isinstance(node, ast.alias) and node.name.split(".")[0] in UNFOLLOWABLE_MODULES:
        return node.name
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
        UNFOLLOWABLE_MODULES
    ):
        return node.module
    if isinstance(node, ast.Call) and _callee(node) in ATTRIBUTE_GETTERS:
        names = node.args[1:2] if _callee(node) in ("getattr", "hasattr") else node.args[:1]
        if any(not isinstance(a, ast.Constant) for a in names):
            return f"{_callee(node)} with a computed name"
    return None


VALUE_ATTRIBUTES = ("count",)
"""Attributes the library has only as values (``LayerChoices.count`` is an int): called with
arguments, such a name is another object's method (``list.count(x)``), not the library's."""


def implied(forbidden: tuple[str, ...] | list[str]) -> list[str]:
    """``forbidden`` and what reaches the same answers: a task that forbids one search space
    forbids them all and ``get_space`` (any space counts layers and encodings), and one that
    forbids ``.size`` forbids ``.size_by_depth`` (whose values sum to it) and
    ``.num_encodings`` (equal to it wherever every encoding is valid)."""
    from nasedu.spaces import SPACES

    spaces = [path.split(":")[-1] for path in SPACES.values()]
    extra = []
    if any(name in spaces for name in forbidden):
        extra += [*spaces, "get_space"]
    if ".size" in forbidden:
        extra += [".size_by_depth", ".num_encodings"]
    return list(forbidden) + [name for name in dict.fromkeys(extra) if name not in forbidden]


ATTRIBUTE_GETTERS = ("getattr", "hasattr", "attrgetter", "methodcaller", "__getattribute__")
DYNAMIC = {"exec", "eval", "globals", "locals", "vars", "setattr", "__import__", "get_ipython"}
"""Names of code that binds names a reader cannot see (its statements always count)."""
MAX_SCAN = 1_000_000
"""The longest cell (characters) the grader reads; a longer one reads as empty (and the tamper
report names it)."""


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _reachable(
    others: list[ast.Module], trees: list[ast.Module], roots: set[str] | frozenset[str]
) -> list[ast.Module]:
    """The top-level statements of ``others`` that code in ``trees`` can reach (see above)."""
    if not any(tree.body for tree in others):
        return []
    statements = [(s, *_binds_and_uses(s)) for tree in others for s in tree.body]
    seen: set[int] = set()
    needed: set[str] = set(roots)
    for tree in trees:
        for statement in tree.body:
            binds, uses, _ = _binds_and_uses(statement)
            needed |= binds | uses  # what it reads, and what a later cell may rebind
    taken: list[ast.stmt] = []
    grew = True
    while grew:
        grew = False
        for entry in statements:
            statement, binds, uses, dynamic = entry
            if id(statement) in seen or not (dynamic or binds & needed):
                continue
            seen.add(id(statement))
            taken.append(statement)
            needed |= uses
            grew = True
    return [ast.Module(body=taken, type_ignores=[])]


def _binds_and_uses(statement: ast.stmt) -> tuple[set[str], set[str], bool]:
    """Names a top-level statement binds (also ``name.attr = ...``), names it reads, and
    whether it uses something that binds names out of sight (``exec``, ``globals()``...)."""
    binds, uses, dynamic = set(), set(), False
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            (binds if isinstance(node.ctx, (ast.Store, ast.Del)) else uses).add(node.id)
            dynamic = dynamic or node.id in DYNAMIC
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(node.name)
        elif isinstance(node, ast.alias):
            binds.add(node.asname or node.name.split(".")[0])
            dynamic = dynamic or node.name == "*"
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            base = node.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                binds.add(base.id)  # count_layers.__code__ = ...
        elif isinstance(node, ast.Attribute) and node.attr in ("__dict__", "modules"):
            dynamic = True
    globals_ = _globals(statement)
    if globals_ is None:
        return binds, uses, dynamic
    bound, read = globals_
    return bound | (binds - _locals(statement)), read, dynamic


def defined_names(source: str) -> set[str]:
    """The global names a cell defines (for a key: what a solution cell is made of)."""
    return set().union(*(_binds_and_uses(s)[0] for s in parse_cell(source).body))


def _globals(statement: ast.stmt) -> tuple[set[str], set[str]] | None:
    """The global names a statement binds and reads (a function's locals and arguments, a
    comprehension's variables left out), from Python's own symbol table."""
    try:
        table = symtable.symtable(ast.unparse(statement), "<cell>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    bound, read, tables = set(), set(), [table]
    while tables:
        scope = tables.pop()
        top = scope.get_type() == "module"
        for symbol in scope.get_symbols():
            if not (top or symbol.is_global()):
                continue
            if symbol.is_referenced():
                read.add(symbol.get_name())
            if symbol.is_assigned() or symbol.is_imported() or (top and symbol.is_namespace()):
                bound.add(symbol.get_name())
        tables += scope.get_children()
    return bound, read


def _locals(statement: ast.stmt) -> set[str]:
    """Names stored inside functions, classes and comprehensions of a statement (not globals)."""
    found = set()
    for node in ast.walk(statement):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    found.add(inner.id)
                elif isinstance(inner, ast.arg):
                    found.add(inner.arg)
        elif isinstance(node, ast.comprehension):
            found |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return found


def parse_cell(source: str) -> ast.Module:
    """The syntax tree of a notebook cell, read without running it; empty if unreadable.

    IPython's own syntax (``%magic``, ``!shell``, ``%%cell magic``) is read the cheap way: an
    escaped line becomes the Python it runs (``%time x = f()`` reads as ``x = f()``) or
    ``pass``.  (IPython's transformer re-reads the whole cell once per escape: a cell of a few
    hundred escapes and 100 kB took minutes, and 500 escapes make it raise.)
    """
    if not isinstance(source, str) or len(source) > MAX_SCAN:
        return ast.Module(body=[], type_ignores=[])
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:
        return ast.parse(_without_escapes(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ast.Module(body=[], type_ignores=[])


def _without_escapes(source: str) -> str:
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        lines[0] = ""  # a cell magic: its body is (usually) Python
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith(("%", "!")) or stripped.endswith("?"):
            words = stripped.lstrip("%!").split(None, 1)
            rest = words[1] if len(words) == 2 else ""
            out.append(indent + (rest if rest and _parses(rest) else "pass"))
        elif "= !" in line or "= %" in line:
            out.append(line.split("=", 1)[0] + "= None")
        else:
            out.append(line)
    return "\n".join(out)


def _parses(line: str) -> bool:
    try:
        ast.parse(line)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
