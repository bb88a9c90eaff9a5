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


def _key(name: str) -> str:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in GENOTYPES:
        raise KeyError(f"unknown cell {name!r}; the zoo has: {', '.join(GENOTYPES)}")
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

    **No drop-path schedule.**  ``drop_path`` is a constant probability from the first step.
    The DARTS training script instead raises it linearly from 0 to 0.2 over training
    (``model.drop_path_prob = 0.2 * epoch / epochs`` at the start of every epoch); nothing here
    does that for you.  To reproduce it, set the network's ``drop_path_prob`` attribute yourself
    between epochs (:func:`nasedu.train.fit` has no per-epoch hook).
    """
    from .networks.cell import CellNetwork

    if dataset not in DATASETS:
        raise KeyError(f"unknown dataset {dataset!r}; use one of {', '.join(DATASETS)}")
    settings = DATASETS[dataset] | overrides
    return CellNetwork(genotype(name), **settings)
