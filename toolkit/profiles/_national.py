"""The national expected-rate fit: features, grouped cross-fitting, validation, SHAP for the wijken in scope.

Training rows: every Dutch wijk of the reference year (normally the latest year) with an observed youth-care
rate and at least the policy's minimum youth population (smaller wijken have CBS-rounded, very noisy rates).
Every wijk (also the small ones and those without a rate) gets an out-of-fold expected rate from the model of
its gemeente's fold, so a wijk's expected rate never learned from its own gemeente. `explain` predicts and
explains the wijken in scope with that same fold model (SHAP), so base value + contributions == expected
rate exactly, and equals the out-of-fold rate when the scope rows are the reference rows. A gemeente that is
not in the reference year uses the first fold's model. The plain linear model runs on the same folds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ethics.errors import PolicyRefusal
from ethics.policy import Policy
from toolkit.profiles._catalogue import GROUPS, SIGNAL_BY_NAME, SIGNALS, signal_sources
from toolkit.profiles._crossfit import CrossFit, cross_fit, oos_scores
from toolkit.profiles._expected import MSG_EXCLUDED, ExpectedRateModel, group_contributions, linear_reference

__all__ = ["NationalFit", "EXCLUDED_REASON", "model_features", "assert_no_excluded", "fit_national",
           "explain"]

EXCLUDED_REASON = ("migration background or nationality: a proxy of ethnicity, which may never be decisive "
                   "in risk profiling (College voor de Rechten van de Mens) and may not lead to group "
                   "scoring (EU AI Act art. 5); used only as an audit grouping")


@dataclass(frozen=True)
class NationalFit:
    """Every wijk of the latest year (`wijken`, with expected_rate_oof), the matrix and the cross-fit."""

    features: tuple[str, ...]
    wijken: pl.DataFrame
    X: np.ndarray
    crossfit: CrossFit
    audit: dict[str, Any]

    def folds_of(self, gemeenten: list[str]) -> np.ndarray:
        """The fold (model index) of each gemeente; 0 for a gemeente not in the reference year."""
        known = dict(zip(self.wijken["gemeente_code"].to_list(), self.crossfit.fold.tolist(), strict=True))
        return np.array([known.get(g, 0) for g in gemeenten], dtype=np.int64)


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


def fit_national(base: pl.DataFrame, values: pl.DataFrame, policy: Policy, n_splits: int,
                 random_state: int) -> NationalFit:
    """Cross-fit the model on all Dutch wijken; `base` has region_code, gemeente_code, youth_population,
    observed_rate for every wijk of the latest year, `values` the latest known signals."""
    features = model_features(policy)
    assert_no_excluded(features, policy)
    rows = base.join(values.select("region_code", *features), on="region_code", how="left")
    rows = rows.sort("region_code")
    X = rows.select(features).to_numpy().astype(float)
    y = rows["observed_rate"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    groups = rows["gemeente_code"].to_numpy()
    big = (rows["youth_population"].fill_null(0) >= policy.disclosure.min_youth_population).to_numpy()
    fit = cross_fit(_estimator(features, policy, random_state), X, y, groups, big, n_splits)
    linear = cross_fit(linear_reference(), X, y, groups, big, n_splits)
    wijken = rows.select("region_code", "gemeente_code", "youth_population", "observed_rate").with_columns(
        pl.Series("expected_rate_oof", fit.oof))
    audit = _audit(features, y, big, fit, linear, groups)
    return NationalFit(features=features, wijken=wijken, X=X, crossfit=fit, audit=audit)


def _audit(features: tuple[str, ...], y: np.ndarray, big: np.ndarray, fit: CrossFit, linear: CrossFit,
           groups: np.ndarray) -> dict[str, Any]:
    known = np.isfinite(y)
    trained = big & known
    params = {k: v for k, v in fit.models[0].get_params().items() if k not in ("feature_names", "excluded")}
    return {
        "estimator": {"name": "ExpectedRateModel (scikit-learn HistGradientBoostingRegressor)",
                      "params": params},
        "training": {"wijken": int(trained.sum()), "gemeenten": int(len(np.unique(groups[trained]))),
                     "rule": "wijken of the reference year with an observed rate and at least "
                             "min_youth_population youths (policy)"},
        "validation": {
            "scheme": f"GroupKFold({fit.n_splits}) by gemeente, out of fold (no wijk is predicted by a model "
                      "that saw its own gemeente)",
            "model": {"wijken_min_youth": oos_scores(y, fit.oof, big),
                      "all_wijken": oos_scores(y, fit.oof, known)},
            "linear": {"wijken_min_youth": oos_scores(y, linear.oof, big),
                       "all_wijken": oos_scores(y, linear.oof, known)},
            "linear_model": "median imputation, standardisation, ordinary least squares"},
        "expected_rate": "out of fold: the prediction of the fold model that did not see the wijk's gemeente",
        "shap": {"method": "shap.TreeExplainer (exact for trees) on the same fold model; base value + group "
                           "contributions = expected rate",
                 "groups": {g: [f for f in features if SIGNAL_BY_NAME[f].group == g] for g in GROUPS}},
    }


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
