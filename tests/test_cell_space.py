"""The NASNet cell space (Zoph et al. 2018, Sec. 3): B blocks of 5 choices in a normal and a
reduction cell.  Sizes against brute force, properties, hash invariances, errors, network, plot."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare
from torch import nn

from nasedu.networks import CellLayer, CellNetwork
from nasedu.networks.cell import drop_path, reduction_layers
from nasedu.ops import NASNET_OPS
from nasedu.spaces import InvalidArchitecture, get_space
from nasedu.spaces.cell import Block, Cell, CellGenotype, CellSpace
from nasedu.viz.cell import STRIDE_TAG

SPACE = CellSpace()
SMALL = CellSpace(num_blocks=3, ops=("skip_connect", "max_pool_3x3", "conv_1x1"))
SEEDS = st.integers(0, 2**32 - 1)
TINY = {"C": 4, "N": 1}  # the smallest network: 5 cells of 4-8-16 channels


def cell(*blocks: tuple) -> Cell:
    """``cell(((a, b), (op_a, op_b), combine), ...)``: a cell written compactly."""
    return Cell(tuple(Block(*b) for b in blocks))


# -- counting against brute force ------------------------------------------------------------------

CONFIGS = [  # (blocks, ops, combine): small enough to list every cell
    (1, ("skip_connect", "max_pool_3x3"), ("add",)),
    (1, ("skip_connect", "max_pool_3x3"), ("add", "concat")),
    (1, ("skip_connect", "max_pool_3x3", "conv_1x1"), ("add", "concat")),
    (2, ("skip_connect", "max_pool_3x3"), ("add",)),
    (2, ("skip_connect", "max_pool_3x3"), ("add", "concat")),
    (2, ("skip_connect", "max_pool_3x3", "conv_1x1"), ("add",)),
]


def _swap_free(block: Block) -> tuple:
    """A block up to the order of its two inputs: the pairs as a sorted tuple."""
    return (tuple(sorted(zip(block.inputs, block.ops))), block.combine)


def _raw_blocks(blocks: int, ops: tuple, combine: tuple) -> list[Block]:
    """Every block with raw input indices in a range wider than valid (-1 .. B+2)."""
    states = range(-1, blocks + 3)
    return [
        Block((a, b), (op_a, op_b), c)
        for a, b, op_a, op_b, c in itertools.product(states, states, ops, ops, combine)
    ]


def _accepted(space: CellSpace, genotype: CellGenotype) -> bool:
    try:
        space.validate(genotype)
    except InvalidArchitecture:
        return False
    return True


@pytest.mark.parametrize(("blocks", "ops", "combine"), CONFIGS)
def test_cell_counts_match_brute_force(blocks, ops, combine):
    """Independent of the formula and of block_choices: try every raw choice of every block
    (input indices -1..B+2, all ops and combines) and keep the cells validate() accepts."""
    space = CellSpace(blocks, ops, combine)
    raw = _raw_blocks(blocks, ops, combine)
    valid = [
        c
        for c in (Cell(bs) for bs in itertools.product(raw, repeat=blocks))
        if _accepted(space, CellGenotype(c, c))
    ]
    assert len(valid) == len(set(valid)) == space.cell_size()
    assert space.size() == len(valid) ** 2  # normal and reduction cell are chosen independently
    assert set(valid) == set(space.enumerate_cells())  # the encoding lists exactly these
    up_to_swaps = {tuple(_swap_free(b) for b in c.blocks) for c in valid}
    assert len(up_to_swaps) == space.cell_size_up_to_symmetry()
    assert space.size_up_to_symmetry() == len(up_to_swaps) ** 2


@pytest.mark.parametrize(("blocks", "ops", "combine"), [c for c in CONFIGS if c[0] == 1])
def test_genotype_counts_match_brute_force(blocks, ops, combine):
    """Whole genotypes (normal x reduction cell), raw choices filtered by validate()."""
    space = CellSpace(blocks, ops, combine)
    cells = [Cell((b,)) for b in _raw_blocks(blocks, ops, combine)]
    valid = [g for g in (CellGenotype(n, r) for n in cells for r in cells) if _accepted(space, g)]
    assert len(valid) == len(set(valid)) == space.size()
    assert set(valid) == set(space.enumerate())
    up_to_swaps = {
        tuple(_swap_free(b) for cell in (g.normal, g.reduction) for b in cell.blocks) for g in valid
    }
    assert len(up_to_swaps) == space.size_up_to_symmetry()
    assert len({space.canonical(g) for g in valid}) == space.size_up_to_symmetry()
    # the hash merges at least the swaps: a genotype and its canonical form hash the same
    for g in valid[:: max(1, len(valid) // 200)]:
        assert space.arch_hash(g) == space.arch_hash(space.canonical(g))


def test_default_space_size_is_exact():
    """B=5, 13 ops, 2 combine methods: block k has ((k+1)*13)**2 * 2 encodings."""
    per_cell = (2 * 3 * 4 * 5 * 6) ** 2 * (13**2 * 2) ** 5
    assert SPACE.cell_size() == per_cell
    assert SPACE.size() == per_cell**2 == 5_229_943_396_058_757_337_940_161_399_357_440_000
    sym = 1
    for k in range(1, 6):
        n = (k + 1) * 13
        sym *= 2 * n * (n + 1) // 2
    assert SPACE.size_up_to_symmetry() == sym**2
    assert SPACE.size() > SPACE.size_up_to_symmetry() > SPACE.size() // 2**10


def test_decode_is_a_bijection_on_a_small_space():
    space = CellSpace(1, ("skip_connect", "conv_1x1"), ("add", "concat"))
    assert [space.decode(i) for i in range(space.size())] == list(space.enumerate())
    with pytest.raises(IndexError):
        space.decode(space.size())


def test_sampling_is_uniform_over_cells():
    space = CellSpace(1, ("skip_connect", "conv_1x1"), ("add",))  # 16 cells
    rng = np.random.default_rng(0)
    counts = Counter(space.sample(rng).normal for _ in range(1600))
    assert len(counts) == space.cell_size()
    assert chisquare(list(counts.values())).pvalue > 1e-3


# -- properties of sampled genotypes ---------------------------------------------------------------


@settings(max_examples=25)
@given(seed=SEEDS)
def test_samples_validate_round_trip_and_hash_stably(seed):
    genotype = SPACE.sample(seed)
    assert SPACE.validate(genotype) is genotype
    assert SPACE.sample(seed) == genotype  # same seed, same genotype
    text = json.dumps(SPACE.to_json(genotype))
    assert SPACE.from_json(text) == genotype
    assert SPACE.arch_hash(SPACE.from_json(text)) == SPACE.arch_hash(genotype)
    assert "h_{i+1} = concat(" in repr(genotype)


@settings(max_examples=6)
@given(seed=SEEDS)
def test_samples_build_and_forward(seed):
    genotype = SMALL.sample(seed)
    model = SMALL.build(genotype, input_shape=(1, 8, 8), num_classes=10, **TINY)
    assert model(torch.randn(2, 1, 8, 8)).shape == (2, 10)


def test_default_build_works_on_digits_shape():
    model = SPACE.build(SPACE.sample(0))  # input_shape=(1, 8, 8), num_classes=10
    out = model(torch.randn(4, 1, 8, 8))
    assert out.shape == (4, 10)
    out.sum().backward()
    assert len(model.cells) == 5  # N=1: normal, reduction, normal, reduction, normal
    assert [c.reduction for c in model.cells] == [False, True, False, True, False]


@settings(max_examples=40)
@given(seed=SEEDS)
def test_mutation_changes_exactly_one_choice(seed):
    rng = np.random.default_rng(seed)
    parent = SPACE.sample(rng)
    child = SPACE.mutate(parent, rng)
    assert SPACE.validate(child) is child
    changed = [
        (kind, k, choice)
        for kind in ("normal", "reduction")
        for k, (a, b) in enumerate(zip(getattr(parent, kind).blocks, getattr(child, kind).blocks))
        for choice, x, y in (
            ("inputs", a.inputs, b.inputs),
            ("ops", a.ops, b.ops),
            ("combine", a.combine, b.combine),
        )
        if x != y
    ]
    assert len(changed) == 1
    if changed[0][2] != "combine":  # exactly one of the two inputs or ops
        kind, k, choice = changed[0]
        old = getattr(getattr(parent, kind).blocks[k], choice)
        new = getattr(getattr(child, kind).blocks[k], choice)
        assert sum(x != y for x, y in zip(old, new)) == 1


def test_mutation_with_one_op_and_one_combine_still_moves():
    space = CellSpace(2, ("conv_1x1",), ("add",))
    genotype = space.sample(0)
    for seed in range(20):
        assert space.mutate(genotype, seed) != genotype


# -- the hash: same cell, same hash ----------------------------------------------------------------


def _renumber(c: Cell, rng: np.random.Generator) -> Cell:
    """The same cell with its blocks listed in another topological order."""
    n = len(c.blocks)
    order: list[int] = []  # old block indices (0-based) in their new order
    remaining = set(range(n))
    while remaining:
        ready = [
            j for j in sorted(remaining) if all(s - 2 in order or s < 2 for s in c.blocks[j].inputs)
        ]
        j = ready[int(rng.integers(len(ready)))]
        order.append(j)
        remaining.remove(j)
    new_state = {0: 0, 1: 1} | {old + 2: new + 2 for new, old in enumerate(order)}
    return Cell(
        tuple(
            Block(
                tuple(new_state[s] for s in c.blocks[j].inputs),
                c.blocks[j].ops,
                c.blocks[j].combine,
            )
            for j in order
        )
    )


@settings(max_examples=30)
@given(seed=SEEDS)
def test_hash_ignores_swapped_inputs_and_block_numbering(seed):
    rng = np.random.default_rng(seed)
    genotype = SPACE.sample(rng)
    swapped = CellGenotype(
        Cell(tuple(b.swapped() if rng.random() < 0.5 else b for b in genotype.normal.blocks)),
        Cell(tuple(b.swapped() if rng.random() < 0.5 else b for b in genotype.reduction.blocks)),
    )
    renumbered = CellGenotype(_renumber(genotype.normal, rng), _renumber(genotype.reduction, rng))
    SPACE.validate(renumbered)
    assert SPACE.arch_hash(swapped) == SPACE.arch_hash(genotype)
    assert SPACE.arch_hash(renumbered) == SPACE.arch_hash(genotype)
    assert SPACE.canonical(swapped) == SPACE.canonical(genotype)


def test_renumbering_really_renumbers():
    chain = cell(((0, 1), ("conv_3x3", "conv_1x1"), "add"), ((0, 0), ("sep_conv_3x3",) * 2, "add"))
    renumbered = Cell((chain.blocks[1], chain.blocks[0]))  # two independent blocks, reordered
    g1, g2 = CellGenotype(chain, chain), CellGenotype(renumbered, chain)
    assert g1 != g2 and SPACE.canonical(g1) != SPACE.canonical(g2)
    two = CellSpace(num_blocks=2)
    assert two.arch_hash(g1) == two.arch_hash(g2)


@settings(max_examples=20)
@given(seed=SEEDS)
def test_hash_tells_different_cells_apart(seed):
    rng = np.random.default_rng(seed)
    genotype = SPACE.sample(rng)
    blocks = list(genotype.normal.blocks)
    k = int(rng.integers(len(blocks)))
    new_op = next(op for op in NASNET_OPS if op != blocks[k].ops[0])
    blocks[k] = Block(blocks[k].inputs, (new_op, blocks[k].ops[1]), blocks[k].combine)
    other = CellGenotype(Cell(tuple(blocks)), genotype.reduction)
    assert SPACE.arch_hash(other) != SPACE.arch_hash(genotype)
    flipped = CellGenotype(genotype.reduction, genotype.normal)  # normal and reduction swapped
    assert SPACE.arch_hash(flipped) != SPACE.arch_hash(genotype)


# -- bad input -------------------------------------------------------------------------------------


def _with_block(k: int, block: Block, kind: str = "normal") -> CellGenotype:
    genotype = SPACE.sample(1)
    blocks = list(getattr(genotype, kind).blocks)
    blocks[k - 1] = block
    cells = {"normal": genotype.normal, "reduction": genotype.reduction, kind: Cell(tuple(blocks))}
    return CellGenotype(**cells)


@pytest.mark.parametrize(
    ("kind", "k", "block", "message"),
    [
        (
            "normal",
            3,
            Block((0, 4), ("conv_1x1", "conv_1x1")),
            "normal cell, block 3: the second input is 4 (the output of block 3, which is not "
            "computed yet)",
        ),
        (
            "reduction",
            2,
            Block((5, 0), ("conv_1x1", "conv_1x1")),
            "reduction cell, block 2: the first input is 5 (the output of block 4",
        ),
        (
            "normal",
            1,
            Block((9, 0), ("conv_1x1", "conv_1x1")),
            "normal cell, block 1: the first input is 9 (not a hidden state",
        ),
        (
            "normal",
            1,
            Block((-1, 0), ("conv_1x1", "conv_1x1")),
            "normal cell, block 1: the first input is -1",
        ),
        (
            "normal",
            2,
            Block((0, 1), ("conv_1x1", "sep_conv_9x9")),
            "normal cell, block 2: the second op 'sep_conv_9x9' is not an op",
        ),
        (
            "reduction",
            4,
            Block((0, 1), ("none", "conv_1x1")),
            "reduction cell, block 4: the first op 'none'",
        ),
        (
            "normal",
            5,
            Block((0, 1), ("conv_1x1",) * 2, "mul"),
            "normal cell, block 5: the combine method 'mul'",
        ),
        (
            "normal",
            2,
            Block((0, 1.0), ("conv_1x1",) * 2),
            "normal cell, block 2: the second input 1.0 is not an integer",
        ),
        (
            "normal",
            2,
            Block((0, 1, 1), ("conv_1x1",) * 2),
            "normal cell, block 2: a block has exactly two inputs",
        ),
    ],
)
def test_invalid_blocks_are_named(kind, k, block, message):
    with pytest.raises(InvalidArchitecture, match="^" + _escape(message)):
        SPACE.validate(_with_block(k, block, kind))


def _escape(text: str) -> str:
    import re

    return re.escape(text)


def test_wrong_number_of_blocks_and_wrong_types():
    genotype = SPACE.sample(0)
    short = CellGenotype(Cell(genotype.normal.blocks[:4]), genotype.reduction)
    with pytest.raises(InvalidArchitecture, match="normal cell has 4 blocks; this space has B=5"):
        SPACE.validate(short)
    with pytest.raises(InvalidArchitecture, match="reduction cell: expected a Cell"):
        SPACE.validate(CellGenotype(genotype.normal, genotype.reduction.blocks))
    with pytest.raises(InvalidArchitecture, match="expected a CellGenotype"):
        SPACE.validate(genotype.normal)
    with pytest.raises(InvalidArchitecture, match="malformed cell genotype"):
        SPACE.from_json({"space": "cell", "genotype": {"normal": []}})
    data = SPACE.to_json(genotype)
    data["genotype"]["reduction"][0]["ops"][1] = "conv_9x9"
    with pytest.raises(InvalidArchitecture, match="reduction cell, block 1: the second op"):
        SPACE.from_json(data)


def test_a_string_is_not_a_pair_of_ops_or_inputs():
    with pytest.raises(InvalidArchitecture, match=r"Block ops must be a pair.*got 'conv_1x1'"):
        Block((0, 1), "conv_1x1")
    with pytest.raises(InvalidArchitecture, match=r"Block inputs must be a pair.*got 1"):
        Block(1, ("conv_1x1", "conv_1x1"))


def test_build_refuses_layers_and_says_what_to_pass():
    with pytest.raises(TypeError, match=r"no layers=8; pass N=\.\.\., or build .*CellNetwork"):
        SPACE.build(SPACE.sample(0), layers=8)


def test_space_arguments_are_checked():
    with pytest.raises(ValueError, match="unknown ops"):
        CellSpace(ops=("conv_3x3", "warp_drive"))
    with pytest.raises(ValueError, match="combine"):
        CellSpace(combine=("add", "multiply"))
    with pytest.raises(ValueError, match="at least one block"):
        CellSpace(num_blocks=0)
    with pytest.raises(ValueError, match="even"):
        SPACE.build(SPACE.sample(0), C=5)


# -- networks, DARTS conversion, drawing, registry -------------------------------------------------


def test_concat_combine_and_reduction_shapes():
    every_concat = cell(*[((0, k), ("conv_1x1", "sep_conv_3x3"), "concat") for k in range(1, 6)])
    genotype = CellGenotype(every_concat, every_concat)
    model = SPACE.build(genotype, input_shape=(3, 9, 9), num_classes=7, C=4)
    assert model(torch.randn(2, 3, 9, 9)).shape == (2, 7)  # odd sizes: 9 -> 5 -> 3
    assert model.cells[0].out_channels == 2 * 4  # only block 5 is unused, it concatenates: 2C


def test_auxiliary_head_and_drop_path():
    model = SPACE.build(SPACE.sample(2), auxiliary=True, drop_path=0.3, **TINY)
    model.train()
    logits, aux = model(torch.randn(3, 1, 8, 8))
    assert logits.shape == aux.shape == (3, 10)
    model.eval()
    assert model(torch.randn(3, 1, 8, 8)).shape == (3, 10)


def test_drop_path_drops_whole_examples_and_keeps_the_mean():
    torch.manual_seed(0)
    x = torch.ones(2000, 3, 2, 2)
    y = drop_path(x, 0.25)
    per_example = y.flatten(1)
    assert torch.allclose(per_example.unique(), torch.tensor([0.0, 4 / 3]))
    assert (per_example == per_example[:, :1]).all()  # an example is kept or dropped whole
    assert abs(y.mean().item() - 1.0) < 0.05
    assert drop_path(x, 0.0) is x


def test_drop_path_leaves_identity_ops_alone():
    """NASNet/DARTS drop path zeroes the results of ops, never of identity ops (the DARTS code:
    ``if not isinstance(op, Identity): h = drop_path(h, drop_prob)``)."""
    from nasedu.networks.cell import CellLayer
    from nasedu.spaces.cell import WiredCell

    x0, x1 = torch.randn(64, 4, 4, 4), torch.randn(64, 4, 4, 4)
    for ops, dropped in (
        (("skip_connect", "skip_connect"), False),
        (("conv_1x1", "conv_1x1"), True),
    ):
        layer = CellLayer(WiredCell((Block((0, 1), ops),), (2,)), 4, 4, 4, False, False).train()
        torch.manual_seed(0)
        plain = layer(x0, x1, 0.0)
        torch.manual_seed(0)
        heavy = layer(x0, x1, 0.9)
        assert torch.equal(plain, heavy) is not dropped


def test_plot_draws_both_cells():
    import matplotlib.pyplot as plt

    fig = SPACE.plot(SPACE.sample(0))
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title() == "normal cell"
    stride_tags = [
        sum(t.get_text() == STRIDE_TAG for t in ax.texts) for ax in fig.axes
    ]  # one per op reading a cell input, in the reduction cell only
    reduction = SPACE.sample(0).reduction
    assert stride_tags == [0, sum(k < 2 for b in reduction.blocks for k in b.inputs)]
    assert stride_tags[1] > 0
    plt.close(fig)
    _, ax = plt.subplots()  # one Axes given: both cells are drawn inside it
    assert SPACE.plot(SPACE.sample(0), ax=ax) is ax.figure
    assert len(ax.child_axes) == 2
    plt.close(ax.figure)


def test_registry_and_repr():
    space = get_space("cell", num_blocks=2)
    assert isinstance(space, CellSpace) and space.num_blocks == 2
    assert "B=5" in repr(SPACE)
    block = Block((1, 0), ("sep_conv_5x5", "sep_conv_3x3"))
    assert repr(block) == "add(sep_conv_5x5(h_i), sep_conv_3x3(h_{i-1}))"


def test_widget_updates_live():
    pytest.importorskip("ipywidgets")  # an optional extra (nasedu[notebooks]); CI has it
    from nasedu.widgets.cell import cell_builder

    builder = cell_builder(SMALL, genotype=SMALL.sample(0), C=4, N=1)
    before = builder.summary.value
    dropdown = builder.dropdowns[("normal", 1, "first op")]
    dropdown.value = "skip_connect" if dropdown.value == "conv_1x1" else "conv_1x1"
    assert builder.genotype.normal.blocks[0].ops[0] == dropdown.value
    assert builder.summary.value != before
    assert "parameters" in builder.summary.value and "multiply-adds" in builder.summary.value


def test_hash_classes_are_exactly_the_isomorphism_classes():
    """On a space small enough to list (2 blocks, 2 ops, add): cells with equal hashes have
    isomorphic computation graphs (no false merges) and cells with different hashes do not (no
    false splits), checked with networkx's exact test on every pair of classes."""
    import networkx as nx

    tiny = CellSpace(num_blocks=2, ops=("skip_connect", "max_pool_3x3"), combine=("add",))
    buckets: dict[str, list] = {}
    for c in tiny.enumerate_cells():
        genotype = CellGenotype(c, c)
        buckets.setdefault(tiny.arch_hash(genotype), []).append(tiny.graph(genotype))
    assert len(buckets) == 165
    same = {"node_match": lambda a, b: a["label"] == b["label"], "edge_match": dict.__eq__}
    for graphs in buckets.values():  # equal hashes: isomorphic (no false merges)
        assert all(nx.is_isomorphic(graphs[0], g, **same) for g in graphs[1:])
    representatives = [graphs[0] for graphs in buckets.values()]
    for a, b in itertools.combinations(representatives, 2):  # different hashes: not isomorphic
        assert not nx.is_isomorphic(a, b, **same)


# -- a normal cell per stage (CellNetwork's stage_cells; notebook 02, "Different cells at
# -- different resolutions?") -------------------------------------------------------------------


def kernel_cell(k: int) -> Cell:
    """Notebook 02's normal cell of separable k x k convolutions (3 blocks, every block added)."""
    op = f"sep_conv_{k}x{k}"
    return cell(
        ((0, 1), (op, op), "add"), ((1, 2), (op, "skip_connect")), ((0, 3), (op, "skip_connect"))
    )


#: notebook 02's reduction cell for the per-stage networks
REDUCTION = cell(
    ((0, 1), ("max_pool_3x3", "sep_conv_3x3")), ((1, 2), ("sep_conv_3x3", "skip_connect"))
)
STAGED = {"C": 16, "layers": 8}  # N = 2 normal cells per stage, 16-32-64 channels


def _staged(kernels: tuple[int, int, int], seed: int = 0) -> CellNetwork:
    torch.manual_seed(seed)
    genotype = CellGenotype(kernel_cell(3), REDUCTION)
    stage_cells = [kernel_cell(k) for k in kernels]
    return CellNetwork(genotype, (1, 16, 16), 10, stage_cells=stage_cells, **STAGED).eval()


def _notebook_network(normal_cells, reduction_cell, C, N, input_shape, num_classes=10):
    """The class notebook 02 defined before CellNetwork took ``stage_cells`` (commit 796538e),
    which trained the notebook's precomputed per-stage results: kept here, verbatim in what it
    builds, so that the library's network is checked against it module by module."""
    net = nn.Module()
    net.stem = nn.Sequential(
        nn.Conv2d(input_shape[0], 3 * C, 3, padding=1, bias=False), nn.BatchNorm2d(3 * C)
    )
    C_pp = C_p = 3 * C
    reduction_prev, net.cells = False, nn.ModuleList()
    for stage, normal in enumerate(normal_cells):
        kinds = ([(reduction_cell, True)] if stage else []) + [(normal, False)] * N
        if stage:
            C *= 2
        for one, reduction in kinds:
            layer = CellLayer(one.wired(), C_pp, C_p, C, reduction, reduction_prev)
            net.cells.append(layer)
            C_pp, C_p, reduction_prev = C_p, layer.out_channels, reduction
    net.classifier = nn.Linear(C_p, num_classes)

    def forward(x):
        s0 = s1 = net.stem(x)
        for layer in net.cells:
            s0, s1 = s1, layer(s0, s1)
        return net.classifier(s1.mean((2, 3)))

    net.forward = forward
    return net


def _parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


KERNELS = [(3, 3, 3), (7, 7, 7), (7, 3, 3), (3, 3, 7)]


@pytest.mark.parametrize("kernels", KERNELS)
def test_stage_cells_build_the_network_of_notebook_02s_precomputed_results(kernels):
    """The same modules (names and shapes), the same weights from the same seed and the same
    outputs as the notebook's own class that trained its precomputed results."""
    library = _staged(kernels)
    torch.manual_seed(0)
    cells = [kernel_cell(k) for k in kernels]
    notebook = _notebook_network(cells, REDUCTION, C=16, N=2, input_shape=(1, 16, 16)).eval()
    mine, theirs = library.state_dict(), notebook.state_dict()
    assert list(mine) == list(theirs)
    assert all(torch.equal(mine[k], theirs[k]) for k in mine)
    x = torch.randn(3, 1, 16, 16, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.equal(library(x), notebook(x))


def test_stage_cells_parameter_counts_are_notebook_02s():
    """The counts the notebook printed when its results were computed (158,490 for 3x3 cells in
    every stage), and the differences the ops explain: a separable k x k convolution is applied
    twice (NASNet, Appendix A.4), each a depthwise k x k of C weights per channel, so 7x7 instead
    of 3x3 adds 2 * (49 - 9) * C weights per op; a kernel cell has 4 of them and a stage N = 2
    cells, at C = 16, 32, 64."""
    counts = {kernels: _parameters(_staged(kernels)) for kernels in KERNELS}
    assert counts[(3, 3, 3)] == 158_490
    for kernels, count in counts.items():
        extra = sum(2 * (49 - 9) * C * 4 * 2 for k, C in zip(kernels, (16, 32, 64)) if k == 7)
        assert count == counts[(3, 3, 3)] + extra
    assert [counts[k] for k in KERNELS] == [158_490, 230_170, 168_730, 199_450]


def test_the_same_cell_in_every_stage_is_the_plain_network():
    genotype = SPACE.sample(4)
    torch.manual_seed(0)
    plain = SPACE.build(genotype, **TINY).eval()
    torch.manual_seed(0)
    staged = SPACE.build(genotype, stage_cells=[genotype.normal] * 3, **TINY).eval()
    assert repr(plain) == repr(staged) and _parameters(plain) == _parameters(staged)
    x = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(plain(x), staged(x))
    assert plain.stage_cells is None and len(staged.stage_cells) == 3


@settings(max_examples=8)
@given(seed=SEEDS, layers=st.integers(1, 8), data=st.data())
def test_each_stage_runs_its_own_normal_cell(seed, layers, data):
    """For random per-stage cells: every normal cell of stage s (after s reductions) is built
    from stage_cells[s], as a CellLayer of the same channels would be; every reduction cell is
    the genotype's; the network runs."""
    space = CellSpace(num_blocks=2)
    genotype = space.sample(seed)
    stages = len(reduction_layers(layers)) + 1
    cells = [space.sample(data.draw(SEEDS)).normal for _ in range(stages)]
    net = CellNetwork(genotype, (1, 8, 8), 10, C=4, layers=layers, stage_cells=cells)
    C_pp = C_p = 3 * 4
    C, stage, reduction_prev = 4, 0, False
    for i, layer in enumerate(net.cells):
        reduction = i in net.reductions
        if reduction:
            C, stage = 2 * C, stage + 1
        expected = genotype.reduction if reduction else cells[stage]
        alone = CellLayer(expected.wired(), C_pp, C_p, C, reduction, reduction_prev)
        assert repr(layer) == repr(alone)
        C_pp, C_p, reduction_prev = C_p, layer.out_channels, reduction
    assert net(torch.randn(2, 1, 8, 8)).shape == (2, 10)
