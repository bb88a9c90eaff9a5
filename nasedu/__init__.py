"""nasedu: the search spaces of Neural Architecture Search, to sample, draw and train.

The path of data through the package is a straight line::

    SearchSpace --sample/mutate--> genotype (plain data) --graph()--> networkx DAG
                                         |
                                         +--build()--> torch.nn.Module --train.fit()--> metrics
                                                                              |
                                                      search history (JSON) <-+

Start with ``nasedu tour`` on the command line, or the notebooks in ``notebooks/``.
"""

from __future__ import annotations

import os as _os
import sys as _sys

# OpenMP threads that find no work spin on their core before they sleep; on a machine shared by
# several kernels that spinning steals the cores from the threads with work (bench_load.py:
# the figures are in benchmarks/README.md).  The OpenMP runtime reads this once, when torch loads,
# so it is set here -- before torch, which nasedu imports lazily -- unless you set it yourself.
OMP_WAIT_POLICY_SET = "torch" not in _sys.modules and "OMP_WAIT_POLICY" not in _os.environ
if OMP_WAIT_POLICY_SET:
    _os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

from .spaces import SPACES, InvalidArchitecture, SearchSpace, get_space  # noqa: E402

__version__ = "0.1.0"

__all__ = ["SPACES", "InvalidArchitecture", "SearchSpace", "__version__", "get_space"]
