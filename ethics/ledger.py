"""The persistent privacy-budget ledger: SQLite (WAL), exact epsilons, a hash chain, keyed sketches.

One row per charge of one dataset and reference year. Epsilons are stored as exact fractions ("3/10").
Each row stores the hash of the previous row (the first one the hash of the ledger's key), and the head hash
and row count are kept in `meta`, so `verify()` detects an edited, inserted or deleted row. A charge is one
`BEGIN IMMEDIATE` transaction: check the budget, then insert; SQLite admits one writer at a time, so two runs
started at the same moment cannot both spend the last budget.

The budget follows the people, not the file name: each row keeps a bottom-k sketch of keyed hashes of the
clients of that year (`ethics._sketch`, key stored in the ledger, never an id), and a run is charged against
every earlier row of the same year whose dataset id is the same or whose clients it largely shares (estimated
overlap of the smaller set >= `overlap_threshold`). An edited copy or a new dataset id does not reset it.
The ledger holds keyed hashes of pseudonyms: keep it where the records are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

from ethics._sketch import overlap
from ethics.errors import BudgetExhausted, ConfigError, PolicyRefusal

__all__ = ["Ledger", "ChargeRequest", "YearState", "default_ledger_path", "MSG_EXHAUSTED", "MSG_TAMPERED"]

MSG_TAMPERED = (
    "Ledger {path} fails its hash-chain check ({problem}); spent budget may be hidden, so nothing is "
    "charged or released. Run `wijksignaal ledger verify --ledger {path}` and restore the ledger."
)

MSG_EXHAUSTED = (
    "Privacy budget exhausted for dataset '{dataset}', reference year {year}: this run needs "
    "epsilon {need} but only {remaining} of {total} remains ({spent} spent by {runs} earlier run(s) "
    "on the same children). Nothing was released or written."
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS charges (
  seq INTEGER PRIMARY KEY, charged_at TEXT NOT NULL, dataset_id TEXT NOT NULL, year INTEGER NOT NULL,
  epsilon TEXT NOT NULL, total TEXT NOT NULL, related TEXT NOT NULL, sketch TEXT NOT NULL,
  synthetic INTEGER NOT NULL, note TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
"""
_FIELDS = (
    "seq",
    "charged_at",
    "dataset_id",
    "year",
    "epsilon",
    "total",
    "related",
    "sketch",
    "synthetic",
    "note",
    "prev_hash",
)


def default_ledger_path(demo: bool = False) -> Path:
    """The ledger under platformdirs' user_data_dir('wijksignaal'); a separate one for SYNTHETIC demos."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("wijksignaal")) / ("demo-ledger-SYNTHETIC.sqlite" if demo else "ledger.sqlite")


@dataclass(frozen=True)
class ChargeRequest:
    """What one run wants to spend on one dataset and reference year, with the sketch of its children."""

    dataset_id: str
    year: int
    epsilon: Fraction
    sketch: tuple[int, ...]


@dataclass(frozen=True)
class YearState:
    """Budget of one dataset and year before and after a charge (or as shown)."""

    dataset_id: str
    year: int
    total: Fraction
    spent_before: Fraction
    spent_after: Fraction
    related_runs: int

    @property
    def remaining(self) -> Fraction:
        """Budget left after this charge."""
        return self.total - self.spent_after

    def as_dict(self) -> dict[str, object]:
        """Exact values as strings, for audit.json."""
        return {
            "dataset_id": self.dataset_id,
            "year": self.year,
            "total": str(self.total),
            "spent_before": str(self.spent_before),
            "spent_after": str(self.spent_after),
            "remaining": str(self.remaining),
            "earlier_runs_on_same_children": self.related_runs,
        }


def _row_hash(row: dict[str, object]) -> str:
    canonical = json.dumps({k: row[k] for k in _FIELDS}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class Ledger:
    """A ledger file; created with a fresh secret sketch key on first use."""

    def __init__(
        self, path: Path, overlap_threshold: Fraction = Fraction(1, 2), sketch_size: int = 256
    ) -> None:
        self.path = Path(path)
        self.overlap_threshold, self.sketch_size = overlap_threshold, sketch_size
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as con:
                con.executescript(_SCHEMA)
                con.execute("BEGIN IMMEDIATE")
                con.execute("INSERT OR IGNORE INTO meta VALUES ('sketch_key', ?)", (secrets.token_hex(16),))
                con.execute("COMMIT")
            os.chmod(self.path, 0o600)
        except (sqlite3.Error, OSError) as exc:
            raise ConfigError(
                f"Ledger {self.path} cannot be opened or created ({type(exc).__name__}). "
                "Pass a writable file with --ledger."
            ) from None
        self.sketch_key = bytes.fromhex(self._meta("sketch_key") or "")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            yield con
        finally:
            con.close()

    def _meta(self, key: str) -> str | None:
        with self._connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _genesis(self) -> str:
        return hashlib.sha256(b"wijksignaal-ledger:" + self.sketch_key).hexdigest()

    @staticmethod
    def _rows(con: sqlite3.Connection, year: int | None = None) -> list[dict[str, object]]:
        con.row_factory = sqlite3.Row
        sql = "SELECT * FROM charges" + (" WHERE year = ?" if year is not None else "") + " ORDER BY seq"
        rows = [dict(r) for r in con.execute(sql, () if year is None else (year,))]
        con.row_factory = None
        return rows

    def _related(self, rows: list[dict[str, object]], req: ChargeRequest) -> list[dict[str, object]]:
        def shares(row: dict[str, object]) -> bool:
            if row["dataset_id"] == req.dataset_id:
                return True
            theirs = tuple(int(h, 16) for h in json.loads(str(row["sketch"])))
            return overlap(req.sketch, theirs, self.sketch_size) >= self.overlap_threshold

        return [r for r in rows if r["year"] == req.year and shares(r)]

    def state(self, req: ChargeRequest, total: Fraction) -> YearState:
        """The budget this request would be charged against (read-only)."""
        with self._connect() as con:
            related = self._related(self._rows(con, req.year), req)
        spent = sum((Fraction(str(r["epsilon"])) for r in related), Fraction(0))
        return YearState(req.dataset_id, req.year, total, spent, spent, len(related))

    def charge(
        self, requests: list[ChargeRequest], total: Fraction, synthetic: bool = False, note: str = ""
    ) -> list[YearState]:
        """Check and record every request in one transaction; raise BudgetExhausted (nothing recorded)."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                problems = self._chain_problems(con)
                if problems:
                    raise PolicyRefusal(MSG_TAMPERED.format(path=self.path, problem=problems[0]))
                states = [self._charge_one(con, req, total, synthetic, note) for req in requests]
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        return states

    def _charge_one(
        self, con: sqlite3.Connection, req: ChargeRequest, total: Fraction, synthetic: bool, note: str
    ) -> YearState:
        related = self._related(self._rows(con, req.year), req)
        spent = sum((Fraction(str(r["epsilon"])) for r in related), Fraction(0))
        if spent + req.epsilon > total:
            raise BudgetExhausted(
                MSG_EXHAUSTED.format(
                    dataset=req.dataset_id,
                    year=req.year,
                    need=req.epsilon,
                    remaining=max(total - spent, Fraction(0)),
                    total=total,
                    spent=spent,
                    runs=len(related),
                )
            )
        head = con.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        last = con.execute("SELECT COALESCE(MAX(seq), 0) FROM charges").fetchone()[0]
        row: dict[str, object] = {
            "seq": last + 1,
            "charged_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "dataset_id": req.dataset_id,
            "year": req.year,
            "epsilon": str(req.epsilon),
            "total": str(total),
            "related": json.dumps([r["seq"] for r in related]),
            "synthetic": int(synthetic),
            "note": note,
            "sketch": json.dumps([f"{h:016x}" for h in req.sketch]),
            "prev_hash": head[0] if head else self._genesis(),
        }
        row["hash"] = _row_hash(row)
        con.execute(
            f"INSERT INTO charges VALUES ({', '.join('?' * (len(_FIELDS) + 1))})",
            [row[k] for k in (*_FIELDS, "hash")],
        )
        con.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)", (row["hash"],))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('rows', ?)", (str(row["seq"]),))
        return YearState(req.dataset_id, req.year, total, spent, spent + req.epsilon, len(related))

    def show(self, total: Fraction) -> list[YearState]:
        """Per dataset and year: what a new run on that dataset's latest children would find spent."""
        with self._connect() as con:
            rows = self._rows(con)
        latest = {(r["dataset_id"], r["year"]): r for r in rows}
        out = []
        for (dataset, year), row in sorted(latest.items(), key=lambda kv: (str(kv[0][0]), int(kv[0][1]))):
            sketch = tuple(int(h, 16) for h in json.loads(str(row["sketch"])))
            out.append(self.state(ChargeRequest(str(dataset), int(year), Fraction(0), sketch), total))
        return out

    def count(self) -> int:
        """Number of charges recorded."""
        with self._connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM charges").fetchone()[0])

    def verify(self) -> list[str]:
        """Problems of the hash chain (empty when intact): edited, inserted or deleted rows."""
        with self._connect() as con:
            return self._chain_problems(con)

    def _chain_problems(self, con: sqlite3.Connection) -> list[str]:
        rows = self._rows(con)
        head = con.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        count = con.execute("SELECT value FROM meta WHERE key = 'rows'").fetchone()
        problems: list[str] = []
        prev = self._genesis()
        for i, row in enumerate(rows, start=1):
            if row["seq"] != i:
                problems.append(f"row {i}: sequence number {row['seq']} (a row before it was deleted)")
            if row["prev_hash"] != prev:
                problems.append(
                    f"row {row['seq']}: does not follow the previous row (a row was deleted or inserted)"
                )
            if _row_hash(row) != row["hash"]:
                problems.append(f"row {row['seq']}: its contents do not match its hash (the row was edited)")
            prev = str(row["hash"])
        if rows and (head is None or head[0] != prev or count is None or int(count[0]) != len(rows)):
            problems.append("the last row does not match the ledger head (the last row was deleted or added)")
        if not rows and head is not None:
            problems.append("the ledger head names rows that are missing (rows were deleted)")
        return problems
