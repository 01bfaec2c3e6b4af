"""`wijksignaal validate PATH`: check a records or indicator file, list every problem, write nothing.

The kind of file is told from its header: municipal records (client_id, wijk_code, care_type, ...) are
checked by `ethics.records.validate_records` in the layout of `--domain` (jeugd, wmo); a CBS KWB file
(gwb_code_10 or Codering_3) by `toolkit.sources.user_file.check_user_file`, including whether
`run --indicators` could merge it.
A direct-identifier column (policy `identifiers.forbidden_columns`) is refused from the header alone,
before any row is read. Exit codes: 0 clean, 3 problems (each with file, row, column and rule, never a
value), 4 a direct identifier or client ids that are BSNs (ethics/_client_ids.py). A Parquet file that is
not Parquet (CSV text named `.parquet`) or a JSON file nested too deeply is a problem of the file (exit 3).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["validate", "file_kind", "RECORD_COLUMNS"]

RECORD_COLUMNS = frozenset({"client_id", "birth_year", "wijk_code", "care_type", "start_date", "cost_eur"})
KWB_REGION_COLUMNS = frozenset({"gwb_code_10", "gwb_code"})
MSG_UNKNOWN = ("header: neither a records file (client_id, wijk_code, care_type, ...) nor a CBS KWB file "
               "(gwb_code_10 or Codering_3)")
KIND_LABELS = {"records": "municipal records", "indicators": "CBS KWB indicators"}
MSG_CLEAN = "{file}: no problems ({kind})."
MSG_PROBLEMS = "{file}: {n} problem(s) ({kind}). Nothing was written."


def _header(path: Path) -> tuple[str, ...]:
    """Column names, read leniently (only to tell the kind and find identifiers; readers check strictly).

    The whole first line is read, however long, so an identifier far to the right is found as `run` finds it.
    """
    import csv

    from ethics.errors import InputDataError, Problem

    if path.suffix.lower() == ".parquet":
        import polars as pl

        try:
            return tuple(pl.read_parquet_schema(path))
        except pl.exceptions.PolarsError as exc:
            rule = f"cannot be read as Parquet ({type(exc).__name__})"
            raise InputDataError(f"{path}: {rule}.", [Problem(str(path), None, None, rule)]) from None
    if path.suffix.lower() == ".json":
        from toolkit.sources._kwb_read import read_header

        return read_header(path)[0]
    with path.open("rb") as fh:
        line = fh.readline().decode("utf-8-sig", errors="replace").rstrip("\r\n")
    sep = max((";", ",", "\t"), key=line.count)
    return tuple(c.strip() for c in next(csv.reader([line], delimiter=sep), []))


def file_kind(header: tuple[str, ...]) -> str | None:
    """'records', 'indicators' or None, from the column names.

    >>> file_kind(("client_id", "wijk_code", "care_type")), file_kind(("gwb_code_10", "a_inw"))
    ('records', 'indicators')
    >>> file_kind(("WijkenEnBuurten", "Codering_3")), file_kind(("a", "b"))
    ('indicators', None)
    """
    names = {re.sub(r"[^a-z0-9]", "_", c.strip().lower()) for c in header}
    if len(names & RECORD_COLUMNS) >= 2:
        return "records"
    if names & KWB_REGION_COLUMNS or any(re.fullmatch(r"codering(_\d+)?", n) for n in names):
        return "indicators"
    return "records" if names & RECORD_COLUMNS else None


def _problems(path: Path, kind: str | None, policy: object, domain: str = "jeugd") -> list:
    from ethics.errors import Problem

    if kind == "records":
        from ethics._records_schema import layout_of
        from ethics.records import validate_records
        from toolkit.sources import load_panel

        panel = load_panel()
        known = set(panel.filter(panel["level"] == "wijk")["region_code"].to_list())
        return validate_records(path, policy, known_wijken=known, layout=layout_of(domain))  # type: ignore[arg-type]
    if kind == "indicators":
        from toolkit.sources import load_panel
        from toolkit.sources.user_file import check_user_file

        return check_user_file(path, policy, load_panel())  # type: ignore[arg-type]
    return [Problem(str(path), None, None, MSG_UNKNOWN)]


def validate(
    path: Annotated[Path, typer.Argument(help="A records file or a CBS KWB indicator file (CSV or JSON).")],
    policy: Annotated[Path | None,
                      typer.Option(help="Ethics policy TOML (default configs/ethics.toml).")] = None,
    domain: Annotated[str, typer.Option("--domain", help="Care domain of a records file: jeugd (default) or wmo "
                                        "(its care_type holds the Wmo provision category).")] = "jeugd",
) -> None:
    """Check a file and list every problem with file, row, column and rule (never a value). Writes nothing."""
    with guarded():
        from ethics._records_schema import LAYOUTS
        from ethics.errors import ConfigError
        from ethics.policy import load_policy
        from toolkit.sources._kwb_read import check_identifiers

        pol = load_policy(policy)
        if domain not in LAYOUTS:
            raise ConfigError(f"Unknown --domain {domain!r}. Use one of: {', '.join(LAYOUTS)}.")
        if not path.is_file():
            raise ConfigError(f"{path} does not exist or is not a file.")
        try:
            header = _header(path)
        except PermissionError:
            raise ConfigError(f"{path} cannot be read (no permission).") from None
        check_identifiers(header, str(path), pol)
        kind = file_kind(header)
        problems = _problems(path, kind, pol, domain)
        label = KIND_LABELS.get(kind or "", "unknown")
        if not problems:
            typer.echo(MSG_CLEAN.format(file=path, kind=label))
            return
        for problem in problems:
            typer.echo(f"  - {problem}", err=True)
        typer.echo(MSG_PROBLEMS.format(file=path, n=len(problems), kind=label), err=True)
        raise typer.Exit(3)
