"""CBS disclosure rule for counts of persons, applied to (noisy) released values.

CBS's convention for care counts, the preset `CBS`: round to a multiple of 5; values 0..7 are secret; a
released count is never below 10; rates are computed after rounding. The gate applies the rule to the
noisy, post-processed values (never to true values, which would leak through the choice of what is secret).

Example:
    >>> import polars as pl
    >>> cbs_round(pl.Series([7, 8, 12, 13, 1132]), CBS).to_list()
    [5, 10, 10, 15, 1130]
    >>> cbs_status(pl.Series([0, 7, 8, None]), CBS).to_list()
    ['secret', 'secret', 'ok', 'secret']
"""

from __future__ import annotations

import polars as pl

from ethics.policy import DisclosurePolicy

__all__ = ["CBS", "COUNT_MEASURES", "cbs_round", "cbs_status", "apply_cbs_rule", "violations"]

#: The preset `cbs`: round to multiples of 5, true or noisy values 0..7 secret, released counts >= 10.
CBS = DisclosurePolicy(rounding_base=5, secret_max=7, min_released_count=10)
#: Measures that count persons or trajectories: the CBS rule applies to them.
COUNT_MEASURES = frozenset({"clients", "trajectories", "stepped_care_clients", "provider_clients"})


def cbs_round(values: pl.Series, rule: DisclosurePolicy) -> pl.Series:
    """Round non-negative integers to the nearest multiple of the rounding base (halves up)."""
    base = rule.rounding_base
    return ((values * 2 + base) // (2 * base) * base).cast(pl.Int64)


def cbs_status(values: pl.Series, rule: DisclosurePolicy) -> pl.Series:
    """'secret' for values 0..secret_max, missing values and counts that would round below the minimum."""
    rounded = cbs_round(values, rule)
    secret = values.is_null() | (values <= rule.secret_max) | (rounded < rule.min_released_count)
    return pl.Series(
        values.name, ["secret" if s else "ok" for s in secret.fill_null(True).to_list()], dtype=pl.String
    )


def apply_cbs_rule(frame: pl.DataFrame, rule: DisclosurePolicy) -> pl.DataFrame:
    """Apply the rule to rows with a count measure whose status is still ok; withheld values become null.

    `frame` has columns measure, value (Int64) and status. Rows of other measures keep their value.
    """
    is_count = pl.col("measure").is_in(sorted(COUNT_MEASURES))
    base = rule.rounding_base
    rounded = ((pl.col("value") * 2 + base) // (2 * base) * base).cast(pl.Int64)
    secret = (
        pl.col("value").is_null() | (pl.col("value") <= rule.secret_max) | (rounded < rule.min_released_count)
    )
    status = (
        pl.when(is_count & (pl.col("status") == "ok") & secret)
        .then(pl.lit("secret"))
        .otherwise(pl.col("status"))
    )
    value = pl.when(is_count).then(rounded).otherwise(pl.col("value"))
    out = frame.with_columns(value=value, status=status)
    return out.with_columns(value=pl.when(pl.col("status") == "ok").then(pl.col("value")))


def violations(frame: pl.DataFrame, rule: DisclosurePolicy) -> pl.DataFrame:
    """Rows released as ok with a count below the minimum or off the rounding base (egress check)."""
    if not {"measure", "value", "status"} <= set(frame.columns):
        return frame.clear()
    value = pl.col("value").cast(pl.Int64, strict=False)
    bad = value.is_null() | (value < rule.min_released_count) | (value % rule.rounding_base != 0)
    return frame.filter(pl.col("measure").is_in(sorted(COUNT_MEASURES)), pl.col("status") == "ok", bad)
