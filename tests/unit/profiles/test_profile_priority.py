"""Risk index, rank and the priority list: too-small wijken are never ranked; reasons are given."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from ethics import egress
from ethics.errors import ConfigError
from toolkit.config import load_run_config
from toolkit.profiles import PRIORITY_COLUMNS, RISK_WEIGHTS, ProfileConfig, add_forecast_growth, build_profiles


def test_too_small_and_secret_wijken_are_never_ranked_nor_listed(den_haag):
    t = den_haag.table
    assert {"ok", "too_small"} <= set(t["status"]) <= {"ok", "too_small", "secret"}  # 2024: no secret wijk
    withheld = t.filter(pl.col("status") != "ok")
    assert withheld["risk_rank"].null_count() == withheld.height
    assert not set(withheld["region_code"]) & set(den_haag.priority["region_code"])


def test_a_higher_minimum_makes_more_wijken_too_small_and_none_of_them_is_ranked(den_haag_panel, policy):
    strict = dataclasses.replace(policy, disclosure=dataclasses.replace(policy.disclosure,
                                                                        min_youth_population=2000))
    result = build_profiles(den_haag_panel, strict)
    small = result.table.filter(pl.col("youth_population") < 2000)
    assert small.height > 5 and set(small["status"]) == {"too_small"}
    assert small["risk_rank"].null_count() == small.height
    assert not set(small["region_code"]) & set(result.priority["region_code"])
    egress.check_table(egress.Table("profiles.csv", result.table, withheld=result.withheld), strict)


def test_ranks_run_from_one_by_descending_risk_index(den_haag):
    ok = den_haag.table.filter(pl.col("status") == "ok").sort("risk_rank")
    assert ok["risk_rank"].to_list() == list(range(1, ok.height + 1))
    assert ok["risk_index"].is_sorted(descending=True)
    assert ok["risk_index"].min() >= 0 and ok["risk_index"].max() <= 100


def test_priority_list_is_the_top_quarter_with_reasons(den_haag):
    p = den_haag.priority
    n_ok = int((den_haag.table["status"] == "ok").sum())
    assert tuple(p.columns) == PRIORITY_COLUMNS
    assert p["priority_rank"].to_list() == list(range(1, -(-n_ok // 4) + 1))
    assert all(r.startswith("Risico-index") for r in p["reasons_nl"])
    assert all(r.startswith("Risk index") and "signals:" in r for r in p["reasons_en"])
    table = den_haag.table.join(p, on="region_code")
    assert (table["risk_rank"] == table["priority_rank"]).all()
    big = table.filter(pl.col("excess_rate_gemeente").abs() >= 1.0)
    assert big.height and all("expected for this gemeente" in r for r in big["reasons_en"])
    assert den_haag.audit["priority"]["excess_column"] == "excess_rate_gemeente"


def test_the_priority_list_can_report_the_national_excess_instead(den_haag_panel, policy, den_haag):
    national = build_profiles(den_haag_panel, policy, config=ProfileConfig(priority_excess="national"))
    assert national.table.equals(den_haag.table)
    reasons = national.priority.join(national.table, on="region_code")
    big = reasons.filter(pl.col("excess_rate").abs() >= 1.0)
    assert big.height and all("voor Nederland" in r for r in big["reasons_nl"])
    assert not any("voor deze gemeente" in r for r in reasons["reasons_nl"])
    assert national.audit["priority"]["excess"] == "national"


@pytest.mark.parametrize(("kwargs", "match"), [({"priority_excess": "wijk"}, "priority_excess"),
                                               ({"shrinkage_k": -1.0}, "shrinkage_k"),
                                               ({"pool_years": 0}, "pool_years")])
def test_profile_config_refuses_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ProfileConfig(**kwargs)


def test_weights_are_shown_and_sum_to_one(den_haag):
    assert den_haag.audit["risk_index"]["weights"] == RISK_WEIGHTS
    assert abs(sum(RISK_WEIGHTS.values()) - 1) < 1e-12


def test_forecast_growth_hook_adds_the_growth_as_a_reason(den_haag):
    p = den_haag.priority
    growth = pl.DataFrame({"region_code": p["region_code"][:2], "growth_pct": [4.25, -3.0],
                           "status": ["ok", "secret"]})
    out = add_forecast_growth(p, growth)
    assert out["reasons_en"][0].endswith("; forecast growth in youths in care +4.2%") or \
        out["reasons_en"][0].endswith("; forecast growth in youths in care +4.3%")
    assert out["reasons_nl"][0].endswith("%") and "groei" in out["reasons_nl"][0]
    assert out["growth_pct"][1] is None and out["reasons_en"][1] == p["reasons_en"][1]
    assert out.height == p.height


def test_the_run_config_chooses_the_excess_of_the_priority_list(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('[profiles]\npriority_excess = "national"\n')
    assert ProfileConfig.of(load_run_config(path)).priority_excess == "national"
    assert ProfileConfig.of(load_run_config()).priority_excess == "gemeente"
    path.write_text('[profiles]\npriority_excess = "wijk"\n')
    with pytest.raises(ConfigError, match="priority_excess"):
        load_run_config(path)
