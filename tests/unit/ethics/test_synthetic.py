"""The SYNTHETIC register: labelled everywhere, new children every time, calibrated to real CBS figures."""

from __future__ import annotations

import polars as pl
import pytest

from ethics.synthetic import FILL_SECRET, generate_register, synthetic_path, write_register

GM = "GM0518"


@pytest.fixture(scope="module")
def reg(panel_frame):
    return generate_register(panel_frame, GM, seed=3)


def test_everything_is_labelled_synthetic(reg, tmp_path):
    assert reg["synthetic"].all() and reg["client_id"].str.starts_with("SYN-").all()
    assert reg["provider"].str.ends_with("(SYNTHETIC)").all()
    assert write_register(reg, tmp_path / "demo.csv").name == "demo-SYNTHETIC.csv"
    assert synthetic_path(tmp_path / "my-synthetic.csv").name == "my-synthetic.csv"


def test_each_register_is_a_new_set_of_children(panel_frame, reg):
    other = generate_register(panel_frame, GM, seed=3)
    assert set(reg["client_id"]).isdisjoint(set(other["client_id"]))


def test_children_per_wijk_follow_the_cbs_wijk_table(panel_frame, reg):
    cbs = panel_frame.filter(pl.col("year") == 2022, pl.col("gemeente_code") == GM)
    counts = dict(reg.group_by("wijk_code").agg(pl.col("client_id").n_unique()).iter_rows())
    for row in cbs.filter(pl.col("level") == "wijk").iter_rows(named=True):
        bands = [row[f"youth_care_clients_{b}"] or 0 for b in ("0_3", "4_11", "12_17", "18_22")]
        if row["youth_care_clients"] is not None and sum(bands) <= row["youth_care_clients"]:
            assert counts.get(row["region_code"], 0) == row["youth_care_clients"], row["region_code"]
        elif row["youth_care_clients"] is None and (row["youth_0_22_est"] or 0) > 0:
            assert counts.get(row["region_code"], 0) == FILL_SECRET
    total = cbs.filter(pl.col("level") == "gemeente")["youth_care_clients"].item()
    assert reg["client_id"].n_unique() == pytest.approx(total, rel=0.01)


def test_care_types_stepped_care_and_costs(panel_frame, reg):
    children = reg["client_id"].n_unique()
    per_type = dict(reg.group_by("care_type").agg(pl.col("client_id").n_unique()).iter_rows())
    gem = panel_frame.filter(pl.col("year") == 2022, pl.col("region_code") == GM).row(0, named=True)
    assert per_type["jeugdhulp_met_verblijf"] / children == pytest.approx(
        gem["pct_youth_jeugdhulp_residential"] / 100, abs=0.01
    )
    trajectories = reg.group_by("client_id").len()["len"]
    assert (trajectories >= 3).mean() > 0.05  # stepped-care sequences exist
    cost = reg.group_by("client_id").agg(pl.col("cost_eur").sum())["cost_eur"].mean()
    assert cost == pytest.approx(13968, rel=0.05)  # configs/prices.toml, all care types


def test_unknown_gemeente_is_a_usage_error(panel_frame):
    from ethics.errors import ConfigError

    with pytest.raises(ConfigError, match="GM9999"):
        generate_register(panel_frame, "GM9999")


def test_a_year_without_the_mix_figures_takes_them_from_2022(panel_frame):
    # KWB 2024 has the total count only: the total is 2024's, the care-type mix and age bands come from 2022.
    reg = generate_register(panel_frame, GM, year=2024, seed=5)
    gem = panel_frame.filter(pl.col("region_code") == GM, pl.col("year").is_in([2022, 2024])).sort("year")
    assert reg["client_id"].n_unique() == pytest.approx(gem["youth_care_clients"][1], rel=0.01)
    per_type = dict(reg.group_by("care_type").agg(pl.col("client_id").n_unique()).iter_rows())
    assert per_type["jeugdhulp_met_verblijf"] / reg["client_id"].n_unique() == pytest.approx(
        gem["pct_youth_jeugdhulp_residential"][0] / 100, abs=0.01
    )
    assert reg["wijk_code"].drop_nulls().str.starts_with("WK0518").all()
