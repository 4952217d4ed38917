"""The manifest: one row per source file and one per stored item, in SQLite.

Text is stored as valid UTF-8 (``sslsci.store.text.printable``): a reason or item name
holding a file name that is not UTF-8 must not make its row unwritable.

Each source is committed in its own transaction (WAL mode), so a crash midway
leaves every source either fully recorded or not at all. The hash of the ok
item rows names "the data a model was trained on".
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sslsci.store.text import printable_or_none as _text

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    entry TEXT NOT NULL,
    uri TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    signature TEXT,
    plugin TEXT,
    plugin_version TEXT,
    options_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('ok', 'quarantined', 'gone')),
    reason TEXT,
    ingested_at REAL,
    PRIMARY KEY (entry, uri)
);
CREATE TABLE IF NOT EXISTS items (
    store_key TEXT NOT NULL,
    entry TEXT NOT NULL,
    uri TEXT NOT NULL,
    item TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    dims TEXT NOT NULL,
    shape TEXT NOT NULL,
    label TEXT,
    group_key TEXT,
    labels TEXT,
    split TEXT,
    stats TEXT,
    attrs TEXT,
    PRIMARY KEY (entry, uri, item)
);
CREATE TABLE IF NOT EXISTS group_splits (
    entry TEXT NOT NULL,
    spec_hash TEXT NOT NULL,
    group_key TEXT NOT NULL,
    split TEXT NOT NULL,
    PRIMARY KEY (entry, group_key)
);
CREATE TABLE IF NOT EXISTS skipped_items (
    entry TEXT NOT NULL,
    uri TEXT NOT NULL,
    item TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS skipped_source ON skipped_items (entry, uri);
CREATE INDEX IF NOT EXISTS items_key ON items (store_key);
CREATE INDEX IF NOT EXISTS sources_sha ON sources (sha256);
"""


@dataclass(frozen=True)
class SourceRow:
    entry: str
    uri: str
    sha256: str | None
    size: int | None
    signature: str | None
    plugin: str | None
    plugin_version: str | None
    options_hash: str | None
    status: str
    reason: str | None
    ingested_at: float | None


@dataclass(frozen=True)
class ItemRow:
    store_key: str
    entry: str
    uri: str
    item: str
    sha256: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    label: str | None
    group_key: str | None
    labels: dict[str, str]
    split: str | None
    stats: dict[str, Any]
    attrs: dict[str, Any]


class Manifest:
    """Transactional record of what was ingested, from where, and with what result."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    @classmethod
    def read_only(cls, path: str | Path) -> Manifest:
        """A manifest file no one writes any more (a snapshot): opened immutable, so
        SQLite takes no locks and creates no WAL files, and any write is an error."""
        self = cls.__new__(cls)
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no manifest at {self.path}")
        self._db = sqlite3.connect(
            f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None
        )
        return self

    def committed(self) -> None:
        """Called after each transaction commits (a remote workdir's copy uploads here)."""

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: all of it lands, or none of it does."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        self.committed()

    def sources(self, entry: str) -> dict[str, SourceRow]:
        rows = self._db.execute("SELECT * FROM sources WHERE entry = ?", (entry,)).fetchall()
        return {row[1]: SourceRow(*row) for row in rows}

    def record_ok(
        self, source: SourceRow, items: list[ItemRow], skipped: list[tuple[str, str]] = ()
    ) -> None:
        """Replace a source's items and the (item, reason) of those it left out; mark it
        ok, atomically."""
        key = (source.entry, source.uri)
        with self.transaction() as db:
            db.execute("DELETE FROM items WHERE entry = ? AND uri = ?", key)
            db.executemany(
                "INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [_item_values(item) for item in items],
            )
            db.execute("DELETE FROM skipped_items WHERE entry = ? AND uri = ?", key)
            db.executemany(
                "INSERT INTO skipped_items VALUES (?,?,?,?)",
                [(*key, _text(item), _text(reason)) for item, reason in skipped],
            )
            _upsert_source(db, source)

    def record_quarantined(self, source: SourceRow) -> None:
        """Mark a source quarantined; rows and data of an earlier good version are kept."""
        with self.transaction() as db:
            _upsert_source(db, source)

    def group_keys(self, entry: str) -> set[str]:
        """The distinct groups of an entry's stored items (of sources that are ok)."""
        rows = self._db.execute(
            "SELECT DISTINCT i.group_key FROM items i JOIN sources s "
            "ON s.entry = i.entry AND s.uri = i.uri "
            "WHERE i.entry = ? AND s.status = 'ok' AND i.group_key IS NOT NULL",
            (entry,),
        ).fetchall()
        return {row[0] for row in rows}

    def group_splits(self, entry: str, spec_hash: str) -> dict[str, str]:
        """Group -> split assigned earlier under the same fraction spec."""
        rows = self._db.execute(
            "SELECT group_key, split FROM group_splits WHERE entry = ? AND spec_hash = ?",
            (entry, spec_hash),
        ).fetchall()
        return dict(rows)

    def assign_group_splits(self, entry: str, spec_hash: str, splits: dict[str, str]) -> None:
        """Remember each group's split and apply it to every item of the group, atomically."""
        with self.transaction() as db:
            db.execute("DELETE FROM group_splits WHERE entry = ?", (entry,))
            db.executemany(
                "INSERT INTO group_splits VALUES (?,?,?,?)",
                [(entry, spec_hash, group, split) for group, split in splits.items()],
            )
            db.executemany(
                "UPDATE items SET split = ? WHERE entry = ? AND group_key = ?",
                [(split, entry, group) for group, split in splits.items()],
            )

    def touch_signature(self, entry: str, uri: str, signature: str) -> None:
        """The file's stat changed but not its content: remember the new stat."""
        with self.transaction() as db:
            db.execute(
                "UPDATE sources SET signature = ? WHERE entry = ? AND uri = ?",
                (signature, entry, uri),
            )

    def mark_gone(self, entry: str, uris: list[str]) -> None:
        """Sources no longer in the archive; their stored data is kept until prune."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE sources SET status = 'gone', reason = 'file no longer in the archive' "
                "WHERE entry = ? AND uri = ?",
                [(entry, uri) for uri in uris],
            )

    def items(
        self, entries: list[str] | None = None, split: str | None = None, ok_only: bool = True
    ) -> list[ItemRow]:
        """Stored items, optionally of some entries and one split, in a stable order."""
        query = "SELECT i.* FROM items i JOIN sources s ON s.entry = i.entry AND s.uri = i.uri"
        clauses, params = [], []
        if ok_only:
            clauses.append("s.status = 'ok'")
        if entries:
            clauses.append(f"i.entry IN ({','.join('?' * len(entries))})")
            params.extend(entries)
        if split is not None:
            clauses.append("i.split = ?")
            params.append(split)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY i.entry, i.uri, i.item"
        return [_item_from_row(row) for row in self._db.execute(query, params).fetchall()]

    def gone_items(self) -> list[ItemRow]:
        """Items whose source is gone: what ``store prune`` may delete."""
        query = (
            "SELECT i.* FROM items i JOIN sources s ON s.entry = i.entry AND s.uri = i.uri "
            "WHERE s.status = 'gone'"
        )
        return [_item_from_row(row) for row in self._db.execute(query).fetchall()]

    def gone_counts(self) -> dict[str, tuple[int, int]]:
        """{entry: (gone sources, all sources)} of each entry with a gone source."""
        rows = self._db.execute(
            "SELECT entry, SUM(status = 'gone'), COUNT(*) FROM sources GROUP BY entry "
            "HAVING SUM(status = 'gone') > 0"
        ).fetchall()
        return {entry: (int(gone), int(total)) for entry, gone, total in rows}

    def drop_gone(self) -> int:
        with self.transaction() as db:
            db.execute(
                "DELETE FROM items WHERE (entry, uri) IN "
                "(SELECT entry, uri FROM sources WHERE status = 'gone')"
            )
            db.execute(
                "DELETE FROM skipped_items WHERE (entry, uri) IN "
                "(SELECT entry, uri FROM sources WHERE status = 'gone')"
            )
            cursor = db.execute("DELETE FROM sources WHERE status = 'gone'")
        return cursor.rowcount

    def live_keys(self) -> set[str]:
        rows = self._db.execute(
            "SELECT i.store_key FROM items i JOIN sources s ON s.entry = i.entry AND s.uri = i.uri "
            "WHERE s.status != 'gone'"
        ).fetchall()
        return {row[0] for row in rows}

    def counts(self, entry: str) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT status, COUNT(*) FROM sources WHERE entry = ? GROUP BY status", (entry,)
        ).fetchall()
        counts = {"ok": 0, "quarantined": 0, "gone": 0}
        counts.update(dict(rows))
        counts["items"] = self._db.execute(
            "SELECT COUNT(*) FROM items i JOIN sources s ON s.entry = i.entry AND s.uri = i.uri "
            "WHERE i.entry = ? AND s.status = 'ok'",
            (entry,),
        ).fetchone()[0]
        return counts

    def quarantined(self, entry: str) -> list[tuple[str, str]]:
        rows = self._db.execute(
            "SELECT uri, reason FROM sources WHERE entry = ? AND status = 'quarantined' "
            "ORDER BY uri",
            (entry,),
        ).fetchall()
        return [(uri, reason or "") for uri, reason in rows]

    def skipped(self, entry: str) -> list[tuple[str, str, str]]:
        """(uri, item, reason) of every item a stored source left out, in a stable order."""
        return self._db.execute(
            "SELECT k.uri, k.item, k.reason FROM skipped_items k JOIN sources s "
            "ON s.entry = k.entry AND s.uri = k.uri WHERE k.entry = ? AND s.status = 'ok' "
            "ORDER BY k.uri, k.rowid",
            (entry,),
        ).fetchall()

    def data_hash(self, entries: list[str] | None = None) -> tuple[str, int]:
        """sha256 over the ok item rows (content hash, item, label, split) and their count."""
        digest = hashlib.sha256()
        rows = self.items(entries)
        for row in rows:
            digest.update(
                f"{row.entry}\t{row.sha256}\t{row.item}\t{row.label}\t{row.split}\n".encode()
            )
        return digest.hexdigest(), len(rows)


def _upsert_source(db: sqlite3.Connection, source: SourceRow) -> None:
    db.execute(
        "INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            source.entry,
            _text(source.uri),
            source.sha256,
            source.size,
            _text(source.signature),
            source.plugin,
            source.plugin_version,
            source.options_hash,
            source.status,
            _text(source.reason),
            source.ingested_at or time.time(),
        ),
    )


def _item_values(item: ItemRow) -> tuple[Any, ...]:
    return (
        item.store_key,
        item.entry,
        _text(item.uri),
        _text(item.item),
        item.sha256,
        json.dumps(list(item.dims)),
        json.dumps(list(item.shape)),
        _text(item.label),
        _text(item.group_key),
        json.dumps(item.labels),
        _text(item.split),
        json.dumps(item.stats),
        json.dumps(item.attrs, default=str),
    )


def _item_from_row(row: tuple[Any, ...]) -> ItemRow:
    return ItemRow(
        store_key=row[0],
        entry=row[1],
        uri=row[2],
        item=row[3],
        sha256=row[4],
        dims=tuple(json.loads(row[5])),
        shape=tuple(json.loads(row[6])),
        label=row[7],
        group_key=row[8],
        labels=json.loads(row[9] or "{}"),
        split=row[10],
        stats=json.loads(row[11] or "{}"),
        attrs=json.loads(row[12] or "{}"),
    )
