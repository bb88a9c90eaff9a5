"""Answer key of ex01_chain_spaces (lecturer's file: keep it where students cannot read it).

Each check is an expression; its expected value comes from the solution cells of
``source/ex01_chain_spaces/ex01_chain_spaces.ipynb``, evaluated by ``nasedu grade``.
"""

from nasedu.grader import Check, Part, Task
from nasedu.spaces import ChainSpace, MultiBranchSpace

EXAMPLE = """example = {
    "conv": {"filters": (16, 32), "kernel": (3, 5), "stride": (1, 2)},
    "pool": {"kind": ("max", "avg"), "kernel": (3,), "stride": (1, 2)},
}
from nasedu.spaces import ChainSpace"""
OTHER = (
    "{'sep_conv': {'filters': (8, 16, 32, 64), 'kernel': (3, 5, 7), 'stride': (1, 2)},"
    " 'pool': {'kind': ('max',), 'kernel': (2, 3)}, 'identity': {}}"
)

TASKS = [
    Task(
        "test_count_layers",
        solution="count_layers",
        by_hand=("LayerChoices", ".count", "ChainSpace"),
        parts=[
            Part(
                1,
                [
                    Check("count_layers(example)", visible=True, setup=EXAMPLE),
                    Check(
                        "count_layers(ChainSpace().choices.types)",
                        "count_layers of the default vocabulary",
                        visible=True,
                    ),
                    Check(
                        "count_layers({'conv': {'filters': (8, 16), 'kernel': (1, 3, 5), "
                        "'stride': (1, 2)}, 'pool': {'kind': ('avg',), 'kernel': (3, 5), "
                        "'stride': (2,)}})"
                    ),
                ],
                hint="a sum over layer types of the product of that type's numbers of choices",
            ),
            Part(
                1,
                [
                    Check(f"count_layers({OTHER})"),
                    Check("count_layers({'conv': {'kernel': (3,)}})"),
                ],
                hint="a type without hyperparameters is one layer; count any keys, not only "
                "filters, kernel and stride",
            ),
        ],
    ),
    Task(
        "test_chain_space_size",
        solution="chain_space_size",
        by_hand=("ChainSpace", ".size"),
        parts=[
            Part(
                1,
                [
                    Check("chain_space_size(50, 1, 6)", visible=True),
                    Check("chain_space_size(10, 2, 3)", visible=True),
                    Check("chain_space_size(30, 2, 7)"),
                ],
                hint="a sum over depths d of num_layers ** d",
            ),
            Part(
                1,
                [
                    Check("chain_space_size(50, 3, 12)"),
                    Check("chain_space_size(7, 1, 1)"),
                    Check("chain_space_size(2, 5, 5)"),
                ],
                hint="both min_depth and max_depth are included; use exact integers",
            ),
        ],
    ),
    Task(
        "test_vgg",
        solution="vgg",
        parts=[
            Part(
                1,
                [
                    Check(
                        "vgg",
                        "vgg is a member of the chain space",
                        visible=True,
                        same="valid",
                        space=ChainSpace(),
                    ),
                    Check("len(vgg)", "vgg has four layers", visible=True),
                    Check("[layer.op for layer in vgg.layers]", "the layer types", visible=True),
                    Check('vgg.layers[2]["kind"]', "the kind of the pooling layer", visible=True),
                    Check("[(layer['kernel'], layer['stride']) for layer in vgg.layers]"),
                ],
                hint="Layer('pool', kind='max', kernel=3, stride=2) is a 3x3 max-pool of stride 2",
            ),
            Part(
                1,
                [
                    Check(
                        "vgg",
                        "vgg is the described network",
                        same="architecture",
                        space=ChainSpace(),
                    )
                ],
                hint="check every filter count, kernel size and stride against the task",
            ),
        ],
    ),
    Task(
        "test_dense",
        solution="dense",
        parts=[
            Part(
                1,
                [
                    Check(
                        "dense",
                        "dense is a member of the multi-branch space",
                        visible=True,
                        same="valid",
                        space=MultiBranchSpace(max_layers=3),
                    ),
                    Check(
                        "[node.inputs for node in dense.nodes]",
                        "what each layer reads",
                        visible=True,
                    ),
                    Check("[len(node.inputs) for node in dense.nodes]"),
                ],
                hint="layer i reads the input (0) and the outputs of layers 1 .. i-1",
            ),
            Part(
                1,
                [
                    Check(
                        "[node.merge for node in dense.nodes]",
                        "how each layer merges",
                        visible=True,
                    ),
                    Check("sorted({str(node.merge) for node in dense.nodes})"),
                ],
                hint="DenseNet concatenates ('concat'); a residual network sums ('sum'); a single "
                "input needs merge=None",
            ),
            Part(
                1,
                [
                    Check(
                        "dense",
                        "dense is DenseNet-like",
                        same="architecture",
                        space=MultiBranchSpace(max_layers=3),
                    )
                ],
                hint="the layers are a, b, c in this order",
            ),
        ],
    ),
    Task(
        "test_connection_choices",
        solution="connection_choices",
        by_hand=("MultiBranchSpace", ".connection_choices"),
        parts=[
            Part(
                1,
                [
                    Check(
                        "connection_choices(1, 2)", "layer 1 can only read the input", visible=True
                    ),
                    Check("connection_choices(3, 2)", "layer 3", visible=True),
                    Check("connection_choices(4, 2)"),
                ],
                hint="count the sets of one tensor and the sets of two or more separately",
            ),
            Part(
                1,
                [Check("[connection_choices(i, m) for i in range(1, 10) for m in (1, 2, 3)]")],
                hint="a set of two or more of the i tensors: 2**i - 1 - i of them, each with "
                "num_merges merges",
            ),
        ],
    ),
]


def variant(rng, cells: dict[str, str]) -> dict[str, str]:
    """Another small VGG to write down in task 3 (``nasedu exercises variant``)."""
    from nasedu.grader import replace_between, replace_solution

    f1, f2 = sorted(rng.choice([16, 32, 64], size=2, replace=False).tolist())
    k = int(rng.choice([1, 3, 5]))
    kind, pool = str(rng.choice(["max", "avg"])), int(rng.choice([3, 5]))
    text = (
        f"conv {f1} filters {k}×{k} stride 1 → conv {f1} filters {k}×{k} stride 1 → {kind}-pool "
        f"{pool}×{pool}\nstride 2 → conv {f2} filters {k}×{k} stride 1"
    )
    conv = 'Layer("conv", filters={}, kernel={}, stride=1),\n'
    code = (
        "vgg = ChainGenotype(\n    (\n"
        + f"        {conv.format(f1, k)}" * 2
        + f'        Layer("pool", kind="{kind}", kernel={pool}, stride=2),\n'
        + f"        {conv.format(f2, k)}"
        + "    )\n)"
    )
    test = replace_between(cells["test_vgg"], 'vgg.layers[2]["kind"],\n    ', ",\n", f'"{kind}"')
    test = test.replace("the pooling layer is a max-pool", f"the pooling layer is a {kind}-pool")
    return {
        "task3": replace_between(cells["task3"], "Write the chain *", "* as a", text),
        "vgg": replace_solution(cells["vgg"], code),
        "test_vgg": test,
    }
