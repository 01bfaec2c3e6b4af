"""SHAP drivers: per wijk the group contributions plus the base value equal the expected rate."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from toolkit.profiles import ExpectedRateModel
from toolkit.profiles._catalogue import GROUPS


def test_contributions_plus_base_equal_the_expected_rate_of_every_wijk_in_scope(den_haag):
    per_wijk = den_haag.shap.group_by("region_code").agg(
        (pl.col("contribution").sum() + pl.col("base_value").first()).alias("sum"),
        pl.col("expected_rate").first(), pl.col("group").sort().alias("groups"))
    assert per_wijk.height == den_haag.table.height == 44
    np.testing.assert_allclose(per_wijk["sum"].to_numpy(), per_wijk["expected_rate"].to_numpy(), atol=1e-8)
    assert all(g.to_list() == sorted(GROUPS) for g in per_wijk["groups"])


def test_the_explained_rate_is_the_published_expected_rate(den_haag):
    shap = den_haag.shap.group_by("region_code").agg(pl.col("expected_rate").first().alias("explained"))
    ok = den_haag.table.filter(pl.col("status") == "ok").join(shap, on="region_code")
    assert ok.height > 30
    np.testing.assert_allclose(ok["expected_rate"].to_numpy(), ok["explained"].to_numpy(), atol=0.005 + 1e-9)


def test_the_explained_rate_is_the_out_of_fold_rate_of_the_model_errors(den_haag):
    shap = den_haag.shap.group_by("region_code").agg(pl.col("expected_rate").first().alias("explained"))
    both = den_haag.model_errors.join(shap, on="region_code")
    assert both.height > 30
    np.testing.assert_allclose(both["expected_rate_oof"].to_numpy(), both["explained"].to_numpy(), atol=1e-9)


def test_estimator_contributions_are_additive_with_missing_values():
    rng = np.random.default_rng(0)  # SYNTHETIC data for the estimator contract
    X = rng.normal(size=(300, 4))
    y = 8 + 2 * X[:, 0] - X[:, 1] + rng.normal(scale=0.5, size=300)
    X[rng.random(X.shape) < 0.1] = np.nan
    model = ExpectedRateModel(feature_names=("a", "b", "c", "d"), max_iter=50, min_samples_leaf=10).fit(X, y)
    base, values = model.contributions(X[:20])
    np.testing.assert_allclose(base + values.sum(axis=1), model.predict(X[:20]), atol=1e-8)


def test_estimator_follows_the_scikit_learn_contract():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    model = ExpectedRateModel(max_iter=10)
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((2, 3)))
