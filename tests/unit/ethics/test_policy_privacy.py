"""Privacy settings added for the gate: epsilon split, bounds, sketch; every invalid value refused."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ethics.errors import ConfigError
from ethics.policy import DEFAULT_SPLIT, SPLIT_MEASURES, PrivacyPolicy, load_policy

HALF_SPLIT = tuple(
    (name, Fraction(1, 2) if i < 2 else Fraction(0)) for i, (name, _) in enumerate(DEFAULT_SPLIT)
)


@pytest.mark.parametrize(
    ("kwargs", "expectation"),
    [
        ({}, None),
        ({"max_trajectories_per_child": 3}, None),
        ({"max_trajectories_per_child": 2}, "max_trajectories_per_child"),
        ({"max_care_types_per_child": 0}, "max_care_types_per_child"),
        ({"max_care_types_per_child": 5}, "max_care_types_per_child"),
        ({"max_providers_per_child": 0}, "max_providers_per_child"),
        ({"reference_date": "13-01"}, "reference_date"),
        ({"reference_date": "02-29"}, "reference_date"),
        ({"reference_date": "6-30"}, "reference_date"),
        ({"reference_date": "06-30"}, None),
        ({"epsilon_split": DEFAULT_SPLIT[:-1]}, "epsilon_split"),
        (
            {"epsilon_split": (*DEFAULT_SPLIT[:-1], ("provider_cost_eur", Fraction(1, 10)))},
            "sum to exactly 1",
        ),
        ({"epsilon_split": HALF_SPLIT}, "positive share"),
        ({"overlap_threshold": Fraction(-1, 2)}, "overlap_threshold"),
        ({"overlap_threshold": Fraction(3, 2)}, "overlap_threshold"),
        ({"sketch_size": 8}, "sketch_size"),
    ],
)
def test_privacy_policy_settings(kwargs, expectation):
    if expectation is None:
        PrivacyPolicy(**kwargs)
    else:
        with pytest.raises(ValueError, match=expectation):
            PrivacyPolicy(**kwargs)


def test_split_is_exact_and_sums_to_the_release_epsilon():
    p = PrivacyPolicy(epsilon_per_release=Fraction(1, 2), total_epsilon=Fraction(1))
    spent = sum((p.epsilon_for(m) for m in SPLIT_MEASURES), Fraction(0))
    assert spent == Fraction(1, 2)  # exact: floats would drift


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[privacy.epsilon_split]\nclients = 0.3\n", "floats drift"),
        ('[privacy.epsilon_split]\nclients = "1"\n', "epsilon_split"),
        ("[privacy]\noverlap_threshold = 0.5\n", "overlap_threshold"),
        ('[privacy]\nreference_date = "31-12"\n', "reference_date"),
    ],
)
def test_invalid_privacy_settings_in_a_file_are_refused_naming_the_file(tmp_path, toml, message):
    path = tmp_path / "policy.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message) as err:
        load_policy(path)
    assert str(path) in str(err.value) and err.value.exit_code == 2


def test_shipped_policy_split_reads_as_fractions():
    p = load_policy().privacy
    assert dict(p.epsilon_split)["clients"] == Fraction(3, 10)
    assert p.overlap_threshold == 0  # strict: any shared child charges the same budget


@pytest.mark.parametrize(
    ("kwargs", "expectation"),
    [
        ({}, None),
        ({"forbidden_columns": frozenset({"bsn", "naam"})}, None),
        ({"forbidden_columns": frozenset({"naam"})}, "forbidden_columns"),
    ],
)
def test_identifier_policy(kwargs, expectation):
    from ethics.policy import IdentifierPolicy

    if expectation is None:
        IdentifierPolicy(**kwargs)
    else:
        with pytest.raises(ValueError, match=expectation):
            IdentifierPolicy(**kwargs)


@pytest.mark.parametrize(
    ("levels", "expectation"),
    [
        (frozenset({"wijk", "gemeente"}), None),
        (frozenset({"wijk", "buurt"}), "allowed_levels"),
    ],
)
def test_policy_levels(levels, expectation):
    from ethics.policy import DisclosurePolicy, FairnessPolicy, IdentifierPolicy, Policy

    parts = {
        "preset": "test",
        "disclosure": DisclosurePolicy(),
        "privacy": PrivacyPolicy(),
        "identifiers": IdentifierPolicy(),
        "fairness": FairnessPolicy(),
        "allowed_levels": levels,
    }
    if expectation is None:
        Policy(**parts)
    else:
        with pytest.raises(ValueError, match=expectation):
            Policy(**parts)


@pytest.mark.parametrize(
    ("share", "expectation"),
    [
        ((("cost_eur", Fraction(1, 2)),), None),
        ((), None),
        ((("cost_eur", Fraction(1)),), "gemeente_share.cost_eur"),
        ((("provider_clients", Fraction(1, 2)),), "gemeente_share.provider_clients"),
    ],
)
def test_gemeente_share(share, expectation):
    if expectation is None:
        assert PrivacyPolicy(gemeente_share=share).gemeente_share_for("clients") == 0
    else:
        with pytest.raises(ValueError, match=expectation):
            PrivacyPolicy(gemeente_share=share)
