"""What every command shares: turning wijksignaal errors into their exit codes, without tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

__all__ = ["guarded", "echo_err"]

MSG_UNEXPECTED = ("wijksignaal stopped on an unexpected error ({kind}). This is a bug, please report it; "
                  "no output was written.")


def echo_err(message: str) -> None:
    """Print to standard error."""
    typer.echo(message, err=True)


@contextmanager
def guarded() -> Iterator[None]:
    """Run a command body: a WijksignaalError exits with its own code; anything else exits 1.

    Messages of unexpected errors are not printed (they could quote a personal value); only the type is.
    """
    from ethics.errors import WijksignaalError

    try:
        yield
    except WijksignaalError as exc:
        echo_err(exc.render())
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except BrokenPipeError:  # the reader of our output went away (for example `| head`): nothing to report
        raise typer.Exit(1) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        echo_err(MSG_UNEXPECTED.format(kind=type(exc).__name__))
        raise typer.Exit(1) from None

