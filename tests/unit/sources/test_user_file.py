"""A user's KWB file for another year: both spellings (CBS short codes, OData keys), CBS rules, the merge.

The files are TEST FIXTURES written from the embedded 2022 rows (see tests/kwb_test_files.py).
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from kwb_test_files import SHARED_DATA, kwb_rows, odata_frame, short_code_frame, write

from ethics.errors import InputDataError
from toolkit.sources._kwb_columns import (
    ODATA_GEMEENTE_NAME,
    ODATA_LEVEL,
    ODATA_NAME,
    ODATA_REGION,
)
from toolkit.sources.bridge import add_youth_care_rate
from toolkit.sources.dictionary import ODATA_TO_NAME
from toolkit.sources.schemas import kind_of
from toolkit.sources.user_file import MSG_NO_YEAR, MSG_YEAR_TAKEN, merge_user_file, read_user_file

METADATA = SHARED_DATA / "cbs" / "kwb_2024_column_metadata_85984NED.json"


@pytest.fixture(scope="module")
def rows(panel_frame):
    return kwb_rows(panel_frame)


def _merged_2023(panel, path):
    merged = merge_user_file(panel, path)
    return merged.filter(pl.col("year") == 2023).sort("region_code")


def test_short_code_file_adds_a_year_with_the_bridged_rate(panel_frame, rows, tmp_path):
    merged = merge_user_file(panel_frame, write(short_code_frame(rows), tmp_path / "kwb.csv"))
    new = merged.filter(pl.col("year") == 2023).sort("region_code")
    assert new["region_code"].to_list() == rows["region_code"].to_list()  # padding stripped
    assert merged.height == panel_frame.height + rows.height
    assert new["population"].to_list() == rows["population"].to_list()
    assert set(new["youth_care_rate_method"].drop_nulls()) == {"count_bridge"}
    assert new["youth_care_rate_pct"].to_list() == pytest.approx(rows["youth_care_rate_pct"].to_list())
    assert new.filter(pl.col("region_code") == "GM0518")["level"].to_list() == ["gemeente"]


def test_kwb_percentage_when_the_file_has_it(panel_frame, rows, tmp_path):
    frame = short_code_frame(rows).with_columns(pl.lit("12.5").alias("p_jz_tn"))
    new = _merged_2023(panel_frame, write(frame, tmp_path / "kwb.csv"))
    assert set(new["youth_care_rate_method"]) == {"kwb_pct"}
    assert set(new["youth_care_rate_pct"]) == {12.5}


@pytest.mark.parametrize("shift", [0, 7], ids=["keys_of_2024", "keys_of_another_year"])
def test_odata_keys_give_the_same_rows_as_short_codes(panel_frame, rows, tmp_path, shift):
    short = _merged_2023(panel_frame, write(short_code_frame(rows), tmp_path / "short.csv"))
    odata = _merged_2023(panel_frame, write(odata_frame(rows, suffix_shift=shift), tmp_path / "odata.csv"))
    assert odata.drop("gemeente_name").equals(short.drop("gemeente_name"))


def test_cbsodata_json_records_are_read(panel_frame, rows, tmp_path):
    records = odata_frame(rows).to_dicts()
    path = tmp_path / "kwb.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    user = read_user_file(path)
    assert user.flavour == "odata" and user.years == (2023,)
    assert user.frame.height == rows.height


def test_year_from_the_file_name_or_refused(rows, tmp_path):
    frame = short_code_frame(rows, year=None)
    assert read_user_file(write(frame, tmp_path / "kwb-2023.csv")).years == (2023,)
    assert read_user_file(write(frame, tmp_path / "kwb.csv"), year=2025).years == (2025,)
    with pytest.raises(InputDataError) as err:
        read_user_file(write(frame, tmp_path / "kwb_2021_2022.csv"))
    assert [p.rule for p in err.value.problems] == [MSG_NO_YEAR]


def _marker(code: str, col: str, value: str) -> pl.Expr:
    return pl.when(pl.col("gwb_code_10").str.starts_with(code)).then(pl.lit(value)).otherwise(col).alias(col)


def test_cbs_markers_and_negative_codes_become_missing_never_zero(panel_frame, rows, tmp_path):
    frame = short_code_frame(rows).with_columns(
        _marker("WK051802", "a_jz_tn", "."), _marker("WK051803", "p_huurw", "-99997"),
        _marker("WK051804", "a_inw", "  x "))
    new = _merged_2023(panel_frame, write(frame, tmp_path / "kwb.csv"))
    where = (("WK051802", "youth_care_clients"), ("WK051803", "pct_rental"), ("WK051804", "population"))
    cell = {c: new.filter(pl.col("region_code") == code)[c][0] for code, c in where}
    assert cell == {"youth_care_clients": None, "pct_rental": None, "population": None}
    assert new.filter(pl.col("region_code") == "WK051802")["youth_care_rate_pct"][0] is None


def test_semicolon_file_with_decimal_commas_is_read_as_dutch_csv(panel_frame, rows, tmp_path):
    frame = short_code_frame(rows)
    values = [c for c in frame.columns if c not in ("gwb_code_10", "regio", "gm_naam", "year")]
    frame = frame.with_columns(pl.col(values).str.replace(".", ",", literal=True))
    assert frame["g_hhgro"].str.contains(",").any()
    new = _merged_2023(panel_frame, write(frame, tmp_path / "kwb.csv", separator=";"))
    assert new["avg_household_size"].to_list() == rows["avg_household_size"].to_list()
    assert new["population"].to_list() == rows["population"].to_list()


def test_buurt_rows_are_skipped_and_counted(rows, tmp_path):
    frame = short_code_frame(rows)
    buurt = frame.head(2).with_columns(pl.Series("gwb_code_10", ["BU05180101", "BU05180102"]))
    user = read_user_file(write(pl.concat([frame, buurt]), tmp_path / "kwb.csv"))
    assert user.skipped_buurt_rows == 2
    assert not user.frame["region_code"].str.starts_with("BU").any()


def test_a_year_with_youth_care_in_the_panel_is_refused(panel_frame, rows, tmp_path):
    path = write(short_code_frame(rows, year=2022), tmp_path / "kwb.csv")
    with pytest.raises(InputDataError) as err:
        merge_user_file(panel_frame, path)
    expected = [(1, "year", MSG_YEAR_TAKEN.format(year=2022))]
    assert [(p.row, p.column, p.rule) for p in err.value.problems] == expected


def test_2024_is_embedded_so_a_2024_file_is_refused(panel_frame, rows, tmp_path):
    path = write(short_code_frame(rows, year=2024), tmp_path / "kwb.csv")
    with pytest.raises(InputDataError) as err:
        merge_user_file(panel_frame, path)
    assert [(p.column, p.rule) for p in err.value.problems] == [("year", MSG_YEAR_TAKEN.format(year=2024))]


def test_a_newer_year_is_added_and_the_embedded_years_stay(panel_frame, rows, tmp_path):
    merged = merge_user_file(panel_frame, write(short_code_frame(rows, year=2025), tmp_path / "kwb.csv"))
    assert merged.filter(pl.col("year") == 2025).height == rows.height
    assert merged.filter(pl.col("year") <= 2024).equals(panel_frame)


@pytest.mark.skipif(not (SHARED_DATA / "cbs").exists(), reason="../shared/data is not present")
def test_real_kwb_2024_file_reads_like_the_embedded_2024_with_names(panel_frame, tmp_path):
    """The real KWB 2024 OData file (Den Haag and Amsterdam rows, relabelled 2025: a test fixture) gives the
    embedded 2024 values, and region names although the file has no name column."""
    raw = pl.read_csv(SHARED_DATA / "cbs" / "kwb_2024_wijk_gemeente_85984NED.csv", infer_schema=False)
    keep = raw.filter(pl.col("Codering_3").str.strip_chars().str.slice(2, 4).is_in(["0518", "0363"]))
    user = read_user_file(write(keep, tmp_path / "kwb-2025.csv"))
    new = user.frame.drop("_row", "year").sort("region_code")
    old = panel_frame.filter(pl.col("year") == 2024, pl.col("gemeente_code").is_in(["GM0518", "GM0363"]))
    old = old.sort("region_code")
    assert new["region_code"].to_list() == old["region_code"].to_list()
    assert new["region_name"].is_not_null().all()
    for col in ("region_name", "gemeente_name", "population", "youth_care_clients", "youth_care_rate_pct",
                "wmo_clients", "pop_65_plus", "dist_gp_km"):
        assert new[col].equals(old[col].cast(new.schema[col])), col


def test_provenance_names_the_file_and_its_hash(rows, tmp_path):
    user = read_user_file(write(short_code_frame(rows), tmp_path / "kwb.csv"))
    prov = user.provenance.filter(pl.col("column") == "population")
    assert prov.select("year", "n_values").row(0) == (2023, rows.height)
    assert f"kwb.csv (sha256 {user.sha256[:16]}, CBS short codes)" in prov["source"][0]
    rate = user.provenance.filter(pl.col("column") == "youth_care_rate_pct")["source"][0]
    assert "bridge.py" in rate


def test_bridge_is_the_shared_one(rows, tmp_path):
    user = read_user_file(write(short_code_frame(rows), tmp_path / "kwb.csv"))
    inputs = user.frame.drop("youth_care_rate_pct", "youth_care_rate_method", "youth_0_22_est")
    again = add_youth_care_rate(inputs)
    assert again["youth_care_rate_pct"].to_list() == user.frame["youth_care_rate_pct"].to_list()


@pytest.mark.skipif(not METADATA.exists(), reason="../shared/data is not present")
def test_odata_keys_match_the_cbs_2024_metadata():
    props = {p["Key"]: p for p in json.loads(METADATA.read_text(encoding="utf-8")) if p.get("Key")}
    for key in (ODATA_REGION, ODATA_GEMEENTE_NAME, ODATA_LEVEL, ODATA_NAME):
        assert key in props
    for key, name in ODATA_TO_NAME.items():
        assert key in props, key
        expected = {"count": "aantal", "pct": "%"}.get(kind_of(name))
        assert expected is None or props[key]["Unit"] == expected, (key, props[key]["Unit"])


@pytest.mark.skipif(not (SHARED_DATA / "cbs").exists(), reason="../shared/data is not present")
def test_real_cbs_file_reads_like_the_embedded_build(panel_frame, tmp_path):
    """The real KWB 2022 rows (relabelled 2023, a test fixture) give exactly the embedded 2022 wijk values."""
    raw = pl.read_csv(SHARED_DATA / "cbs" / "kwb_2021_2022_wijk_gemeente_jeugdhulp.csv", infer_schema=False)
    path = write(raw.filter(pl.col("year") == "2022").with_columns(pl.lit("2023").alias("year")),
                 tmp_path / "kwb.csv")
    user = read_user_file(path)
    new = user.frame.filter(pl.col("level") == "wijk").drop("_row", "year").sort("region_code")
    old = panel_frame.filter(pl.col("level") == "wijk", pl.col("year") == 2022).sort("region_code")
    assert new.height == old.height > 3000
    common = sorted(set(new.columns) & set(old.columns))
    assert len(common) > 40
    for col in common:
        assert new[col].equals(old[col].cast(new.schema[col])), col
