"""Policy values are validated at construction and at load; invalid settings are refused with exit 2."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ethics.errors import ConfigError
from ethics.policy import DisclosurePolicy, FairnessPolicy, PrivacyPolicy, load_policy, parse_epsilon


@pytest.mark.parametrize(("kwargs", "expectation"), [
    ({}, None),
    ({"rounding_base": 0}, "rounding_base"),
    ({"min_youth_population": -1}, "min_youth_population"),
    ({"secret_max": 10, "min_released_count": 10}, "min_released_count"),
])
def test_disclosure_policy(kwargs, expectation):
    if expectation is None:
        DisclosurePolicy(**kwargs)
    else:
        with pytest.raises(ValueError, match=expectation):
            DisclosurePolicy(**kwargs)


@pytest.mark.parametrize(("kwargs", "expectation"), [
    ({}, None),
    ({"epsilon_per_release": Fraction(4), "total_epsilon": Fraction(3)}, "epsilon_per_release"),
    ({"unit": "household"}, "unit"),
    ({"cost_clip_eur": (10, 5)}, "cost_clip_eur"),
])
def test_privacy_policy(kwargs, expectation):
    if expectation is None:
        PrivacyPolicy(**kwargs)
    else:
        with pytest.raises(ValueError, match=expectation):
            PrivacyPolicy(**kwargs)


@pytest.mark.parametrize(("kwargs", "expectation"), [
    ({"on_fail": "block"}, None),
    ({"on_fail": "warn"}, "on_fail"),
    ({"max_ratio_flag": 2.0, "max_ratio_fail": 1.5}, "max_ratio_flag"),
])
def test_fairness_policy(kwargs, expectation):
    if expectation is None:
        FairnessPolicy(**kwargs)
    else:
        with pytest.raises(ValueError, match=expectation):
            FairnessPolicy(**kwargs)


@pytest.mark.parametrize(("value", "ok"), [("1/2", True), (1, True), (0.5, False), ("0", False), ("11", False),
                                           (True, False)])
def test_epsilon_is_exact(value, ok):
    if ok:
        assert isinstance(parse_epsilon(value), Fraction)
    else:
        with pytest.raises(ValueError):
            parse_epsilon(value)


def test_invalid_policy_file_is_refused_with_the_file_named(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text('[privacy]\nepsilon_per_release = 0.5\n')
    with pytest.raises(ConfigError) as err:
        load_policy(bad)
    assert str(bad) in str(err.value) and "epsilon_per_release" in str(err.value)
    assert err.value.exit_code == 2


@pytest.mark.parametrize("name", ["ethics.toml", "policy/cbs.toml", "policy/strict.toml"])
def test_shipped_policies_load(name):
    from ethics.policy import CONFIG_DIR

    policy = load_policy(CONFIG_DIR / name)
    assert "bsn" in policy.identifiers.forbidden_columns


def test_presets_differ_from_the_default_only_where_documented():
    import dataclasses

    from ethics.policy import CONFIG_DIR

    def core(p):
        return dataclasses.replace(p, source="", sha256="", preset="")

    default, cbs = load_policy(), load_policy(CONFIG_DIR / "policy/cbs.toml")
    strict = load_policy(CONFIG_DIR / "policy/strict.toml")
    assert core(cbs) == core(default)
    assert strict.disclosure.min_youth_population > default.disclosure.min_youth_population
    assert strict.privacy.total_epsilon < default.privacy.total_epsilon
    assert strict.fairness.on_fail == "block"
    assert core(strict).identifiers == core(default).identifiers
