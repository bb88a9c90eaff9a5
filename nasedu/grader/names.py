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

__all__ = ["names_used"]


def names_used(sources: list[str], forbidden: tuple[str, ...] | list[str]) -> list[str]:
    """The names of ``forbidden`` that the code ``sources`` uses, in the order of ``forbidden``.

    ``"Name"`` matches a name or an import of it, ``".attr"`` an attribute (also when spelt as
    a string, as in ``getattr(space, "size")``).  Returned in backquotes, ready to print.
    """
    if not forbidden:
        return []
    names, attributes = set(), set()
    for source in sources:
        for node in ast.walk(_parse(source)):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                attributes.add(node.attr)
            elif isinstance(node, ast.alias):
                names.update({node.name.split(".")[-1], node.asname or ""})
            elif isinstance(node, ast.Call) and _callee(node) in ATTRIBUTE_GETTERS:
                # getattr(x, "size") spells an attribute as a string
                attributes.update(
                    a.value for a in node.args if isinstance(a, ast.Constant) and a.value
                )
    return [
        f"`{name}`"
        for name in forbidden
        if (name[1:] in attributes if name.startswith(".") else name in names)
    ]


ATTRIBUTE_GETTERS = ("getattr", "hasattr", "attrgetter", "methodcaller", "__getattribute__")


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _parse(source: str) -> ast.AST:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ast.parse("")
