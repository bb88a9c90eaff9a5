"""The tamper report: code in a submission that reaches for the grading machinery.

Scores never depend on this report -- they are decided outside the sandbox from answers alone --
but a lecturer should look at a student who tried: this module lists every construct in the
student's cells that an honest solution of these exercises has no reason to use (IPython hooks,
``sys.settrace``, ``builtins``, ``sys.modules``, the grading modules, process control, files by
absolute path, ``eval``/``exec``...), with the cell and line.  The grading process adds what it
saw from outside: a child that had to be restarted, report lines that did not belong to the step
being run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .names import MAX_SCAN, parse_cell

__all__ = ["Finding", "scan"]

MODULES = {
    "builtins": "the builtins module",
    "ctypes": "raw memory access (ctypes)",
    "gc": "the garbage collector's object lists",
    "importlib": "dynamic imports",
    "inspect": "stack inspection",
    "multiprocessing": "new processes",
    "nasedu.grader": "the grader",
    "nasedu.grading": "the self-check module",
    "pty": "terminals",
    "resource": "resource limits",
    "shutil": "file operations",
    "signal": "signal handlers",
    "socket": "the network",
    "subprocess": "new processes",
    "threading": "threads",
}
ATTRIBUTES = {
    "settrace": "a trace hook (sys.settrace)",
    "setprofile": "a profile hook (sys.setprofile)",
    "_getframe": "stack frames",
    "modules": "sys.modules",
    "meta_path": "import hooks",
    "path_hooks": "import hooks",
    "input_transformers_cleanup": "an IPython input transformer",
    "input_transformers_post": "an IPython input transformer",
    "ast_transformers": "an IPython AST transformer",
    "events": "IPython events",
    "set_custom_exc": "IPython's exception handler",
    "displayhook": "the display hook",
    "excepthook": "the exception hook",
    "_exit": "os._exit",
    "kill": "killing processes",
    "killpg": "killing processes",
    "fork": "forking",
    "system": "shell commands",
    "popen": "shell commands",
    "chdir": "changing the working folder",
    "dup2": "file descriptors",
    "write": None,  # too common (files, streams); reported only on os
    "__builtins__": "the builtins",
    "__subclasses__": "class internals",
    "__globals__": "function internals",
    "__code__": "function internals",
    "__class__": "class internals",
    "__dict__": "a namespace's dictionary",
}
NAMES = {
    "eval": "eval",
    "exec": "exec",
    "compile": "compile",
    "__import__": "__import__",
    "globals": "globals()",
    "__builtins__": "the builtins",
    "get_ipython": "the IPython shell",
    "setattr": "setattr",
    "vars": "vars()",
    "locals": "locals()",
    "open": None,  # reported only with an absolute or parent path
}


@dataclass(frozen=True)
class Finding:
    """One suspicious construct: where it is and what it reaches for."""

    cell: int
    line: int
    what: str

    def __str__(self) -> str:
        return f"cell {self.cell}, line {self.line}: {self.what}"


def scan(sources: list[str]) -> list[Finding]:
    """Every suspicious construct in the student's code cells (``sources``, in order)."""
    findings = []
    for number, source in enumerate(sources, start=1):
        tree = _parse(source)
        if tree is None:
            long = len(source) > MAX_SCAN
            findings.append(
                Finding(
                    number, 0, "a cell too long to read" if long else "code that does not parse"
                )
            )
            continue
        for node in ast.walk(tree):
            what = _suspicious(node)
            if what:
                findings.append(Finding(number, getattr(node, "lineno", 0), what))
    return findings


def _parse(source: str) -> ast.AST | None:
    tree = parse_cell(source)
    return tree if tree.body or not source.strip() else None


def _suspicious(node: ast.AST) -> str | None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return _suspicious_import(node)
    if isinstance(node, ast.Attribute):
        if node.attr == "write" and _base_name(node) == "os":
            return "os.write (writing to file descriptors)"
        what = ATTRIBUTES.get(node.attr)
        if what:
            return what
    if isinstance(node, ast.Name) and NAMES.get(node.id):
        return NAMES[node.id]
    if isinstance(node, ast.Call):
        # open('/...'), Path('../..'), os.listdir('/'), shutil.copy(x, '~/...')
        roots = _callee_name(node) in FILE_CALLS
        for path in node.args:
            if _outside_path(path) or (roots and _constant(path) in ("/", "..", "~")):
                return f"names a file outside its folder ({path.value[:60]!r})"
    if isinstance(node, (ast.FunctionDef, ast.Assign)) and _rebinds_grading(node):
        return "redefines a grading function (expect_...)"
    return None


def _suspicious_import(node: ast.Import | ast.ImportFrom) -> str | None:
    """``import sys``: fine; ``from nasedu import grading``, ``from sys import settrace``,
    ``from os import _exit as leave``: what the imported names reach for."""
    if isinstance(node, ast.Import):
        modules = [a.name for a in node.names]
    else:
        base = node.module or ""
        modules = [base] + [f"{base}.{a.name}" if base else a.name for a in node.names]
        for alias in node.names:
            what = ATTRIBUTES.get(alias.name) or NAMES.get(alias.name)
            if what or (alias.name == "write" and base == "os"):
                return f"imports {alias.name} from {base or '.'} ({what or 'os.write'})"
            if alias.name == "*" and base in ("os", "sys", "builtins", "IPython"):
                return f"imports every name of {base or '.'}"
    for module in modules:
        for name, what in MODULES.items():
            if module and (module == name or module.startswith(name + ".")):
                return f"imports {module} ({what})"
    return None


FILE_CALLS = ("open", "listdir", "scandir", "walk", "Path", "glob", "chdir", "rmtree", "remove")


def _callee_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _constant(node: ast.AST) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _outside_path(node: ast.AST) -> bool:
    """A string constant that names a file outside the working folder (not ``"/"`` alone)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value
    return text.startswith(("../", "~", "/proc", "/dev", "/sys")) or (
        len(text) > 1 and text[0] == "/" and text[1].isalnum()
    )


def _base_name(node: ast.Attribute) -> str:
    value = node.value
    return value.id if isinstance(value, ast.Name) else ""


def _rebinds_grading(node: ast.AST) -> bool:
    if isinstance(node, ast.FunctionDef):
        return node.name.startswith("expect_")
    targets = [t for t in node.targets if isinstance(t, ast.Name)]
    return any(t.id.startswith("expect_") for t in targets)
