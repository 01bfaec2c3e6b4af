"""Shared parsing rules for CBS files: padded texts, secret markers, decimal commas, region codes."""

from __future__ import annotations

import re

import polars as pl

__all__ = ["MISSING_MARKERS", "REGION_CODE", "clean_text", "to_number", "level_of", "gemeente_of"]

# CBS writes `.` for secret or unknown, `x` for secret, `-` for nil/not applicable; empty means not applicable.
MISSING_MARKERS = (".", "x", "X", "-", "")
# CBS missing-value codes in some downloads are large negatives (for example -99997); never real data.
NEGATIVE_MARKER_LIMIT = -99990
REGION_CODE = re.compile(r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2})$")
NUMBER = r"^-?\d+(\.\d+)?$"


def clean_text(col: str) -> pl.Expr:
    """Strip CBS padding; an empty or marker-only cell becomes null."""
    stripped = pl.col(col).cast(pl.String).str.strip_chars()
    return pl.when(stripped.is_in(MISSING_MARKERS)).then(None).otherwise(stripped).alias(col)


def to_number(col: str, allow_negative: bool = False) -> pl.Expr:
    """A cleaned text column to Float64: markers and (unless allowed) negative values become null.

    Text that is not a number after cleaning also becomes null; callers that must report such cells
    compare `is_not_null()` before and after (see `unparsable`).
    """
    text = clean_text(col)
    value = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    bad = value <= NEGATIVE_MARKER_LIMIT if allow_negative else value < 0
    return pl.when(bad).then(None).otherwise(value).alias(col)


def unparsable(col: str) -> pl.Expr:
    """True where a cell holds text that is neither a CBS marker nor a number (dot or comma decimals)."""
    text = clean_text(col)
    return text.is_not_null() & ~text.str.replace(",", ".", literal=True).str.contains(NUMBER)


def level_of(code: pl.Expr) -> pl.Expr:
    """Region level from a CBS region code: WK -> wijk, GM -> gemeente, NL -> land."""
    return (
        pl.when(code.str.starts_with("WK")).then(pl.lit("wijk"))
        .when(code.str.starts_with("GM")).then(pl.lit("gemeente"))
        .when(code.str.starts_with("NL")).then(pl.lit("land"))
        .otherwise(None)
    )


def gemeente_of(code: pl.Expr) -> pl.Expr:
    """The gemeente code of a wijk or gemeente code (WK051802 -> GM0518); null for NL."""
    return (
        pl.when(code.str.starts_with("WK")).then(pl.lit("GM") + code.str.slice(2, 4))
        .when(code.str.starts_with("GM")).then(code)
        .otherwise(None)
    )
