"""Progress on long work: the stages of a run and counts, never a value from the data.

Three modes, chosen by the CLI (`wijksignaal run`):
- `rich`: on a terminal, a spinner with the current stage, a line with the time of every finished stage, and a
  bar for per-gemeente work (rich is imported only here, only in this mode);
- `plain`: when standard error is not a terminal (a log file, CI, a pipe), one plain line per stage and per
  tenth of the gemeenten;
- `quiet` (`--quiet`, and the default for library use and tests): nothing.

Everything goes to standard error, so standard output keeps only the run's summary. Only stage names,
counts and seconds are shown: no region, no record, no personal value ever reaches this module.

    >>> import io
    >>> err = io.StringIO()
    >>> with reporting("plain", err) as r:
    ...     r.stage("profiles")
    ...     done = list(r.track(range(3), "gemeenten"))
    >>> print(err.getvalue().replace(err.getvalue().split("(")[-1], "...)"))  # doctest: +ELLIPSIS
    wijksignaal: profiles ...
    wijksignaal: gemeenten: 1 of 3
    wijksignaal: gemeenten: 2 of 3
    wijksignaal: gemeenten: 3 of 3
    wijksignaal: done profiles (...)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

__all__ = ["Reporter", "reporter", "reporting", "track", "choose_mode", "Mode"]

Mode = Literal["rich", "plain", "quiet"]
T = TypeVar("T")


class Reporter:
    """Shows stages and counts in one of the three modes."""

    def __init__(self, mode: Mode = "quiet", stream: Any = None) -> None:
        self.mode: Mode = mode
        self.stream = stream if stream is not None else sys.stderr
        self._stage: str | None = None
        self._stage_start = 0.0
        self._run_start = time.perf_counter()
        self._status: Any = None
        self._console: Any = None
        if mode == "rich":
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)

    def _line(self, text: str) -> None:
        if self.mode == "plain":
            print(f"wijksignaal: {text}", file=self.stream, flush=True)
        elif self.mode == "rich":
            self._console.print(text)

    def stage(self, name: str) -> None:
        """Close the running stage (with its time) and start the next one."""
        if self.mode == "quiet":
            return
        self._finish_stage()
        self._stage, self._stage_start = name, time.perf_counter()
        if self.mode == "plain":
            self._line(f"{name} ...")
        else:
            self._status = self._console.status(f"{name} ...", spinner="dots")
            self._status.start()

    def _finish_stage(self) -> None:
        if self._stage is None:
            return
        seconds = time.perf_counter() - self._stage_start
        if self._status is not None:
            self._status.stop()
            self._status = None
        if self.mode == "rich":
            self._line(f"[green]done[/green] {self._stage} [dim]({seconds:.1f} s)[/dim]")
        else:
            self._line(f"done {self._stage} ({seconds:.1f} s)")
        self._stage = None

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        """Yield the items while showing `label: i of n` (a bar on a terminal, a line per tenth otherwise)."""
        items = list(items) if total is None else items
        n = total if total is not None else len(items)  # type: ignore[arg-type]
        if self.mode == "quiet" or n < 2:
            yield from items
            return
        if self.mode == "plain":
            step = max(1, n // 10)
            for i, item in enumerate(items, start=1):
                yield item
                if i % step == 0 or i == n:
                    self._line(f"{label}: {i} of {n}")
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        if self._status is not None:
            self._status.stop()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=self._console, transient=True) as bar:
            task = bar.add_task(label, total=n)
            for item in items:
                yield item
                bar.advance(task)
        if self._status is not None:
            self._status.start()

    def close(self) -> None:
        """Finish the last stage."""
        if self.mode == "quiet":
            return
        self._finish_stage()

    def abort(self) -> None:
        """Stop the spinner of a stage that failed (its error is reported by the CLI, not here)."""
        if self._status is not None:
            self._status.stop()
            self._status = None
        self._stage = None


_current = Reporter("quiet")


def reporter() -> Reporter:
    """The reporter of the running command (quiet outside `wijksignaal run`)."""
    return _current


def track(items: Iterable[T], label: str) -> Iterator[T]:
    """Shorthand for `reporter().track(items, label)`."""
    return _current.track(items, label)


def choose_mode(quiet: bool, stream: Any = None) -> Mode:
    """`quiet` when asked; `rich` on a terminal; `plain` otherwise."""
    if quiet:
        return "quiet"
    stream = stream if stream is not None else sys.stderr
    return "rich" if getattr(stream, "isatty", lambda: False)() else "plain"


@contextmanager
def reporting(mode: Mode, stream: Any = None) -> Iterator[Reporter]:
    """Make a reporter the current one for the duration of a command."""
    global _current
    previous, _current = _current, Reporter(mode, stream)
    try:
        yield _current
        _current.close()
    except BaseException:
        _current.abort()
        raise
    finally:
        _current = previous
