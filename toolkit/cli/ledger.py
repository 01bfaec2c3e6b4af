"""`wijksignaal ledger show|verify`: the persistent privacy-budget ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["app", "MSG_NO_LEDGER", "MSG_INTACT"]

app = typer.Typer(help="The privacy-budget ledger.", no_args_is_help=True)
LedgerOpt = Annotated[Path | None, typer.Option("--ledger", help="Ledger file (default: user data dir).")]
MSG_NO_LEDGER = "No ledger at {path} yet: no privacy budget has been spent there."
MSG_INTACT = "Ledger {path}: hash chain intact ({rows} charge(s)). Compared against {against}."
MSG_BROKEN = ("Ledger {path} fails its integrity check: rows were edited, inserted or deleted, or the ledger was "
              "truncated, rewound, wiped or replaced. Compared against {against}.")
AuditOpt = Annotated[list[Path] | None, typer.Option(
    "--audit", help="audit.json of an earlier run: check that its charges are still in the ledger (repeatable).")]


def _open(ledger: Path | None) -> object | None:
    from ethics.ledger import Ledger, default_ledger_path
    from ethics.policy import load_policy

    path = ledger or default_ledger_path()
    if not path.is_file():
        witness = path.with_name(path.name + ".witness")
        if witness.is_file():
            from ethics.errors import InputDataError

            raise InputDataError(f"Ledger {path} is missing, but its witness {witness} is there: the ledger was "
                                 "deleted or moved, and the budget it recorded would be lost. Restore the ledger.")
        typer.echo(MSG_NO_LEDGER.format(path=path))
        return None
    privacy = load_policy().privacy
    return Ledger(path, privacy.overlap_threshold, privacy.sketch_size)


@app.command("show")
def show(ledger: LedgerOpt = None) -> None:
    """Spend and remainder per care domain, dataset and reference year (against the default policy's total)."""
    with guarded():
        from ethics.policy import load_policy

        opened = _open(ledger)
        if opened is None:
            return
        total = load_policy().privacy.total_epsilon
        typer.echo(
            f"{'domain':6s} {'dataset':40s} {'year':>4s} {'spent':>7s} {'total':>6s} {'left':>6s}  "
            "runs on same children"
        )
        for s in opened.show(total):  # type: ignore[attr-defined]
            typer.echo(
                f"{s.domain:6s} {s.dataset_id:40s} {s.year:>4d} {str(s.spent_after):>7s} {str(s.total):>6s} "
                f"{str(max(s.remaining, 0)):>6s}  {s.related_runs}"
            )


def _audit_integrity(path: Path) -> dict[str, object]:
    """The ledger integrity block of an audit.json (ConfigError when the file is not a wijksignaal audit)."""
    import json

    from ethics.errors import ConfigError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        integrity = data["privacy"]["ledger"]["integrity"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(f"--audit {path}: not a readable audit.json of a run with records "
                          "(it has no privacy.ledger.integrity section).") from None
    if not isinstance(integrity, dict):
        raise ConfigError(f"--audit {path}: its privacy.ledger.integrity section is not an object.")
    return integrity


@app.command("verify")
def verify(ledger: LedgerOpt = None, audit: AuditOpt = None) -> None:
    """Check the hash chain, the witness file and (with --audit) earlier runs' records of their charges.

    Detects an edited, inserted or deleted row, and a ledger that was truncated, rewound, wiped or replaced
    (exit 3).
    """
    with guarded():
        from ethics.errors import InputDataError, Problem

        audits = [_audit_integrity(p) for p in audit or []]
        opened = _open(ledger)
        if opened is None:
            return
        problems = opened.verify(audits)  # type: ignore[attr-defined]
        against = opened.compared_against()  # type: ignore[attr-defined]
        if audits:
            against += f" and {len(audits)} audit.json file(s)"
        path = opened.path  # type: ignore[attr-defined]
        if problems:
            raise InputDataError(
                MSG_BROKEN.format(path=path, against=against), [Problem(path.name, None, None, p) for p in problems]
            )
        typer.echo(MSG_INTACT.format(path=path, rows=opened.count(), against=against))  # type: ignore[attr-defined]
