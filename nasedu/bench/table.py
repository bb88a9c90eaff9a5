"""A tabular benchmark: every architecture of a small space trained once, looked up in microseconds.

Training is the expensive step of NAS, so comparing search strategies fairly -- many repetitions,
many budgets -- is out of reach of a course if every evaluation trains a network.  Ying et al.
(2019, NAS-Bench-101) and Dong and Yang (2020, NAS-Bench-201) removed that cost: they trained
*every* architecture of a small cell space once and published the results as a table.  A search
that "evaluates" an architecture then only looks it up.

:class:`TabularBenchmark` is such a table for a space of this course.  It is keyed by the space's
``arch_hash``: genotypes that compute the same function (isomorphic graphs, dead layers) share one
entry, so the table also tells how many *encodings* map to each distinct network.  Each entry
keeps, per training seed, the validation accuracy after every epoch (a learning curve: query a
lower epoch to get a cheaper, noisier *proxy*), the test accuracy, and the training time.

    bench = load_benchmark("multibranch-cluttered")
    history = random_search(bench.space, bench.objective(), budget=50, progress=False)
    bench.incumbent_test_accuracy(history)    # what the search would report, step by step
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..checks import is_int
from ..jsonio import write_json_atomic
from ..spaces import InvalidArchitecture, SearchSpace, get_space

__all__ = [
    "BenchmarkRecord",
    "NotInBenchmark",
    "Run",
    "TabularBenchmark",
    "UnknownBenchmark",
    "available_benchmarks",
    "load_benchmark",
]


class _PlainKeyError(KeyError):
    def __str__(self) -> str:  # KeyError would print the message with quotes around it
        return str(self.args[0]) if self.args else ""


class NotInBenchmark(_PlainKeyError):
    """A valid genotype of the space whose architecture the table has no entry for."""


class UnknownBenchmark(_PlainKeyError):
    """No table of that name is shipped with nasedu."""


@dataclass(frozen=True)
class Run:
    """One training run of one architecture: its seed, the validation accuracy after each epoch,
    the final test accuracy and the wall-clock training time (on the machine that made the
    table).  A run whose loss diverged is kept with ``diverged=True`` and chance accuracy: a
    network that cannot be trained with these settings is as good as guessing."""

    seed: int
    val_accuracy: tuple[float, ...]
    test_accuracy: float
    train_seconds: float
    diverged: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = {
            "seed": self.seed,
            "val_accuracy": list(self.val_accuracy),
            "test_accuracy": self.test_accuracy,
            "train_seconds": self.train_seconds,
        }
        if self.diverged:
            d["diverged"] = True
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Run:
        return cls(
            int(d["seed"]),
            tuple(float(a) for a in d["val_accuracy"]),
            float(d["test_accuracy"]),
            float(d["train_seconds"]),
            bool(d.get("diverged", False)),
        )


@dataclass(frozen=True)
class BenchmarkRecord:
    """Everything the table knows of one architecture (one ``arch_hash``).

    ``genotype`` is one representative in the space's JSON data (the first in enumeration
    order, so the shallowest: without dead layers); ``encodings`` counts the genotypes of the
    space with this hash; ``params`` and ``macs`` are those of the representative's network (an
    encoding with dead layers builds them too, and has more).  Accuracies are means over the
    ``runs`` (seeds).
    """

    hash: str
    genotype: Any
    encodings: int
    params: int
    macs: int
    runs: tuple[Run, ...]

    @property
    def epochs(self) -> int:
        return len(self.runs[0].val_accuracy)

    def check_epoch(self, epoch: int | None) -> int:
        """``epoch`` (default: the last) if it is an epoch of the runs, else a ValueError."""
        if epoch is None:
            return self.epochs
        if not is_int(epoch):
            raise ValueError(f"epoch must be an integer in 1..{self.epochs}, got {epoch!r}")
        if not 1 <= epoch <= self.epochs:
            raise ValueError(f"epoch must be in 1..{self.epochs}, got {epoch}")
        return int(epoch)

    def val_accuracy(self, epoch: int | None = None, seed: int | None = None) -> float:
        """Validation accuracy after ``epoch`` (1-based; default: the last), mean over seeds
        unless ``seed`` picks one run."""
        epoch = self.check_epoch(epoch)
        return float(np.mean([run.val_accuracy[epoch - 1] for run in self._runs(seed)]))

    def test_accuracy(self, seed: int | None = None) -> float:
        """Test accuracy after the last epoch, mean over seeds unless ``seed`` picks one run."""
        return float(np.mean([run.test_accuracy for run in self._runs(seed)]))

    def train_seconds(self, epoch: int | None = None) -> float:
        """Mean training time (over seeds) of ``epoch`` epochs (default: all), in seconds.  The
        table times whole runs only; a shorter run is assumed to cost its share of epochs."""
        fraction = self.check_epoch(epoch) / self.epochs
        return float(np.mean([run.train_seconds for run in self.runs])) * fraction

    def _runs(self, seed: int | None) -> tuple[Run, ...]:
        if seed is None:
            return self.runs
        runs = tuple(run for run in self.runs if run.seed == seed)
        if not runs:
            raise ValueError(f"no run with seed {seed}; seeds: {[r.seed for r in self.runs]}")
        return runs

    def to_dict(self) -> dict[str, Any]:
        return {
            "hash": self.hash,
            "genotype": self.genotype,
            "encodings": self.encodings,
            "params": self.params,
            "macs": self.macs,
            "runs": [run.to_dict() for run in self.runs],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BenchmarkRecord:
        return cls(
            d["hash"],
            d["genotype"],
            int(d["encodings"]),
            int(d["params"]),
            int(d["macs"]),
            tuple(Run.from_dict(r) for r in d["runs"]),
        )


_NOT_FIT_OPTIONS = ("quick_mode", "synthetic")  # notes on how a table was made


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples the space constructors expect (recursively)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def space_from_spec(spec: Mapping[str, Any]) -> SearchSpace:
    """The space described by ``{"name": ..., "options": {...}}`` (options as read from JSON)."""
    return get_space(spec["name"], **_tuples(dict(spec.get("options", {}))))


def data_from_spec(spec: Mapping[str, Any]):
    """The data set described by ``{"name": ..., **options}`` (see :func:`nasedu.data.load`)."""
    from ..data import load

    return load(spec["name"], **{k: v for k, v in spec.items() if k != "name"})


class TabularBenchmark:
    """A table of trained architectures of one search space (see the module docstring).

    ``space`` and ``data`` describe what was trained (names and options, as given to
    :func:`nasedu.spaces.get_space` and :func:`nasedu.data.load`), ``training`` how (epochs,
    learning rate, batch size, ...), ``machine`` where (training times are only comparable
    within one table).
    """

    def __init__(
        self,
        name: str,
        space: Mapping[str, Any],
        data: Mapping[str, Any],
        training: Mapping[str, Any],
        records: Sequence[BenchmarkRecord],
        machine: str = "",
        description: str = "",
    ) -> None:
        self.name, self.machine, self.description = name, machine, description
        self.space_spec = {"name": space["name"], "options": dict(space.get("options", {}))}
        self.data_spec = {"name": data["name"], **{k: v for k, v in data.items() if k != "name"}}
        self.training = dict(training)
        self.space: SearchSpace = space_from_spec(self.space_spec)
        self._records: dict[str, BenchmarkRecord] = {r.hash: r for r in records}
        if len(self._records) != len(records):
            raise ValueError("two records of the table have the same hash")
        shapes = {(tuple(run.seed for run in r.runs), r.epochs if r.runs else 0) for r in records}
        if len(shapes) > 1 or any(not r.runs for r in records):
            raise ValueError(
                f"every record of a table needs runs with the same seeds and number of epochs; "
                f"found (seeds, epochs) = {sorted(shapes)}"
            )
        self.seeds: tuple[int, ...] = next(iter(shapes))[0] if shapes else ()
        self.epochs: int = next(iter(shapes))[1] if shapes else 0

    @property
    def fit_options(self) -> dict[str, Any]:
        """The table's training settings as keyword arguments of :func:`nasedu.train.fit`, to
        retrain an architecture the way the table did (``fit(model, data, **fit_options)``)."""
        return {k: v for k, v in self.training.items() if k not in _NOT_FIT_OPTIONS}

    def load_data(self):
        """The data set the table was trained on (see :func:`nasedu.data.load`)."""
        return data_from_spec(self.data_spec)

    # -- looking up ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, genotype: Any) -> bool:
        try:
            self.query(genotype)
        except (NotInBenchmark, InvalidArchitecture):
            return False
        return True

    def __iter__(self) -> Iterator[BenchmarkRecord]:
        return iter(self._records.values())

    def query(self, genotype: Any) -> BenchmarkRecord:
        """The record of ``genotype`` (any of its encodings; a genotype object, its JSON data
        such as ``record.genotype``, or ``space.to_json(genotype)``).  Raises InvalidArchitecture
        if it is not a genotype of the space, NotInBenchmark if the table lacks its
        architecture."""
        if isinstance(genotype, Mapping):  # read (and checked) as from_json does
            envelope = genotype if "genotype" in genotype else {"genotype": genotype}
            genotype = self.space.from_json({"space": self.space.name, **envelope})
        key = self.space.arch_hash(self.space.validate(genotype))
        try:
            return self._records[key]
        except KeyError:
            raise NotInBenchmark(
                f"{genotype!r} is a valid genotype of {self.space!r}, but the table "
                f"{self.name!r} has no entry for its architecture (hash {key[:12]}...)"
            ) from None

    def genotype(self, record: BenchmarkRecord) -> Any:
        """The representative genotype of ``record`` as a genotype object of the space."""
        return self.space.genotype_from_data(record.genotype)

    def objective(self, epoch: int | None = None, seed: int | None = None):
        """An objective for :mod:`nasedu.search` that looks scores up instead of training.

        The score is the validation accuracy after ``epoch`` epochs (default: all; fewer epochs
        make a cheaper, noisier proxy), mean over the seeds unless ``seed`` picks one run.
        ``train_seconds`` is what training would have cost, so a search's *simulated* time is
        the sum of it over the evaluations that were not cached.
        """
        if self.epochs:
            next(iter(self)).check_epoch(epoch)  # a bad epoch fails here, not mid-search
        if seed is not None and seed not in self.seeds:
            raise ValueError(f"no runs with seed {seed}; the table has seeds {self.seeds}")

        def objective(genotype: Any) -> dict[str, Any]:
            record = self.query(genotype)
            return {
                "score": record.val_accuracy(epoch, seed),
                "test_accuracy": record.test_accuracy(seed),
                "params": record.params,
                "macs": record.macs,
                "train_seconds": record.train_seconds(epoch),
            }

        return objective

    # -- the whole table ----------------------------------------------------------------------
    def val_accuracies(self, epoch: int | None = None, seed: int | None = None) -> np.ndarray:
        """Validation accuracy of every entry (table order), as an array."""
        return np.array([r.val_accuracy(epoch, seed) for r in self])

    def test_accuracies(self, seed: int | None = None) -> np.ndarray:
        """Test accuracy of every entry (table order), as an array."""
        return np.array([r.test_accuracy(seed) for r in self])

    def best(self, by: str = "val") -> BenchmarkRecord:
        """The entry with the highest mean ``"val"`` or ``"test"`` accuracy: the optimum a
        search could find (by validation) and the one it should have found (by test)."""
        if by not in ("val", "test"):
            raise ValueError(f"by must be 'val' or 'test', got {by!r}")
        key = (lambda r: r.val_accuracy()) if by == "val" else (lambda r: r.test_accuracy())
        return max(self, key=key)

    def percentile(self, genotype: Any, by: str = "val") -> float:
        """Share of the table's entries (in %) that are worse than ``genotype``'s entry."""
        if by not in ("val", "test"):
            raise ValueError(f"by must be 'val' or 'test', got {by!r}")
        record = self.query(genotype)
        if by == "val":
            values, mine = self.val_accuracies(), record.val_accuracy()
        else:
            values, mine = self.test_accuracies(), record.test_accuracy()
        return float(100 * np.mean(values < mine))

    def select(self, genotypes: Any) -> list[BenchmarkRecord]:
        """The records of the architectures among ``genotypes`` (duplicates once each), e.g. of
        a subspace: ``bench.select(chains)``."""
        seen: dict[str, BenchmarkRecord] = {}
        for genotype in genotypes:
            record = self.query(genotype)
            seen.setdefault(record.hash, record)
        return list(seen.values())

    # -- reading searches ---------------------------------------------------------------------
    def incumbent_test_accuracy(self, history) -> list[float]:
        """After each step of a search run on :meth:`objective`, the *test* accuracy of the
        architecture the search would return then (its best score so far; a later tie does not
        replace it).  Searches select on validation accuracy; this curve is what they honestly
        achieve.  The test accuracy is the one the objective reported (so a search scored on one
        seed is read on that seed), else the table's mean over seeds."""
        best_score, curve, current = -math.inf, [], math.nan
        for record in history.records:
            if record["score"] > best_score:
                best_score = record["score"]
                if "test_accuracy" in record:
                    current = float(record["test_accuracy"])
                else:
                    current = self.query(record["genotype"]).test_accuracy()
            curve.append(current)
        return curve

    @staticmethod
    def simulated_seconds(history) -> list[float]:
        """Cumulative training time a search would have spent, step by step: the sum of
        ``train_seconds`` over its evaluations that were not cached repeats."""
        total, curve = 0.0, []
        for record in history.records:
            if not record.get("cached", False):
                if "train_seconds" not in record:
                    raise KeyError(
                        f"evaluation {record.get('step')} has no 'train_seconds': run the search "
                        "on bench.objective() (or an objective that reports its cost)"
                    )
                total += float(record["train_seconds"])
            curve.append(total)
        return curve

    # -- files --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "space": self.space_spec,
            "data": self.data_spec,
            "training": self.training,
            "machine": self.machine,
            "records": [r.to_dict() for r in self],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TabularBenchmark:
        """Read :meth:`to_dict`'s data; a ValueError names a missing key or the bad record."""
        keys = ("name", "space", "data", "training", "records")
        if not isinstance(d, Mapping) or any(key not in d for key in keys):
            got = f"keys {sorted(map(str, d))}" if isinstance(d, Mapping) else type(d).__name__
            raise ValueError(
                f"not a benchmark table: it needs the keys {', '.join(keys)} (as "
                f"TabularBenchmark.save writes them); got {got}"
            )
        records = []
        for i, r in enumerate(d["records"]):
            try:
                records.append(BenchmarkRecord.from_dict(r))
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(
                    f"benchmark table {d['name']!r}, record {i}: malformed "
                    f"({type(error).__name__}: {error})"
                ) from error
        return cls(
            d["name"],
            d["space"],
            d["data"],
            d["training"],
            records,
            machine=d.get("machine", ""),
            description=d.get("description", ""),
        )

    def save(self, path: str | Path) -> None:
        """Write the table as JSON (atomically)."""
        write_json_atomic(path, self.to_dict(), separators=(",", ":"))

    @classmethod
    def load(cls, path: str | Path) -> TabularBenchmark:
        return cls.from_dict(json.loads(Path(path).read_text()))

    def __repr__(self) -> str:
        runs = {len(r.runs) for r in self}
        seeds = "/".join(str(n) for n in sorted(runs)) or "0"
        epochs = self.training.get("epochs", "?")
        return (
            f"TabularBenchmark({self.name!r}: {len(self):,} architectures of "
            f"{self.space_spec['name']} on {self.data_spec['name']}, {epochs} epochs x "
            f"{seeds} seed(s))"
        )


def available_benchmarks() -> list[str]:
    """Names of the tables shipped with nasedu (load them with :func:`load_benchmark`)."""
    folder = resources.files(__package__)
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


_LOADED: dict[str, TabularBenchmark] = {}


def load_benchmark(name: str = "multibranch-cluttered") -> TabularBenchmark:
    """A table shipped with nasedu, by name (see :func:`available_benchmarks`).  Read once and
    shared: every call returns the same object (treat it as read-only)."""
    if name not in _LOADED:
        names = available_benchmarks()
        if name not in names:
            raise UnknownBenchmark(f"unknown benchmark {name!r}; available: {', '.join(names)}")
        text = resources.files(__package__).joinpath(f"{name}.json").read_text()
        _LOADED[name] = TabularBenchmark.from_dict(json.loads(text))
    return _LOADED[name]
