"""Search histories on disk: one JSON line per evaluation, appended as the search goes.

A search that runs overnight must lose nothing when it is killed, and must not slow down as its
history grows.  So the file is `JSON Lines <https://jsonlines.org>`_: a *header* line says what
search wrote it (space, strategy, settings, seed, nasedu version), then every finished
evaluation appends one line and flushes it.  Appending costs the same for the 5th and the 5000th
evaluation; rewriting the whole file each time (what nasedu did before) costs more and more.

The lines are *strict* JSON, readable by any JSON parser: a score of ``-inf`` (a failed
architecture) or a NaN field is written as ``{"$float": "-inf"}`` / ``{"$float": "nan"}``, and
numpy or torch scalars an objective returns become plain numbers.

A search holds an exclusive lock (``flock``) on its file while it runs, so a second search given
the same ``history_path`` stops with :class:`HistoryInUse` instead of corrupting the first.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .checks import is_int

__all__ = ["FORMAT", "HistoryFile", "HistoryInUse", "SearchHistory", "from_json", "to_json"]

FORMAT = "nasedu-search-history/2"
_FLOAT = "$float"


class HistoryInUse(RuntimeError):
    """Another search is writing this history file right now."""


# -- strict JSON ------------------------------------------------------------------------------
def to_json(value: Any, where: str = "value") -> Any:
    """``value`` as plain JSON data: numpy/torch scalars become numbers, small arrays lists,
    tuples lists, and non-finite floats ``{"$float": "inf" | "-inf" | "nan"}``.

    Anything else (a model, a genotype object) is refused with a TypeError naming ``where``:
    a history must be readable without the code that wrote it."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if is_int(value):  # Python's or numpy's (a bool has been returned above)
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else {_FLOAT: repr(value)}
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a key {key!r}: JSON keys must be strings")
            out[key] = to_json(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # numpy or torch scalar/array
        try:
            plain = value.detach().cpu().tolist() if hasattr(value, "detach") else value.tolist()
        except (TypeError, ValueError, RuntimeError) as error:
            raise TypeError(f"{where} cannot be converted to JSON: {error}") from None
        return to_json(plain, where)
    raise TypeError(
        f"{where} is a {type(value).__name__}, which a JSON history cannot hold; return numbers, "
        "strings, lists or dicts of them"
    )


def from_json(value: Any) -> Any:
    """The inverse of :func:`to_json`'s float encoding: ``{"$float": "-inf"}`` -> ``-inf``."""
    if isinstance(value, dict):
        if len(value) == 1 and _FLOAT in value:
            return float(value[_FLOAT])
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value


def _line(data: Any) -> str:
    return json.dumps(to_json(data), allow_nan=False, separators=(",", ":")) + "\n"


# -- the history ------------------------------------------------------------------------------
@dataclass
class SearchHistory:
    """Every evaluation of a search, in order of completion, as plain JSON-able records.

    Each record has ``step`` (1-based completion order), ``proposal`` (the order in which the
    strategy proposed it: with several workers a later proposal can finish first),
    ``genotype`` (the space's JSON data), ``hash``, ``score``, ``seconds`` (time spent
    evaluating), ``cached`` (True if the same architecture had been evaluated before and its
    score was reused), ``worker`` (who evaluated it), ``elapsed`` (seconds since the search
    started) and whatever else the objective returned (parameters, epochs, ...).  A failed
    evaluation (see ``timeout``) has score ``-inf`` and a ``failed`` message.
    """

    space: str
    strategy: str
    records: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    seed: Any = None
    execution: dict[str, Any] = field(default_factory=dict)

    def scores(self) -> list[float]:
        return [r["score"] for r in self.records]

    def best_so_far(self) -> list[float]:
        """The incumbent's score after each evaluation (the usual search curve)."""
        best, curve = -math.inf, []
        for score in self.scores():
            best = max(best, score)
            curve.append(best)
        return curve

    def best(self, space=None) -> tuple[Any, float]:
        """``(genotype, score)`` of the best evaluation (the genotype as JSON data unless the
        ``space`` is given to read it back)."""
        if not self.records:
            raise ValueError("the search has not evaluated anything yet")
        record = max(self.records, key=lambda r: r["score"])
        genotype = record["genotype"]
        if space is not None:
            genotype = space.from_json({"space": self.space, "genotype": genotype})
        return genotype, record["score"]

    def header(self) -> dict[str, Any]:
        """The first line of the history file: what search this is."""
        from . import __version__

        return {
            "format": FORMAT,
            "nasedu": __version__,
            "space": self.space,
            "strategy": self.strategy,
            "settings": self.settings,
            "seed": self.seed,
            "execution": self.execution,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.header(), "records": self.records}

    def save(self, path: str | Path) -> None:
        """Write the whole history as a JSON Lines file (header, then one line per record),
        atomically: a reader finds the old file or the new one, never half of one."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as file:
            file.write(_line(self.header()))
            file.writelines(_line(record) for record in self.records)
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> SearchHistory:
        """Read a history file: JSON Lines (this version) or one JSON object (before).

        A last line cut off by a kill in the middle of a write is ignored."""
        text = Path(path).read_text(encoding="utf-8")
        if _old_format(text):  # one JSON object, as nasedu wrote before JSON Lines
            data = from_json(json.loads(text))
            return cls(
                data["space"],
                data["strategy"],
                data["records"],
                data.get("settings", {}),
                data.get("seed"),
                data.get("execution", {}),
            )
        header, records, _ = _parse_lines(text, path)
        return cls(
            header["space"],
            header["strategy"],
            records,
            header.get("settings", {}),
            header.get("seed"),
            header.get("execution", {}),
        )

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        best = f", best {max(self.scores()):.4f}" if self.records else ""
        return f"SearchHistory({self.strategy} on {self.space}: {len(self)} evaluations{best})"


def _old_format(text: str) -> bool:
    """Whether ``text`` is a history in the single-object format of earlier versions."""
    try:
        first = json.loads(text.split("\n", 1)[0])
        if isinstance(first, dict) and "format" in first:
            return False
    except json.JSONDecodeError:
        pass
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and "records" in data


def _parse_lines(text: str, path: Any) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """``(header, records, length of the good part of text)``; a torn last line is dropped."""
    records: list[dict[str, Any]] = []
    header: dict[str, Any] | None = None
    good = 0
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        last = number == len(lines)
        if not line.strip():
            if not last:
                good += len(line) + 1
            continue
        try:
            data = from_json(json.loads(line))
        except json.JSONDecodeError:
            if last:  # killed in the middle of writing this line
                break
            raise ValueError(f"{path}, line {number}: not JSON: {line[:80]!r}") from None
        if last:  # a complete record without its newline: keep it, it parsed
            good += len(line)
        else:
            good += len(line) + 1
        if header is None:
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError(
                    f"{path} is not a nasedu search history: its first line should be a header "
                    f"with format {FORMAT!r}, got {line[:80]!r}"
                )
            header = data
        else:
            records.append(data)
    if header is None:
        raise ValueError(f"{path} is empty: it has no header line")
    return header, records, good


# -- the file a running search writes ---------------------------------------------------------
def _lock(file: IO[str], path: Path) -> None:
    """Take an exclusive lock on ``file`` without waiting, or raise :class:`HistoryInUse`."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            raise HistoryInUse(_in_use(path)) from None
        return
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise HistoryInUse(_in_use(path)) from None


def _in_use(path: Path) -> str:
    return (
        f"the history file {path} is in use by another search that is still running; wait for "
        "it to finish (then resume=True continues it) or give this search another history_path"
    )


class HistoryFile:
    """The open, locked history file of a running search: ``append`` writes one record.

    ``open`` with ``resume=False`` starts the file afresh (after taking the lock, so a running
    search's file is never cut short); with ``resume=True`` it keeps the records already there
    (``recorded``), checks the header against this search's, and appends after them."""

    def __init__(self, file: IO[str], path: Path, header: Mapping[str, Any], recorded) -> None:
        self.file, self.path, self.header, self.recorded = file, path, header, recorded

    @classmethod
    def open(
        cls, path: str | Path, header: Mapping[str, Any], resume: bool, adopt_seed: bool = False
    ) -> HistoryFile:
        """Open and lock ``path``; ``adopt_seed``: a resumed file's seed replaces ours."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        file = open(path, "a+", encoding="utf-8", newline="\n")  # noqa: SIM115 (kept open)
        try:
            _lock(file, path)
            file.seek(0)
            text = file.read()
            recorded: list[dict[str, Any]] = []
            if resume and text.strip():
                theirs, recorded, good = _read_for_resume(text, path)
                _check_header(theirs, {**header, "seed": theirs.get("seed")}, path)
                if not adopt_seed:
                    _check_header(theirs, header, path)
                header = theirs
                file.truncate(len(text[:good].encode("utf-8")))  # drop a torn last line
                if good and not text[:good].endswith("\n"):
                    file.write("\n")
            else:
                file.truncate(0)
                file.write(_line(header))
            file.flush()
        except BaseException:
            file.close()
            raise
        return cls(file, path, header, recorded)

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one record and flush it: a killed search keeps every finished evaluation."""
        self.file.write(_line(record))
        self.file.flush()

    def close(self) -> None:
        self.file.close()  # closing releases the lock


def _read_for_resume(text: str, path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    if _old_format(text):
        raise ValueError(
            f"cannot resume from {path}: it was written by an older nasedu (one JSON object, "
            "no seed), so its search cannot be replayed; read it with SearchHistory.load and "
            "start a new search with another history_path"
        )
    return _parse_lines(text, path)


# which header fields must agree for a resumed search to continue the recorded one
_MUST_AGREE = ("space", "space_repr", "strategy", "seed")


def _check_header(theirs: Mapping[str, Any], mine: Mapping[str, Any], path: Path) -> None:
    """Refuse to resume a file written by a different search, naming what differs."""
    mine = from_json(json.loads(_line(mine)))  # as it would read back
    differ = [key for key in _MUST_AGREE if theirs.get(key) != mine.get(key)]
    my_settings = {k: v for k, v in mine.get("settings", {}).items() if k != "budget"}
    their_settings = {k: v for k, v in theirs.get("settings", {}).items() if k != "budget"}
    if my_settings != their_settings:
        differ.append("settings")
    my_workers = mine.get("execution", {}).get("workers")
    if theirs.get("execution", {}).get("workers") != my_workers:
        differ.append("workers")
    if differ:
        pairs = "; ".join(
            f"{key}: file {_field(theirs, key)!r}, this call {_field(mine, key)!r}"
            for key in differ
        )
        raise ValueError(
            f"cannot resume from {path}: it was written by a different search ({pairs}); "
            "call the search exactly as before (the budget may grow), or pass resume=False to "
            "start afresh"
        )


def _field(header: Mapping[str, Any], key: str) -> Any:
    if key == "workers":
        return header.get("execution", {}).get("workers")
    if key == "settings":
        return {k: v for k, v in header.get("settings", {}).items() if k != "budget"}
    return header.get(key)
