"""Migration background and nationality never enter the model: the policy's excluded features."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest

from ethics.errors import PolicyRefusal
from toolkit.panel import build_panel
from toolkit.profiles import ExpectedRateModel, build_profiles
from toolkit.profiles._catalogue import signal_sources
from toolkit.profiles._expected import MSG_EXCLUDED
from toolkit.profiles._national import model_features


def test_the_default_policy_excludes_migration_and_no_feature_uses_it(den_haag, policy):
    assert {"pop_nonwestern_migration", "pop_western_migration"} <= policy.excluded_features
    names = [f["name"] for f in den_haag.audit["model"]["features"]]
    assert names and not signal_sources(names) & policy.excluded_features
    assert not any("migration" in n for n in signal_sources(names))
    excluded = {e["name"] for e in den_haag.audit["model"]["excluded_features"]}
    assert excluded == set(policy.excluded_features)


def test_the_model_refuses_an_excluded_feature():
    model = ExpectedRateModel(feature_names=("pct_social_rental", "pop_nonwestern_migration"),
                              excluded=frozenset({"pop_nonwestern_migration"}))
    with pytest.raises(PolicyRefusal) as err:
        model.fit(np.zeros((10, 2)), np.arange(10.0))
    assert str(err.value) == MSG_EXCLUDED.format(feature="pop_nonwestern_migration")
    assert err.value.exit_code == 4


def test_a_policy_that_excludes_a_source_column_drops_every_signal_built_from_it(policy):
    strict = dataclasses.replace(policy, excluded_features=policy.excluded_features | {"population"})
    features = model_features(strict)
    assert "bijstand_per_1000" not in features and "pct_age_0_14" not in features
    assert "pct_social_rental" in features
    assert not signal_sources(features) & strict.excluded_features


def test_expected_rates_do_not_move_when_migration_columns_are_scrambled(panel_frame, policy, den_haag):
    rng = np.random.default_rng(1)
    scrambled = panel_frame.with_columns(
        pl.Series(c, rng.permutation(panel_frame[c].to_numpy())) for c in
        ("pop_nonwestern_migration", "pop_western_migration"))
    other = build_profiles(build_panel(scrambled, ["GM0518"]), policy)
    assert other.table.select("expected_rate").equals(den_haag.table.select("expected_rate"))
    assert other.model_errors["expected_rate_oof"].equals(den_haag.model_errors["expected_rate_oof"])
    assert other.audit["proxy"]["proxy_strength_r2"] != den_haag.audit["proxy"]["proxy_strength_r2"]
