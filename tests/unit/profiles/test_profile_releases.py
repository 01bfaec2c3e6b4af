"""With records: released stepped-care share and care-type mix join the profile, only released values.

The releases frame here is SYNTHETIC (the shape of ethics.gate's `Releases.table`), not real data.
"""

from __future__ import annotations

import polars as pl

from ethics import egress
from toolkit.profiles import PROFILE_COLUMNS, build_profiles
from toolkit.profiles._releases import CARE_TYPES, join_releases, release_columns


def _cell(code, measure, care_type, value, status="ok", year=2024):
    return {"region_code": code, "level": "wijk" if code.startswith("WK") else "gemeente", "year": year,
            "care_type": care_type, "measure": measure, "value": value if status == "ok" else None,
            "status": status, "epsilon": "1/3", "accuracy_95": 6.0, "provider": None, "synthetic": True}


def synthetic_releases() -> pl.DataFrame:
    """SYNTHETIC releases for two Den Haag wijken (and an older year and the gemeente, both to be ignored)."""
    rows = [_cell("WK051802", "clients", "all", 200), _cell("WK051802", "stepped_care_clients", "all", 30),
            _cell("WK051802", "clients", "jeugdhulp_zonder_verblijf", 150),
            _cell("WK051802", "clients", "jeugdhulp_met_verblijf", 20),
            _cell("WK051802", "clients", "jeugdbescherming", 40),
            _cell("WK051802", "clients", "jeugdreclassering", None, "secret"),
            _cell("WK051843", "clients", "all", 10), _cell("WK051843", "stepped_care_clients", "all", 10),
            _cell("WK051804", "clients", "all", None, "secret"),
            _cell("WK051804", "stepped_care_clients", "all", 15),
            _cell("WK051802", "clients", "all", 999, year=2023), _cell("GM0518", "clients", "all", 9000)]
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "provider": pl.String})


def test_released_shares_join_after_the_contract_columns(den_haag_panel, policy):
    result = build_profiles(den_haag_panel, policy, releases=synthetic_releases())
    t = result.table
    values, statuses = release_columns()
    assert t.columns[:len(PROFILE_COLUMNS)] == list(PROFILE_COLUMNS)
    assert set(values) | set(statuses) | {"release_year", "release_synthetic"} == \
        set(t.columns[len(PROFILE_COLUMNS):])
    assert set(values) <= set(result.withheld)
    row = t.filter(pl.col("region_code") == "WK051802").row(0, named=True)
    assert row["release_year"] == 2024 and row["release_synthetic"] is True
    assert row["stepped_care_share"] == 15.0 and row["stepped_care_share_status"] == "ok"
    assert row["care_mix_jeugdhulp_zonder_verblijf"] == 75.0 and row["care_mix_jeugdbescherming"] == 20.0
    assert row["care_mix_jeugdreclassering"] is None and row["care_mix_jeugdreclassering_status"] == "secret"
    egress.check_table(egress.Table("profiles.csv", t, withheld=result.withheld), policy)


def test_a_withheld_denominator_or_a_withheld_wijk_gives_no_share(den_haag):
    out = join_releases(den_haag.table, synthetic_releases())
    secret = out.filter(pl.col("region_code") == "WK051804").row(0, named=True)
    assert secret["stepped_care_share"] is None and secret["stepped_care_share_status"] == "secret"
    small = out.filter(pl.col("region_code") == "WK051843").row(0, named=True)
    assert small["status"] == "too_small" and small["stepped_care_share"] is None
    assert small["stepped_care_share_status"] == "too_small"
    none = out.filter(pl.col("region_code") == "WK051840").row(0, named=True)
    assert none["stepped_care_share"] is None and all(none[f"care_mix_{c}"] is None for c in CARE_TYPES)


def test_without_releases_the_table_has_exactly_the_contract_columns(den_haag):
    assert tuple(den_haag.table.columns) == PROFILE_COLUMNS
    assert join_releases(den_haag.table, None).equals(den_haag.table)


def test_through_the_real_gate_only_released_ok_cells_become_shares(den_haag_panel, policy, tmp_path):
    import dataclasses

    from toolkit.config import RunConfig
    from toolkit.releases import gate_releases

    config = dataclasses.replace(RunConfig(), demo_records=True, ledger=tmp_path / "ledger.sqlite")
    releases = gate_releases(config, den_haag_panel, policy)  # SYNTHETIC demo register
    t = build_profiles(den_haag_panel, policy, releases=releases).table
    cells = releases.table.filter(pl.col("measure") == "clients", pl.col("care_type") == "all",
                                  pl.col("level") == "wijk", pl.col("year") == pl.col("year").max())
    withheld = set(cells.filter(pl.col("status") != "ok")["region_code"])
    shown = t.filter(pl.col("stepped_care_share").is_not_null())
    # the noise is real (secure, unseeded): how many stepped-care cells are released ok varies run to run
    assert shown.height > 0 and not set(shown["region_code"]) & withheld
    assert set(shown["stepped_care_share_status"]) == {"ok"} and set(shown["status"]) == {"ok"}
    assert t["release_synthetic"].all()
    egress.check_table(egress.Table("profiles.csv", t, withheld=release_columns()[0]), policy)


def test_a_share_from_independently_noised_cells_never_exceeds_100_percent(den_haag):
    # SYNTHETIC: noise and rounding can release 15 children of one care type next to 10 of all types.
    rows = [_cell("WK051802", "clients", "all", 10), _cell("WK051802", "clients", "jeugdhulp_zonder_verblijf", 15)]
    releases = pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "provider": pl.String})
    row = join_releases(den_haag.table, releases).filter(pl.col("region_code") == "WK051802").row(0, named=True)
    assert row["care_mix_jeugdhulp_zonder_verblijf"] == 100.0
