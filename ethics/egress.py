"""The only writer: every table and document passes the egress checks, then all outputs are written atomically.

A refused check raises `EgressBlocked` (exit 4) before anything is written. Documents (audit.json, the HTML
pages) are scanned for identifier-like values as the tables are.

The output folder (`--out`) is never a place where a user's files can be lost:
- it is replaced only when it does not exist, is empty, or holds wijksignaal's marker file
  (`.wijksignaal-output.json`, listing the files that run wrote) and nothing else than the files it lists;
  any other folder, a file, or a symbolic link is refused with exit 2 naming the path (`check_out_dir`);
- outputs go to a temporary folder beside the target (`.NAME.wijksignaal-tmp-PID-XXXX`, its marker written
  first), which is renamed into place only when every file is written; the old output folder is renamed
  aside and then only the files its marker lists are deleted;
- temporary folders of earlier runs that were killed are removed, but only those with our prefix, our
  marker and a process id that no longer runs, and only the files their marker lists;
- a read-only folder or a full disk is a usage error (exit 2) naming the path, and leaves no partial output.

Every written CSV is safe to open in a spreadsheet: a text cell that starts with `=`, `+`, `-`, `@`, a tab or
a carriage return gets a leading single quote (the OWASP rule for CSV injection), so it is shown as text and
never run as a formula. Numeric columns are written as numbers, so a genuine negative number stays a number;
a text cell that is a plain number (such as `-3` or `-1.5e3`) is not a formula and is left as it is.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ethics.errors import ConfigError, EgressBlocked
from ethics.policy import Policy

__all__ = ["Table", "Document", "CheckResult", "STATUSES", "check_table", "check_all", "check_document",
           "check_out_dir", "publish", "safe_csv_frame", "elfproef", "MARKER"]

STATUSES = ("ok", "secret", "too_small")
REGION_KEY = r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2})$"
POSTCODE6 = r"^\d{4}\s?[A-Za-z]{2}$"
DATE = r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[-/]\d{1,2}[-/]\d{4}$"
MSG_BLOCKED = "Egress blocked for {table}: {rule}. Nothing was written."
MARKER = ".wijksignaal-output.json"
TMP_INFIX = ".wijksignaal-tmp-"
OLD_INFIX = ".wijksignaal-old-"
MSG_OUT = "Output folder {path} {problem}. Nothing was written; {fix}"
FIX_OTHER = "choose a new or empty folder with --out."
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
# In documents: a 9-digit number standing alone (not part of a word, a longer number or a decimal) and a 6-character
# postcode (4 digits, 2 capital letters) standing alone. Base64 data URIs (embedded images) are skipped.
DOC_NINE_DIGITS = re.compile(r"(?<![\w.,])\d{9}(?![\w.,])")
DOC_POSTCODE6 = re.compile(r"(?<![\w/+#.-])\d{4} ?[A-Z]{2}(?![\w/+])")
# JSON keys in documents: the policy's identifier names, except generic names (a document names wijken,
# features and providers, all public), and the records' client id.
DOC_KEYS_PUBLIC = frozenset({"name", "naam", "region_name", "gemeente_name", "wijk_name", "feature_name"})
DOC_KEYS_FORBIDDEN = frozenset({"client_id", "clientid", "client"})
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


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


def _doc_strings(doc: Document) -> list[tuple[str, str]]:
    """(where, text) pieces to scan: JSON keys and string values, or the HTML without embedded images.

    In JSON, numbers are not scanned: an identifier that leaks is text (a client id is a string), while
    numbers are counts and euros (a gemeente's euros can have 9 digits).
    """
    if doc.name.endswith(".json"):
        try:
            data = json.loads(doc.text)
        except ValueError:
            return [(doc.name, doc.text)]
        out: list[tuple[str, str]] = []

        def walk(node: object, where: str) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    out.append((f"{where}.{k}", "key:" + str(k)))
                    walk(v, f"{where}.{k}")
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, f"{where}[{i}]")
            elif isinstance(node, str):
                out.append((where, node))

        walk(data, "$")
        return out
    return [(doc.name, DATA_URI.sub(" ", doc.text))]


def _scan_text(text: str) -> tuple[bool, bool]:
    """(a BSN-like number, a postcode) in a long text, with the same rules as DOC_NINE_DIGITS and DOC_POSTCODE6
    but run by polars' regex engine (Python's takes seconds on a 25 MB page of every gemeente)."""
    series = pl.Series([text])
    # the tokens (runs of [\w.,]) that hold 9 digits in a row; a 9-digit number standing alone is a whole token
    tokens = series.str.extract_all(r"[\w.,]*\d{9}[\w.,]*").explode().drop_nulls()
    nine = tokens.filter(tokens.str.contains(r"^\d{9}$")).unique().to_list()
    postcode = bool(series.str.contains(r"(?:^|[^\w/+#.-])\d{4} ?[A-Z]{2}(?:$|[^\w/+])").item())
    return any(elfproef(n) for n in nine), postcode


def check_document(doc: Document, policy: Policy) -> CheckResult:
    """Scan a written document (audit.json, an HTML page) for identifier-like values; raise EgressBlocked.

    Refused: a JSON key that is a forbidden identifier name (bsn, address, date_of_birth, client_id, ...;
    `name` is allowed: documents name wijken, features and providers), a 9-digit number
    that passes the BSN elfproef, a 6-character postcode. The message names the place, never the value.
    Dates are not scanned in documents: run dates and data dates are legitimate there.
    """
    ident = policy.identifiers
    for where, text in _doc_strings(doc):
        if text.startswith("key:"):
            key = text[4:].strip().lower()
            if key in DOC_KEYS_FORBIDDEN or (key not in DOC_KEYS_PUBLIC and ident.is_forbidden(key)):
                raise _block(doc.name, f"{where} is named like a direct identifier")
            continue
        bsn, postcode = _scan_text(text) if len(text) > 10_000 else (
            any(elfproef(m) for m in DOC_NINE_DIGITS.findall(text)), DOC_POSTCODE6.search(text) is not None)
        if ident.check_bsn_elfproef and bsn:
            raise _block(doc.name, f"{where} holds a number that looks like a BSN (9 digits, elfproef)")
        if ident.check_postcode6 and postcode:
            raise _block(doc.name, f"{where} holds a value that looks like a 6-character postcode")
    return CheckResult(doc.name, "document holds no identifier-like values (BSN, postcode, identifier keys)")


def safe_csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would execute get a leading single quote; numbers are left as numbers.

    >>> safe_csv_frame(pl.DataFrame({"name": ["=1+1", "@SUM(A1)", "-3", "Zuid"], "n": [-1, 2, 3, 4]})).rows()
    [("'=1+1", -1), ("'@SUM(A1)", 2), ('-3', 3), ('Zuid', 4)]
    """
    text = [c for c, t in frame.schema.items() if t in (pl.String, pl.Categorical) or isinstance(t, pl.Enum)]
    if not text:
        return frame
    exprs = []
    for col in text:
        value = pl.col(col).cast(pl.String)
        risky = value.str.starts_with(FORMULA_START[0])
        for ch in FORMULA_START[1:]:
            risky = risky | value.str.starts_with(ch)
        risky = risky & ~value.str.contains(PLAIN_NUMBER)
        exprs.append(pl.when(risky).then(pl.lit("'") + value).otherwise(value).alias(col))
    return frame.with_columns(exprs)


def _refuse(path: Path, problem: str, fix: str = FIX_OTHER) -> ConfigError:
    return ConfigError(MSG_OUT.format(path=path, problem=problem, fix=fix))


def _read_marker(folder: Path) -> list[str] | None:
    """The file names wijksignaal's marker in `folder` lists, or None when there is no valid marker."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) and data.get("tool") == "wijksignaal" else None
    if not isinstance(files, list) or not all(isinstance(f, str) and f and "/" not in f and f not in {".", ".."}
                                              for f in files):
        return None
    return files


def _absolute(out_dir: Path) -> Path:
    """The path as given, made absolute without following a symbolic link at its end."""
    return Path(os.path.abspath(os.fspath(out_dir)))


def check_out_dir(out_dir: Path) -> Path:
    """The absolute output folder when wijksignaal may write it; else ConfigError (exit 2) naming it.

    Allowed: a path that does not exist yet, an empty folder, or a folder holding wijksignaal's marker and
    only the files it lists. Refused: a symbolic link (even to a folder), a file, any other folder.
    """
    out = _absolute(out_dir)
    if out.is_symlink():
        raise _refuse(out, "is a symbolic link; wijksignaal does not write through links",
                      "pass the real folder (or a new one) with --out.")
    if not out.exists():
        return out
    if not out.is_dir():
        raise _refuse(out, "is a file, not a folder; wijksignaal never replaces a file")
    try:
        entries = {p.name for p in out.iterdir()}
    except OSError as exc:
        raise _refuse(out, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not entries:
        return out
    listed = _read_marker(out)
    if listed is None:
        raise _refuse(out, f"holds {len(entries)} file(s) or folder(s) that wijksignaal did not write "
                           "(it has no wijksignaal marker); wijksignaal replaces only an empty folder or "
                           "one it wrote itself")
    foreign = entries - set(listed) - {MARKER}
    if foreign:
        raise _refuse(out, f"holds {len(foreign)} file(s) or folder(s) that wijksignaal did not write "
                           "beside its earlier output; move them elsewhere first")
    return out


def _remove_listed(folder: Path) -> None:
    """Delete only the files the marker in `folder` lists (and the marker), then the folder if it is empty."""
    listed = _read_marker(folder)
    if listed is None:
        return
    for name in listed:
        path = folder / name
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()
    with contextlib.suppress(OSError):
        (folder / MARKER).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()  # fails, and so keeps the folder, when anything not listed is left in it


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(out: Path) -> list[Path]:
    """Remove temporary folders of earlier killed runs for this target (ours only, their listed files only)."""
    removed = []
    prefixes = (f".{out.name}{TMP_INFIX}", f".{out.name}{OLD_INFIX}")
    try:
        siblings = list(out.parent.iterdir())
    except OSError:
        return removed
    for path in siblings:
        if not path.name.startswith(prefixes) or path.is_symlink() or not path.is_dir():
            continue
        prefix = next(p for p in prefixes if path.name.startswith(p))
        try:
            owner = int(path.name[len(prefix):].split("-", 1)[0])
        except ValueError:
            continue
        if owner != os.getpid() and _pid_alive(owner):
            continue  # another run is writing it right now
        _remove_listed(path)
        if not path.exists():
            removed.append(path)
    return removed


def _write(item: Table | Document, folder: Path) -> None:
    path = folder / item.name
    if isinstance(item, Document):
        path.write_text(item.text, encoding="utf-8")
    elif item.name.endswith(".parquet"):
        item.frame.write_parquet(path)
    else:
        safe_csv_frame(item.frame).write_csv(path)


def _write_marker(folder: Path, names: list[str]) -> None:
    marker = {"tool": "wijksignaal", "note": "written by wijksignaal; a later run replaces only these files",
              "files": names}
    (folder / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")


def _io_error(path: Path, exc: OSError) -> ConfigError:
    reason = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
              errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
              errno.EPERM: "permission denied"}.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return _refuse(path, f"cannot be written ({reason})", "free space or choose a writable folder with --out.")


def publish(tables: list[Table], documents: list[Document], policy: Policy, out_dir: Path) -> list[Path]:
    """Check every table and document, then write them into `out_dir` atomically (see the module docstring)."""
    check_all(tables, policy)
    for doc in documents:
        check_document(doc, policy)
    out = check_out_dir(out_dir)
    names = [item.name for item in [*tables, *documents]]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _io_error(out.parent, exc) from None
    clean_stale(out)
    tmp = out.with_name(f".{out.name}{TMP_INFIX}{os.getpid()}-{secrets.token_hex(4)}")
    try:
        tmp.mkdir(mode=0o755)
    except OSError as exc:
        raise _io_error(out.parent, exc) from None
    try:
        _write_marker(tmp, names)
        for item in [*tables, *documents]:
            _write(item, tmp)
        _swap_into_place(tmp, out)
    except OSError as exc:
        raise _io_error(out, exc) from None
    finally:
        if tmp.exists():  # this run made it: remove what it may have written, even before the marker was
            for name in [*names, MARKER]:
                with contextlib.suppress(OSError):
                    (tmp / name).unlink()
            with contextlib.suppress(OSError):
                tmp.rmdir()
    return sorted(p for p in out.iterdir() if p.name != MARKER)


def _swap_into_place(tmp: Path, out: Path) -> None:
    check_out_dir(out)  # again: the folder may have changed while the run was computing
    old = None
    if out.exists() and any(out.iterdir()):
        old = out.with_name(f".{out.name}{OLD_INFIX}{os.getpid()}-{secrets.token_hex(4)}")
        out.rename(old)
    try:
        tmp.rename(out)  # replaces an empty folder atomically
    except OSError:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        _remove_listed(old)
