"""Client ids that are BSNs: refused (exit 4) before anything is counted.

A client id must be a pseudonym. A BSN is a 9-digit number that passes the elfproef (11-test:
9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11); exports often drop its leading zero, so 8 digits
count too. One hit proves nothing: about 1 in 11 random 9-digit numbers passes the test, so a register of
numeric pseudonyms always has some. The rule (policy `identifiers.check_bsn_elfproef`):

    refused when at least 3 distinct client ids pass the elfproef and they are at least half of all
    distinct client ids.

Numeric pseudonyms pass at a rate near 1/11; for 20 of them to reach one half by chance has a probability
below 1e-5, for 100 below 1e-30. A column of real BSNs passes in full. The refusal names the column and the
counts, never an id.
"""

from __future__ import annotations

import polars as pl

from ethics.errors import ForbiddenColumn, Problem
from ethics.policy import Policy

__all__ = ["MIN_BSN_LIKE", "BSN_SHARE", "bsn_like_count", "refuse_bsn_ids"]

MIN_BSN_LIKE = 3
BSN_SHARE = 0.5
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
MSG_BSN = ("Records file {file}: column '{column}' holds {k} of {n} distinct client ids that pass the BSN "
           "elfproef (9 digits, 11-test). Client ids must be pseudonyms, never BSNs: pseudonymise the "
           "register (for example with a keyed hash) and run again. Nothing was read further.")


def bsn_like_count(ids: pl.Series) -> tuple[int, int]:
    """(distinct ids that pass the elfproef as 8 or 9 digits, distinct non-empty ids).

    >>> bsn_like_count(pl.Series(["111222333", "123456782", "12345678", "SYN-1", None]))
    (2, 4)
    """
    passing = _passing(ids)
    return passing, _distinct(ids)


def _distinct(ids: pl.Series) -> int:
    distinct = ids.cast(pl.String).str.strip_chars().drop_nulls().unique()
    return distinct.filter(distinct != "").len()


def _passing(ids: pl.Series) -> int:
    """Distinct ids passing the elfproef; only 8- or 9-digit ids are looked at (one regex pass over the rows,
    no distinct set of all ids: a register of non-numeric pseudonyms costs a fraction of a second)."""
    text = ids.cast(pl.String)
    digits = text.filter(text.str.contains(r"^\s*\d{8,9}\s*$")).str.strip_chars().unique().str.zfill(9)
    if digits.is_empty():
        return 0
    frame = digits.to_frame("id").select(
        pl.sum_horizontal(pl.col("id").str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate(WEIGHTS))
        .alias("total"), pl.col("id"))
    return frame.filter((pl.col("total") % 11 == 0) & (pl.col("id") != "000000000")).height


def refuse_bsn_ids(ids: pl.Series, file: str, policy: Policy, column: str = "client_id") -> None:
    """Raise ForbiddenColumn (exit 4) when the client ids look like BSNs (see the module rule)."""
    if not policy.identifiers.check_bsn_elfproef:
        return
    k = _passing(ids)
    if k < MIN_BSN_LIKE:
        return
    n = _distinct(ids)
    if k >= BSN_SHARE * n:
        message = MSG_BSN.format(file=file, column=column, k=k, n=n)
        raise ForbiddenColumn(message, [Problem(file, None, column, "client ids look like BSNs (elfproef)")])
