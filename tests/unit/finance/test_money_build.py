"""The embedded money tables are the toolkit's own deterministic build of ../shared/data/finance."""

from __future__ import annotations

import polars as pl
import pytest
from kwb_test_files import SHARED_DATA

from ethics.errors import InputDataError
from toolkit.finance.build import IV3_FILES, build_finance, read_cluster, read_iv3
from toolkit.finance.embedded import load
from toolkit.sources.build import content_hash

needs_shared = pytest.mark.skipif(not (SHARED_DATA / "finance" / IV3_FILES[2023][0]).exists(),
                                  reason="../shared/data/finance is not present")
NAMES = {"'s-Gravenhage (gemeente)": "'s-Gravenhage", "Beek (L.)": "Beek"}
CODES = {"'s-Gravenhage": "GM0518", "Beek": "GM0888"}
HEADER = "Gemeenten;Taakveld;L1.1 Salarissen en sociale lasten;Baten;Lasten;Provincie\n"


@needs_shared
def test_shipped_tables_equal_a_rebuild():
    rebuilt = build_finance(SHARED_DATA)
    for name, frame in rebuilt.items():
        assert content_hash(frame) == content_hash(load(name)), f"{name}.parquet differs: run `make data`"


def _iv3_2025(tmp_path, rows: str):
    path = tmp_path / IV3_FILES[2025][0]
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + rows, encoding="utf-8")
    return tmp_path


def test_renamed_gemeenten_and_2025_taakvelden(tmp_path):
    """SYNTHETIC Iv3 2025 rows: CBS's disambiguated names map to codes; 2025 codes map to care types."""
    finance = _iv3_2025(tmp_path, "'s-Gravenhage (gemeente);6.751 Jeugdhulp ambulant lokaal;;0.0;100.5;ZH\n"
                        "'s-Gravenhage (gemeente);6.763 Jeugdhulp met verblijf landelijk;;0.0;20.0;ZH\n"
                        "Beek (L.);6.792 PGB Jeugd;;0.0;3.0;L\n"
                        "Beek (L.);6.821 Jeugdbescherming ;;0.0;4.0;L\n"
                        "Beek (L.);6.822 Jeugdreclassering;;0.0;5.0;L\n"
                        "Beek (L.);6.22 Toegang en eerstelijnsvoorz. Jeugd;;0.0;6.0;L\n"
                        "Beek (L.);6.711 Huishoudelijke hulp (WMO);;0.0;7.0;L\n"
                        "Nederland;6.751 Jeugdhulp ambulant lokaal;;0.0;100.5;\n")
    frame = read_iv3(finance, 2025, NAMES, CODES)
    got = {(r["gemeente_code"], r["taakveld"]): (r["care_type"], r["access"], r["lasten_eur"])
           for r in frame.iter_rows(named=True)}
    assert got[("GM0518", "6.751")] == ("jeugdhulp_zonder_verblijf", None, 100_500.0)  # thousands -> euros
    assert got[("GM0518", "6.763")][0] == "jeugdhulp_met_verblijf"
    assert got[("GM0888", "6.792")][0] == "jeugdhulp_pgb"
    assert got[("GM0888", "6.821")][0] == "jeugdbescherming"
    assert got[("GM0888", "6.822")][0] == "jeugdreclassering"
    assert got[("GM0888", "6.22")][:2] == (None, "toegang_jeugd")  # access: apart, never a care type
    assert ("GM0888", "6.711") not in got  # Wmo is not youth care
    assert got[("NL00", "6.751")][2] == 100_500.0


def test_an_unknown_gemeente_name_names_file_and_row(tmp_path):
    finance = _iv3_2025(tmp_path, "Beek (L.);6.751 x;;0.0;1.0;L\nAtlantis;6.751 x;;0.0;1.0;L\n")
    with pytest.raises(InputDataError) as err:
        read_iv3(finance, 2025, NAMES, CODES)
    assert "row 2" in err.value.render() and "iv3_2025_begroting_taakveld6.csv" in err.value.render()


def test_aggregate_taakvelden_are_not_added_to_their_parts(tmp_path):
    path = tmp_path / IV3_FILES[2023][0]
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + "Beek (L.);6.72 Maatwerkdienstverlening 18-;;0.0;999.0;L\n"
                    "Beek (L.);6.72a Jeugdhulp begeleiding;;0.0;1.0;L\n"
                    "Beek (L.);6.74b Jeugdhulp crisis/LTA/GGZ-verblijf;;0.0;2.0;L\n", encoding="utf-8")
    frame = read_iv3(tmp_path, 2023, NAMES, CODES)
    assert frame["taakveld"].to_list() == ["6.72a", "6.74b"]
    assert frame["care_type"].to_list() == ["jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf"]


def test_cluster_is_weight_times_volume_times_factor_except_woz(tmp_path):
    """SYNTHETIC Gemeentefonds files in the real layout (TAB, decimal comma, thousands dot, CRLF)."""
    gf = tmp_path / "gemeentefonds"
    gf.mkdir()
    (gf / "GF_M2024_2025_Gewichten.csv").write_bytes(
        b"Codering maatstaf\tNaam maatstaf\tJeugd\r\njong\tjongeren\t302,24\r\nWOZx\twoz\t-0,10\r\n"
        b"\tvoogdij/18+\t1,00\r\nnul\tniets\t0,00\r\nlidr\tlaag inkomen\t2.570,78\r\n")
    (gf / "GF_M2024_2025_Volumina.csv").write_bytes(
        b"CBS\tNaam\tjong\tWOZx\tlidr\tnul\r\n518\tA\t100,5\t1000\t2\t9\r\n7\tB\t0\t0\t1\t9\r\n")
    frame = read_cluster(tmp_path, "M2024", 2025, 1.5, cluster="Jeugd")
    a = {r["maatstaf"]: r["amount_eur"] for r in frame.filter(pl.col("gemeente_code") == "GM0518").iter_rows(
        named=True)}
    assert a == pytest.approx({"jong": 302.24 * 100.5 * 1.5, "WOZx": -0.10 * 1000, "lidr": 2570.78 * 2 * 1.5})
    assert set(frame["gemeente_code"]) == {"GM0518", "GM0007"}  # codes padded to GMgggg


def test_taakveld_docstring_examples_run():
    import doctest

    from toolkit.finance import _taakvelden

    result = doctest.testmod(_taakvelden)
    assert result.attempted > 0 and result.failed == 0
