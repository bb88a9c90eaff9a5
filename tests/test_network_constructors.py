"""The network classes built directly, without a space: bad input gets a clear error.

``space.build(genotype)`` validates the genotype and checks ``input_shape`` and ``num_classes``
before it makes a network; a student may also call ``ChainNetwork(genotype, input_shape,
num_classes)`` (or any network class: they all take ``(genotype, input_shape, num_classes,
**macro)``) directly.  Each test below pins one class of defect that
the constructors had (the old behaviour is in its docstring): an obscure error from deep inside
Python or torch, or a network silently different from the one asked for.  Now every one raises
InvalidArchitecture (an architecture problem) or ValueError (a plain argument) whose message
names the culprit, and valid input builds exactly the network the spaces build.
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from nasedu import zoo
from nasedu.networks.cell import AuxiliaryHead, CellLayer, CellNetwork, ImageNetStem
from nasedu.networks.chain import ChainNetwork
from nasedu.networks.common import ClassifierHead, compile_layer
from nasedu.networks.hierarchical import HierarchicalNetwork, MotifModule, build_cell
from nasedu.networks.multibranch import Merge, MultiBranchNetwork
from nasedu.spaces import InvalidArchitecture, Layer, get_space
from nasedu.spaces.cell import Block, Cell, CellGenotype, WiredCell
from nasedu.spaces.chain import ChainGenotype
from nasedu.spaces.hierarchical import HierarchicalSpace
from nasedu.spaces.motifs import HierarchicalGenotype, Motif
from nasedu.spaces.multibranch import BranchNode, MultiBranchGenotype

CONV = Layer("conv", filters=4, kernel=3, stride=1)
SHAPE = (1, 8, 8)
BLOCK = Block((0, 1), ("sep_conv_3x3", "skip_connect"))
CELL = WiredCell((BLOCK,), (2,))
CHAIN3 = Motif.chain(3, "skip_connect")
GENOTYPE = HierarchicalGenotype(((CHAIN3,), (Motif.chain(3, "m1"),)))

#: words of Python's or torch's own errors, which must never reach the student
INTERNALS = (
    "object has no attribute",
    "not subscriptable",
    "index out of range",
    "Trying to create tensor",
    "must be tuple of ints",
    "divisible by groups",
)


def refused(error_type: type[Exception], build, *culprits: str) -> str:
    """Assert that ``build()`` raises ``error_type`` naming every culprit; return the message."""
    with pytest.raises(error_type) as info:
        build()
    message = str(info.value)
    assert not any(words in message for words in INTERNALS), message
    for culprit in culprits:
        assert culprit in message, f"the message does not name {culprit!r}: {message}"
    return message


def chain(layers, input_shape: Any, num_classes: Any) -> ChainNetwork:
    """A chain network built directly from a list of layers."""
    return ChainNetwork(ChainGenotype(layers), input_shape, num_classes)


def multibranch(nodes, input_shape: Any, num_classes: Any) -> MultiBranchNetwork:
    """A multi-branch network built directly from a list of nodes."""
    return MultiBranchNetwork(MultiBranchGenotype(nodes), input_shape, num_classes)


def hierarchical(level2: Motif, cell: Motif) -> HierarchicalGenotype:
    return HierarchicalGenotype(((level2,), (cell,)))


# -- the lists of layers and nodes ------------------------------------------------------------
@pytest.mark.parametrize("layers", [{"a": CONV}, "conv", None, CONV, 3])
def test_layers_that_are_not_a_list_are_refused(layers):
    """A dict or a string raised AttributeError ("'str' object has no attribute 'get'"), None a
    TypeError, a single Layer a KeyError ("has no hyperparameter 0")."""
    refused(InvalidArchitecture, lambda: ChainGenotype(layers), "ChainGenotype layers")
    nodes = layers if layers is not CONV else BranchNode(CONV, (0,))
    refused(InvalidArchitecture, lambda: MultiBranchGenotype(nodes), "MultiBranchGenotype nodes")


@pytest.mark.parametrize("genotype", [[CONV], (CONV,), {"a": CONV}, "conv", None, CONV, 3])
def test_a_network_takes_its_spaces_genotype_not_its_parts(genotype):
    """Every network is ``XNetwork(genotype, input_shape, num_classes, **macro)``: a list of
    layers (the chain and multi-branch networks' old first argument) or anything else that is
    not the space's genotype is refused by name."""
    for network, kind in (
        (ChainNetwork, "ChainGenotype"),
        (MultiBranchNetwork, "MultiBranchGenotype"),
        (HierarchicalNetwork, "HierarchicalGenotype"),
        (CellNetwork, "CellGenotype"),
    ):
        refused(InvalidArchitecture, partial(network, genotype, SHAPE, 10), kind)


def test_every_network_has_one_constructor_shape():
    """``(genotype, input_shape, num_classes, *, macro...)``: the macro settings are keywords,
    so an old positional call (``CellNetwork(genotype, 36, 10)``) cannot silently mean another
    network."""
    for network in (ChainNetwork, MultiBranchNetwork, CellNetwork, HierarchicalNetwork):
        parameters = list(inspect.signature(network).parameters.values())
        assert [p.name for p in parameters[:3]] == ["genotype", "input_shape", "num_classes"]
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters[3:]), network
    refused(InvalidArchitecture, lambda: CellNetwork(zoo.DARTS_V2, 36, 10), "input_shape")


def test_an_empty_network_is_refused():
    """ChainNetwork of no layers and MultiBranchNetwork of no nodes silently built a classifier
    on the raw input (every space has at least one layer)."""
    refused(InvalidArchitecture, lambda: chain([], SHAPE, 10), "layers is empty")
    refused(InvalidArchitecture, lambda: multibranch((), SHAPE, 10), "nodes is empty")


def test_elements_of_the_wrong_type_are_named():
    """A dict where a Layer belongs, a Layer where a BranchNode belongs and a BranchNode
    without a layer raised AttributeError ("'dict' object has no attribute 'op'")."""
    as_dict = CONV.as_dict()
    refused(InvalidArchitecture, lambda: chain([CONV, as_dict], SHAPE, 10), "layer 2")
    refused(InvalidArchitecture, lambda: multibranch([CONV], SHAPE, 10), "layer 1")
    broken = BranchNode(None, (0,))
    message = refused(InvalidArchitecture, lambda: multibranch([broken], SHAPE, 10))
    assert message.startswith("layer 1: expected a Layer")


# -- the layers themselves ----------------------------------------------------------------------
BAD_LAYERS = [
    # (layer, the words naming what is wrong); old behaviour in the comment
    (Layer("cnv", filters=4, kernel=3, stride=1), "unknown layer type 'cnv'"),  # built a conv
    (Layer("conv", kernel=3, stride=1), "missing hyperparameter(s) filters"),  # KeyError
    (Layer("dil_conv", filters=4, kernel=3, stride=1), "missing hyperparameter(s) dilation"),
    (Layer("conv", filters=4, kernel=3, stride=1, dilation=2), "unknown hyperparameter(s)"),
    (Layer("pool", kind="max", kernel=3, stride=1, filters=4), "unknown hyperparameter(s)"),
    (Layer("conv", filters=0, kernel=3, stride=1), "conv.filters"),  # silently 0 channels
    (Layer("conv", filters=-1, kernel=3, stride=1), "conv.filters"),  # torch RuntimeError
    (Layer("conv", filters="4", kernel=3, stride=1), "conv.filters"),  # silently int("4")
    (Layer("conv", filters=4, kernel=0, stride=1), "conv.kernel"),  # silently a 0x0 kernel
    (Layer("conv", filters=4, kernel=2, stride=1), "even sizes [2]"),  # silently shrank
    (Layer("conv", filters=4, kernel=3, stride=0), "conv.stride"),  # ZeroDivisionError
    (Layer("conv", filters=4, kernel=3, stride=1, padding="full"), "conv.padding"),  # 'valid'
    (Layer("pool", kind="min", kernel=3, stride=1), "pool.kind"),
]


@pytest.mark.parametrize(("layer", "problem"), BAD_LAYERS)
def test_bad_layers_are_named_with_their_hyperparameter(layer, problem):
    """An unknown type was built as a convolution, unknown hyperparameters were ignored and
    missing ones defaulted, and bad values failed inside torch or Python (RuntimeError,
    ZeroDivisionError, KeyError) or silently built another layer."""
    refused(InvalidArchitecture, lambda: chain([CONV, layer], SHAPE, 10), "layer 2", problem)
    node = BranchNode(layer, (0,))
    refused(InvalidArchitecture, lambda: multibranch([node], SHAPE, 10), "layer 1", problem)
    refused(InvalidArchitecture, lambda: compile_layer(layer, 3), problem)


HYPERPARAMETERS = ("filters", "kernel", "stride", "dilation", "kind", "padding", "size")
VALUES = st.one_of(st.integers(-2, 6), st.sampled_from(["max", "avg", "same", "valid", "x"]))


@settings(max_examples=60, deadline=None)
@given(
    op=st.sampled_from(["conv", "sep_conv", "dil_conv", "pool", "cnv"]),
    params=st.dictionaries(st.sampled_from(HYPERPARAMETERS), VALUES, max_size=5),
)
def test_any_layer_builds_a_working_network_or_is_refused_by_name(op, params):
    """Whatever a Layer holds, ChainNetwork either builds a network that runs or raises
    InvalidArchitecture naming the layer (never a torch or Python error)."""
    layer = Layer(op, **params)
    try:
        model = chain([CONV, layer], SHAPE, 3)
    except InvalidArchitecture as error:
        assert str(error).startswith("layer 2 ("), error
    else:
        assert model(torch.zeros(2, *SHAPE)).shape == (2, 3)


# -- input_shape and num_classes ------------------------------------------------------------
def _networks(input_shape: Any, num_classes: Any) -> dict[str, Any]:
    return {
        "chain": lambda: chain([CONV], input_shape, num_classes),
        "multibranch": lambda: multibranch([BranchNode(CONV, (0,))], input_shape, num_classes),
        "hierarchical": lambda: HierarchicalNetwork(
            GENOTYPE, input_shape, num_classes, channels=(4,)
        ),
    }


@pytest.mark.parametrize("name", ["chain", "multibranch", "hierarchical"])
@pytest.mark.parametrize(
    "input_shape", [(8, 8), (1, 8, 8, 1), (0, 8, 8), (1, 0, 8), (1, -3, 8), (1.5, 8, 8), None]
)
def test_bad_input_shapes_are_refused(name, input_shape):
    """(8, 8) raised "not enough values to unpack" (chain) or IndexError (multibranch) and was
    silently read as 8 channels (hierarchical); (0, 8, 8) and (1, 0, 8) built a network;
    (1.5, 8, 8) failed inside torch ("in_channels must be divisible by groups")."""
    refused(InvalidArchitecture, _networks(input_shape, 10)[name], "input_shape")


@pytest.mark.parametrize("name", ["chain", "multibranch", "hierarchical"])
@pytest.mark.parametrize("num_classes", [0, 1, -3, 1.5, True, "10", None])
def test_bad_class_counts_are_refused(name, num_classes):
    """0 and 1 built a classifier with 0 or 1 outputs; 1.5, True and "10" failed inside torch
    ("empty(): argument 'size' must be tuple of ints"), -3 with "Trying to create tensor with
    negative dimension"."""
    message = refused(InvalidArchitecture, _networks(SHAPE, num_classes)[name])
    assert "num_classes" in message or "at least 2 classes" in message


# -- multi-branch connections -----------------------------------------------------------------
BAD_CONNECTIONS = [
    # (inputs and merge of layer 2, words of the message); old behaviour in the comment
    (((5,), None), "reads from 5"),  # IndexError
    (((2,), None), "reads from 2"),  # IndexError: a layer reading itself
    (((-1,), None), "reads from -1"),  # silently read the last tensor
    (((), None), "reads from no tensor"),  # ValueError: min() arg is an empty sequence
    (((True,), None), "input True is not an integer"),  # silently read as 1
    (((1.0,), None), "input 1.0 is not an integer"),  # TypeError: list indices
    (((0, 1), "max"), "with 'max'"),  # silently used only the first input
    (((0, 1), None), "with None"),  # silently used only the first input
    (((0, 0), "sum"), "without repeats"),  # silently doubled the input
    (((1,), "sum"), "merge must be None"),
]


@pytest.mark.parametrize(("connection", "problem"), BAD_CONNECTIONS)
def test_bad_connections_name_the_layer_and_the_index(connection, problem):
    """Inputs out of range or pointing forward raised IndexError; negative or boolean indices,
    unknown merges and repeated inputs silently built another network."""
    node = BranchNode(CONV, *connection)
    nodes = [BranchNode(CONV, (0,)), node]
    refused(InvalidArchitecture, lambda: multibranch(nodes, SHAPE, 10), "layer 2", problem)


@pytest.mark.parametrize(
    ("shapes", "kind"), [([], "sum"), ([SHAPE, SHAPE], None), ([SHAPE, SHAPE], "max")]
)
def test_merge_refuses_what_it_would_drop(shapes, kind):
    """Merge of no shape raised "min() arg is an empty sequence"; of two shapes with kind None
    or "max" it silently returned the first tensor only."""
    refused(ValueError, lambda: Merge(shapes, kind), "kind")


# -- cells --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cell", [{"blocks": 1}, CellGenotype(Cell((BLOCK,)), Cell((BLOCK,))), None]
)
def test_a_cell_layer_needs_a_cell(cell):
    """A dict, a CellGenotype or None raised AttributeError ("no attribute 'blocks'")."""
    refused(InvalidArchitecture, lambda: CellLayer(cell, 4, 4, 4, False, False), "expected a")


BAD_BLOCKS = [
    # (block, words of the message); old behaviour in the comment
    (Block((0, 3), ("sep_conv_3x3", "skip_connect")), "second input is 3"),  # IndexError
    (Block((0, -1), ("sep_conv_3x3", "skip_connect")), "second input is -1"),  # read last state
    (Block((0, True), ("sep_conv_3x3", "skip_connect")), "second input True"),  # read as 1
    (Block((0, 1.0), ("sep_conv_3x3", "skip_connect")), "second input 1.0"),  # TypeError
    (Block((0, 1), ("sep_conv_3x3", "foo")), "second op 'foo'"),  # KeyError
    (Block((0, 1), ("sep_conv_3x3", "skip_connect"), "mul"), "combine method 'mul'"),  # concat
    (Block((0, 1, 1), ("conv_1x1",) * 3), "exactly two inputs"),  # silently dropped the third
]


@pytest.mark.parametrize(("block", "problem"), BAD_BLOCKS)
def test_bad_blocks_name_the_block(block, problem):
    """A block reading a state not computed yet raised IndexError, an unknown op KeyError;
    a negative or boolean state, an unknown combine method and a third input silently built
    another cell."""
    cell = WiredCell((BLOCK, block), (3,))
    refused(
        InvalidArchitecture,
        lambda: CellLayer(cell, 4, 4, 4, False, False),
        "cell, block 2",
        problem,
    )


@pytest.mark.parametrize(
    ("concat", "problem"),
    [
        ((5,), "names state 5"),  # IndexError
        ((-1,), "names state -1"),  # silently the last state
        ((0, 2), "names state 0"),  # silently concatenated the cell input
        ((2.0,), "names state 2.0"),  # silently read as 2
        ((), "concat is empty"),  # a cell without output
        ((2, 2), "names a state twice"),  # silently doubled
        ((3,), "block 1 (state 2)"),  # block 1 silently lost
    ],
)
def test_bad_concat_lists_are_refused(concat, problem):
    """concat (5,) raised IndexError; negative, input, float, empty and repeated states, and a
    block left out, silently built another cell."""
    cell = WiredCell((BLOCK, BLOCK), concat)
    refused(InvalidArchitecture, lambda: CellLayer(cell, 4, 4, 4, False, False), problem)


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: CellLayer(CELL, 4, 4, 0, False, False), "C must"),  # torch: groups
        (lambda: CellLayer(CELL, 4, 4, -2, False, False), "C must"),  # negative dimension
        (lambda: CellLayer(CELL, 4, 4, 1.5, False, False), "C must"),  # torch: groups
        (lambda: CellLayer(CELL, 4, 0, 4, False, False), "C_prev must"),  # built
        (lambda: CellLayer(CELL, True, 4, 4, False, False), "C_prev_prev must"),  # built
        (lambda: ImageNetStem(3, 1), "C must be an even"),  # a 0-channel convolution
        (lambda: ImageNetStem(0, 8), "channels must"),  # built
        (lambda: AuxiliaryHead(0, 10, 8), "C must"),  # built
        (lambda: AuxiliaryHead(8, 10, -3), "size"),  # built
        (lambda: ClassifierHead(8, 0), "num_classes must"),  # a 0-output classifier
        (lambda: ClassifierHead(0, 10), "channels must"),  # built
        (lambda: compile_layer(CONV, 0), "input channels"),  # torch: groups
        (lambda: MotifModule(CHAIN3, 0, lambda op, c: (nn.Identity(), c)), "C_in must"),
        (lambda: build_cell(GENOTYPE, 4, 0), "C must"),  # built
        (lambda: build_cell(GENOTYPE, -1, 4), "C_in must"),  # torch: groups
    ],
)
def test_bad_channel_counts_are_named(build, argument):
    """Channel counts of 0, -2 or 1.5 failed inside torch ("groups must be a positive integer",
    "Trying to create tensor with negative dimension") or silently built a layer of 0 or 1
    channels."""
    refused(ValueError, build, argument)


@pytest.mark.parametrize("value", ["no", None, 0, "False"])
@pytest.mark.parametrize(
    ("build", "flag"),
    [
        (lambda v: CellNetwork(zoo.genotype("darts_v2"), C=4, layers=2, auxiliary=v), "auxiliary"),
        (lambda v: CellLayer(CELL, 4, 4, 4, v, False), "reduction"),
        (lambda v: CellLayer(CELL, 4, 4, 4, False, v), "reduction_prev"),
        (lambda v: AuxiliaryHead(8, 10, 8, imagenet=v), "imagenet"),
        (
            lambda v: HierarchicalNetwork(GENOTYPE, SHAPE, 10, channels=(4,), motif_conv=v),
            "motif_conv",
        ),
        (lambda v: build_cell(GENOTYPE, 4, 4, motif_conv=v), "motif_conv"),
    ],
)
def test_flags_must_be_true_or_false(build, flag, value):
    """auxiliary="no" is truthy: it silently added the auxiliary head (400k parameters);
    reduction="no" silently built a reduction cell, motif_conv=None silently dropped the 1x1
    convolutions of the paper."""
    refused(ValueError, lambda: build(value), f"{flag} must be True or False")


NORMAL = Cell((BLOCK,))
TWO_BLOCKS = CellGenotype(NORMAL, NORMAL)


def staged(stage_cells: Any, layers: int = 8) -> CellNetwork:
    return CellNetwork(TWO_BLOCKS, SHAPE, 10, C=4, layers=layers, stage_cells=stage_cells)


@pytest.mark.parametrize(
    ("stage_cells", "layers", "culprits"),
    [
        ([NORMAL, NORMAL], 8, ("stage_cells", "one normal cell per stage", "3 for layers=8")),
        ([NORMAL] * 3, 1, ("stage_cells", "2 for layers=1", "got 3")),
        ([], 5, ("stage_cells", "3 for layers=5", "got 0")),
    ],
)
def test_stage_cells_need_one_cell_per_stage(stage_cells, layers, culprits):
    """Two cells for three stages must not leave a stage to the genotype's cell, nor a fourth
    cell be dropped silently."""
    refused(ValueError, lambda: staged(stage_cells, layers), *culprits)


@pytest.mark.parametrize("stage_cells", ["sep_conv_3x3", {"a": NORMAL}, 3])
def test_stage_cells_must_be_a_list_of_cells(stage_cells):
    """A string or a dict is refused by name, not split into characters or keys."""
    refused(InvalidArchitecture, lambda: staged(stage_cells), "stage_cells must be a tuple")


@pytest.mark.parametrize("stage_cells", [NORMAL, NORMAL.wired()])
def test_one_cell_is_not_a_cell_per_stage(stage_cells):
    """A single Cell (or WiredCell, itself a tuple) where one per stage belongs: the message
    says so in one line, without printing the cell."""
    message = refused(InvalidArchitecture, lambda: staged(stage_cells), "stage_cells", "single")
    assert "(cell, cell, cell) for layers=8" in message and "\n" not in message


@pytest.mark.parametrize(
    ("bad", "culprits"),
    [
        (None, ("stage_cells[1]", "expected a WiredCell(blocks, concat) or a Cell")),
        (BLOCK, ("stage_cells[1]", "got Block")),
        (TWO_BLOCKS, ("stage_cells[1]", "got CellGenotype")),
        (Cell((Block((0, 2), ("sep_conv_3x3", "skip_connect")),)), ("stage_cells[1], block 1",)),
        (Cell((Block((0, 1), ("conv_9x9", "skip_connect")),)), ("stage_cells[1]", "conv_9x9")),
        (Cell(()), ("stage_cells[1]", "no blocks")),
    ],
)
def test_bad_stage_cells_are_named(bad, culprits):
    """A stage's cell that is not a cell, or breaks a cell rule (a block reading a state not
    computed yet, an unknown op, no blocks), is refused with the rule's own message and the
    stage it was given for."""
    refused(InvalidArchitecture, lambda: staged([NORMAL, bad, NORMAL]), *culprits)


# -- hierarchical genotypes -----------------------------------------------------------------
@pytest.mark.parametrize("genotype", [{"a": 1}, None, CHAIN3])
def test_a_hierarchical_network_needs_a_hierarchical_genotype(genotype):
    """A dict, None or a bare Motif raised AttributeError ("no attribute 'num_levels'")."""
    expected = "expected a HierarchicalGenotype"
    refused(InvalidArchitecture, lambda: HierarchicalNetwork(genotype, SHAPE, 10), expected)
    refused(InvalidArchitecture, lambda: build_cell(genotype, 4, 4), expected)


CYCLE = Motif(
    (
        ("none", "skip_connect", "none"),
        ("skip_connect", "none", "skip_connect"),
        ("none", "none", "none"),
    )
)


def test_a_motif_that_is_not_a_dag_is_refused():
    """An entry below the diagonal (an edge 1 -> 0, closing the cycle 0 -> 1 -> 0) was silently
    ignored: the network was built from the upper triangle only."""
    genotype = hierarchical(CYCLE, Motif.chain(3, "m1"))
    for build in (
        lambda: HierarchicalNetwork(genotype, SHAPE, 10, channels=(4,)),
        lambda: build_cell(genotype, 4, 4),
    ):
        refused(InvalidArchitecture, build, "level 2, motif m1, entry (1, 0)", "upper-triangular")
    identity = lambda op, c: (nn.Identity(), c)  # noqa: E731
    refused(InvalidArchitecture, lambda: MotifModule(CYCLE, 4, identity), "entry (1, 0)")


@pytest.mark.parametrize(
    ("level2", "cell", "culprit"),
    [
        (Motif.chain(3, "foo"), Motif.chain(3, "m1"), "level 2, motif m1, entry (0, 1) is 'foo'"),
        (CHAIN3, Motif.chain(3, "m5"), "level 3, motif m1, entry (0, 1) is 'm5'"),  # IndexError
        (CHAIN3, Motif.chain(3, "m0"), "entry (0, 1) is 'm0'"),  # TypeError
        (CHAIN3, Motif.chain(3, "skip_connect"), "entry (0, 1) is 'skip_connect'"),  # TypeError
        (Motif.chain(3, "m1"), Motif.chain(3, "m1"), "level 2, motif m1, entry (0, 1) is 'm1'"),
    ],
)
def test_unknown_ops_and_motifs_name_the_entry(level2, cell, culprit):
    """An unknown primitive raised KeyError, a motif that does not exist IndexError ("tuple
    index out of range"), "m0" or a primitive on a level-3 edge TypeError ("tuple indices must
    be integers or slices, not NoneType")."""
    genotype = hierarchical(level2, cell)
    refused(InvalidArchitecture, lambda: HierarchicalNetwork(genotype, SHAPE, 10), culprit)


@pytest.mark.parametrize(
    ("level2", "problem"),
    [
        (Motif.from_edges(3, {(0, 2): "skip_connect"}), "node 1 has no incoming edge"),
        (Motif.from_edges(3, {(0, 1): "max_pool_3x3", (0, 2): "skip_connect"}), "node 1 has no"),
        (Motif((("none", "skip_connect"), ("none", "none", "none"))), "adjacency matrix is 2x2/3"),
        (Motif((("none",),)), "has 1 node(s)"),
    ],
)
def test_motifs_that_are_not_single_source_single_sink_graphs_are_refused(level2, problem):
    """A node without input or output, a ragged matrix and a one-node motif were silently
    built (nodes without an input came out as empty tensors of 0 channels)."""
    genotype = hierarchical(level2, Motif.chain(3, "m1"))
    refused(
        InvalidArchitecture,
        lambda: HierarchicalNetwork(genotype, SHAPE, 10),
        "level 2, motif m1",
        problem,
    )


@pytest.mark.parametrize(
    "levels",
    [(), ((CHAIN3,), ()), ((CHAIN3,), (Motif.chain(3, "m1"), Motif.chain(3, "m1")))],
)
def test_every_level_needs_motifs_and_the_top_one_exactly_one(levels):
    """No levels or an empty level raised IndexError; a second top-level motif was silently
    ignored."""
    genotype = HierarchicalGenotype(levels)
    refused(InvalidArchitecture, lambda: HierarchicalNetwork(genotype, SHAPE, 10), "top level")


@pytest.mark.parametrize("channels", [8, "816", {4: 1, 8: 2}])
def test_channels_must_be_a_list_of_stages(channels):
    """channels=8 raised "'int' object is not iterable"; a dict was silently read as its keys,
    "816" as the stage widths "8", "1", "6"."""
    refused(
        ValueError,
        lambda: HierarchicalNetwork(GENOTYPE, SHAPE, 10, channels=channels),
        "channels must be one positive integer per stage",
    )


# -- valid input is built as before -----------------------------------------------------------
def _count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_direct_construction_builds_what_the_space_builds(seed):
    """The checks change nothing for valid input: built directly, every network has exactly
    the parameters of the one ``space.build`` makes."""
    chain, multi = get_space("chain"), get_space("multibranch")
    hier = HierarchicalSpace(motifs=(2, 1), nodes=(3, 3))
    g_chain, g_multi, g_hier = chain.sample(seed), multi.sample(seed), hier.sample(seed)
    try:
        expected = _count(chain.build(g_chain))
    except InvalidArchitecture:  # the sampled chain shrinks 8x8 to nothing
        refused(InvalidArchitecture, lambda: ChainNetwork(g_chain, SHAPE, 10), "collapse")
    else:
        assert _count(ChainNetwork(g_chain, SHAPE, 10)) == expected
    try:
        expected = _count(multi.build(g_multi))
    except InvalidArchitecture:
        refused(InvalidArchitecture, lambda: MultiBranchNetwork(g_multi, SHAPE, 10))
    else:
        assert _count(MultiBranchNetwork(g_multi, SHAPE, 10)) == expected
    direct = HierarchicalNetwork(g_hier, SHAPE, 10, channels=(8, 16, 32))
    assert _count(direct) == _count(hier.build(g_hier))
