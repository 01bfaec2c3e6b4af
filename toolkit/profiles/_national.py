"""The national expected-rate fit: features, grouped cross-fitting, validation, SHAP for the wijken in scope.

Training rows: every Dutch wijk of the reference year (normally the latest year) with an observed youth-care
rate and at least the policy's minimum youth population (smaller wijken have CBS-rounded, very noisy rates).
Every wijk (also the small ones and those without a rate) gets an out-of-fold expected rate from the model of
its gemeente's fold, so a wijk's expected rate never learned from its own gemeente. `explain` predicts and
explains the wijken in scope with that same fold model (SHAP), so base value + contributions == expected
rate exactly, and equals the out-of-fold rate when the scope rows are the reference rows. A gemeente that is
not in the reference year uses the first fold's model. The plain linear model runs on the same folds.

Next to this national norm, every wijk gets its gemeente's own level, from the other wijken of its gemeente
only (`_gemeente`, leave-wijk-out, shrunk by n / (n + k)); validation of both rates is in `_validation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ethics.errors import PolicyRefusal
from ethics.policy import Policy
from toolkit.profiles._catalogue import GROUPS, NOT_SIGNALS, SIGNAL_BY_NAME, SIGNALS, signal_sources
from toolkit.profiles._config import ProfileConfig
from toolkit.profiles._crossfit import CrossFit, cross_fit
from toolkit.profiles._expected import MSG_EXCLUDED, ExpectedRateModel, group_contributions, linear_reference
from toolkit.profiles._gemeente import K_GRID, choose_k, effects_for, nested_k
from toolkit.profiles._target import precision_weights
from toolkit.profiles._validation import validation_audit

__all__ = ["NationalFit", "EXCLUDED_REASON", "MAX_MISSING", "usable_features", "model_features",
           "assert_no_excluded", "fit_national", "explain"]

MAX_MISSING = 0.25
EXCLUDED_REASON = ("migration background or nationality: a proxy of ethnicity, which may never be decisive "
                   "in risk profiling (College voor de Rechten van de Mens) and may not lead to group "
                   "scoring (EU AI Act art. 5); used only as an audit grouping")


@dataclass(frozen=True)
class NationalFit:
    """Every wijk of the reference year (`wijken`: observed rate, out-of-fold norm, leave-wijk-out gemeente
    level and adjusted rate), the feature matrix, the cross-fit, the chosen shrinkage `k` and the audit."""

    features: tuple[str, ...]
    wijken: pl.DataFrame
    X: np.ndarray
    crossfit: CrossFit
    k: float  # chosen on all training wijken: reported, and used for a gemeente not in the reference year
    k_by_fold: tuple[float, ...]  # per gemeente fold, chosen on the other folds' gemeenten only: used
    audit: dict[str, Any]

    def folds_of(self, gemeenten: list[str]) -> np.ndarray:
        """The fold (model index) of each gemeente; 0 for a gemeente not in the reference year."""
        known = dict(zip(self.wijken["gemeente_code"].to_list(), self.crossfit.fold.tolist(), strict=True))
        return np.array([known.get(g, 0) for g in gemeenten], dtype=np.int64)

    def gemeente_levels(self, scope: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(level, n other wijken) per row of `scope` (region_code, gemeente_code): from the reference-year
        residuals of the other training wijken of its gemeente, shrunk by n / (n + k) with the k of its
        gemeente's fold (`_gemeente`)."""
        w = self.wijken
        known = set(w["gemeente_code"].to_list())
        gemeenten = scope["gemeente_code"].to_list()
        folds = self.folds_of(gemeenten)
        k = np.array([self.k_by_fold[f] if g in known else self.k for f, g in zip(folds, gemeenten, strict=True)])
        return effects_for(w["train_residual"].fill_null(float("nan")).to_numpy(),
                           w["youth_population"].fill_null(0).cast(pl.Float64).to_numpy(),
                           w["region_code"].to_numpy(), w["gemeente_code"].to_numpy(),
                           scope["region_code"].to_numpy(), np.array(gemeenten), k)


def usable_features(features: tuple[str, ...], values: pl.DataFrame,
                    rows: pl.DataFrame) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The features known for at least 1 - MAX_MISSING of the training wijken (`rows`: region_code), and the
    left-out ones with their reason (for the model card), after the panel columns never used (`NOT_SIGNALS`)."""
    known = rows.select("region_code").join(values, on="region_code", how="left")
    keep: list[str] = []
    left_out = [{"name": n, "reason": why} for n, why in NOT_SIGNALS.items()]
    for f in features:
        missing = float(known[f].null_count() / max(known.height, 1))
        if missing > MAX_MISSING:
            left_out.append({"name": f, "missing_share": round(missing, 3),
                             "reason": f"no known value (latest known up to the reference year) for {missing:.0%} "
                                       f"of the training wijken; more than {MAX_MISSING:.0%} missing"})
        else:
            keep.append(f)
    return tuple(keep), left_out


def model_features(policy: Policy) -> tuple[str, ...]:
    """Catalogue signals whose name and source columns are all allowed by the policy."""
    excluded = policy.excluded_features
    return tuple(s.name for s in SIGNALS if not signal_sources([s.name]) & excluded)


def assert_no_excluded(features: tuple[str, ...], policy: Policy) -> None:
    """Refuse (exit 4) if a feature, or a column it is computed from, is excluded by the policy."""
    for feature in features:
        hit = sorted(signal_sources([feature]) & policy.excluded_features)
        if hit:
            raise PolicyRefusal(MSG_EXCLUDED.format(feature=hit[0]))


def _estimator(features: tuple[str, ...], policy: Policy, random_state: int) -> ExpectedRateModel:
    return ExpectedRateModel(feature_names=features, excluded=policy.excluded_features,
                             random_state=random_state)


def _target(rows: pl.DataFrame, y: np.ndarray, big: np.ndarray,
            cfg: ProfileConfig) -> tuple[np.ndarray, np.ndarray | None]:
    """The training target (pooled where `pool_years` > 1) and the precision weights (or None)."""
    if "target_rate" not in rows.columns or cfg.pool_years <= 1:
        target, youth, years = y, rows["youth_population"].cast(pl.Float64).to_numpy(), np.ones(len(y))
    else:
        pooled = rows["target_rate"].fill_null(float("nan")).to_numpy()
        target = np.where(np.isfinite(pooled), pooled, y)
        youth = rows["target_youth"].fill_null(float("nan")).to_numpy()
        youth = np.where(np.isfinite(pooled), youth, rows["youth_population"].cast(pl.Float64).to_numpy())
        years = rows["target_years"].cast(pl.Float64).fill_null(1.0).to_numpy()
    weight = precision_weights(target, youth, years, big) if cfg.precision_weights else None
    return target, weight


def fit_national(base: pl.DataFrame, values: pl.DataFrame, policy: Policy, cfg: ProfileConfig,
                 linear: bool = True, signals: tuple[str, ...] | None = None) -> NationalFit:
    """Cross-fit the norm on all Dutch wijken and add the leave-wijk-out gemeente level; `base` has
    region_code, gemeente_code, youth_population, observed_rate (and, for pooling, target_rate, target_youth,
    target_years) for every wijk of the reference year, `values` the latest known signals; `signals` limits
    the catalogue (the benchmark's "before")."""
    train_rows = base.filter(pl.col("observed_rate").is_not_null(),
                             pl.col("youth_population") >= policy.disclosure.min_youth_population)
    allowed = tuple(f for f in model_features(policy) if signals is None or f in signals)
    features, left_out = usable_features(allowed, values, train_rows)
    assert_no_excluded(features, policy)
    rows = base.join(values.select("region_code", *features), on="region_code", how="left").sort("region_code")
    X = rows.select(features).to_numpy().astype(float)
    y = rows["observed_rate"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    groups = rows["gemeente_code"].to_numpy()
    big = (rows["youth_population"].fill_null(0) >= policy.disclosure.min_youth_population).to_numpy()
    target, weight = _target(rows, y, big, cfg)
    fit = cross_fit(_estimator(features, policy, cfg.random_state), X, target, groups, big, cfg.n_splits,
                    sample_weight=weight, gemeente_passes=cfg.gemeente_passes)
    train = big & np.isfinite(y)
    youth = rows["youth_population"].fill_null(0).cast(pl.Float64).to_numpy()
    group = np.unique(groups, return_inverse=True)[1]
    grid = K_GRID if cfg.shrinkage_k is None else (cfg.shrinkage_k,)
    adjusted, ks = nested_k(y, fit.oof, youth, group, train, fit.fold, grid)
    k_all = choose_k(y, fit.oof, youth, group, train, grid)
    residual = np.where(train, y - fit.oof, np.nan)
    wijken = rows.select("region_code", "gemeente_code", "youth_population", "observed_rate").with_columns(
        pl.Series("expected_rate_oof", fit.oof), pl.Series("gemeente_level_oof", adjusted - fit.oof),
        pl.Series("expected_rate_gemeente_oof", adjusted), pl.Series("train_residual", residual).fill_nan(None))
    reference = cross_fit(linear_reference(), X, target, groups, big, cfg.n_splits, sample_weight=weight) \
        if linear else None
    audit = validation_audit(features, y, big, fit, adjusted, reference, (k_all, ks), cfg)
    audit["training"]["gemeenten"] = int(len(np.unique(groups[train])))
    audit["signals_left_out"] = left_out
    return NationalFit(features=features, wijken=wijken, X=X, crossfit=fit, k=k_all, k_by_fold=tuple(ks),
                       audit=audit)


def explain(fit: NationalFit, scope: pl.DataFrame) -> tuple[np.ndarray, pl.DataFrame]:
    """Expected rate and long SHAP table (region_code, group, contribution, base_value, expected_rate).

    `scope` holds region_code, gemeente_code and the feature columns; each wijk is predicted and explained
    by its gemeente's fold model.
    """
    X = scope.select(fit.features).to_numpy().astype(float)
    fold = fit.folds_of(scope["gemeente_code"].to_list())
    feature_groups = [SIGNAL_BY_NAME[f].group for f in fit.features]
    expected = np.full(len(X), np.nan)
    parts = []
    for k in np.unique(fold):
        mine = np.flatnonzero(fold == k)
        model = fit.crossfit.models[int(k)]
        expected[mine] = model.predict(X[mine])
        base, values = model.contributions(X[mine])
        grouped = group_contributions(values, feature_groups, GROUPS)
        parts += [pl.DataFrame({"region_code": scope["region_code"].gather(mine), "group": [g] * len(mine),
                                "contribution": grouped[:, j], "base_value": [base] * len(mine),
                                "expected_rate": expected[mine]}) for j, g in enumerate(GROUPS)]
    schema = {"region_code": pl.String, "group": pl.String, "contribution": pl.Float64,
              "base_value": pl.Float64, "expected_rate": pl.Float64}
    if not parts:
        return expected, pl.DataFrame(schema=schema)
    order = {g: i for i, g in enumerate(GROUPS)}
    return expected, pl.concat(parts).sort("region_code", pl.col("group").replace_strict(order))
