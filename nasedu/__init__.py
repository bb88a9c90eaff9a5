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

from .spaces import SPACES, InvalidArchitecture, SearchSpace, get_space

__version__ = "0.1.0"

__all__ = ["SPACES", "InvalidArchitecture", "SearchSpace", "__version__", "get_space"]
