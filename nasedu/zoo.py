"""Published cells as data, and the networks the papers evaluated them in.

Each genotype is copied from ``cnn/genotypes.py`` of the DARTS reference code
(https://github.com/quark0/darts), in its format
(:class:`~nasedu.spaces.darts_format.DartsGenotype`):

``nasnet_a``
    NASNet-A: Zoph, Vasudevan, Shlens and Le (2018), "Learning Transferable Architectures for
    Scalable Image Recognition", CVPR, Figure 4.  Found by a reinforcement-learning controller
    on CIFAR-10 (500 GPUs for 4 days).
``amoebanet_a``
    AmoebaNet-A: Real, Aggarwal, Huang and Le (2019), "Regularized Evolution for Image
    Classifier Architecture Search", AAAI.  The NASNet search space with a smaller set of 8 ops
    (identity; 3x3, 5x5 and 7x7 separable convs; 3x3 average and max pooling; 3x3 dilated
    separable conv; 1x7 then 7x1 conv), found by regularized evolution.
``darts_v1``
    DARTS (first order): Liu, Simonyan and Yang (2019), "DARTS: Differentiable Architecture
    Search", ICLR, Table 1 (``DARTS_V1`` in the code).
``darts_v2``
    DARTS (second order): same paper, Figures 4 and 5 (``DARTS_V2``, the cell of the paper's
    headline results).

The DARTS versions of NASNet-A and AmoebaNet-A add the two results of every block and
concatenate the unused blocks, so they are also genotypes of :class:`~nasedu.spaces.cell.CellSpace`
(:func:`cell_genotype`).  DARTS cells have 4 blocks and concatenate all of them, even those read
by later blocks, which a NASNet cell cannot express.

:func:`network` builds the DARTS evaluation network (:class:`~nasedu.networks.cell.CellNetwork`).

**What matches the papers, and what does not.**  DARTS V2 has 3.3M parameters on CIFAR-10 (Table
1 of the DARTS paper) and 4.7M on ImageNet (Table 3), as ``tests/test_zoo.py`` checks.  Table 3
also prints 574M multiply-adds; counting convolutions and linear layers
(:func:`~nasedu.measure.count_macs`) gives 530M, as other re-counts do (github.com/quark0/darts,
issue 46: the paper's counting script is unpublished), so the 574M is *not* reproduced.  The
other cells in the same DARTS CIFAR-10 network do **not** have the sizes the papers print:

* DARTS V1 has 3,169,414 parameters here (3.2M); Table 1 of the DARTS paper prints 3.3M for
  "DARTS (first order) + cutout".
* NASNet-A has 3,830,950 here (3.8M); the NASNet paper's 3.3M (Table 1, "NASNet-A (6 @ 768)")
  is a different network: NASNet's own macro architecture and its TensorFlow cells, which also
  concatenate states this genotype does not (see :mod:`nasedu.spaces.cell`).
* AmoebaNet-A has 3,145,078 here (3.1M); the 3.2M of DARTS Table 1 comes from the AmoebaNet
  paper's own network.

These three counts are regression snapshots of this implementation, not paper numbers.
"""

from __future__ import annotations

from typing import Any

from .checks import UnknownName, brief, check_bool, check_choice, check_int, check_real, shown
from .spaces import CellGenotype, CellSpace, DartsGenotype, from_darts

__all__ = ["CITATIONS", "DATASETS", "GENOTYPES", "cell_genotype", "genotype", "network"]

NASNET_A = DartsGenotype(
    normal=(
        ("sep_conv_5x5", 1),
        ("sep_conv_3x3", 0),
        ("sep_conv_5x5", 0),
        ("sep_conv_3x3", 0),
        ("avg_pool_3x3", 1),
        ("skip_connect", 0),
        ("avg_pool_3x3", 0),
        ("avg_pool_3x3", 0),
        ("sep_conv_3x3", 1),
        ("skip_connect", 1),
    ),
    normal_concat=(2, 3, 4, 5, 6),
    reduce=(
        ("sep_conv_5x5", 1),
        ("sep_conv_7x7", 0),
        ("max_pool_3x3", 1),
        ("sep_conv_7x7", 0),
        ("avg_pool_3x3", 1),
        ("sep_conv_5x5", 0),
        ("skip_connect", 3),
        ("avg_pool_3x3", 2),
        ("sep_conv_3x3", 2),
        ("max_pool_3x3", 1),
    ),
    reduce_concat=(4, 5, 6),
)

AMOEBANET_A = DartsGenotype(
    normal=(
        ("avg_pool_3x3", 0),
        ("max_pool_3x3", 1),
        ("sep_conv_3x3", 0),
        ("sep_conv_5x5", 2),
        ("sep_conv_3x3", 0),
        ("avg_pool_3x3", 3),
        ("sep_conv_3x3", 1),
        ("skip_connect", 1),
        ("skip_connect", 0),
        ("avg_pool_3x3", 1),
    ),
    normal_concat=(4, 5, 6),
    reduce=(
        ("avg_pool_3x3", 0),
        ("sep_conv_3x3", 1),
        ("max_pool_3x3", 0),
        ("sep_conv_7x7", 2),
        ("sep_conv_7x7", 0),
        ("avg_pool_3x3", 1),
        ("max_pool_3x3", 0),
        ("max_pool_3x3", 1),
        ("conv_7x1_1x7", 0),
        ("sep_conv_3x3", 5),
    ),
    reduce_concat=(3, 4, 6),
)

DARTS_V1 = DartsGenotype(
    normal=(
        ("sep_conv_3x3", 1),
        ("sep_conv_3x3", 0),
        ("skip_connect", 0),
        ("sep_conv_3x3", 1),
        ("skip_connect", 0),
        ("sep_conv_3x3", 1),
        ("sep_conv_3x3", 0),
        ("skip_connect", 2),
    ),
    normal_concat=(2, 3, 4, 5),
    reduce=(
        ("max_pool_3x3", 0),
        ("max_pool_3x3", 1),
        ("skip_connect", 2),
        ("max_pool_3x3", 0),
        ("max_pool_3x3", 0),
        ("skip_connect", 2),
        ("skip_connect", 2),
        ("avg_pool_3x3", 0),
    ),
    reduce_concat=(2, 3, 4, 5),
)

DARTS_V2 = DartsGenotype(
    normal=(
        ("sep_conv_3x3", 0),
        ("sep_conv_3x3", 1),
        ("sep_conv_3x3", 0),
        ("sep_conv_3x3", 1),
        ("sep_conv_3x3", 1),
        ("skip_connect", 0),
        ("skip_connect", 0),
        ("dil_conv_3x3", 2),
    ),
    normal_concat=(2, 3, 4, 5),
    reduce=(
        ("max_pool_3x3", 0),
        ("max_pool_3x3", 1),
        ("skip_connect", 2),
        ("max_pool_3x3", 1),
        ("max_pool_3x3", 0),
        ("skip_connect", 2),
        ("skip_connect", 2),
        ("max_pool_3x3", 1),
    ),
    reduce_concat=(2, 3, 4, 5),
)

GENOTYPES: dict[str, DartsGenotype] = {
    "nasnet_a": NASNET_A,
    "amoebanet_a": AMOEBANET_A,
    "darts_v1": DARTS_V1,
    "darts_v2": DARTS_V2,
}
"""The published cells by name (DARTS genotype format)."""

CITATIONS: dict[str, str] = {
    "nasnet_a": "Zoph, Vasudevan, Shlens, Le (2018). Learning Transferable Architectures for "
    "Scalable Image Recognition. CVPR. arXiv:1707.07012",
    "amoebanet_a": "Real, Aggarwal, Huang, Le (2019). Regularized Evolution for Image Classifier "
    "Architecture Search. AAAI. arXiv:1802.01548",
    "darts_v1": "Liu, Simonyan, Yang (2019). DARTS: Differentiable Architecture Search. ICLR. "
    "arXiv:1806.09055 (first-order approximation)",
    "darts_v2": "Liu, Simonyan, Yang (2019). DARTS: Differentiable Architecture Search. ICLR. "
    "arXiv:1806.09055 (second-order approximation)",
}

DATASETS: dict[str, dict[str, Any]] = {
    "cifar10": {
        "C": 36,
        "layers": 20,
        "stem": "cifar",
        "num_classes": 10,
        "input_shape": (3, 32, 32),
    },
    "imagenet": {
        "C": 48,
        "layers": 14,
        "stem": "imagenet",
        "num_classes": 1000,
        "input_shape": (3, 224, 224),
    },
}
"""The evaluation settings of the DARTS paper (Sections 3.2 and 3.3, Appendix A)."""


#: the largest settings :func:`network` builds: far above the papers' (C=48, 20 cells), far
#: below what would take minutes or gigabytes to build
MAX_C, MAX_LAYERS, MAX_STEM_MULTIPLIER, MAX_SIDE = 1024, 100, 16, 4096
#: the most parameters :func:`network` builds (estimated before building): 200M, 800 MB
MAX_PARAMETERS = 200_000_000


def _key(name: Any) -> str:
    """The zoo's key for ``name``, else an :class:`~nasedu.checks.UnknownName` (a KeyError and
    a ValueError) listing the cells."""
    if not isinstance(name, str):
        raise ValueError(f"name must be a string naming a cell, got {shown(name)}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in GENOTYPES:
        raise UnknownName(f"unknown cell {brief(name)}; the zoo has: {', '.join(GENOTYPES)}")
    return key


def genotype(name: str) -> DartsGenotype:
    """The published genotype called ``name`` (``"NASNet-A"`` and ``"nasnet_a"`` both work)."""
    return GENOTYPES[_key(name)]


def cell_genotype(name: str) -> CellGenotype:
    """The cell as a :class:`~nasedu.spaces.cell.CellSpace` genotype (NASNet-A, AmoebaNet-A).

    Raises :class:`~nasedu.spaces.base.InvalidArchitecture` for the DARTS cells, explaining why
    a NASNet cell cannot express them.
    """
    return from_darts(genotype(name), CellSpace())


def network(name: str, dataset: str = "cifar10", **overrides: Any):
    """The evaluation network of the published cell ``name`` for ``dataset``.

    ``dataset`` is ``"cifar10"`` (C=36, 20 cells, CIFAR stem) or ``"imagenet"`` (C=48, 14
    cells, ImageNet stem, 224x224 inputs, 1000 classes); ``overrides`` replace any of these or
    set ``auxiliary``/``drop_path`` (DARTS trains with ``auxiliary=True`` (weight 0.4) and
    ``drop_path=0.2`` on CIFAR-10; both default to off here).  Example: the small network of
    the lead's benchmark is ``network("darts_v2", C=16, layers=8)``.

    **Checked before building.**  An unknown name, data set or setting, or a setting of the
    wrong type or out of range (``C=0``, ``layers=True``, ``drop_path=1``) raises a ValueError
    naming it; so does a network too big to build in memory here (``C`` at most
    ``MAX_C``, ``layers`` at most ``MAX_LAYERS``, about ``MAX_PARAMETERS`` parameters in all).

    **No drop-path schedule.**  ``drop_path`` is a constant probability from the first step.
    The DARTS training script instead raises it linearly from 0 to 0.2 over training
    (``model.drop_path_prob = 0.2 * epoch / epochs`` at the start of every epoch); nothing here
    does that for you.  To reproduce it, set the network's ``drop_path_prob`` attribute yourself
    between epochs (:func:`nasedu.train.fit` has no per-epoch hook).
    """
    from .networks.cell import CellNetwork

    key = _key(name)
    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise UnknownName(f"unknown dataset {brief(dataset)}; use one of {', '.join(DATASETS)}")
    settings = _check_settings(DATASETS[dataset] | _known(overrides))
    return CellNetwork(GENOTYPES[key], **settings)


#: the settings :func:`network` takes as overrides (the arguments of ``CellNetwork``)
OVERRIDES = (
    "C",
    "layers",
    "num_classes",
    "auxiliary",
    "drop_path",
    "stem",
    "input_shape",
    "stem_multiplier",
)


def _known(overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides``, if every key is a setting: a typo (``layer=8``) must not pass silently."""
    unknown = [key for key in overrides if key not in OVERRIDES]
    if unknown:
        raise ValueError(
            f"unknown setting {brief(unknown[0])} for network(); use any of {', '.join(OVERRIDES)}"
        )
    return overrides


def _check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Every setting checked (type, range), and the network's size estimated before it is
    built: ``C=10**6`` must be refused at once, not fill the memory."""
    C = check_int(settings["C"], "C", least=2, most=MAX_C)
    if C % 2:
        raise ValueError(f"C must be an even number of channels (factorized reductions), got {C}")
    layers = check_int(settings["layers"], "layers", least=1, most=MAX_LAYERS)
    multiplier = settings.get("stem_multiplier", 3)
    multiplier = check_int(multiplier, "stem_multiplier", least=1, most=MAX_STEM_MULTIPLIER)
    classes = check_int(settings["num_classes"], "num_classes", least=2, most=100_000)
    auxiliary = check_bool(settings.get("auxiliary", False), "auxiliary")
    drop_path = check_real(settings.get("drop_path", 0.0), "drop_path", least=0.0, below=1.0)
    stem = check_choice(settings["stem"], "stem", ("cifar", "imagenet"))
    shape = settings["input_shape"]
    if not isinstance(shape, (tuple, list)) or len(shape) != 3:
        raise ValueError(f"input_shape must be (channels, height, width), got {shown(shape)}")
    shape = tuple(check_int(s, "input_shape", least=1, most=MAX_SIDE) for s in shape)
    channels = shape[0]
    # about 25 weights per C^2 in a cell, 7 C^2 per cell over the three stages (C, 2C, 4C);
    # the classifier reads about 16 C channels; the stem C * multiplier of 3x3 convs
    estimate = 175 * layers * C * C + 32 * C * classes + 9 * channels * C * multiplier
    if estimate > MAX_PARAMETERS:
        raise ValueError(
            f"C={C}, layers={layers}, num_classes={classes} would build a network of about "
            f"{estimate / 1e6:,.0f}M parameters; network() builds at most "
            f"{MAX_PARAMETERS / 1e6:,.0f}M"
        )
    return dict(
        C=C,
        layers=layers,
        stem_multiplier=multiplier,
        num_classes=classes,
        auxiliary=auxiliary,
        drop_path=drop_path,
        stem=stem,
        input_shape=shape,
    )
