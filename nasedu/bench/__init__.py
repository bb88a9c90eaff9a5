"""Tabular benchmarks: every architecture of a small space trained once, shipped as data.

* :func:`load_benchmark` -- a table shipped with nasedu (``available_benchmarks()`` lists them);
* :class:`TabularBenchmark` -- look up a genotype (``query``), search on the table
  (``objective``), read a search honestly (``incumbent_test_accuracy``, ``simulated_seconds``);
* :func:`make_benchmark` -- build a table for another small space;
* :func:`synthetic_benchmark` -- a table of made-up results, for testing search code.

See :mod:`nasedu.bench.table` for why tables matter to NAS research and teaching.
"""

from .build import (
    DEFAULT_TRAINING,
    group_by_architecture,
    make_benchmark,
    synthetic_benchmark,
    train_architecture,
)
from .table import (
    BenchmarkRecord,
    NotInBenchmark,
    Run,
    TabularBenchmark,
    UnknownBenchmark,
    available_benchmarks,
    load_benchmark,
)

__all__ = [
    "DEFAULT_TRAINING",
    "BenchmarkRecord",
    "NotInBenchmark",
    "Run",
    "TabularBenchmark",
    "UnknownBenchmark",
    "available_benchmarks",
    "group_by_architecture",
    "load_benchmark",
    "make_benchmark",
    "synthetic_benchmark",
    "train_architecture",
]
