"""The persistent privacy-budget ledger: SQLite (WAL), exact epsilons, a hash chain, a witness, keyed sketches.

One row per charge of one dataset, reference year and care domain (jeugd, wmo: each domain has its own
budget per reference year; a row of another domain than jeugd names it in its `domain` column and its hash).
Epsilons are stored as exact fractions ("3/10").
Each row stores the hash of the previous row (the first one a genesis hash of the ledger's random id), and
the head hash and row count are kept in `meta`, so `verify()` detects an edited, inserted or deleted row. A
charge is one `BEGIN IMMEDIATE` transaction: check the budget, then insert; SQLite admits one writer at a
time, so two runs started at the same moment cannot both spend the last budget.

Integrity beyond the file itself:
- The total budget is fixed when the ledger is first charged: it is the `total` of row 1 (inside the hash
  chain). A later policy with a larger `total_epsilon` cannot raise it; a smaller one applies to its own run.
- A witness file beside the ledger (`LEDGER.witness`) holds the ledger id, the row count and the head hash
  after every charge, and each run's audit.json records the row and head of its charges. `verify()` compares
  the chain with the witness (and `verify(audits=...)` with audit.json files), so deleting the last rows and
  rewriting the head (rewinding), wiping every row, or replacing the ledger by a fresh one is detected.
- The sketch key lives apart from the ledger: in a key file `LEDGER.key` (owner-only, 0600) or derived from
  a secret the user supplies in the environment variable `WIJKSIGNAAL_LEDGER_SECRET`. The ledger holds only
  keyed hashes, so the ledger alone does not let anyone test candidate client ids (such as BSN-like numbers).
- What a local ledger cannot prevent (stated in every audit): a user who deletes the ledger together with its
  witness (and key), or who points `--ledger` at a new file, starts from a fresh budget; only the audit.json
  files of earlier runs (kept elsewhere, for example with the ethical officer) still show the spend.

The budget follows the people, not the file name: each row keeps a bottom-k sketch of keyed hashes of the
clients of that year (`ethics._sketch`, never an id), and a run is charged against every earlier row of the
same year whose dataset id is the same or that shares children with it (`CROSS_REGISTER_RULE`).

Per reference year, the gate keeps what a charge released (`store_release`, table `releases`: public, noisy
values) and a later run on the same children reuses it (`earlier_release`) instead of charging and noising
that year again, so a rerun with one more year pays for the new year only and noise cannot be averaged away.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
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

__all__ = ["Ledger", "ChargeRequest", "YearState", "default_ledger_path", "MSG_EXHAUSTED", "MSG_TAMPERED",
           "SECRET_ENV", "CROSS_REGISTER_RULE", "CANNOT_PREVENT"]

SECRET_ENV = "WIJKSIGNAAL_LEDGER_SECRET"
CROSS_REGISTER_RULE = (
    "Strict (the default, overlap_threshold 0): a run is charged against every earlier run of the same reference "
    "year with the same dataset id, or whose keyed sketch shares at least one child with this run's sketch; so "
    "an edited copy, a register with children added or removed, or one that shares any part of its children "
    "draws on the same budget. The sketches hold the {k} smallest keyed hashes of each register's children: "
    "exact when both registers have fewer than {k} children. For larger ones about c * {k} / n of the c shared "
    "children are expected in both sketches (n the larger register's size), so a shared part is found with "
    "probability 1 - exp(-c * {k} / n): for two registers of equal size about 92% when they share 1% of their "
    "children, 99.4% at 2%, 1 - 3e-6 at 5%; it may be missed when they share only a handful of children. "
    "Not protected: the budget is per group of overlapping registers, not per child "
    "(a child in two registers that are not recognised as overlapping has both budgets spent on it, so its "
    "total privacy loss can exceed the total); a "
    "new ledger file, or a different key or secret, does not see earlier runs. With a threshold t > 0 "
    "(lenient), only registers sharing at least the share t of the smaller one's children are related."
)
CANNOT_PREVENT = (
    "A local ledger cannot prevent a user who deletes the ledger together with its witness file, or who passes "
    "a new --ledger path, from starting over with a fresh budget; a deleted key file (or a different secret) "
    "makes the ledger refuse to charge rather than forget. Keep the audit.json of every run (it records the "
    "ledger id, row and chain head of each charge) where the user cannot change it, for example with the "
    "ethical officer, and check it with `wijksignaal ledger verify --audit audit.json`."
)

MSG_TAMPERED = (
    "Ledger {path} fails its hash-chain check ({problem}); spent budget may be hidden, so nothing is "
    "charged or released. Run `wijksignaal ledger verify --ledger {path}` and restore the ledger."
)

MSG_EXHAUSTED = (
    "Privacy budget exhausted for dataset '{dataset}'{domain}, reference year {year}: this run needs "
    "epsilon {need} but only {remaining} of {total} remains ({spent} spent by {runs} earlier run(s) "
    "on the same children). Nothing was released or written."
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS charges (
  seq INTEGER PRIMARY KEY, charged_at TEXT NOT NULL, dataset_id TEXT NOT NULL, year INTEGER NOT NULL,
  epsilon TEXT NOT NULL, total TEXT NOT NULL, related TEXT NOT NULL, sketch TEXT NOT NULL,
  synthetic INTEGER NOT NULL, note TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS releases (charge_seq INTEGER PRIMARY KEY, scope TEXT NOT NULL, rows TEXT NOT NULL);
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
    domain: str = "jeugd"


@dataclass(frozen=True)
class YearState:
    """Budget of one dataset and year before and after a charge (or as shown)."""

    dataset_id: str
    year: int
    total: Fraction
    spent_before: Fraction
    spent_after: Fraction
    related_runs: int
    ledger_row: int | None = None
    chain_head: str | None = None
    domain: str = "jeugd"

    @property
    def remaining(self) -> Fraction:
        """Budget left after this charge."""
        return self.total - self.spent_after

    def as_dict(self) -> dict[str, object]:
        """Exact values as strings, for audit.json."""
        return {
            "dataset_id": self.dataset_id,
            **({} if self.domain == "jeugd" else {"domain": self.domain}),
            "year": self.year,
            "total": str(self.total),
            "spent_before": str(self.spent_before),
            "spent_after": str(self.spent_after),
            "remaining": str(self.remaining),
            "earlier_runs_on_same_children": self.related_runs,
        }


def _row_hash(row: dict[str, object]) -> str:
    """The row's hash; the domain is hashed when it is not jeugd (so rows written before domains keep theirs)."""
    fields = {k: row[k] for k in _FIELDS}
    if row.get("domain", "jeugd") != "jeugd":
        fields["domain"] = row["domain"]
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _atomic_write(path: Path, text: str, mode: int = 0o600) -> None:
    """Write a small state file beside the ledger: a temporary file, fsync, then rename over the old one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class Ledger:
    """A ledger file with its witness and key beside it; created with a fresh ledger id on first use.

    `overlap_threshold` 0 (the default) is the strict cross-register rule: any shared child relates two runs.
    """

    def __init__(
        self, path: Path, overlap_threshold: Fraction = Fraction(0), sketch_size: int = 256
    ) -> None:
        self.path = Path(path)
        self.witness_path = self.path.with_name(self.path.name + ".witness")
        self.key_path = self.path.with_name(self.path.name + ".key")
        self.overlap_threshold, self.sketch_size = overlap_threshold, sketch_size
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            if new:
                self._refuse_if_witnessed()
            with self._connect() as con:
                con.executescript(_SCHEMA)
                con.execute("BEGIN IMMEDIATE")
                try:
                    columns = {r[1] for r in con.execute("PRAGMA table_info(charges)")}
                    if "domain" not in columns:  # a ledger of before domains: its rows are youth care's
                        con.execute("ALTER TABLE charges ADD COLUMN domain TEXT NOT NULL DEFAULT 'jeugd'")
                    self.sketch_key = self._setup(con)
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
            os.chmod(self.path, 0o600)
        except (sqlite3.Error, OSError) as exc:
            raise ConfigError(
                f"Ledger {self.path} cannot be opened or created ({type(exc).__name__}). "
                "Pass a writable file with --ledger."
            ) from None

    # -- set-up: ledger id, genesis, key ---------------------------------------------------------------
    def _refuse_if_witnessed(self) -> None:
        witness = self._read_witness()
        if witness is not None and int(witness.get("rows", 0)) > 0:
            raise PolicyRefusal(
                f"Ledger {self.path} is missing, but its witness {self.witness_path} records "
                f"{witness.get('rows')} charge(s): the ledger was deleted or moved, and starting a new one would "
                "reset the spent privacy budget. Restore the ledger file; nothing was charged or released."
            )

    def _setup(self, con: sqlite3.Connection) -> bytes:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if "ledger_id" not in meta:
            ledger_id = secrets.token_hex(16)
            legacy = meta.get("sketch_key")
            if legacy:  # a ledger of an earlier version kept its key inside: move it out, keep its chain
                key = bytes.fromhex(legacy)
                genesis = hashlib.sha256(b"wijksignaal-ledger:" + key).hexdigest()
                if not self.key_path.exists():
                    _atomic_write(self.key_path, legacy + "\n")
                con.execute("DELETE FROM meta WHERE key = 'sketch_key'")
            else:
                genesis = hashlib.sha256(b"wijksignaal-ledger:" + ledger_id.encode()).hexdigest()
                key = self._new_key(ledger_id)
            con.execute("INSERT INTO meta VALUES ('ledger_id', ?)", (ledger_id,))
            con.execute("INSERT INTO meta VALUES ('genesis', ?)", (genesis,))
            con.execute("INSERT INTO meta VALUES ('key_check', ?)", (self._key_check(key, ledger_id),))
            self.ledger_id, self.genesis = ledger_id, genesis
            rows = self._rows(con) if legacy else []  # written under the write lock: no run can be ahead
            self._write_witness(len(rows), str(rows[-1]["hash"]) if rows else genesis)
            return key
        self.ledger_id, self.genesis = meta["ledger_id"], meta["genesis"]
        key = self._existing_key(self.ledger_id)
        if not hmac.compare_digest(self._key_check(key, self.ledger_id), meta.get("key_check", "")):
            raise ConfigError(
                f"Ledger {self.path}: the sketch key ({self.key_source}) is not the one this ledger was created "
                "with, so earlier runs on the same children could not be recognised. Restore the key file or "
                f"set {SECRET_ENV} to the secret used before."
            )
        return key

    @property
    def key_source(self) -> str:
        """Where the sketch key comes from, for messages and the audit (never the key)."""
        if os.environ.get(SECRET_ENV):
            return f"derived from the secret in {SECRET_ENV}"
        return f"key file {self.key_path} (owner-only, 0600)"

    @staticmethod
    def _derive(secret: str, ledger_id: str) -> bytes:
        return hashlib.scrypt(secret.encode(), salt=b"wijksignaal-ledger:" + ledger_id.encode(),
                              n=2**14, r=8, p=1, dklen=16)

    def _new_key(self, ledger_id: str) -> bytes:
        secret = os.environ.get(SECRET_ENV)
        if secret:
            return self._derive(secret, ledger_id)
        if self.key_path.exists():  # an orphaned key file (the ledger was deleted with its witness): reuse it
            return self._existing_key(ledger_id)
        key = secrets.token_bytes(16)
        _atomic_write(self.key_path, key.hex() + "\n")
        return key

    def _existing_key(self, ledger_id: str) -> bytes:
        secret = os.environ.get(SECRET_ENV)
        if secret:
            return self._derive(secret, ledger_id)
        try:
            if self.key_path.stat().st_mode & 0o077:
                os.chmod(self.key_path, 0o600)
            key = bytes.fromhex(self.key_path.read_text(encoding="utf-8").strip())
        except FileNotFoundError:
            raise ConfigError(
                f"Ledger {self.path}: its key file {self.key_path} is missing. Without it earlier runs on the "
                f"same children cannot be recognised, so nothing is charged. Restore the key file (or set "
                f"{SECRET_ENV} if the ledger was created with a secret)."
            ) from None
        except ValueError:
            raise ConfigError(f"Ledger key file {self.key_path} is not a key written by wijksignaal.") from None
        if len(key) != 16:
            raise ConfigError(f"Ledger key file {self.key_path} is not a key written by wijksignaal.")
        return key

    @staticmethod
    def _key_check(key: bytes, ledger_id: str) -> str:
        return hmac.new(key, b"wijksignaal-ledger-key-check:" + ledger_id.encode(), hashlib.sha256).hexdigest()

    # -- witness -----------------------------------------------------------------------------------------
    def _read_witness(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.witness_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"unreadable": True}
        return data if isinstance(data, dict) else {"unreadable": True}

    def _write_witness(self, rows: int, head: str) -> None:
        witness = {"tool": "wijksignaal-ledger-witness", "ledger": self.path.name, "ledger_id": self.ledger_id,
                   "rows": rows, "head": head, "updated": datetime.now(UTC).replace(microsecond=0).isoformat()}
        _atomic_write(self.witness_path, json.dumps(witness, indent=1) + "\n", mode=0o644)

    def _witness_problems(self, rows: list[dict[str, object]]) -> list[str]:
        witness = self._read_witness()
        if witness is None:
            return ([f"the witness file {self.witness_path.name} is missing (deleted?), so rewinding cannot be "
                     "ruled out"] if rows else [])
        if witness.get("unreadable"):
            return [f"the witness file {self.witness_path.name} cannot be read"]
        if witness.get("ledger_id") != self.ledger_id:
            return ["the witness belongs to another ledger: this ledger was replaced by a new one"]
        try:
            n, head = int(str(witness.get("rows"))), str(witness.get("head"))
        except ValueError:
            return [f"the witness file {self.witness_path.name} cannot be read"]
        if n > len(rows):
            what = "wiped (every row removed)" if not rows else "truncated or rewound"
            return [f"the witness records {n} charge(s) but the ledger holds {len(rows)}: the ledger was {what}"]
        at = self.genesis if n == 0 else str(rows[n - 1]["hash"])
        if at != head:
            return [f"charge {n} is not the one the witness recorded: the ledger was rewound and charged again"]
        return []

    # -- connection and rows -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            yield con
        finally:
            con.close()

    def _genesis(self) -> str:
        return self.genesis

    @staticmethod
    def _rows(con: sqlite3.Connection, year: int | None = None) -> list[dict[str, object]]:
        con.row_factory = sqlite3.Row
        sql = "SELECT * FROM charges" + (" WHERE year = ?" if year is not None else "") + " ORDER BY seq"
        rows = [dict(r) for r in con.execute(sql, () if year is None else (year,))]
        con.row_factory = None
        return rows

    def _related(self, rows: list[dict[str, object]], req: ChargeRequest) -> list[dict[str, object]]:
        mine = set(req.sketch)

        def shares(row: dict[str, object]) -> bool:
            if row.get("domain", "jeugd") != req.domain:  # each domain has its own budget per year
                return False
            if row["dataset_id"] == req.dataset_id:
                return True
            theirs = tuple(int(h, 16) for h in json.loads(str(row["sketch"])))
            if self.overlap_threshold == 0:  # strict: any child in both sketches
                return not mine.isdisjoint(theirs)
            return overlap(req.sketch, theirs, self.sketch_size) >= self.overlap_threshold

        return [r for r in rows if r["year"] == req.year and shares(r)]

    @staticmethod
    def _fixed_total(con: sqlite3.Connection) -> Fraction | None:
        row = con.execute("SELECT total FROM charges WHERE seq = 1").fetchone()
        return Fraction(row[0]) if row else None

    def effective_total(self, total: Fraction) -> Fraction:
        """The budget a run with the policy's `total` gets: never more than the total fixed at creation."""
        with self._connect() as con:
            fixed = self._fixed_total(con)
        return total if fixed is None else min(fixed, total)

    def state(self, req: ChargeRequest, total: Fraction) -> YearState:
        """The budget this request would be charged against (read-only)."""
        total = self.effective_total(total)
        with self._connect() as con:
            related = self._related(self._rows(con, req.year), req)
        spent = sum((Fraction(str(r["epsilon"])) for r in related), Fraction(0))
        return YearState(req.dataset_id, req.year, total, spent, spent, len(related), domain=req.domain)

    def charge(
        self, requests: list[ChargeRequest], total: Fraction, synthetic: bool = False, note: str = ""
    ) -> list[YearState]:
        """Check and record every request in one transaction; raise BudgetExhausted (nothing recorded).

        The witness is written while the write lock is held, before the commit (and restored if the
        commit fails), so two runs cannot leave it behind the ledger.
        """
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            before = self._read_witness()
            try:
                problems = self._chain_problems(con)
                if problems:
                    raise PolicyRefusal(MSG_TAMPERED.format(path=self.path, problem=problems[0]))
                fixed = self._fixed_total(con)
                effective = total if fixed is None else min(fixed, total)
                states = [self._charge_one(con, req, effective, synthetic, note) for req in requests]
                rows = int(con.execute("SELECT COUNT(*) FROM charges").fetchone()[0])
                head = con.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
                self._write_witness(rows, head[0] if head else self.genesis)
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                if before is not None and not before.get("unreadable"):
                    with contextlib.suppress(OSError):
                        _atomic_write(self.witness_path, json.dumps(before, indent=1) + "\n", mode=0o644)
                raise
        self.last_charges = states
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
                    domain="" if req.domain == "jeugd" else f" (its {req.domain} budget)",
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
            "domain": req.domain,
        }
        row["hash"] = _row_hash(row)
        names = (*_FIELDS, "hash", "domain")
        con.execute(
            f"INSERT INTO charges ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [row[k] for k in names],
        )
        con.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)", (row["hash"],))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('rows', ?)", (str(row["seq"]),))
        return YearState(req.dataset_id, req.year, total, spent, spent + req.epsilon, len(related),
                         ledger_row=int(row["seq"]), chain_head=str(row["hash"]), domain=req.domain)

    # -- what a charge released (per reference year; reused by later runs on the same children) ------------
    def store_release(self, charge_seq: int, scope: str, rows: str) -> None:
        """Keep what the charge `charge_seq` paid for (the released rows of its year, public values) under the
        `scope` of its public keys. Outside the hash chain: deleting it only makes a later run pay again."""
        with self._connect() as con:
            con.execute("INSERT OR REPLACE INTO releases VALUES (?, ?, ?)", (charge_seq, scope, rows))

    def earlier_release(self, req: ChargeRequest, scope: str) -> tuple[int, str] | None:
        """(charge row, released rows) of the latest earlier charge of `req`'s year on the same children
        (the rule of `charge`) with a stored release of the same scope; None when there is none."""
        with self._connect() as con:
            related = self._related(self._rows(con, req.year), req)
            for row in sorted(related, key=lambda r: -int(str(r["seq"]))):
                found = con.execute("SELECT rows FROM releases WHERE charge_seq = ? AND scope = ?",
                                    (row["seq"], scope)).fetchone()
                if found:
                    return int(str(row["seq"])), str(found[0])
        return None

    def integrity(self, states: list[YearState]) -> dict[str, object]:
        """For audit.json: the ledger id, the row and chain head of each charge, where key and witness are,
        the cross-register rule and what a local ledger cannot prevent."""
        return {
            "ledger_id": self.ledger_id,
            "charges": [{"year": s.year, "row": s.ledger_row, "chain_head": s.chain_head} for s in states],
            "rows_after_run": max((s.ledger_row or 0 for s in states), default=self.count()),
            "witness": str(self.witness_path),
            "key": self.key_source,
            "total_fixed_at_creation": str(self.effective_total(Fraction(10**9))),
            "cross_register_rule": CROSS_REGISTER_RULE.format(k=self.sketch_size),
            "overlap_threshold": str(self.overlap_threshold),
            "cannot_prevent": CANNOT_PREVENT,
        }

    def show(self, total: Fraction) -> list[YearState]:
        """Per dataset and year: what a new run on that dataset's latest children would find spent."""
        with self._connect() as con:
            rows = self._rows(con)
        latest = {(r.get("domain", "jeugd"), r["dataset_id"], r["year"]): r for r in rows}
        out = []
        for (domain, dataset, year), row in sorted(latest.items(),
                                                   key=lambda kv: (str(kv[0][0]), str(kv[0][1]), int(kv[0][2]))):
            sketch = tuple(int(h, 16) for h in json.loads(str(row["sketch"])))
            out.append(self.state(ChargeRequest(str(dataset), int(year), Fraction(0), sketch, str(domain)), total))
        return out

    def count(self) -> int:
        """Number of charges recorded."""
        with self._connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM charges").fetchone()[0])

    def verify(self, audits: list[dict[str, object]] | None = None) -> list[str]:
        """Problems (empty when intact): edited, inserted or deleted rows; a ledger behind its witness
        (truncated, rewound, wiped or replaced); charges recorded in the given audit.json sections that the
        chain no longer holds."""
        with self._connect() as con:
            rows = self._rows(con)
            problems = self._chain_problems(con)
        for i, audit in enumerate(audits or [], start=1):
            problems += self._audit_problems(audit, rows, i)
        return problems

    def compared_against(self) -> str:
        """What `verify` compared the chain with, in words."""
        witness = self._read_witness() or {}
        seen = (f"witness {self.witness_path} ({witness.get('rows')} charge(s), head "
                f"{str(witness.get('head'))[:12]}...)" if "rows" in witness else f"no witness at {self.witness_path}")
        return f"the chain from its genesis, the head in the ledger's meta table and the {seen}"

    def _audit_problems(self, integrity: dict[str, object], rows: list[dict[str, object]], i: int) -> list[str]:
        if integrity.get("ledger_id") != self.ledger_id:
            return [f"audit {i}: was charged in another ledger (id {str(integrity.get('ledger_id'))[:8]}...)"]
        problems = []
        for charge in integrity.get("charges", []):  # type: ignore[attr-defined]
            n, head = int(charge["row"]), str(charge["chain_head"])
            if n > len(rows):
                problems.append(f"audit {i}: charge {n} is missing from the ledger (truncated, rewound or wiped)")
            elif rows[n - 1]["hash"] != head:
                problems.append(f"audit {i}: charge {n} differs from the one the run recorded (rewound)")
        return problems

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
        return problems + self._witness_problems(rows)
