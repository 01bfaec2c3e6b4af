"""Typed validation of the policy and run config at the boundary, identifier names, BSN-like client ids."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ethics._client_ids import bsn_like_count, refuse_bsn_ids
from ethics.errors import ConfigError, ForbiddenColumn
from ethics.policy import (
    DisclosurePolicy,
    FairnessPolicy,
    IdentifierPolicy,
    PrivacyPolicy,
    load_policy,
    name_tokens,
)
from toolkit.config import RunConfig, load_run_config


@pytest.mark.parametrize(("cls", "kwargs", "key"), [
    (DisclosurePolicy, {"rounding_base": 2.5}, "rounding_base"),
    (DisclosurePolicy, {"min_youth_population": float("inf")}, "min_youth_population"),
    (DisclosurePolicy, {"secret_max": True}, "secret_max"),
    (PrivacyPolicy, {"sketch_size": 16.5}, "sketch_size"),
    (PrivacyPolicy, {"cost_clip_eur": (0, 1e300)}, "cost_clip_eur"),
    (PrivacyPolicy, {"total_epsilon": 0.5}, "total_epsilon"),
    (FairnessPolicy, {"n_boot": 100.5}, "n_boot"),
    (FairnessPolicy, {"bootstrap_seed": -1}, "bootstrap_seed"),
    (FairnessPolicy, {"max_ratio_flag": float("nan")}, "max_ratio_flag"),
    (FairnessPolicy, {"ci_level": "0.9"}, "ci_level"),
    (FairnessPolicy, {"no_such_setting": 1}, "no_such_setting"),
])
def test_wrong_types_and_ranges_are_refused_at_construction(cls, kwargs, key):
    with pytest.raises(ValueError, match=key):
        cls(**kwargs)


def test_policy_classes_stay_frozen_dataclasses_that_validate_on_replace():
    policy = load_policy()
    assert dataclasses.replace(policy.disclosure, rounding_base=10).rounding_base == 10
    with pytest.raises(ValueError, match="rounding_base"):
        dataclasses.replace(policy.disclosure, rounding_base=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.disclosure.rounding_base = 3  # type: ignore[misc]
    assert policy.privacy.epsilon_per_release == Fraction(1) and isinstance(policy.privacy.cost_clip_eur, tuple)


def test_a_policy_file_lists_every_broken_setting_with_its_key(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[disclosure]\nrounding_base = 2.5\n[fairness]\nn_boot = 100.5\nbootstrap_seed = -1\n")
    with pytest.raises(ConfigError) as err:
        load_policy(path)
    text = err.value.render()
    assert err.value.exit_code == 2 and str(path) in text
    assert all(k in text for k in ("disclosure.rounding_base", "fairness.n_boot", "fairness.bootstrap_seed"))


def test_a_partial_policy_file_keeps_the_defaults(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('preset = "mine"\n[disclosure]\nmin_youth_population = 250\n')
    policy = load_policy(path)
    assert policy.disclosure.min_youth_population == 250 and policy.privacy == PrivacyPolicy()


@pytest.mark.parametrize(("text", "key"), [
    ('[forecast]\nhorizon_years = "5"\n', "forecast.horizon_years"),
    ("[profiles]\ntop_signals = -1\n", "profiles.top_signals"),
    ("scope = 5\n", "scope"),
    ("[scope]\ngemeenten = 5\n", "scope.gemeenten"),
    ("[forecast]\nhorizon_years = inf\n", "forecast.horizon_years"),
    ("[forecast]\nhorizons = 5\n", "forecast.horizons"),
])
def test_run_config_names_the_file_and_key(tmp_path, text, key):
    path = tmp_path / "run.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_run_config(path)
    assert err.value.exit_code == 2 and str(path) in str(err.value) and f"'{key}'" in str(err.value)


def test_run_config_options_are_named_as_options(tmp_path):
    with pytest.raises(ConfigError, match="--records"):
        load_run_config(None, records=tmp_path / "missing.csv")
    with pytest.raises(ConfigError, match="--lang"):
        load_run_config(None, lang="fr")
    assert load_run_config(None, gemeenten=("gm0363",)).gemeenten == ("GM0363",)
    assert dataclasses.replace(RunConfig(), as_of=2021).as_of == 2021


@pytest.mark.parametrize("name", ["bsn", "BSN", "client_bsn", "bsn_nummer", "BSN-nummer", "b s n", "B\u200bSN",
                                  "B\u00adSN", "\ufeffbsn", "clientBsn", "Bsn.Nummer", "\uff42\uff53\uff4e",
                                  "Géboortedatum", "moeder_geboortedatum", "Date of Birth", "client_date_of_birth",
                                  "burger_service_nummer", "Postcode", "post code", "NAAM", '"naam"'])
def test_identifier_names_are_found_however_written(policy, name):
    assert policy.identifiers.is_forbidden(name)


@pytest.mark.parametrize("name", ["client_id", "region_name", "gemeente_name", "wijknaam", "address_density_km2",
                                  "jobs_number", "provider", "cost_eur",
                                  "birth_year", "start_date", "gwb_code_10", "a_inw", ""])
def test_open_column_names_are_not_identifiers(policy, name):
    assert not policy.identifiers.is_forbidden(name)


def test_name_tokens_ignore_invisible_characters_and_accents():
    assert name_tokens("B\u200b\u200cS\u2060N") == ("bsn",)
    assert name_tokens("Régio-Naam") == ("regio", "naam")
    assert name_tokens("x_" * 100_000 + "bsn")[-1] == "bsn"  # however long the name


def test_egress_and_input_share_one_rule():
    ids = IdentifierPolicy(frozenset({"bsn"}))
    assert ids.is_forbidden("klant_bsn") and not ids.is_forbidden("klant_nummer")


def _elfproef(n: int) -> bool:
    digits = f"{n:09d}"
    return sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True)) % 11 == 0


def test_bsn_count_matches_a_plain_elfproef():
    rng = np.random.default_rng(5)
    numbers = rng.integers(10_000_000, 999_999_999, 2000)
    expected = sum(_elfproef(int(n)) for n in set(numbers.tolist()))
    assert bsn_like_count(pl.Series([str(n) for n in numbers]))[0] == expected


def test_real_looking_bsns_are_refused_and_numeric_pseudonyms_are_not(policy):
    rng = np.random.default_rng(11)
    pseudonyms = pl.Series([f"{n:09d}" for n in rng.integers(0, 999_999_999, 5000)])
    refuse_bsn_ids(pseudonyms, "r.csv", policy)  # about 1 in 11 pass: far below one half
    bsns = [n for n in range(100_000_000, 100_010_000) if _elfproef(n)][:50]
    with pytest.raises(ForbiddenColumn) as err:
        refuse_bsn_ids(pl.Series([str(n) for n in bsns] + ["SYN-1"]), "r.csv", policy)
    assert "client_id" in str(err.value) and "50 of 51" in str(err.value)
    assert not any(str(n) in str(err.value) for n in bsns)


def test_two_bsn_like_ids_are_not_enough_to_refuse(policy):
    refuse_bsn_ids(pl.Series(["111222333", "123456782"]), "r.csv", policy)


def test_the_elfproef_check_follows_the_policy(policy):
    off = dataclasses.replace(policy, identifiers=dataclasses.replace(policy.identifiers, check_bsn_elfproef=False))
    refuse_bsn_ids(pl.Series(["111222333", "123456782", "100000009"]), "r.csv", off)


def test_shipped_configs_validate():
    from ethics.policy import CONFIG_DIR

    for path in [CONFIG_DIR / "ethics.toml", *sorted(Path(CONFIG_DIR / "policy").glob("*.toml"))]:
        load_policy(path)
    load_run_config(CONFIG_DIR / "run.toml")
    from toolkit.forecasts import load_scenario

    for path in sorted((CONFIG_DIR / "scenarios").glob("*.toml")):  # every key they use is a known key
        load_scenario(path)


def test_a_whole_header_is_checked_with_the_same_rule_as_one_name(policy):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    parts = st.sampled_from(["bsn", "BSN", "b s n", "\u200b", "-", "_", " ", "client", "nummer", "Naam", "na", "am",
                             "é", "\n", "date", "of", "birth", "kolom", "ＢＳＮ", "x", "1", "postcode", "wijk"])
    names = st.lists(st.lists(parts, max_size=5).map("".join), max_size=30)

    @settings(deadline=None, max_examples=300, database=None)
    @given(names)
    def check(header):
        assert policy.identifiers.forbidden_in(header) == [n for n in header if policy.identifiers.is_forbidden(n)]

    check()


def test_an_identifier_after_800_thousand_names_is_found(policy):
    names = [f"kolom_{i:06d}" for i in range(800_000)]
    assert policy.identifiers.forbidden_in([*names, "Client-BSN"]) == ["Client-BSN"]
