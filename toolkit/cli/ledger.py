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
MSG_INTACT = "Ledger {path}: hash chain intact ({rows} charge(s))."
MSG_BROKEN = "Ledger {path} fails its hash-chain check: rows were edited, inserted or deleted."


def _open(ledger: Path | None) -> object | None:
    from ethics.ledger import Ledger, default_ledger_path
    from ethics.policy import load_policy

    path = ledger or default_ledger_path()
    if not path.is_file():
        typer.echo(MSG_NO_LEDGER.format(path=path))
        return None
    privacy = load_policy().privacy
    return Ledger(path, privacy.overlap_threshold, privacy.sketch_size)


@app.command("show")
def show(ledger: LedgerOpt = None) -> None:
    """Spend and remainder per dataset and reference year (against the default policy's total)."""
    with guarded():
        from ethics.policy import load_policy

        opened = _open(ledger)
        if opened is None:
            return
        total = load_policy().privacy.total_epsilon
        typer.echo(
            f"{'dataset':40s} {'year':>4s} {'spent':>7s} {'total':>6s} {'left':>6s}  runs on same children"
        )
        for s in opened.show(total):  # type: ignore[attr-defined]
            typer.echo(
                f"{s.dataset_id:40s} {s.year:>4d} {str(s.spent_after):>7s} {str(s.total):>6s} "
                f"{str(max(s.remaining, 0)):>6s}  {s.related_runs}"
            )


@app.command("verify")
def verify(ledger: LedgerOpt = None) -> None:
    """Check the hash chain: detects an edited or deleted row (exit 3)."""
    with guarded():
        from ethics.errors import InputDataError, Problem

        opened = _open(ledger)
        if opened is None:
            return
        problems = opened.verify()  # type: ignore[attr-defined]
        if problems:
            path = opened.path  # type: ignore[attr-defined]
            raise InputDataError(
                MSG_BROKEN.format(path=path), [Problem(path.name, None, None, p) for p in problems]
            )
        typer.echo(MSG_INTACT.format(path=opened.path, rows=opened.count()))  # type: ignore[attr-defined]
