"""Answer key of ex03_hierarchical_spaces (lecturer's file: keep it where students cannot read it).

Each check is an expression; its expected value comes from the solution cells of
``source/ex03_hierarchical_spaces/ex03_hierarchical_spaces.ipynb``, evaluated by ``nasedu grade``.
"""

from nasedu.grader import Check, Part, Task
from nasedu.spaces import HierarchicalSpace

IMPORTS = """from nasedu.ops import LIU_PRIMITIVES
from nasedu.spaces import FlatSpace, HierarchicalSpace, Motif
paper = HierarchicalSpace()
trivial = paper.trivial()
added = trivial.with_motif(2, 3, trivial.motif(2, 3).with_edge(0, 2, "max_pool_3x3"))"""
# a count worked out by hand: neither the spaces nor their counting methods (valid or not)
BY_HAND_COUNTS = (
    "HierarchicalSpace",
    "FlatSpace",
    ".motif_size",
    ".num_motif_encodings",
    ".size",
    ".num_encodings",
)
MUTATED = (
    "[describe_mutation(paper.initial(rng=seed, mutations=50), paper.mutate("
    "paper.initial(rng=seed, mutations=50), rng=100 + seed)) for seed in range(20)]"
)

TASKS = [
    Task(
        "test_motif_encodings",
        solution="motif_encodings",
        by_hand=BY_HAND_COUNTS,
        parts=[
            Part(
                1,
                [
                    Check("motif_encodings(4, 7)", "a level-2 motif of the paper", visible=True),
                    Check("motif_encodings(5, 7)", "the level-3 motif", visible=True),
                    Check("motif_encodings(6, 4)"),
                ],
                hint="count the node pairs i < j first: each one is an independent choice",
            ),
            Part(
                1,
                [
                    Check("motif_encodings(3, 3)"),
                    Check("motif_encodings(11, 7)"),
                    Check("[motif_encodings(n, 9) for n in range(1, 4)]"),
                ],
                hint="a motif of one node has no entries (one encoding); use exact integers",
            ),
        ],
    ),
    Task(
        "test_space_size",
        solution="space_size",
        by_hand=BY_HAND_COUNTS,
        parts=[
            Part(
                1,
                [
                    Check("space_size(6, (6, 1), (4, 5))", "the paper's space", visible=True),
                    Check("space_size(4, (3, 2, 1), (3, 4, 3))"),
                ],
                hint="level 2 contributes (7**6)**6: six motifs, each chosen independently",
            ),
            Part(
                1,
                [Check("space_size(6, (1,), (11,))"), Check("space_size(5, (4, 1), (3, 6))")],
                hint="entries of level l >= 3 choose among the motifs of level l - 1, or none",
            ),
        ],
    ),
    Task(
        "test_my_motif",
        solution="my_motif",
        parts=[
            Part(
                1,
                [
                    Check(
                        "HierarchicalSpace().trivial().with_motif(2, 1, my_motif)",
                        "my_motif can be a level-2 motif of the paper's space",
                        visible=True,
                        same="valid",
                        space=HierarchicalSpace(),
                        setup=IMPORTS,
                    ),
                    Check("len(my_motif.edges())", "my_motif has five edges", visible=True),
                    Check(
                        "my_motif.matrix[1][3]",
                        "the entry (1, 3) of my_motif",
                        visible=True,
                    ),
                    Check("my_motif.num_nodes"),
                ],
                hint="the entry (i, j) with i < j is the op on the edge from node i to node j",
            ),
            Part(
                1,
                [
                    Check(
                        "sorted(op for _, _, op in my_motif.edges())",
                        "the ops of my_motif",
                        visible=True,
                    ),
                    Check("my_motif"),
                ],
                hint="a 3x3 max pooling is max_pool_3x3, a 3x3 depthwise convolution "
                "dw_conv_3x3_bn_relu",
            ),
        ],
    ),
    Task(
        "test_flattened_counts",
        solution="flattened_counts",
        by_hand=(".flatten",),
        parts=[
            Part(
                1,
                [
                    Check(
                        "flattened_counts(paper.trivial())",
                        "the trivial genotype",
                        visible=True,
                        setup=IMPORTS,
                    ),
                    Check(
                        "flattened_counts(paper.initial(rng=0))",
                        "space.initial(rng=0)",
                        visible=True,
                    ),
                    Check("flattened_counts(paper.sample(rng=0))"),
                ],
                hint="count only the level-2 motifs the cell uses, once per level-3 edge that "
                "names them",
            ),
            Part(
                2,
                [
                    Check("[flattened_counts(paper.sample(rng=seed)) for seed in range(1, 6)]"),
                    Check(
                        "[flattened_counts(HierarchicalSpace(motifs=(3, 1), nodes=(3, 6))"
                        ".sample(rng=seed)) for seed in range(3)]"
                    ),
                ],
                hint="a motif with no edges flattens to no primitive, but its 1x1 convolution stays",
            ),
        ],
    ),
    Task(
        "test_describe_mutation",
        solution="describe_mutation",
        by_hand=("differences",),
        parts=[
            Part(
                1,
                [
                    Check(
                        "describe_mutation(trivial, added)",
                        "an added edge",
                        visible=True,
                        setup=IMPORTS,
                    ),
                    Check(
                        "describe_mutation(paper.initial(rng=1), "
                        "paper.mutate(paper.initial(rng=1), rng=2))",
                        "space.mutate(space.initial(rng=1), rng=2)",
                        visible=True,
                    ),
                    Check("describe_mutation(added, trivial)"),
                ],
                hint="levels[0] is level 2; motifs are numbered from 1",
            ),
            Part(
                1,
                [
                    Check(MUTATED),
                    Check(
                        "[describe_mutation(FlatSpace(nodes=6).sample(rng=seed), FlatSpace("
                        "nodes=6).mutate(FlatSpace(nodes=6).sample(rng=seed), rng=seed)) "
                        "for seed in range(5)]"
                    ),
                ],
                hint="'edge removed' when the new entry is none, 'edge added' when the old one was",
            ),
        ],
    ),
]


DESCRIPTIONS = {
    "conv_1x1_bn_relu": "a 1×1 convolution",
    "dw_conv_3x3_bn_relu": "a 3×3 depthwise convolution",
    "sep_conv_3x3_bn_relu": "a 3×3 separable convolution",
    "max_pool_3x3": "a 3×3 max pooling",
    "avg_pool_3x3": "a 3×3 average pooling",
    "skip_connect": "an identity",
}


def _random_motif(rng):
    """A valid 4-node level-2 motif with 5 edges (one of the 6 node pairs left out)."""
    from nasedu.ops import LIU_PRIMITIVES
    from nasedu.spaces import Motif

    space = HierarchicalSpace()
    while True:
        pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
        del pairs[int(rng.integers(len(pairs)))]
        ops = rng.choice(LIU_PRIMITIVES, size=len(pairs)).tolist()
        motif = Motif.from_edges(4, dict(zip(pairs, ops)))
        try:
            space.validate(space.trivial().with_motif(2, 1, motif))
            return motif
        except ValueError:
            continue


def _describe_node(motif, j: int) -> str:
    sources = [(i, op) for i, k, op in motif.edges() if k == j]
    parts = [f"{DESCRIPTIONS[op]} of {'the input' if i == 0 else f'node {i}'}" for i, op in sources]
    if len(parts) == 1:
        return parts[0][parts[0].index(" ") + 1 :]  # "3×3 separable convolution of the input"
    return "concatenation of " + ", ".join(parts[:-1]) + " and " + parts[-1]


def variant(rng, cells: dict[str, str]) -> dict[str, str]:
    """Another level-2 motif to write down in task 3 (``nasedu exercises variant``)."""
    from nasedu.grader import replace_between, replace_solution

    motif = _random_motif(rng)
    bullets = ",\n".join(f"* node {j} = {_describe_node(motif, j)}" for j in (1, 2, 3)) + "."
    edges = "".join(f"        ({i}, {j}): {op!r},\n" for i, j, op in motif.edges())
    code = "my_motif = Motif.from_edges(\n    4,\n    {\n" + edges.replace("'", '"') + "    },\n)"
    test = replace_between(
        cells["test_my_motif"],
        "expect_equal(my_motif.matrix[1][3], ",
        ")\n",
        f'"{motif.matrix[1][3]}", "the entry (1, 3) of my_motif"',
    )
    ops = sorted(op for _, _, op in motif.edges())
    test = replace_between(
        test,
        "sorted(op for _, _, op in my_motif.edges()),\n",
        '    "the ops',
        f"    {ops!r},\n".replace("'", '"'),
    )
    return {
        "task3": replace_between(cells["task3"], "the output):\n\n", "\n\nUse", bullets),
        "my_motif": replace_solution(cells["my_motif"], code),
        "test_my_motif": test,
    }
