"""Shift-log files as wholes: export a district-time range of a log, merge consecutive logs.

Why this exists: a shift log is the record that gets handed on (to an inquiry, to the next
shift, to another site), and what is asked for is rarely "this one file": it is "14:00 to
16:30 yesterday" or "the day shift and the night shift as one". Both must stay *replayable
exactly*: ``fold_log(exported, upto)`` gives the same state digest as folding the source at
the same seq. So this module writes ordinary shift logs (the schema of
``console.store.shiftlog``), never a new format, and whatever reads a log reads these too.

How a merged log is put together (see ``console.replay.fold`` for the fold order):

- **Changes** are the backend's, identified by ``seq``; two consoles of the same feed that ran
  at once recorded the same change under the same seq, so the union keeps each seq once.
- **Bootstraps** say where a console (re)started from a snapshot. Inputs are ordered by where
  their first bootstrap takes over; each later input *takes over* the timeline at its first
  (fresh) bootstrap, placed just before the first change it recorded after it (at most its
  snapshot's seq) -- its ``after_seq`` in its own file (0 for a new file) means nothing in the
  merged one. (An input that is itself an exported range takes over at the checkpoint that
  carries its starting state, so overlapping exported parts merge exactly too.) Bootstraps of
  an earlier input at or after that point are *superseded* (a fresh bootstrap after them would
  discard what they built anyway) and are left out. Ids are renumbered in fold order, and
  ``reference`` is stored only when it differs from the last one stored, as
  ``ShiftLog.add_bootstrap`` does.
- **Checkpoints** carry the id of the bootstrap they were folded from: it is remapped (the
  state is zlib JSON; only its header is patched, the MB of columns are not re-parsed). A
  checkpoint is kept only if a fold of the merged log would reach the very same state: its
  bootstrap was kept, is the last one in force at its seq, and the merged log holds exactly the
  changes its own file held since the last fresh bootstrap (else folding from it would differ
  from folding from empty, and the merged log would contradict itself).
- **Outbox** rows (keyed by Idempotency-Key: kept once), **bookmarks** and **quarantine** are
  all kept (a row found identical in two inputs, a log and a part exported from it, once).

A range that starts mid-shift keeps exactness by carrying the state at its start: the new file
begins with the bootstrap in force there (its snapshot and reference, marked ``fresh``: the
file starts from it) and a checkpoint of the exact state after the last change before the range
(``fold_log(source, that seq)``), followed by the changes in the range and the bootstraps that
came among them. Outbox rows have no district time: they are kept by wall clock, between the
arrival of the last change before the range and that of the first change after it.

Everything is SQLite to SQLite (ATTACH + INSERT ... SELECT): an 8-hour log is ~10^4 changes
and tens to a hundred MB of payloads, which never pass through Python; snapshots and checkpoints are handled one at a time.
The output is written to a hidden temporary file next to it and linked into place only when
complete, so a refusal or a failure leaves no partial file, and an existing file is never
overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine

from console.replay.fold import fold_log
from console.store import checkpoint_form
from console.store.shiftlog import SCHEMA_VERSION, ShiftLog, encode_checkpoint, metadata

__all__ = ["export_logs", "open_logs"]

_CHANGE_COLS = "seq, ts, kind, payload, arrived_at"
_OUTBOX_COLS = (
    "key, created_at, user, case_id, action, body, state, attempts, last_error, status, "
    "response, done_at"
)
_BOOT_ID = re.compile(rb'"bootstrap_id":\s*(null|-?\d+)')


# ---- the inputs -------------------------------------------------------------------------------
@dataclass
class _Input:
    """What is needed of one input before copying: read once, cheaply (no payloads)."""

    path: Path
    meta: dict[str, str]
    last_seq: int  # changes beyond it (a log still being written) are not taken
    first_change: int | None
    boots: list[dict] = field(default_factory=list)  # id, seq, after_seq, fresh


def open_logs(paths: Sequence[str | Path], cache_dir: str | Path) -> ShiftLog:
    """The files as one readable shift log, for a replay or a report: one file is opened as
    it is; several (consecutive shifts) are merged once into ``cache_dir`` (named by the
    inputs' paths, sizes and times, so a changed input is merged anew) and that file opened.
    Raises FileNotFoundError / ValueError with a message fit for the operator."""
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("no shift log given")
    for f in files:
        _open_input(f)
    if len(files) > 1:
        key = hashlib.sha256(
            "|".join(
                f"{f.resolve()}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files
            ).encode()
        ).hexdigest()[:16]
        merged = Path(cache_dir) / f"merged-{key}.zhcg"
        if not merged.exists():
            merged.parent.mkdir(parents=True, exist_ok=True)
            export_logs(files, merged)
        files = [merged]
    return ShiftLog(files[0], readonly=True)


def _src_uri(path: Path) -> str:
    """How an input is opened: only ever read, but opened read-only (``mode=ro``) only when
    its WAL files exist (a console may be writing it). A read-only connection to a closed WAL
    log would leave new ``-wal``/``-shm`` files beside it, which it cannot remove; a read-write
    one removes them when it closes, and this module never writes to an input."""
    mode = "ro" if Path(f"{path}-wal").exists() or not os.access(path.parent, os.W_OK) else "rw"
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _ro_connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(_src_uri(path), uri=True, timeout=10)
    con.execute("PRAGMA busy_timeout=10000")
    return con


def _open_input(path: Path) -> _Input:
    """Check one input is a readable shift log of this schema and read its outline."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such shift log")
    if not path.is_file():
        raise ValueError(f"{path}: not a file")
    try:
        con = _ro_connect(path)
    except sqlite3.Error as e:
        raise ValueError(f"{path}: cannot open as SQLite ({e})") from e
    try:
        try:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.DatabaseError as e:
            raise ValueError(f"{path}: not a shift log (not an SQLite database: {e})") from e
        missing = {"meta", "changes", "bootstraps", "checkpoints"} - tables
        if missing:
            raise ValueError(f"{path}: not a shift log (no {', '.join(sorted(missing))} table)")
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
            raise ValueError(
                f"{path}: shift-log schema {meta['schema_version']}, this console reads "
                f"{SCHEMA_VERSION}"
            )
        last = con.execute("SELECT max(seq) FROM changes").fetchone()[0] or 0
        first = con.execute("SELECT min(seq) FROM changes").fetchone()[0]
        boots = [
            {"id": i, "seq": s, "after_seq": a, "fresh": f}
            for i, s, a, f in con.execute(
                "SELECT id, seq, after_seq, fresh FROM bootstraps ORDER BY id"
            )
        ]
    finally:
        con.close()
    return _Input(path, meta, last, first, boots)


def _check_output(out: Path, inputs: Sequence[Path]) -> None:
    for p in inputs:
        if out.resolve() == p.resolve() or (out.exists() and os.path.samefile(out, p)):
            raise ValueError(f"{out}: is one of the inputs; choose a new file for the export")
    if out.exists() or out.is_symlink():
        raise ValueError(f"{out}: already exists; an export never overwrites a file")
    if not out.parent.is_dir():
        raise ValueError(f"{out.parent}: no such directory for the export")


def _check_range(start: datetime | None, end: datetime | None) -> None:
    for name, t in (("start", start), ("end", end)):
        if t is not None and t.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime (district time has an offset)")
    if start is not None and end is not None and start > end:
        raise ValueError(f"empty range: start {start.isoformat()} is after end {end.isoformat()}")


# ---- the public entry -------------------------------------------------------------------------
def export_logs(
    paths: Sequence[str | Path],
    out: str | Path,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict:
    """Write ``out``, a new shift log holding ``paths`` as one log, restricted to the district
    time range [start, end] (inclusive, aware datetimes) when given.

    Returns a summary: rows written per table (``changes``, ``bootstraps``, ``checkpoints``,
    ``bookmarks``, ``outbox``, ``quarantine``), ``seq_range`` and ``time_range`` of the changes
    written, and what was left out on purpose (``bootstraps_superseded``,
    ``checkpoints_dropped``). Raises ``FileNotFoundError`` for a missing input and
    ``ValueError`` for everything else refused (existing output, output among the inputs, not
    a shift log, different backend feeds, an empty range); nothing is left behind then.
    """
    if not paths:
        raise ValueError("no shift logs to export")
    in_paths = [Path(p) for p in paths]
    out = Path(out)
    _check_output(out, in_paths)
    resolved = [p.resolve() for p in in_paths]
    if len(set(resolved)) != len(resolved):
        raise ValueError("the same shift log is given twice")
    _check_range(start, end)
    inputs = [_open_input(p) for p in in_paths]
    feeds = {i.meta["feed_id"]: i.path.name for i in inputs if i.meta.get("feed_id")}
    if len(feeds) > 1:
        raise ValueError(
            "shift logs of different backend feeds cannot be merged (their seqs are unrelated): "
            + ", ".join(f"{name}: feed {fid}" for fid, name in feeds.items())
        )
    meta = _merged_meta(inputs, start, end)
    ranged = start is not None or end is not None

    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    tmp2 = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.merged.partial")
    try:
        if not ranged:
            summary = _merge(inputs, tmp)
        elif len(inputs) == 1:
            summary = _cut(inputs[0], tmp, start, end)
        else:  # merge first, so the cut sees one log (and the state at its start is exact)
            superseded = _merge(inputs, tmp2)["bootstraps_superseded"]
            summary = _cut(_open_input(tmp2), tmp, start, end)
            summary["bootstraps_superseded"] = superseded
        _write_meta(tmp, meta)
        _finish(tmp, out)
    finally:
        for p in (tmp, tmp2):
            _remove_db(p)
    summary["path"] = str(out)
    summary["inputs"] = [str(i.path) for i in inputs]
    return summary


def _merged_meta(inputs: list[_Input], start: datetime | None, end: datetime | None) -> dict:
    """The new file's meta: the inputs' as one log (users comma-joined, the shift spanning
    them all) and where it came from."""
    users: list[str] = []
    for i in inputs:
        for u in (i.meta.get("user") or "").split(","):
            if u and u not in users:
                users.append(u)
    starts = [i.meta["shift_start"] for i in inputs if i.meta.get("shift_start")]
    ends = [i.meta["shift_end"] for i in inputs if i.meta.get("shift_end")]
    urls = [i.meta["backend_url"] for i in inputs if i.meta.get("backend_url")]
    feeds = [i.meta["feed_id"] for i in inputs if i.meta.get("feed_id")]
    meta = {
        "schema_version": SCHEMA_VERSION,
        "exported_from": json.dumps([i.path.name for i in inputs], ensure_ascii=False),
    }
    if urls:
        meta["backend_url"] = urls[-1]
    if users:
        meta["user"] = ",".join(users)
    if feeds:
        meta["feed_id"] = feeds[0]
    if starts:
        meta["shift_start"] = min(starts, key=_parse_ts)
    if ends:
        meta["shift_end"] = max(ends, key=_parse_ts)
    if start is not None:
        meta["range_start"] = start.isoformat()
    if end is not None:
        meta["range_end"] = end.isoformat()
    return meta


def _parse_ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


# ---- writing the output -----------------------------------------------------------------------
def _new_db(path: Path) -> sqlite3.Connection:
    """An empty shift log (the schema from ``console.store.shiftlog``, indexes included) and a
    bulk-writing connection to it: no journal, no fsync (it is a temporary file until
    ``_finish``; a failure deletes it)."""
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()
    con = sqlite3.connect(str(path), isolation_level=None, timeout=10)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-65536")
    return con


def _write_meta(path: Path, meta: dict) -> None:
    con = sqlite3.connect(str(path), isolation_level=None)
    try:
        con.execute("DELETE FROM meta")
        con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", sorted(meta.items()))
    finally:
        con.close()


def _finish(tmp: Path, out: Path) -> None:
    """Make the file a shift log like any other (WAL: readers open it as they open a live
    log, and need not convert it), flush it, and link it into place without overwriting."""
    con = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, out)  # atomic, and fails if ``out`` appeared meanwhile
    except FileExistsError as e:
        raise ValueError(f"{out}: already exists; an export never overwrites a file") from e
    except OSError:  # a file system without hard links
        if out.exists():
            raise ValueError(f"{out}: already exists; an export never overwrites a file") from None
        os.replace(tmp, out)


def _remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)


def _attach(con: sqlite3.Connection, path: Path, alias: str = "src") -> None:
    con.execute(f"ATTACH DATABASE ? AS {alias}", (_src_uri(path),))


def _detach(con: sqlite3.Connection, alias: str = "src") -> None:
    con.execute(f"DETACH DATABASE {alias}")


def _ts_at(con: sqlite3.Connection, schema: str, seq: int | None) -> str | None:
    if seq is None:
        return None
    row = con.execute(f"SELECT ts FROM {schema}.changes WHERE seq = ?", (seq,)).fetchone()
    return row[0] if row else None


def _reference_text(con: sqlite3.Connection, schema: str, boot_id: int) -> str | None:
    """The reference in force for a bootstrap of ``schema`` (the last one stored up to it)."""
    row = con.execute(
        f"SELECT reference FROM {schema}.bootstraps WHERE id <= ? AND reference IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        (boot_id,),
    ).fetchone()
    return row[0] if row else None


@dataclass
class _Boot:
    """A bootstrap of the output: from which input, its id there, its place and id here."""

    src: int
    old_id: int
    pos: int
    fresh: int
    new_id: int = 0


def _copy_bootstrap(
    con: sqlite3.Connection, b: _Boot, last_ref: str | None, schema: str = "src"
) -> str | None:
    """Copy one bootstrap (a snapshot is MBs: one at a time); returns the last reference
    stored, so the next one is stored only if it differs (the table's rule)."""
    seq, arrived, snapshot = con.execute(
        f"SELECT seq, arrived_at, snapshot FROM {schema}.bootstraps WHERE id = ?", (b.old_id,)
    ).fetchone()
    ref = _reference_text(con, schema, b.old_id)
    store = ref if ref is not None and ref != last_ref else None
    con.execute(
        "INSERT INTO bootstraps(id, seq, after_seq, fresh, arrived_at, snapshot, reference) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (b.new_id, seq, b.pos, b.fresh, arrived, snapshot, store),
    )
    return ref if ref is not None else last_ref


def _checkpoint_boot_id(blob: bytes) -> int | None:
    """The ``bootstrap_id`` of a checkpoint: of the JSON form, from its first bytes only (the
    header comes first in ``CityState.checkpoint()``; falls back to parsing it all)."""
    if blob.startswith(checkpoint_form.MAGIC):
        v = checkpoint_form.decode(blob).get("bootstrap_id")
        return None if v is None else int(v)
    head = zlib.decompressobj().decompress(blob, 4096)
    m = _BOOT_ID.search(head)
    if m is None:
        v = json.loads(zlib.decompress(blob)).get("bootstrap_id")
        return None if v is None else int(v)
    return None if m.group(1) == b"null" else int(m.group(1))


def _remap_checkpoint(blob: bytes, new_id: int | None) -> bytes:
    """The checkpoint with its ``bootstrap_id`` replaced, in the form it came in: the JSON
    form patched in the header of its text (the columns are base64 and need no parsing),
    then compressed again."""
    if blob.startswith(checkpoint_form.MAGIC):
        data = checkpoint_form.decode(blob)
        return checkpoint_form.encode_compact(dict(data, bootstrap_id=new_id))
    text = zlib.decompress(blob)
    value = b"null" if new_id is None else str(new_id).encode()
    m = _BOOT_ID.search(text, 0, 4096)
    if m is not None:
        text = text[: m.start(1)] + value + text[m.end(1) :]
    else:
        data = json.loads(text)
        data["bootstrap_id"] = new_id
        text = json.dumps(data, separators=(",", ":")).encode()
    return zlib.compress(text, 6)


def _in_force(boots: list[_Boot], seq: int) -> _Boot | None:
    """The bootstrap a fold up to ``seq`` ends with (the last placed at or before it)."""
    last = None
    for b in boots:
        if b.pos > seq:
            break
        last = b
    return last


# ---- merging ----------------------------------------------------------------------------------
def _plan_input(con: sqlite3.Connection, inp: _Input, *, first: bool) -> list[tuple[dict, int]]:
    """(bootstrap, its place in the merged log) for one input attached as ``src``.

    The first input keeps its places. In a later one, a fresh bootstrap goes just before the
    first change the file recorded after it, and at most at its snapshot's seq (the changes
    after it are the ones it recorded); if the file holds a checkpoint between the bootstrap
    and that change (an exported range: its state is carried by that checkpoint), there."""
    out = []
    for b in inp.boots:
        pos = b["after_seq"]
        if not first and b["fresh"]:
            nxt = con.execute(
                "SELECT min(seq) FROM src.changes WHERE seq > ? AND seq <= ?",
                (b["after_seq"], inp.last_seq),
            ).fetchone()[0]
            pos = max(pos, b["seq"] if nxt is None else min(b["seq"], nxt - 1))
            upper = nxt - 1 if nxt is not None else None
            anchor = con.execute(
                "SELECT max(seq) FROM src.checkpoints WHERE seq >= ?"
                + (" AND seq <= ?" if upper is not None else ""),
                (pos, upper) if upper is not None else (pos,),
            ).fetchone()[0]
            if anchor is not None and (upper is not None or anchor <= pos):
                pos = anchor
        out.append((b, pos))
    return out


def _merge(inputs: list[_Input], tmp: Path) -> dict:
    """Write ``inputs`` as one log into ``tmp`` (the unranged export)."""
    con = _new_db(tmp)
    try:
        # Where each input takes over decides their order (an unordered list is fine).
        plans: list[list[tuple[dict, int]]] = []
        for inp in inputs:
            _attach(con, inp.path)
            plans.append(_plan_input(con, inp, first=False))
            _detach(con)
        keyed = []
        for k, inp in enumerate(inputs):
            first_pos = plans[k][0][1] if plans[k] else (inp.first_change or 1) - 1
            keyed.append((first_pos, inp.first_change or 0, k))
        order = [k for *_, k in sorted(keyed)]
        inputs = [inputs[k] for k in order]

        # Bootstraps in fold order; an earlier input's are superseded from the takeover on.
        boots: list[_Boot] = []
        superseded = 0
        for n, inp in enumerate(inputs):
            _attach(con, inp.path)
            plan = _plan_input(con, inp, first=(n == 0))
            _detach(con)
            if plan:
                takeover = plan[0][1]
                keep = [b for b in boots if b.pos < takeover]
                superseded += len(boots) - len(keep)
                boots = keep
            boots.extend(_Boot(n, b["id"], pos, b["fresh"]) for b, pos in plan)
        for i, b in enumerate(boots, 1):
            b.new_id = i

        counts = dict.fromkeys(("changes", "quarantine", "outbox", "bookmarks"), 0)
        for inp in inputs:
            _attach(con, inp.path)
            con.execute("BEGIN")
            counts["changes"] += con.execute(
                f"INSERT OR IGNORE INTO changes({_CHANGE_COLS}) SELECT {_CHANGE_COLS} "
                "FROM src.changes WHERE seq <= ? ORDER BY seq",
                (inp.last_seq,),
            ).rowcount
            counts["quarantine"] += _copy_side_tables(con, inp, counts)
            con.execute("COMMIT")
            _detach(con)

        # In fold order across inputs, since each reference is compared with the last stored.
        last_ref: str | None = None
        for b in boots:
            _attach(con, inputs[b.src].path)
            last_ref = _copy_bootstrap(con, b, last_ref)
            _detach(con)

        kept_cp, dropped_cp = 0, 0
        for n, inp in enumerate(inputs):
            _attach(con, inp.path)
            k, d = _copy_checkpoints(con, inp, n, boots)
            _detach(con)
            kept_cp += k
            dropped_cp += d
        return _summary(
            con,
            counts,
            bootstraps=len(boots),
            checkpoints=kept_cp,
            bootstraps_superseded=superseded,
            checkpoints_dropped=dropped_cp,
        )
    finally:
        con.close()


def _copy_side_tables(con: sqlite3.Connection, inp: _Input, counts: dict) -> int:
    """Outbox, bookmarks and quarantine of the attached input; returns the quarantine rows
    (the others are added to ``counts``). An outbox row is one action (its key is the
    Idempotency-Key): kept once. A bookmark or quarantined change found identical in two
    inputs (a log and a part exported from it) is kept once too; all others are kept."""
    counts["outbox"] += con.execute(
        f"INSERT OR IGNORE INTO outbox({_OUTBOX_COLS}) SELECT {_OUTBOX_COLS} FROM src.outbox"
    ).rowcount
    counts["bookmarks"] += con.execute(
        "INSERT INTO bookmarks(seq, at, label, created_at) "
        "SELECT seq, at, label, created_at FROM src.bookmarks s WHERE s.seq <= ? AND NOT EXISTS "
        "(SELECT 1 FROM main.bookmarks m WHERE m.seq IS s.seq AND m.at IS s.at "
        "AND m.label IS s.label AND m.created_at IS s.created_at) ORDER BY id",
        (inp.last_seq,),
    ).rowcount
    return con.execute(
        "INSERT INTO quarantine(seq, arrived_at, reason, raw) "
        "SELECT seq, arrived_at, reason, raw FROM src.quarantine s "
        "WHERE (s.seq IS NULL OR s.seq <= ?) AND NOT EXISTS "
        "(SELECT 1 FROM main.quarantine m WHERE m.seq IS s.seq AND m.arrived_at IS s.arrived_at "
        "AND m.reason IS s.reason AND m.raw IS s.raw) ORDER BY id",
        (inp.last_seq,),
    ).rowcount


def _copy_checkpoints(
    con: sqlite3.Connection, inp: _Input, n: int, boots: list[_Boot]
) -> tuple[int, int]:
    """Copy the attached input's checkpoints that the merged log agrees with (see the module
    docstring); returns (kept, dropped)."""
    mine = {b.old_id: b for b in boots if b.src == n}
    kept = dropped = 0
    for seq, created, digest, blob, old in _src_checkpoints(con, -1, inp.last_seq):
        b = mine.get(old) if old is not None else None
        force = _in_force(boots, seq)
        ok = (b is not None and force is b) or (old is None and force is None and n == 0)
        if ok:
            fresh = [x for x in boots if x.fresh and x.new_id <= force.new_id] if force else []
            since = fresh[-1].pos if fresh else -1
            merged_n = con.execute(
                "SELECT count(*) FROM main.changes WHERE seq > ? AND seq <= ?", (since, seq)
            ).fetchone()[0]
            own_n = con.execute(
                "SELECT count(*) FROM src.changes WHERE seq > ? AND seq <= ?", (since, seq)
            ).fetchone()[0]
            ok = merged_n == own_n
        if not ok:
            dropped += 1
            continue
        _put_checkpoint(con, seq, created, digest, blob, old, b)
        kept += 1
    return kept, dropped


def _src_checkpoints(con: sqlite3.Connection, after: int, upto: int):
    """The attached input's checkpoints in (after, upto], one blob in memory at a time:
    (seq, created_at, digest, state, the bootstrap id it was folded from)."""
    for (seq,) in con.execute(
        "SELECT seq FROM src.checkpoints WHERE seq > ? AND seq <= ? ORDER BY seq", (after, upto)
    ).fetchall():
        created, digest, blob = con.execute(
            "SELECT created_at, digest, state FROM src.checkpoints WHERE seq = ?", (seq,)
        ).fetchone()
        yield seq, created, digest, blob, _checkpoint_boot_id(blob)


def _put_checkpoint(con, seq, created, digest, blob, old: int | None, b: _Boot | None) -> None:
    """Write a copied checkpoint, its bootstrap id remapped to the new file's."""
    if b is not None and b.new_id != old:
        blob = _remap_checkpoint(blob, b.new_id)
    con.execute(
        "INSERT OR IGNORE INTO checkpoints(seq, created_at, digest, state) VALUES (?, ?, ?, ?)",
        (seq, created, digest, blob),
    )


def _summary(con: sqlite3.Connection, counts: dict, **extra) -> dict:
    n, lo, hi = con.execute("SELECT count(*), min(seq), max(seq) FROM changes").fetchone()
    return {
        **counts,
        **extra,
        "changes": n,
        "seq_range": (lo, hi) if n else None,
        "time_range": (_ts_at(con, "main", lo), _ts_at(con, "main", hi)) if n else None,
    }


# ---- cutting a range --------------------------------------------------------------------------
def _seq_bounds(
    con: sqlite3.Connection, inp: _Input, start: datetime | None, end: datetime | None
) -> tuple[int, int, int | None, int | None]:
    """(first, last) seq of the range, the last seq before it and the first after it.

    A replay needs a *run* of seqs (leaving one out in the middle changes the fold), but
    district time is not quite monotonic in seq: the backend stamps a change before its
    transaction commits, so concurrent writers land up to a few seconds out of order (29 of
    ~12,000 changes in an 8-hour log). The run is therefore the longest one whose changes all
    lie in [start, end]: it begins after the last change stamped before ``start`` and ends
    before the first stamped after ``end``. A change in the range but before such a straggler
    is not lost: it is in the state carried at the start. Reads (seq, ts) only."""
    before = after = None
    listed: list[int] = []
    for seq, ts in con.execute(
        "SELECT seq, ts FROM src.changes WHERE seq <= ? ORDER BY seq", (inp.last_seq,)
    ):
        t = _parse_ts(ts) if ts else None
        if t is not None and end is not None and t > end:
            after = seq
            break
        if t is not None and start is not None and t < start:
            before = seq
            listed.clear()
            continue
        listed.append(seq)
    if not listed:
        span = con.execute(
            "SELECT min(ts), max(ts) FROM src.changes WHERE seq <= ?", (inp.last_seq,)
        ).fetchone()
        raise ValueError(
            "empty range: no change between "
            f"{start.isoformat() if start else 'the start'} and "
            f"{end.isoformat() if end else 'the end'} (the log covers {span[0]} .. {span[1]})"
        )
    return listed[0], listed[-1], before, after


def _cut(inp: _Input, tmp: Path, start: datetime | None, end: datetime | None) -> dict:
    """Write the part of one log in [start, end] into ``tmp``, carrying the state at the start
    (a bootstrap and a checkpoint), so that it replays exactly."""
    con = _new_db(tmp)
    try:
        _attach(con, inp.path)
        lo, hi, before, after = _seq_bounds(con, inp, start, end)

        # Bootstraps: the one in force at the start (when the range starts mid-log) and those
        # that came among the changes of the range.
        boots: list[_Boot] = []
        carried = None
        if before is not None:
            src_log = ShiftLog(inp.path, readonly=True)
            try:
                state = fold_log(src_log, before)
            finally:
                src_log.engine.dispose()
            carried = state.bootstrap_id
            if carried is not None:
                boots.append(_Boot(0, carried, before, 1))
            rest = [b for b in inp.boots if carried is None or b["id"] > carried]
            rest = [b for b in rest if b["after_seq"] <= hi]
        else:
            rest = [b for b in inp.boots if b["after_seq"] <= hi]
        boots.extend(_Boot(0, b["id"], b["after_seq"], b["fresh"]) for b in rest)
        for i, b in enumerate(boots, 1):
            b.new_id = i

        con.execute("BEGIN")
        n_changes = con.execute(
            f"INSERT INTO changes({_CHANGE_COLS}) SELECT {_CHANGE_COLS} FROM src.changes "
            "WHERE seq >= ? AND seq <= ? ORDER BY seq",
            (lo, hi),
        ).rowcount
        last_ref = None
        for b in boots:
            last_ref = _copy_bootstrap(con, b, last_ref)
        by_old = {b.old_id: b for b in boots}
        kept_cp = dropped_cp = 0
        if before is not None:
            cp = state.checkpoint()
            cp["bootstrap_id"] = by_old[carried].new_id if carried is not None else None
            blob = encode_checkpoint(cp)
            con.execute(
                "INSERT INTO checkpoints(seq, created_at, digest, state) VALUES (?, ?, ?, ?)",
                (before, time.time(), state.digest(), blob),
            )
            kept_cp += 1
            del state, cp, blob
        lower = before if before is not None else -1
        for seq, created, digest, blob, old in _src_checkpoints(con, lower, hi):
            carrier = by_old.get(old) if old is not None else None
            force = _in_force(boots, seq)
            if not ((carrier is not None and force is carrier) or (old is None and force is None)):
                dropped_cp += 1
                continue
            _put_checkpoint(con, seq, created, digest, blob, old, carrier)
            kept_cp += 1

        # Side tables. Bookmarks and quarantined changes by seq; the outbox by wall clock
        # (its rows have no district time), between the arrivals around the range.
        counts = {
            "bookmarks": con.execute(
                "INSERT INTO bookmarks(seq, at, label, created_at) SELECT seq, at, label, "
                "created_at FROM src.bookmarks WHERE seq >= ? AND seq <= ? ORDER BY id",
                (lo, hi),
            ).rowcount
        }
        w0 = _arrived(con, before)
        w1 = _arrived(con, after)
        w0 = float("-inf") if w0 is None else w0
        w1 = float("inf") if w1 is None else w1
        counts["quarantine"] = con.execute(
            "INSERT INTO quarantine(seq, arrived_at, reason, raw) SELECT seq, arrived_at, "
            "reason, raw FROM src.quarantine WHERE (seq >= ? AND seq <= ?) OR "
            "(seq IS NULL AND arrived_at > ? AND arrived_at <= ?) ORDER BY id",
            (lo, hi, w0, w1),
        ).rowcount
        counts["outbox"] = con.execute(
            f"INSERT INTO outbox({_OUTBOX_COLS}) SELECT {_OUTBOX_COLS} FROM src.outbox "
            "WHERE created_at > ? AND created_at <= ?",
            (w0, w1),
        ).rowcount
        con.execute("COMMIT")
        _detach(con)
        return _summary(
            con,
            {**counts, "changes": n_changes},
            bootstraps=len(boots),
            checkpoints=kept_cp,
            bootstraps_superseded=0,
            checkpoints_dropped=dropped_cp,
        )
    finally:
        con.close()


def _arrived(con: sqlite3.Connection, seq: int | None) -> float | None:
    if seq is None:
        return None
    row = con.execute("SELECT arrived_at FROM src.changes WHERE seq = ?", (seq,)).fetchone()
    return row[0] if row else None
