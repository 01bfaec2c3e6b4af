"""The expected youth-care rate: one national model of the rate from open signals, with SHAP drivers.

`ExpectedRateModel` follows scikit-learn's estimator contract (keyword-only parameters stored as given,
`fit` learns `booster_` and returns self, `predict` refuses before `fit`), so `clone` and cross-validation
work. It is a small gradient-boosted tree ensemble (HistGradientBoostingRegressor: handles missing signals,
fits all Dutch wijken in well under a second). `fit` refuses any feature the ethics policy excludes
(migration background, nationality): those are audit groupings only.

`contributions` gives exact SHAP values (shap.TreeExplainer, interventional on the tree paths), so per wijk
`base_value + sum(contributions) == prediction`; `group_contributions` adds them up per signal group.
`linear_reference` is the plain linear model the validation reports next to it.

Fit and predict run single-threaded (`single_thread`): the data are small (a few thousand wijken), and
OpenMP threads that spin on a busy 2-core laptop made one fit take seconds instead of a tenth.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from ethics.errors import PolicyRefusal

__all__ = ["ExpectedRateModel", "MSG_EXCLUDED", "group_contributions", "linear_reference", "single_thread"]

MSG_EXCLUDED = ("Feature '{feature}' is excluded by the ethics policy ([proxies] excluded_features): it may "
                "only be used as an audit grouping, never as a model feature.")


def single_thread() -> Any:
    """A context in which OpenMP and BLAS use one thread (threadpoolctl, a scikit-learn dependency)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


class ExpectedRateModel(RegressorMixin, BaseEstimator):
    """Gradient-boosted trees for a wijk's youth-care rate (%) from open signals.

    Args:
        feature_names: names of the columns of X, in order (checked against `excluded`).
        excluded: feature names the ethics policy forbids; `fit` refuses them.
        max_iter, learning_rate, max_depth, min_samples_leaf, l2_regularization: booster settings.
        random_state: fixed seed, so fits are identical run to run.
    """

    def __init__(self, *, feature_names: tuple[str, ...] = (), excluded: frozenset[str] = frozenset(),
                 max_iter: int = 200, learning_rate: float = 0.05, max_depth: int = 3,
                 min_samples_leaf: int = 30, l2_regularization: float = 1.0, random_state: int = 0) -> None:
        self.feature_names = feature_names
        self.excluded = excluded
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ExpectedRateModel:
        """Refuse excluded features, then fit the booster on X (n_wijken x n_features) and rates y (optional
        weight per wijk, for example its precision)."""
        from sklearn.ensemble import HistGradientBoostingRegressor
        from sklearn.utils.validation import validate_data

        for feature in self.feature_names:
            if feature in self.excluded:
                raise PolicyRefusal(MSG_EXCLUDED.format(feature=feature))
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", y_numeric=True)
        if self.feature_names and len(self.feature_names) != X.shape[1]:
            raise ValueError(f"feature_names has {len(self.feature_names)} names but X has {X.shape[1]} "
                             "columns.")
        booster = HistGradientBoostingRegressor(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=False, random_state=self.random_state)
        with single_thread():
            self.booster_ = booster.fit(X, y, sample_weight=sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Expected rate (%) per row of X."""
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self, "booster_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        with single_thread():
            return np.asarray(self.booster_.predict(X), dtype=float)

    def contributions(self, X: Any) -> tuple[float, np.ndarray]:
        """Exact SHAP values (n_rows x n_features) and the base value: base + row sum == predict(X)."""
        import shap
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self, "booster_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        explainer = shap.TreeExplainer(self.booster_)
        values = np.asarray(explainer.shap_values(X), dtype=float).reshape(len(X), -1)
        return float(np.ravel(explainer.expected_value)[0]), values


def group_contributions(values: np.ndarray, feature_groups: list[str],
                        groups: tuple[str, ...]) -> np.ndarray:
    """Sum SHAP columns per group: (n_rows x n_features) -> (n_rows x len(groups)), order of `groups`."""
    index = np.array(feature_groups)
    return np.column_stack([values[:, index == g].sum(axis=1) for g in groups]) if len(values) else \
        np.zeros((0, len(groups)))


def linear_reference() -> Any:
    """The plain linear reference: median imputation, standardisation, ordinary least squares."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
                         LinearRegression())
