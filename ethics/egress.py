"""The only writer: every table passes the egress checks, then all outputs are written atomically.

A refused check raises `EgressBlocked` (exit 4) before anything is written. Outputs go to a temporary
directory beside the target, which is renamed into place only when every file is written, so a failed or
refused run leaves no partial output directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ethics.errors import EgressBlocked
from ethics.policy import Policy

__all__ = ["Table", "Document", "CheckResult", "STATUSES", "check_table", "check_all", "publish",
           "elfproef"]

STATUSES = ("ok", "secret", "too_small")
REGION_KEY = r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2})$"
POSTCODE6 = r"^\d{4}\s?[A-Za-z]{2}$"
DATE = r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[-/]\d{1,2}[-/]\d{4}$"
MSG_BLOCKED = "Egress blocked for {table}: {rule}. Nothing was written."


@dataclass(frozen=True)
class Table:
    """An output table. `withheld` lists the value columns that must be empty when status is not ok."""

    name: str
    frame: pl.DataFrame
    withheld: tuple[str, ...] = ()
    key: str = "region_code"
    from_records: bool = False
    gate_token: object | None = None


@dataclass(frozen=True)
class Document:
    """A rendered output (JSON or HTML) built only from tables that passed the checks."""

    name: str
    text: str


@dataclass(frozen=True)
class CheckResult:
    """One egress check that ran, on which table, and its outcome (always 'pass' when written)."""

    table: str
    check: str
    outcome: str = "pass"
    detail: dict[str, int] = field(default_factory=dict)


def elfproef(digits: str) -> bool:
    """True when a 9-digit string passes the BSN eleven test.

    >>> elfproef("111222333"), elfproef("123456789")
    (True, False)
    """
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0 and digits != "000000000"


def _block(table: str, rule: str) -> EgressBlocked:
    return EgressBlocked(MSG_BLOCKED.format(table=table, rule=rule))


def _check_keys(t: Table, policy: Policy) -> CheckResult:
    if t.key not in t.frame.columns:
        raise _block(t.name, f"it has no '{t.key}' column, so it is not keyed by region")
    keys = t.frame[t.key].cast(pl.String)
    bad = t.frame.with_row_index("row").filter(~keys.str.contains(REGION_KEY).fill_null(False))
    if len(bad):
        raise _block(t.name, f"row {bad['row'][0] + 1} is keyed below wijk level or not by a CBS region code "
                             "(only WK, GM and NL codes may leave)")
    if "level" in t.frame.columns:
        levels = set(t.frame["level"].drop_nulls().unique().to_list())
        if not levels <= policy.allowed_levels:
            raise _block(t.name, f"level {sorted(levels - policy.allowed_levels)} is not allowed by the policy")
    return CheckResult(t.name, "region keys are WK/GM/NL codes at allowed levels", detail={"rows": t.frame.height})


def _check_columns(t: Table, policy: Policy) -> CheckResult:
    for col in t.frame.columns:
        if policy.identifiers.is_forbidden(col):
            raise _block(t.name, f"column '{col}' has a forbidden name (a direct identifier)")
    return CheckResult(t.name, "no forbidden column names")


def _pattern_frame(t: Table) -> pl.DataFrame:
    """The cells searched for identifier patterns: euro amounts released by the gate are money, not ids."""
    frame = t.frame
    if t.from_records and {"measure", "value"} <= set(frame.columns):
        euros = pl.col("measure").cast(pl.String).str.ends_with("_eur")
        frame = frame.with_columns(value=pl.when(euros).then(None).otherwise(pl.col("value")))
    return frame


def _check_values(t: Table, policy: Policy) -> CheckResult:
    ident = policy.identifiers
    frame = _pattern_frame(t)
    for col, dtype in frame.schema.items():
        if dtype == pl.String:
            values = frame[col].drop_nulls().str.strip_chars()
        elif dtype.is_integer():
            values = frame[col].drop_nulls().cast(pl.String)
        else:
            continue
        if ident.check_bsn_elfproef and any(elfproef(v) for v in values.filter(values.str.contains(r"^\d{9}$"))):
            raise _block(t.name, f"column '{col}' holds a value that looks like a BSN (9 digits, elfproef)")
        if ident.check_postcode6 and values.str.contains(POSTCODE6).any():
            raise _block(t.name, f"column '{col}' holds a value that looks like a 6-character postcode")
        if ident.check_dates_of_birth and values.str.contains(DATE).any():
            raise _block(t.name, f"column '{col}' holds an exact date (possibly a date of birth)")
    return CheckResult(t.name, "no identifier-like values (BSN, postcode, date)")


def _check_status(t: Table) -> CheckResult:
    if "status" not in t.frame.columns:
        return CheckResult(t.name, "no status column: nothing withheld")
    unknown = set(t.frame["status"].unique().to_list()) - set(STATUSES)
    if unknown:
        raise _block(t.name, f"status must be one of {', '.join(STATUSES)}; found {sorted(map(str, unknown))}")
    withheld = t.frame.filter(pl.col("status") != "ok")
    for col in t.withheld:
        if withheld[col].is_not_null().any():
            raise _block(t.name, f"column '{col}' has a value in a row whose status is not ok "
                                 "(withheld values must be empty, never 0)")
    return CheckResult(t.name, "withheld cells are empty", detail={"withheld_rows": withheld.height})


def _check_gate(t: Table) -> CheckResult:
    from ethics.gate import GateToken

    token = t.gate_token
    if not (isinstance(token, GateToken) and token.covers(t.frame)):
        raise _block(t.name, "it holds counts derived from personal records that did not pass the privacy gate "
                             "(no gate token, or the table changed after the gate)")
    return CheckResult(t.name, "derived from records only through the privacy gate (token matches)")


def _check_disclosure(t: Table, policy: Policy) -> CheckResult:
    from ethics.disclosure import violations

    bad = violations(t.frame.with_row_index("_row"), policy.disclosure)
    if bad.height:
        rule = policy.disclosure
        raise _block(t.name, f"row {bad['_row'][0] + 1} releases a count with status ok below "
                             f"{rule.min_released_count} or off the multiple of {rule.rounding_base}")
    return CheckResult(t.name, "released counts follow the disclosure rule", detail={"rows": t.frame.height})


def check_table(t: Table, policy: Policy) -> list[CheckResult]:
    """Run every egress check on one table; raise `EgressBlocked` on the first failure."""
    gate = [_check_gate(t), _check_disclosure(t, policy)] if t.from_records else []
    return [*gate, _check_keys(t, policy), _check_columns(t, policy), _check_values(t, policy), _check_status(t)]


def check_all(tables: list[Table], policy: Policy) -> list[CheckResult]:
    """Check every table; the results go into audit.json."""
    return [r for t in tables for r in check_table(t, policy)]


def _write(item: Table | Document, folder: Path) -> None:
    path = folder / item.name
    if isinstance(item, Document):
        path.write_text(item.text, encoding="utf-8")
    elif item.name.endswith(".parquet"):
        item.frame.write_parquet(path)
    else:
        item.frame.write_csv(path)


def publish(tables: list[Table], documents: list[Document], policy: Policy, out_dir: Path) -> list[Path]:
    """Check every table, then write tables and documents into `out_dir` atomically."""
    check_all(tables, policy)
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for item in [*tables, *documents]:
            _write(item, tmp)
        _swap_into_place(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted(out_dir.iterdir())


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    os.chmod(tmp, 0o755)
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)
