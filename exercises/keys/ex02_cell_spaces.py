"""Answer key of ex02_cell_spaces (lecturer's file: keep it where students cannot read it).

Each check is an expression; its expected value comes from the solution cells of
``source/ex02_cell_spaces/ex02_cell_spaces.ipynb``, evaluated by ``nasedu grade``.
"""

from nasedu.grader import Check, Part, Task
from nasedu.spaces import CellSpace

IMPORTS = """from nasedu import zoo
from nasedu.ops import DARTS_OPS, NASNET_OPS
from nasedu.spaces import Block, Cell, CellSpace, to_darts"""
WIDE = (
    IMPORTS
    + """
nasnet = zoo.cell_genotype("NASNet-A")
wide = Cell(
    (
        Block((0, 1), ("conv_3x3", "skip_connect"), "concat"),
        Block((0, 0), ("sep_conv_3x3", "avg_pool_3x3"), "add"),
        Block((3, 1), ("skip_connect", "conv_1x1"), "add"),
    )
)"""
)
THREE = CellSpace(num_blocks=3)

TASKS = [
    Task(
        "test_block_encodings",
        solution="block_encodings",
        by_hand=("CellSpace", ".block_size"),
        parts=[
            Part(
                1,
                [
                    Check("block_encodings(1, 13, 2)", "block 1 of NASNet", visible=True),
                    Check("block_encodings(5, 13, 2)", "block 5 of NASNet", visible=True),
                    Check("block_encodings(3, 8, 1)"),
                ],
                hint="block k can read 2 cell inputs and the outputs of blocks 1 .. k-1; each of "
                "the two inputs picks a state and an op independently",
            ),
            Part(
                1,
                [
                    Check("[block_encodings(k, 7, 1) for k in range(1, 7)]"),
                    Check("block_encodings(3, 1, 2)"),
                ],
                hint="the combine method is chosen once per block, not once per input",
            ),
        ],
    ),
    Task(
        "test_cell_space_size",
        solution="cell_space_size",
        by_hand=("CellSpace", ".size", ".block_size"),
        parts=[
            Part(
                1,
                [
                    Check("cell_space_size(1, 2, 1)", "one block, 2 ops, add only", visible=True),
                    Check("cell_space_size(5, 13, 2)", "the NASNet space", visible=True),
                    Check("cell_space_size(2, 3, 2)"),
                ],
                hint="a cell is the product over its blocks; a genotype has two cells",
            ),
            Part(
                1,
                [
                    Check("cell_space_size(4, 7, 1)"),
                    Check("cell_space_size(7, 13, 2)"),
                    Check("cell_space_size(3, 3, 1)"),
                ],
                hint="the normal and the reduction cell are chosen independently: square it",
            ),
        ],
    ),
    Task(
        "test_my_cells",
        solution="my_cells",
        parts=[
            Part(
                1,
                [
                    Check(
                        "my_cells",
                        "my_cells is a genotype of CellSpace(num_blocks=3)",
                        visible=True,
                        same="valid",
                        space=THREE,
                    ),
                    Check(
                        "[b.combine for b in my_cells.normal.blocks]",
                        "how the normal cell's blocks combine",
                        visible=True,
                    ),
                    Check("my_cells.normal.concat", "the normal cell's output", visible=True),
                    Check("my_cells.reduction.concat", "the reduction cell's output", visible=True),
                    Check("[b.combine for b in my_cells.reduction.blocks]"),
                ],
                hint="b3 of the normal cell concatenates; b1 is read by b3, so the normal cell "
                "outputs concat(b2, b3)",
            ),
            Part(
                1,
                [
                    Check(
                        "sorted(op for b in my_cells.normal.blocks for op in b.ops)",
                        "the ops of the normal cell",
                        visible=True,
                    ),
                    Check("sorted(op for b in my_cells.reduction.blocks for op in b.ops)"),
                ],
                hint="check each op name against the task (max_pool_3x3 is not avg_pool_3x3)",
            ),
            Part(
                1,
                [
                    Check(
                        "my_cells",
                        "my_cells is the described genotype",
                        same="architecture",
                        space=THREE,
                    )
                ],
                hint="states are 0 = h_{i-1}, 1 = h_i, k + 1 = b{k}: check which state each op reads",
            ),
        ],
    ),
    Task(
        "test_output_channels",
        solution="output_channels",
        by_hand=(".concat", "CellLayer", ".out_channels", ".wired", "wired_cells"),
        parts=[
            Part(
                1,
                [
                    Check(
                        "output_channels(nasnet.normal, 36)",
                        "NASNet-A's normal cell at C=36",
                        visible=True,
                        setup=WIDE,
                    ),
                    Check(
                        "output_channels(wide, 16)",
                        "a cell whose first block concatenates (C=16)",
                        visible=True,
                    ),
                    Check("output_channels(nasnet.reduction, 10)"),
                ],
                hint="only the blocks that no later block reads are concatenated; a block that "
                "concatenates has 2C channels",
            ),
            Part(
                1,
                [
                    Check(
                        "[output_channels(CellSpace(num_blocks=4, ops=('skip_connect', "
                        "'max_pool_3x3')).sample_cell(seed), 6) for seed in range(30)]"
                    ),
                ],
                hint="block k writes hidden state k + 1: compare states, not block indices",
            ),
        ],
    ),
    Task(
        "test_darts_to_cell",
        solution="darts_to_cell",
        by_hand=("from_darts", "cell_genotype", "_blocks"),
        parts=[
            Part(
                1,
                [
                    Check(
                        "darts_to_cell(zoo.genotype('NASNet-A'))",
                        "darts_to_cell(NASNet-A)",
                        visible=True,
                        setup=IMPORTS,
                    ),
                    Check("darts_to_cell(zoo.genotype('AmoebaNet-A'))"),
                ],
                hint="pairs 2k-2 and 2k-1 (0-based) are block k; keep the order of the pairs",
            ),
            Part(
                2,
                [
                    Check(
                        "[darts_to_cell(to_darts(CellSpace(num_blocks=4, combine=('add',))"
                        ".sample(seed))) for seed in range(10)]"
                    ),
                    Check(
                        "darts_to_cell(to_darts(CellSpace(num_blocks=2, ops=('conv_1x7_7x1',"
                        " 'skip_connect'), combine=('add',)).sample(3)))"
                    ),
                ],
                hint="the reduction cell is darts.reduce; DARTS spells conv_1x7_7x1 as "
                "conv_7x1_1x7 (DARTS_ALIASES)",
            ),
        ],
    ),
]


def variant(rng, cells: dict[str, str]) -> dict[str, str]:
    """Another pair of cells to write down in task 3 (``nasedu exercises variant``)."""
    from nasedu.grader import replace_between, replace_solution

    genotype = THREE.sample(rng)
    bullets = {
        kind: "\n".join(f"* `{line}`" for line in cell.lines()[:-1])
        for kind, cell in genotype.cells()
    }
    task = replace_between(
        cells["task3"], "**Normal cell**\n\n", "\n\n**Reduction cell**", bullets["normal"]
    )
    task = replace_between(task, "**Reduction cell**\n\n", "\n\n`print`", bullets["reduction"])

    def blocks(cell) -> str:
        return "".join(
            f"            Block({b.inputs!r}, {_quoted(b.ops)}, {_quoted(b.combine)}),\n"
            for b in cell.blocks
        )

    code = (
        "my_cells = CellGenotype(\n    normal=Cell(\n        (\n"
        + blocks(genotype.normal)
        + "        )\n    ),\n    reduction=Cell(\n        (\n"
        + blocks(genotype.reduction)
        + "        )\n    ),\n)"
    )
    normal_ops = sorted(op for b in genotype.normal.blocks for op in b.ops)
    test = f"""three = CellSpace(num_blocks=3)
expect_valid(three, my_cells, "my_cells is a genotype of CellSpace(num_blocks=3)")
expect_equal(
    [b.combine for b in my_cells.normal.blocks],
    [{", ".join(_quoted(b.combine) for b in genotype.normal.blocks)}],
    "how the normal cell's blocks combine",
)
expect_equal(
    my_cells.normal.concat,
    {genotype.normal.concat!r},
    "the normal cell's output",
    hint="the output concatenates the blocks that no later block reads",
)
expect_equal(
    my_cells.reduction.concat,
    {genotype.reduction.concat!r},
    "the reduction cell's output",
    hint="the output concatenates the blocks that no later block reads",
)
expect_equal(
    sorted(op for b in my_cells.normal.blocks for op in b.ops),
    [{", ".join(_quoted(op) for op in normal_ops)}],
    "the ops of the normal cell",
    hint="check each op name against the task (max_pool_3x3 is not avg_pool_3x3)",
)
"""
    return {
        "task3": task,
        "my_cells": replace_solution(cells["my_cells"], code),
        "test_my_cells": test,
    }


def _quoted(value) -> str:
    """A string or tuple of strings as Python source with double quotes (as ruff formats it)."""
    if isinstance(value, str):
        return f'"{value}"'
    return "(" + ", ".join(_quoted(v) for v in value) + ")"
