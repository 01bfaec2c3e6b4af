"""One error root for wijksignaal; every class knows its exit code.

Messages name file, row, column, rule and fix, never a personal value. The CLI catches
`WijksignaalError` once and exits with the class's `exit_code`.
"""

from __future__ import annotations

__all__ = [
    "WijksignaalError",
    "InternalError",
    "ConfigError",
    "InputDataError",
    "PolicyRefusal",
    "ForbiddenColumn",
    "BudgetExhausted",
    "EgressBlocked",
    "FairnessBlock",
    "Problem",
]

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input file: where it is and which rule it breaks (never the value)."""

    file: str
    row: int | None  # 1-based data row (header not counted); None for whole-file or column problems
    column: str | None
    rule: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.rule}"


class WijksignaalError(Exception):
    """Root of every error wijksignaal raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])

    def render(self, limit: int = 50) -> str:
        """The message plus up to `limit` problems, one per line."""
        lines = [str(self)]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


class InternalError(WijksignaalError):
    """A bug: an invariant of wijksignaal itself was broken."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} This is a bug in wijksignaal, please report it.")


class ConfigError(WijksignaalError):
    """A config, scenario or policy file or a command-line option is not usable."""

    exit_code = 2


class InputDataError(WijksignaalError):
    """An indicator or records file breaks its schema."""

    exit_code = 3


class PolicyRefusal(WijksignaalError):
    """The ethics policy refuses: nothing is released or written."""

    exit_code = 4


class ForbiddenColumn(PolicyRefusal):
    """A direct identifier (bsn, name, address, postcode, date of birth) is present."""


class BudgetExhausted(PolicyRefusal):
    """The privacy budget for a dataset and reference year would be exceeded."""


class EgressBlocked(PolicyRefusal):
    """An output table breaks an egress rule."""


class FairnessBlock(PolicyRefusal):
    """The fairness audit failed and the policy says block."""
