"""Proxy strength: how well the model's features predict the non-western migration share of a wijk.

Migration background is excluded from the model by the policy, but income, housing and benefits can carry
the same information. This measures it, out of sample: the same booster (and the plain linear model) is
trained to predict the share of inhabitants with a non-western migration background from the model
features, with the same gemeente-grouped folds; its R2 is the proxy strength (0: the features say nothing
about the share, 1: they reveal it fully). It also reports the rank correlation between the expected rate
and the share. The share is an audit value only: it is computed here and never enters the profile model.

Wijken with fewer than `MIN_POPULATION` inhabitants are left out (their shares are CBS-rounded noise).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from toolkit.profiles._crossfit import cross_fit, oos_scores
from toolkit.profiles._expected import ExpectedRateModel, linear_reference

__all__ = ["MIGRATION_COLUMN", "MIN_POPULATION", "migration_share", "proxy_strength"]

MIGRATION_COLUMN = "pop_nonwestern_migration"
MIN_POPULATION = 200
_BANDS = ((0.3, "weak", "zwakke"), (0.6, "moderate", "matige"), (float("inf"), "strong", "sterke"))


def migration_share(wijk_latest: pl.DataFrame) -> pl.DataFrame:
    """region_code and the non-western migration share (%) of wijken with enough inhabitants."""
    if MIGRATION_COLUMN not in wijk_latest.columns:
        return pl.DataFrame(schema={"region_code": pl.String, "migration_share": pl.Float64})
    return wijk_latest.filter(pl.col("population") >= MIN_POPULATION).select(
        "region_code", (pl.col(MIGRATION_COLUMN) / pl.col("population") * 100).cast(pl.Float64)
        .alias("migration_share"))


def _band(r2: float) -> tuple[str, str]:
    for upper, en, nl in _BANDS:
        if r2 < upper:
            return en, nl
    return _BANDS[-1][1], _BANDS[-1][2]


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    keep = np.isfinite(a) & np.isfinite(b)
    if keep.sum() < 3:
        return float("nan")
    ra, rb = pl.Series(a[keep]).rank().to_numpy(), pl.Series(b[keep]).rank().to_numpy()
    return round(float(np.corrcoef(ra, rb)[0, 1]), 3)


def proxy_strength(X: np.ndarray, share: np.ndarray, groups: np.ndarray, expected_oof: np.ndarray,
                   features: tuple[str, ...], n_splits: int) -> dict[str, Any]:
    """The proxy section of the audit: out-of-sample R2/MAE of share ~ features, for booster and linear."""
    rows = np.isfinite(share)
    if rows.sum() < 10:
        return {"available": False, "why": f"no '{MIGRATION_COLUMN}' for enough wijken in the indicator data"}
    booster = cross_fit(ExpectedRateModel(feature_names=features), X, share, groups, rows, n_splits)
    linear = cross_fit(linear_reference(), X, share, groups, rows, n_splits)
    model, lin = oos_scores(share, booster.oof, rows), oos_scores(share, linear.oof, rows)
    strength = max(model["r2"], lin["r2"])
    en, nl = _band(strength)
    return {
        "available": True,
        "target": f"{MIGRATION_COLUMN} / population (%), wijken with >= {MIN_POPULATION} inhabitants",
        "validation": f"GroupKFold({booster.n_splits}) by gemeente",
        "model": model, "linear": lin, "proxy_strength_r2": strength, "band": en,
        "spearman_expected_rate_vs_share": _spearman(expected_oof, share),
        "reading_en": f"The model features explain {strength:.0%} of the differences in non-western "
                      f"migration share between wijken (out of sample): a {en} proxy. Migration background "
                      "is not a feature, but the fairness audit compares errors and selection across "
                      "migration terciles for this reason.",
        "reading_nl": f"De modelkenmerken verklaren {strength:.0%} van de verschillen in aandeel inwoners "
                      f"met een niet-westerse migratieachtergrond tussen wijken (buiten de steekproef): een "
                      f"{nl} proxy. Migratieachtergrond is geen kenmerk van het model; daarom vergelijkt de "
                      "fairness-audit fouten en selectie tussen migratie-tertielen.",
    }
