"""`baclo screen --jobs N`: rows spread over worker processes, output in input order.

The main process reads rows and hands them out in chunks; each worker loads the
knowledge once (from the cache), screens its chunk with its own ``Screener`` and
sends back, per row, what the output needs (the verdict's serialized record, the
FHIR Bundle line) and the chunk's ``Summary``. The main process takes chunks back
in order and passes every row to the same per-row callback as a one-process run,
so the output is the same, byte for byte. At most a few chunks are in flight:
memory stays bounded whatever the size of the input. Input that fits in two
chunks is screened in the main process (starting workers would cost more).
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
from collections import Counter, deque
from itertools import islice
from typing import Any, Callable, Deque, Iterable, Iterator, List, Optional, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.inputs import InputRow
from baclofen_cli.knowledge.model import GRADE_RANK, Knowledge
from baclofen_cli.screen import FLAGGED, MALFORMED, RawRow, RowOutcome, Screener, Summary, WorkerFailed

CHUNK_ROWS = 1000
_IN_FLIGHT_PER_JOB = 3


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def max_jobs() -> int:
    """The most worker processes ``--jobs`` starts: four per core (more only adds memory and switching)."""
    return 4 * max(1, os.cpu_count() or 1)


class Output(NamedTuple):
    """What the workers prepare for each row."""

    records: bool = False
    """The ``--out`` record's shared part (``Verdict.json_tail``)."""
    fhir: bool = False
    """The FHIR Bundle line (``--format fhir``)."""
    audience: str = "professional"
    suggest: bool = False
    ascii: bool = False
    """FHIR lines for a stream that cannot carry every character."""


class ScreenedVerdict:
    """A verdict as it comes back from a worker: what the per-row output needs, already serialized."""

    __slots__ = ("status", "error", "fully_checked", "_json", "fhir_line")
    result = None  # the full result stays in the worker: its counts arrive in the chunk's Summary

    def __init__(self, status: str, error: Optional[str], fully_checked: bool, json_tail: Optional[str],
                 fhir_line: Optional[str]) -> None:
        self.status = status
        self.error = error
        self.fully_checked = fully_checked
        self._json = json_tail
        self.fhir_line = fhir_line

    def json_tail(self) -> str:
        assert self._json is not None
        return self._json


Screened = Tuple[int, str, Tuple[str, ...], str, Optional[str], bool, Optional[str], Optional[str]]
"""One row back from a worker: number, id, notes, status, error, fully checked, record tail, FHIR line."""


class ChunkResult(NamedTuple):
    rows: List[Screened]
    summary: Summary
    flagged: List[RowOutcome]


class _NoIds:
    """Patient ids are tracked by the main process (one structure for the whole file)."""

    def add(self, ident: str, number: int) -> None:
        pass


class _Worker:
    def __init__(self, knowledge: Knowledge, output: Output) -> None:
        from baclofen_cli.record_writer import FhirFormatter

        self.screener = Screener(knowledge, output.audience, suggest=output.suggest)
        self.records = output.records
        self.bundles = FhirFormatter(knowledge, output.ascii) if output.fhir else None

    def chunk(self, rows: List[InputRow], keep_flagged: int) -> ChunkResult:
        screened: List[Screened] = []
        records, bundles = self.records, self.bundles

        def each(o: RowOutcome) -> None:
            v = o.verdict
            screened.append((o.row.number, o.row.id, o.notes, v.status, v.error, v.fully_checked,
                             v.json_tail() if records else None, bundles.line(o) if bundles is not None else None))

        summary = Summary()
        summary.ids = _NoIds()  # type: ignore[assignment]
        flagged = self.screener.run(rows, summary, each=each, keep_flagged=keep_flagged)
        return ChunkResult(screened, summary, flagged)


_worker: Optional[_Worker] = None


def _start(data_path: Optional[str], output: Output) -> None:
    global _worker
    import signal

    from baclofen_cli.knowledge import load_knowledge

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle

    _worker = _Worker(load_knowledge(data_path), output)


def _work(rows: List[InputRow], keep_flagged: int) -> ChunkResult:
    assert _worker is not None
    return _worker.chunk(rows, keep_flagged)


_NOT_MERGED = ("ids", "columns_not_read", "_dups")


def merge_summary(into: Summary, part: Summary) -> None:
    """Add one chunk's totals to the run's: counts add up; lists and maps of examples keep their first
    entries, within the same ceilings as one process."""
    for name, value in vars(part).items():
        if name in _NOT_MERGED:
            continue
        mine = getattr(into, name)
        if isinstance(value, Counter):
            if name == "unrecognized":  # at most 10,000 distinct texts, as Summary.count keeps
                for text, n in value.items():
                    if len(mine) < 10_000 or text in mine:
                        mine[text] += n
            else:
                mine.update(value)
        elif isinstance(value, list):
            mine.extend(value[:max(0, 1000 - len(mine))])
        elif isinstance(value, dict):
            for key, v in value.items():
                if len(mine) >= 10_000:
                    break
                mine.setdefault(key, v)
        elif isinstance(value, int) and not isinstance(value, bool):
            setattr(into, name, mine + value)


def run(screener: Screener, rows: Iterable[InputRow], summary: Summary, *, jobs: int, output: Output,
        each: Callable[[RowOutcome], None], keep_flagged: int = 0, data_path: Optional[str] = None,
        chunk_rows: int = CHUNK_ROWS) -> List[RowOutcome]:
    """``screener.run`` over ``jobs`` processes: the same calls to ``each``, in input order, the same
    ``summary`` and the same flagged rows to show (the most severe, then earliest)."""
    rows = iter(rows)
    first = list(islice(rows, 2 * chunk_rows))
    if jobs <= 1 or len(first) < 2 * chunk_rows:
        return screener.run(_chain(first, rows), summary, each=each, keep_flagged=keep_flagged)
    heap: List[Tuple[int, int, RowOutcome]] = []

    def take(result: ChunkResult) -> None:
        merge_summary(summary, result.summary)
        ids = summary.ids
        for number, ident, notes, status, error, fully, tail, fhir in result.rows:
            if status != MALFORMED or ident:
                ids.add(ident, number)
            each(RowOutcome(RawRow(number, ident), ScreenedVerdict(status, error, fully, tail, fhir),  # type: ignore[arg-type]
                            notes))
        for outcome in result.flagged:
            if outcome.status != FLAGGED or outcome.result is None:
                continue
            entry = (GRADE_RANK[outcome.result.highest_severity or "minor"], -outcome.row.number, outcome)
            if len(heap) < keep_flagged:
                heapq.heappush(heap, entry)
            elif entry[:2] > heap[0][:2]:
                heapq.heapreplace(heap, entry)

    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    _start_helpers_off_stdout(context)
    pending: Deque[Any] = deque()
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start, initargs=(data_path, output))
    try:
        for chunk in _chunks(_chain(first, rows), chunk_rows):
            pending.append(pool.submit(_work, chunk, keep_flagged))
            if len(pending) >= jobs * _IN_FLIGHT_PER_JOB:
                take(pending.popleft().result())
        while pending:
            take(pending.popleft().result())
    except BrokenProcessPool:
        raise WorkerFailed("a worker process stopped unexpectedly") from None
    finally:
        # also when the run ends early (--strict, a closed pipe, Ctrl-C): chunks not started are
        # dropped, the workers finish the one in hand and stop
        pool.shutdown(wait=True, cancel_futures=True)
        pending.clear()
    return [o for _, _, o in sorted(heap, key=lambda e: (-e[0], -e[1]))]


def _start_helpers_off_stdout(context: Any) -> None:
    """Start multiprocessing's long-lived helper processes (the resource tracker and the forkserver, whose
    children are the workers) with standard output on /dev/null. They inherit descriptors 0-2; holding the
    output pipe, they could keep a reader (``baclo screen --out - --jobs 2 | ...``) waiting for an end of file
    after baclo itself has exited, for instance when a worker was killed. The workers write nothing there."""
    import sys

    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        saved = os.dup(1)
    except OSError:
        return  # no standard output at all: nothing to keep away from the helpers
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
        if context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            forkserver.ensure_running()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _chain(first: List[InputRow], rest: Iterator[InputRow]) -> Iterator[InputRow]:
    yield from first
    yield from rest


def _chunks(rows: Iterator[InputRow], size: int) -> Iterator[List[InputRow]]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield chunk


