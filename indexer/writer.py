"""Writing the index: adding, replacing and deleting documents through one Whoosh writer.

Why one writer in this process (not Whoosh's parallel MpWriter): its sub-writer processes
inherit the write lock, and if this process is killed they wait forever holding it. The
expensive work is done before the writer, in worker processes (indexer/prepare.py). A commit
writes each new segment's derived files (character index, word index) before the table of
contents names the segment, so a reader never sees a segment without them and a crash leaves
only files Whoosh's next commit deletes. Batches are committed as they fill, so a crash loses
at most one batch; every commit checks that no document was lost.
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import writing as windex_writing
from whoosh.index import LockError
from whoosh.reading import SegmentReader

from indexer import arrayfile, dedup
from indexer.api import IndexReport, QueryError
from indexer.document import Document
from indexer.prepare import bounded_imap, prepare_safely
from indexer.segment import (
    SUFFIXES,
    Record,
    SegmentData,
    beside,
    load_segment,
    merge_files,
    stored_records,
    write_files,
)
from indexer.view import View

WRITER_MEMORY_MB = 512  # Whoosh's posting pool; smaller spills to disk via pickle, much slower
SMALL_BATCH = 32  # below this, analysing in this process beats starting workers
SMALL_SEGMENT = 200  # live documents: smaller segments are merged at each commit
#: Documents each worker may prepare ahead of the writer: enough to keep the workers busy
#: through a commit or a merge (a few seconds), few enough that memory stays bounded.
PREPARED_AHEAD = 128
#: Segments of one size class merged into one (IndexWriter.merge_tiers). Five, not ten: a
#: search pays a fixed cost per segment (measured at 100,000 documents: ten segments of
#: 10,000 took 16% longer over the warm query set than two of 50,000), so at the sizes
#: one machine serves the segments should be few — four of 25,000 at 100,000 documents,
#: still one per thread of the search pool — for one more rewrite of each document.
MERGE_FACTOR = 5
#: No merge makes a larger segment (2²⁸ characters, ~50,000 reports of 5,000; so a bulk run
#: stops at segments of 25,000: five of them would exceed it). Merging moves the positions
#: in steps (textindex.MERGE_STEP), so memory stays near the merged files' size.
MAX_MERGED_CHARS = 1 << 28


def merge_small(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: fold segments with fewer than SMALL_SEGMENT live documents into
    the segment being written. A crawl that commits a few documents at a time would
    otherwise leave thousands of tiny segments; large segments are never rewritten while
    indexing (rewriting them at every commit made long runs quadratic)."""
    small = {s.segment_id() for s in segments if s.doc_count() < SMALL_SEGMENT}
    if len(small) < 2 and not (small and writer._added):
        return segments
    return _merge_chosen(writer, segments, small)


def tier_to_merge(segment_ids: Sequence[str], sizes: Sequence[tuple[int, int]]) -> set[str]:
    """The ids of the next MERGE_FACTOR segments to merge, or none: the smallest size class
    (live documents within [SMALL_SEGMENT·F^k, SMALL_SEGMENT·F^(k+1)), F = MERGE_FACTOR)
    holding that many segments whose merged text stays under MAX_MERGED_CHARS. ``sizes``:
    each segment's (documents, characters). Every document is rewritten about once per
    class it passes through, so a bulk run's cost stays linear."""
    classes: dict[int, list[tuple[int, str]]] = {}
    for seg_id, (docs, chars) in zip(segment_ids, sizes, strict=True):
        if docs >= SMALL_SEGMENT:
            level = int(np.log(docs / SMALL_SEGMENT) / np.log(MERGE_FACTOR) + 1e-9)
            classes.setdefault(level, []).append((chars, seg_id))
    for level in sorted(classes):
        members = sorted(classes[level])[:MERGE_FACTOR]
        if len(members) == MERGE_FACTOR and sum(chars for chars, _ in members) <= MAX_MERGED_CHARS:
            return {seg_id for _, seg_id in members}
    return set()


def _merge_chosen(writer: Any, segments: list[Any], chosen: set[str]) -> list[Any]:
    """Whoosh merge policy: merge exactly the chosen segments (in index order)."""
    for segment in segments:
        if segment.segment_id() in chosen:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
    return [s for s in segments if s.segment_id() not in chosen]


def assign_group(view: View, data: dict[str, Any],
                 batch_lsh: dict[str, list[tuple[np.ndarray, str, str]]]) -> bool:
    """Give a near-duplicate the group of the first committed or batched document it
    matches; True when it joined another document's group (it is a copy)."""
    meta, sig = data["meta"], data["sig"]
    meta["dup"] = meta["id"]
    if sig is None:
        return False
    tokens = dedup.band_tokens(sig)

    def candidates() -> Iterator[tuple[np.ndarray, str, str]]:
        for token in tokens:
            yield from batch_lsh.get(token, [])
            for data_k, offset in zip(view.data, view.offsets.tolist(), strict=True):
                for local in data_k.bands().get(token, ()):
                    j = offset + local
                    if view.live[j] and view.ids[j] != meta["id"]:
                        other_sig = view.signature(j)
                        if other_sig is not None:
                            yield other_sig, view.value("ry", j), view.value("dup", j) or view.ids[j]

    rejected: set[str] = set()
    for other_sig, other_year, group in candidates():
        if group in rejected:
            continue
        if dedup.same_text(sig, other_sig, meta.get("ry", ""), other_year):
            meta["dup"] = group
            break
        rejected.add(group)
    for token in tokens:
        batch_lsh.setdefault(token, []).append((sig, meta.get("ry", ""), meta["dup"]))
    return meta["dup"] != meta["id"]


class IndexWriter:
    """Adds, replaces and deletes documents of one index (see the module docstring)."""

    def __init__(self, ix: Any, index_dir: Path, *, readonly: bool, workers: int, lock: threading.RLock,
                 current_view: Callable[[], View], invalidate: Callable[[], None]) -> None:
        self.ix = ix
        self.index_dir = index_dir
        self.readonly = readonly
        self.workers = workers
        self.lock = lock
        self.current_view = current_view  # the committed generation (for replaced and copied documents)
        self.invalidate = invalidate  # after a commit: the next read must see it

    def _writer(self) -> Any:
        # One writer in this process. Not Whoosh's parallel MpWriter: its sub-writer processes
        # inherit the write lock, and if this process is killed they wait forever holding it.
        if self.readonly:
            raise QueryError("索引以只读方式打开")
        try:
            return self.ix.writer(timeout=30.0, limitmb=WRITER_MEMORY_MB)
        except LockError:
            raise QueryError(f"另一个进程正在写入索引 {self.index_dir}（30 秒内未释放写锁）") from None

    def _commit(self, writer: Any, mergetype: Callable[[Any, list[Any]], list[Any]] = merge_small,
                pending: dict[str, Record] | None = None) -> None:
        """Whoosh's ``SegmentWriter.commit``, plus the derived files of every new segment
        (indexer/segment.py), written before the table of contents names the segment: a
        reader never sees a committed segment without them, and a crash before the TOC leaves
        only files that Whoosh's next commit deletes.

        ``pending``: the derived data of the documents added since the last commit, by id.
        Documents that come from merged segments get theirs from those segments' files."""
        records = dict(pending or {})
        batch_added = writer._added
        kept = writer._merge_segments(mergetype, None, None)
        merged = [s for s in writer.segments if s not in kept]
        # Only whole segments merged, none with deletions: the new segment is theirs laid end
        # to end, and its files are merged from their arrays (segment.merge_files).
        parts: list[SegmentData] | None = [] if merged and not batch_added and not any(
            s.has_deletions() for s in merged) else None
        for segment in merged:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                data = load_segment(reader, self.index_dir, writable=False)
                if parts is not None:
                    parts.append(data)
                    continue
                live = [j for j in range(reader.doc_count_all()) if not reader.is_deleted(j)]
                for record in data.records(live):
                    records.setdefault(record.id, record)  # a document added in this batch wins
            finally:
                reader.close()
        segments = kept
        if writer._added:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        if parts:
            self._merge_files(writer, segments[-1], parts, records)
        for segment in segments:
            if all(beside(self.index_dir, segment, suffix).exists() for suffix in SUFFIXES):
                continue
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                ids = [reader.stored_fields(j)["id"] for j in range(reader.doc_count_all())]
                if all(doc_id in records for doc_id in ids):
                    in_order = [records[doc_id] for doc_id in ids]
                else:  # not from this writer: prepare the stored documents again
                    in_order = stored_records(reader)
                write_files(self.index_dir, segment.segment_id(), in_order)
            finally:
                reader.close()
        writer._commit_toc(segments)
        for suffix in SUFFIXES:
            arrayfile.remove_stale_temporaries(self.index_dir, suffix)
        writer._finish()

    def _merge_files(self, writer: Any, segment: Any, parts: list[SegmentData], records: dict[str, Record]) -> None:
        """The merged segment's files from its parts' arrays, after checking that Whoosh laid
        the parts' documents end to end (else their records go the general way)."""
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            ids = [reader.stored_fields(j)["id"] for j in range(reader.doc_count_all())]
        finally:
            reader.close()
        if ids == [doc_id for part in parts for doc_id in part.meta.strings("id")]:
            merge_files(self.index_dir, segment.segment_id(), parts)
            return
        for part in parts:  # never seen: Whoosh merges in the policy's order
            for record in part.records(range(part.n)):
                records.setdefault(record.id, record)

    def merge_tiers(self) -> int:
        """Merge segments of one size class, MERGE_FACTOR at a time, until no class holds
        that many (each merge its own commit); the number of merges. A bulk run commits a
        segment per batch; a search pays a fixed cost per segment, and opening per segment."""
        merges = 0
        while True:
            with self.lock:
                view = self.current_view()
                sizes = [(data.n, int(data.text.doc_starts[-1]) if data.n else 0) for data in view.data]
                chosen = tier_to_merge(view.segment_ids, sizes)
            if not chosen:
                return merges
            writer = self._writer()
            try:
                self._commit(writer, functools.partial(_merge_chosen, chosen=chosen))
            except BaseException:
                writer.cancel()
                raise
            self.invalidate()
            merges += 1

    def add(
        self,
        documents: Iterable[Document],
        progress: Callable[[int], None] | None = None,
        batch_size: int = 1000,
    ) -> IndexReport:
        """Add or replace documents; commits every ``batch_size`` documents so that a crash
        loses at most the current batch, and reports what happened to each document."""
        report = IndexReport()
        with self.lock:
            view = self.current_view()
            fingerprints = view.strings("fp")
            known = {doc_id: fingerprints[i] for doc_id, i in view.by_id.items()}
        pool = None
        small = isinstance(documents, Sequence) and len(documents) < SMALL_BATCH
        if self.workers > 1 and not small:
            pool = multiprocessing.get_context("fork").Pool(self.workers)
            prepared = bounded_imap(pool, prepare_safely, documents, window=PREPARED_AHEAD * self.workers)
        else:
            prepared = map(prepare_safely, documents)
        writer = None
        batch: dict[str, Record] = {}  # derived data of the documents added since the last commit
        new_in_batch = 0  # documents that did not exist before (the live count must grow by this)
        batch_lsh: dict[str, list[tuple[np.ndarray, str, str]]] = {}

        unmerged = False

        def commit(final: bool) -> None:
            nonlocal writer, new_in_batch, batch_lsh, unmerged
            unmerged = not final
            before = self.ix.doc_count()
            # Batches of a long run are committed without merging: merging on every commit
            # re-reads the growing older segments each time (quadratic; 85% of the time of a
            # 20,000-document run). The run's last commit merges the small segments once.
            self._commit(writer, merge_small if final else windex_writing.NO_MERGE, batch)
            writer = None
            after = self.ix.doc_count()
            if after != before + new_in_batch:
                # A commit must never lose documents silently; say so if it ever does.
                raise QueryError(f"索引提交后文档数为 {after}，应为 {before + new_in_batch}：请重新运行同一索引命令")
            batch.clear()
            new_in_batch, batch_lsh = 0, {}
            self.invalidate()

        try:
            for doc_id, data, error in prepared:
                if progress:
                    progress(1)
                if data is None:
                    report.failed.append((doc_id, error or "unknown error"))
                    continue
                if known.get(doc_id) == data["meta"]["fp"]:
                    report.unchanged += 1
                    continue
                if doc_id in batch:
                    commit(final=False)  # the same id twice in one batch: a delete only sees committed documents
                if writer is None:
                    writer = self._writer()
                    with self.lock:
                        view = self.current_view()
                if assign_group(view, data, batch_lsh):
                    report.copies.append((doc_id, data["meta"]["dup"]))
                meta = data["meta"]
                if doc_id in known:
                    writer.delete_by_term("id", doc_id)
                    report.updated += 1
                else:
                    report.added += 1
                    new_in_batch += 1
                known[doc_id] = meta["fp"]
                batch[doc_id] = Record.of(data)
                writer.add_document(id=doc_id, doc=data["doc"])
                if len(batch) >= batch_size:
                    commit(final=False)
                    self.merge_tiers()  # while the workers fill the window (PREPARED_AHEAD)
            if writer is None and unmerged:
                writer = self._writer()  # nothing left to add: just merge the batch segments
            if writer is not None:
                commit(final=True)
                self.merge_tiers()
        finally:
            if writer is not None:
                writer.cancel()
            if pool is not None:
                pool.terminate()
                pool.join()
        return report

    def delete(self, ids: Iterable[str]) -> int:
        wanted = list(ids)
        with self.lock:
            view = self.current_view()
            present = [i for i in wanted if i in view.by_id]
        if not present:
            return 0
        writer = self._writer()
        try:
            for doc_id in present:
                writer.delete_by_term("id", doc_id)
            self._commit(writer)
        except BaseException:
            writer.cancel()
            raise
        self.invalidate()
        return len(present)
